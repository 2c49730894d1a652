"""`POST /api/v1/auth/token`: sign in from a device and receive a bearer token for it."""

from __future__ import annotations

from fastapi import APIRouter, Request

from sync.protocol import ErrorResponse, TokenRequest, TokenResponse

from ...accounts import AuthFailure, issue_token, user_info
from ..deps import AUTH_MESSAGES, ServerIdDep, SessionDep, Unauthorised

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])

BAD_CREDENTIALS = AUTH_MESSAGES["credentials_invalid"]


@router.post("/token", response_model=TokenResponse, responses={401: {"model": ErrorResponse}})
def create_token(body: TokenRequest, request: Request, session: SessionDep, server: ServerIdDep) -> TokenResponse:
    with session.begin():
        try:
            issued = issue_token(
                session, body.username, body.password, body.device_name, request.app.state.settings.token_lifetime
            )
        except AuthFailure as failure:  # credentials_invalid, or account_disabled for the right password only
            raise Unauthorised(failure.code) from None
        return TokenResponse(
            server_id=server,
            token=issued.token,
            expires_at=issued.expires_at,
            user=user_info(issued.user),
            device_id=issued.device.id,
        )
