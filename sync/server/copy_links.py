"""How e-mailed review copies travel (a provider setting, issue 17 item 1): as a PDF attachment (the default) or as a
time-limited link to the copy on the provider's server.

A link names one review and one copy (learner or employer) and when it expires, signed with HMAC-SHA256 by a key
the server makes on first use and keeps in its settings table (never sent anywhere): `/copies/<token>` serves that
copy, and nothing else, until the expiry; a changed, truncated or expired token is refused. A link needs the
server's public address (`set-public-address`); without one the copy goes as an attachment.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from .models import ProviderSetting, utcnow
from .provider_settings import SettingsError, public_address

MODE = "copy_delivery"
_KEY = "copy_link_key"
MODES = ("attachment", "link")
DEFAULT_DAYS = 14
MAX_DAYS = 90
EXPIRED = "This link has expired. Ask your training provider to send the copy again."
NOT_A_LINK = "This link is not complete or has been changed. Use the link exactly as it was e-mailed to you."


class LinkRefused(ValueError):
    """The token is not one this server made, or it has expired; the message says which, for the page."""


@dataclass(frozen=True)
class CopyDelivery:
    mode: str = "attachment"
    days: int = DEFAULT_DAYS


def copy_delivery(session: Session) -> CopyDelivery:
    row = session.get(ProviderSetting, MODE)
    value = row.value if row is not None and isinstance(row.value, dict) else {}
    mode = value.get("mode") if value.get("mode") in MODES else "attachment"
    days = value.get("days") if isinstance(value.get("days"), int) else DEFAULT_DAYS
    return CopyDelivery(mode, days)


def set_copy_delivery(session: Session, mode: str, days: int, by: str) -> CopyDelivery:
    """SettingsError with the reason for a mode or a number of days the server cannot use."""
    if mode not in MODES:
        raise SettingsError("Choose how copies are e-mailed: attachment or link.")
    if not 1 <= days <= MAX_DAYS:
        raise SettingsError(f"A link must last between 1 and {MAX_DAYS} days.")
    row = session.get(ProviderSetting, MODE)
    value = {"mode": mode, "days": days}
    if row is None:
        session.add(ProviderSetting(key=MODE, value=value, updated_by=by))
    else:
        row.value, row.updated_at, row.updated_by = value, utcnow(), by
    session.flush()
    return CopyDelivery(mode, days)


def _key(session: Session) -> bytes:
    row = session.get(ProviderSetting, _KEY)
    if row is None:
        row = ProviderSetting(key=_KEY, value=secrets.token_hex(32), updated_by="copy links")
        session.add(row)
        session.flush()
    return bytes.fromhex(str(row.value))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _signature(key: bytes, body: str) -> str:
    return _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())


def make_token(session: Session, review_id: str, copy: str, expires: dt.datetime) -> str:
    body = _b64(f"{review_id}:{copy}:{int(expires.timestamp())}".encode())
    return f"{body}.{_signature(_key(session), body)}"


def copy_link(session: Session, review_id: str, copy: str, days: int, now: dt.datetime | None = None
              ) -> tuple[str, dt.datetime] | None:
    """The link to this copy and when it expires, or None when the server has no public address."""
    address = public_address(session)
    if not address:
        return None
    expires = (now or utcnow()) + dt.timedelta(days=days)
    return f"{address.rstrip('/')}/copies/{make_token(session, review_id, copy, expires)}", expires


def check_token(session: Session, token: str, now: dt.datetime | None = None) -> tuple[str, str]:
    """(review id, copy) of a token this server made that has not expired; LinkRefused otherwise."""
    body, _, signature = token.partition(".")
    if not body or not signature or len(token) > 300 or not hmac.compare_digest(
            signature.encode(), _signature(_key(session), body).encode()):
        raise LinkRefused(NOT_A_LINK)
    try:
        review_id, copy, expires = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode().split(":")
        expiry = dt.datetime.fromtimestamp(int(expires), dt.UTC)
    except ValueError:
        raise LinkRefused(NOT_A_LINK) from None
    if copy not in ("learner", "employer"):
        raise LinkRefused(NOT_A_LINK)
    if (now or utcnow()).replace(tzinfo=dt.UTC) >= expiry:
        raise LinkRefused(EXPIRED)
    return review_id, copy
