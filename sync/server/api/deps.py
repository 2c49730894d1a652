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

from ..accounts import AuthFailure, authenticate
from ..db import server_id
from ..models import as_utc, utcnow
from ..scope import Caller

LAST_SEEN_RESOLUTION = dt.timedelta(minutes=5)
NOT_ALLOWED = "Your account is not allowed to do this; ask an admin."
#: The sentence for people behind each 401 code (sync.protocol.AuthErrorCode).
AUTH_MESSAGES = {
    "token_invalid": "You are not signed in, or your sign-in is not known to this server: sign in again.",
    "token_expired": "Your sign-in has expired: sign in again.",
    "device_revoked": "This device's sign-in has been revoked by an admin: it can no longer sync.",
    "account_disabled": "Your account has been disabled: ask an admin.",
    "credentials_invalid": "The username or password is not right. Check them and try again.",
}


class Unauthorised(HTTPException):
    """A 401 whose body carries a machine-readable `code` beside the human `detail` (see errors.py)."""

    def __init__(self, code: str) -> None:
        super().__init__(status_code=401, detail=AUTH_MESSAGES[code], headers={"WWW-Authenticate": "Bearer"})
        self.code = code


def session_factory(request: Request) -> sessionmaker[Session]:
    return request.app.state.session_factory


def get_session(factory: Annotated[sessionmaker[Session], Depends(session_factory)]) -> Iterator[Session]:
    with factory() as session:
        yield session


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


def require_role(*roles: str) -> Callable[[Caller], Caller]:
    """A dependency admitting only callers with one of `roles` (403 for anyone else signed in)."""

    def check(caller: Annotated[Caller, Depends(current_caller)]) -> Caller:
        if caller.role not in roles:
            raise HTTPException(status_code=403, detail=NOT_ALLOWED)
        return caller

    return check


SessionDep = Annotated[Session, Depends(get_session)]
ServerIdDep = Annotated[str, Depends(get_server_id)]
CallerDep = Annotated[Caller, Depends(current_caller)]
AdminDep = Annotated[Caller, Depends(require_role("admin"))]
