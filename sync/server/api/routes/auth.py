"""`POST /api/v1/auth/token`: sign in from a device and receive a bearer token for it;
`POST /api/v1/auth/password`: change one's own password, proven by the current one.

Both check a password, so both go through the same guards: the rate limits per address and per username
(429 with Retry-After, before the password is looked at) and the lockout counted in the database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import APIRouter, HTTPException, Request
from sqlalchemy.orm import Session

from sync.protocol import (
    ErrorResponse,
    PasswordChangeRequest,
    PasswordChangeResponse,
    TokenRequest,
    TokenResponse,
)

from ...accounts import AccountError, AuthFailure, change_own_password, issue_token, user_info
from ..deps import AUTH_MESSAGES, AddressDep, AuthRefused, LimiterDep, ServerIdDep, SessionDep
from ..sign_in_limits import SignInLimiter, TooManyAttempts

router = APIRouter(
    prefix="/api/v1/auth",
    tags=["auth"],
    responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}, 429: {"model": ErrorResponse}},
)

BAD_CREDENTIALS = AUTH_MESSAGES["credentials_invalid"]
T = TypeVar("T")


def guarded(
    session: Session, limiter: SignInLimiter, address: str, username: str, attempt: Callable[[Session], T]
) -> T:
    """Run a password-checking `attempt` in one transaction under the rate limits, and commit what it counted
    (a failure, a lock) even when it refuses: the refusal is raised only after the commit. The office web app's
    sign-in form goes through here too, so a browser is limited and locked out exactly as a laptop is."""
    try:
        limiter.check(address, username)
    except TooManyAttempts as limited:
        raise AuthRefused("too_many_attempts", retry_after=limited.retry_after) from None
    refused: AuthFailure | None = None
    with session.begin():
        try:
            return attempt(session)
        except AuthFailure as failure:
            refused = failure
    if refused.code == "credentials_invalid":
        limiter.failed(address, username)
    raise AuthRefused(refused.code, retry_after=refused.retry_after)


@router.post("/token", response_model=TokenResponse)
def create_token(
    body: TokenRequest, request: Request, session: SessionDep, server: ServerIdDep, limiter: LimiterDep,
    address: AddressDep,
) -> TokenResponse:
    settings = request.app.state.settings
    issued = guarded(
        session, limiter, address, body.username,
        lambda s: issue_token(s, body, settings.token_lifetime, settings.lockout),
    )
    return TokenResponse(
        server_id=server,
        token=issued.token,
        expires_at=issued.expires_at,
        user=user_info(issued.user),
        device_id=issued.device.id,
    )


@router.post("/password", response_model=PasswordChangeResponse, responses={422: {"model": ErrorResponse}})
def change_password(
    body: PasswordChangeRequest, request: Request, session: SessionDep, server: ServerIdDep, limiter: LimiterDep,
    address: AddressDep,
) -> PasswordChangeResponse:
    policy = request.app.state.settings.lockout
    try:
        guarded(
            session, limiter, address, body.username,
            lambda s: change_own_password(s, body.username, body.current_password, body.new_password, policy),
        )
    except AccountError as refused:  # the new password, once the current one was proven: nothing is kept
        raise HTTPException(status_code=422, detail=str(refused)) from None
    return PasswordChangeResponse(
        server_id=server, detail="Your password has been changed. Sign in with it on each of your laptops."
    )
