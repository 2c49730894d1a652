"""Browser sign-ins to the office web app: a random token in an HttpOnly cookie, its digest in `web_sessions`.

Kept on the server rather than in a signed cookie so that a sign-in can end: on sign-out, after `Settings.web_idle`
without a request, and whenever the account's other sign-ins end (disabled, password reset or changed:
accounts.expire_tokens). Each session has its own CSRF token, which every form sends back (csrf.py).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..core.security import new_token, token_digest
from ..models import User, WebSession, as_utc, utcnow

COOKIE_NAME = "reviewapp_session"
#: How often `last_seen_at` is written: not on every page, but well within any idle limit.
SEEN_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class SignedIn:
    user: User
    csrf_token: str


def start_session(session: Session, user: User, idle: dt.timedelta) -> tuple[str, str]:
    """A new sign-in for `user`: (the cookie's token, the session's CSRF token). Sessions anyone left idle for
    longer than `idle` are forgotten here, so closed browsers do not pile up rows."""
    token, csrf = new_token(), secrets.token_urlsafe(32)
    now = utcnow()
    session.execute(delete(WebSession).where(WebSession.last_seen_at < now - idle)
                    .execution_options(synchronize_session=False))
    session.add(WebSession(token_hash=token_digest(token), user_id=user.id, csrf_token=csrf, created_at=now,
                           last_seen_at=now))
    return token, csrf


def signed_in(session: Session, token: str | None, idle: dt.timedelta) -> SignedIn | None:
    """Who the cookie's token signs in, or None: unknown, idle for longer than `idle` (then forgotten), or the
    account disabled. Run in a write transaction: it records the request as activity."""
    if not token:
        return None
    row = session.execute(
        select(WebSession, User).join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == token_digest(token))
    ).one_or_none()
    if row is None:
        return None
    web, user = row
    now = utcnow()
    seen = as_utc(web.last_seen_at) or now
    if now - seen > idle or not user.active:
        session.delete(web)
        return None
    if now - seen > SEEN_RESOLUTION:
        web.last_seen_at = now
    return SignedIn(user=user, csrf_token=web.csrf_token)


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(WebSession).where(WebSession.token_hash == token_digest(token)))
