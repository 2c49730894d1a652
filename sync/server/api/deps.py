"""Dependencies every route uses: the database session, the server id, and the scoped caller.

Scoping is a dependency rather than a check each handler remembers: a route that touches records asks for a
`Caller`, and the record queries take their conditions from it (see scope.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session, sessionmaker

from ..accounts import ROLES, AuthFailure, authenticate
from ..db import server_id
from ..models import as_utc, utcnow
from ..scope import Caller
from .sign_in_limits import SignInLimiter

LAST_SEEN_RESOLUTION = dt.timedelta(minutes=5)
NOT_ALLOWED = "Your account is not allowed to do this; ask an admin."
#: The sentence for people behind each code (sync.protocol.AuthErrorCode); `{wait}` becomes "about 3 minutes".
AUTH_MESSAGES = {
    "token_invalid": "You are not signed in, or your sign-in is not known to this server: sign in again.",
    "token_expired": "Your sign-in has expired: sign in again.",
    "device_revoked": "This device's sign-in has been revoked by an admin: it can no longer sync.",
    "account_disabled": "Your account has been disabled: ask an admin.",
    "credentials_invalid": "The username or password is not right. Check them and try again.",
    "password_change_required": "An admin has reset your password: choose a new one to sign in.",
    "account_locked": "There have been too many failed sign-ins for this account, so it is locked for {wait}. "
    "Try again then, or ask an admin to unlock it.",
    "too_many_attempts": "There have been too many failed sign-ins: wait {wait}, then try again.",
}
#: Codes answered with another status than 401 (see sync.protocol.AuthErrorCode).
AUTH_STATUS = {"password_change_required": 403, "account_locked": 429, "too_many_attempts": 429}


def _wait(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"about {round(seconds / 60)} minutes"


class AuthRefused(HTTPException):
    """A refused sign-in or token: its body carries a machine-readable `code` beside the human `detail` (see
    errors.py); 401 unless AUTH_STATUS says otherwise, with Retry-After when waiting helps."""

    def __init__(self, code: str, retry_after: int | None = None) -> None:
        status = AUTH_STATUS.get(code, 401)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        detail = AUTH_MESSAGES[code].replace("{wait}", _wait(retry_after or 0))
        super().__init__(status_code=status, detail=detail, headers=headers)
        self.code = code


#: The name the token checks use: every code they raise is a 401.
Unauthorised = AuthRefused


def session_factory(request: Request) -> sessionmaker[Session]:
    return request.app.state.session_factory


def get_session(factory: Annotated[sessionmaker[Session], Depends(session_factory)]) -> Iterator[Session]:
    with factory() as session:
        yield session


def sign_in_limiter(request: Request) -> SignInLimiter:
    return request.app.state.sign_in_limiter


def client_address(request: Request) -> str:
    """The caller's address; behind a reverse proxy, uvicorn's `proxy_headers` make it the forwarded one."""
    return request.client.host if request.client else "unknown"


def get_server_id(request: Request) -> str:
    """The server's id, read once from the database and then kept."""
    cached = getattr(request.app.state, "server_id", None)
    if cached is None:
        with request.app.state.session_factory() as session:
            cached = request.app.state.server_id = server_id(session)
    return cached


def current_caller(request: Request, factory: Annotated[sessionmaker[Session], Depends(session_factory)]) -> Caller:
    """The signed-in user behind the bearer token, or 401."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorised("token_invalid")
    with factory() as session, session.begin():
        try:
            user, device = authenticate(session, token.strip())
        except AuthFailure as failure:
            raise Unauthorised(failure.code) from None
        now = utcnow()
        seen = as_utc(device.last_seen_at)
        if seen is None or now - seen > LAST_SEEN_RESOLUTION:  # not a write on every request
            device.last_seen_at = now
        return Caller(user_id=user.id, username=user.username, role=user.role, device_id=device.id)


class SignInNeeded(HTTPException):
    """A page asked for without a browser sign-in (or one that has ended): the error handler sends the browser to
    the sign-in form, and back to the page afterwards."""

    def __init__(self) -> None:
        super().__init__(status_code=401, detail="Sign in to see this page.")


def session_caller(request: Request, factory: Annotated[sessionmaker[Session], Depends(session_factory)]) -> Caller:
    """The user signed in to the office web app by the session cookie, or `SignInNeeded`. A manager here sees
    their teams' caseloads (scope.py)."""
    from ..web.sessions import COOKIE_NAME, signed_in

    with factory() as session, session.begin():
        found = signed_in(session, request.cookies.get(COOKIE_NAME), request.app.state.settings.web_idle)
        if found is None:
            raise SignInNeeded()
        request.state.csrf_token = found.csrf_token  # what this page's forms carry, and its POSTs must send
        user = found.user
        caller = Caller(user_id=user.id, username=user.username, role=user.role, device_id=None, by_team=True)
        request.state.caller = caller  # so an error page, too, says who is signed in and offers sign-out
        return caller


def require_role(*roles: str, via: Callable[..., Caller] = current_caller) -> Callable[[Caller], Caller]:
    """THE role check, for API routes and pages alike: a dependency admitting only callers with one of `roles`
    (403 for anyone else signed in). `via` finds the caller: the bearer token (the API), or the browser's session
    (the web app, `session_caller`)."""

    # A default rather than Annotated: `via` is this closure's, which a postponed annotation cannot name.
    def check(caller: Caller = Depends(via)) -> Caller:  # noqa: B008
        if caller.role not in roles:
            raise HTTPException(status_code=403, detail=NOT_ALLOWED)
        return caller

    return check


SessionDep = Annotated[Session, Depends(get_session)]
ServerIdDep = Annotated[str, Depends(get_server_id)]
CallerDep = Annotated[Caller, Depends(current_caller)]
AdminDep = Annotated[Caller, Depends(require_role("admin"))]
#: Anyone signed in to the office web app (pages then scope what they show by the caller).
PageCallerDep = Annotated[Caller, Depends(require_role(*ROLES, via=session_caller))]
LimiterDep = Annotated[SignInLimiter, Depends(sign_in_limiter)]
AddressDep = Annotated[str, Depends(client_address)]
