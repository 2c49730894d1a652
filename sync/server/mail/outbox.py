"""The durable outbox: `enqueue` adds a message in the caller's transaction (so a case and its e-mail commit
together, or neither does); the workers (delivery.py) send it. Idempotent on the caller's `key`."""

from __future__ import annotations

import base64
import datetime as dt
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from email_validator import EmailNotValidError
from sqlalchemy import case, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ..db import new_id
from ..models import MailMessage, utcnow
from .settings import SmtpSettings, check_address, smtp_from_env

STATUSES = ("queued", "sending", "sent", "failed", "bounced", "waiting_for_settings")
#: What the admin page lists: everything not yet delivered, and what went wrong.
UNSENT = ("queued", "sending", "failed", "bounced", "waiting_for_settings")
MESSAGE_ID_DOMAIN = "reviewapp.invalid"


class MailError(ValueError):
    """A message that cannot be queued (a malformed address, an empty subject)."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    content_type: str = "application/octet-stream"


#: kind → callbacks(session, message) run in the transaction that records a bounce (e.g. a case notes that its
#: e-mail never arrived and tells a deputy instead).
_bounce_hooks: dict[str, list[Callable[[Session, MailMessage], None]]] = {}
#: Called after a commit that queued mail, so an in-process worker can start at once instead of at its next poll.
_nudges: list[Callable[[], None]] = []
_lock = threading.Lock()


def on_bounce(kind: str) -> Callable[[Callable[[Session, MailMessage], None]], Callable[[Session, MailMessage], None]]:
    """Decorator: run `callback(session, message)` when a message of `kind` bounces."""

    def register(callback: Callable[[Session, MailMessage], None]) -> Callable[[Session, MailMessage], None]:
        with _lock:
            _bounce_hooks.setdefault(kind, []).append(callback)
        return callback

    return register


def bounce_hooks(kind: str) -> Sequence[Callable[[Session, MailMessage], None]]:
    with _lock:
        return tuple(_bounce_hooks.get(kind, ()))


def add_nudge(callback: Callable[[], None]) -> None:
    with _lock:
        _nudges.append(callback)


def remove_nudge(callback: Callable[[], None]) -> None:
    with _lock:
        if callback in _nudges:
            _nudges.remove(callback)


def _nudge_after_commit(session: Session) -> None:
    if session.info.get("mail_nudge"):
        return
    session.info["mail_nudge"] = True
    from sqlalchemy import event

    def after_commit(_session: Session) -> None:
        _session.info.pop("mail_nudge", None)
        with _lock:
            callbacks = tuple(_nudges)
        for callback in callbacks:
            callback()

    event.listen(session, "after_commit", after_commit, once=True)


def enqueue(
    session: Session,
    *,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Iterable[Attachment] = (),
    kind: str,
    key: str,
    ics: str | None = None,
) -> MailMessage:
    """Queue one message to `to` in the caller's transaction; the same `key` again returns the first message and
    queues nothing. MailError for an address that is not one.

    `kind` names the caller ("case", "alerts", "copy", "invitation"...: the admin page shows it, `on_bounce` and
    `bounced_keys` filter by it); `key` is the caller's idempotency key (e.g. f"case:{case_id}:dsl"). `text` is
    the plain-text body; `html`, if given, an HTML alternative already escaped (render it with autoescaping);
    `ics` an iCalendar text sent as invite.ics (text/calendar; method=REQUEST). Keep disclosures out of all of
    them: link to the record instead."""
    try:
        address = check_address(to)
    except EmailNotValidError as error:
        raise MailError(f"{to!r} is not an e-mail address: {error}") from None
    if not subject.strip() or not key or not kind:
        raise MailError("A message needs a subject, a kind and a key.")
    if len(key) > 200 or len(kind) > 40:
        raise MailError("A message's key is at most 200 characters and its kind at most 40.")
    if "\n" in subject or "\r" in subject:
        raise MailError("A subject is one line.")
    existing = session.scalar(select(MailMessage).where(MailMessage.key == key))
    if existing is not None:
        return existing
    message_id = new_id()
    now = utcnow()
    smtp = _smtp()
    domain = smtp.from_address.rpartition("@")[2] if smtp is not None else MESSAGE_ID_DOMAIN
    values = {
        "id": message_id, "key": key, "kind": kind, "message_id": f"<{message_id}@{domain}>",
        "to_address": address, "subject": subject[:300], "body_text": text, "body_html": html, "ics": ics,
        "attachments": [{"filename": item.filename, "content_type": item.content_type,
                         "data": base64.b64encode(item.data).decode()} for item in attachments],
        "status": "queued" if smtp is not None else "waiting_for_settings",
        "attempts": 0, "next_attempt_at": now, "last_error": "", "created_at": now,
    }
    # Two transactions queueing the same key at once: the second one's insert does nothing (no error to roll back).
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(MailMessage).values(**values).on_conflict_do_nothing(index_elements=["key"]))
    _nudge_after_commit(session)
    return session.scalars(select(MailMessage).where(MailMessage.key == key)).one()


def _smtp() -> SmtpSettings | None:
    try:
        return smtp_from_env()
    except ValueError:  # unusable settings: `serve` and `worker` refuse to start with them; the message waits
        return None


def bounced_keys(session: Session, *, kind: str | None = None, since: dt.datetime | None = None) -> list[str]:
    """The keys of the messages (of `kind`) that bounced (at or after `since`): how a caller learns its e-mail was
    refused (a bounced message's `next_attempt_at` is when it bounced; it is never tried again)."""
    query = select(MailMessage.key).where(MailMessage.status == "bounced")
    if kind is not None:
        query = query.where(MailMessage.kind == kind)
    if since is not None:
        query = query.where(MailMessage.next_attempt_at >= since)
    return list(session.scalars(query.order_by(MailMessage.key)))


def status_of(session: Session, key: str) -> str | None:
    return session.scalar(select(MailMessage.status).where(MailMessage.key == key))


def counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(MailMessage.status, func.count()).group_by(MailMessage.status))
    found = dict(rows.all())
    return {status: int(found.get(status, 0)) for status in STATUSES}


def unsent(session: Session, limit: int = 200) -> list[MailMessage]:
    """Messages not delivered, the ones needing the admin first (failed, bounced), then by age."""
    rank = {"failed": 0, "bounced": 1, "waiting_for_settings": 2, "sending": 3, "queued": 4}
    return list(session.scalars(
        select(MailMessage).where(MailMessage.status.in_(UNSENT))
        .order_by(case(rank, value=MailMessage.status), MailMessage.created_at).limit(limit)
    ))


def retry(session: Session, message_id: str) -> bool:
    """Queue a failed or bounced message again, from a clean count; False if it is not one of those."""
    result = session.execute(
        update(MailMessage).where(MailMessage.id == message_id, MailMessage.status.in_(("failed", "bounced")))
        .values(status="queued", attempts=0, next_attempt_at=utcnow(), claim=None, lease_until=None)
    )
    if result.rowcount:
        _nudge_after_commit(session)
    return bool(result.rowcount)
