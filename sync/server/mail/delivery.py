"""The one job function every worker runs: claim the messages that are due, send each, record what happened.

Safe with several processes on several machines. A claim is a short transaction that takes due rows with
`FOR UPDATE SKIP LOCKED` (PostgreSQL; SQLite's BEGIN IMMEDIATE serialises writers) and marks them `sending` with
a claim token and a lease; the SMTP conversation runs outside any transaction; its outcome is written only if the
claim is still ours (`WHERE claim = token`), in the step right after the server accepted the message. A process
killed mid-send leaves `sending` rows whose lease lapses: they are claimed again then. So a message is sent once,
unless a process dies in the instant between the SMTP server's acceptance and that update (then the copy carries
the same Message-ID, which mail programs use to recognise a duplicate).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from ..db import transaction
from ..models import MailMessage, utcnow
from .outbox import bounce_hooks
from .settings import DeliveryTimings, SmtpSettings
from .smtp import PermanentFailure, TemporaryFailure, build_message, send

log = logging.getLogger("reviewapp.mail")
#: Messages claimed per transaction: a worker sends these, then claims more.
CLAIM_BATCH = 5


@dataclass
class DeliveryRun:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    bounced: int = 0

    @property
    def claimed(self) -> int:
        return self.sent + self.retried + self.failed + self.bounced


def _claim(factory: sessionmaker[Session], timings: DeliveryTimings) -> tuple[str, list[MailMessage]]:
    token = str(uuid.uuid4())
    now = utcnow()
    with transaction(factory) as session:
        due = or_(
            and_(MailMessage.status == "queued", MailMessage.next_attempt_at <= now),
            and_(MailMessage.status == "sending", MailMessage.lease_until < now),  # a dead worker's claim
        )
        rows = list(session.scalars(
            select(MailMessage).where(due).order_by(MailMessage.next_attempt_at).limit(CLAIM_BATCH)
            .with_for_update(skip_locked=True)
        ))
        for row in rows:
            row.status, row.claim = "sending", token
            row.lease_until = now + dt.timedelta(seconds=timings.lease_seconds)
            row.attempts += 1
    return token, rows


def _finish(factory: sessionmaker[Session], row: MailMessage, token: str, **values: object) -> bool:
    """Write a claimed message's outcome if the claim is still ours (False: its lease lapsed and another took it)."""
    with transaction(factory) as session:
        done = session.execute(
            update(MailMessage).where(MailMessage.id == row.id, MailMessage.claim == token)
            .values(claim=None, lease_until=None, **values)
        ).rowcount
        if done and values.get("status") == "bounced":
            current = session.get(MailMessage, row.id)
            for hook in bounce_hooks(row.kind):
                try:
                    with session.begin_nested():  # a failing hook undoes its own writes, never the bounce
                        hook(session, current)
                except Exception as error:
                    log.error("bounce hook for %s failed on mail %s (%s)", row.kind, row.id, type(error).__name__)
    return bool(done)


def release_waiting(factory: sessionmaker[Session], smtp: SmtpSettings | None) -> int:
    """Without settings, queued messages wait; with them, waiting messages are queued. The count moved."""
    with transaction(factory) as session:
        if smtp is None:
            query = update(MailMessage).where(MailMessage.status == "queued").values(status="waiting_for_settings")
        else:
            query = (update(MailMessage).where(MailMessage.status == "waiting_for_settings")
                     .values(status="queued", next_attempt_at=utcnow()))
        return session.execute(query).rowcount


def deliver_due(factory: sessionmaker[Session], smtp: SmtpSettings | None, timings: DeliveryTimings) -> DeliveryRun:
    """Send every message due now (the job: each worker calls it on its schedule and when nudged)."""
    run = DeliveryRun()
    release_waiting(factory, smtp)
    if smtp is None:
        return run
    while True:
        token, rows = _claim(factory, timings)
        if not rows:
            return run
        for row in rows:
            _deliver_one(factory, row, token, smtp, timings, run)


def _deliver_one(factory: sessionmaker[Session], row: MailMessage, token: str, smtp: SmtpSettings,
                 timings: DeliveryTimings, run: DeliveryRun) -> None:
    try:
        send(build_message(row, smtp), smtp)
    except PermanentFailure as error:
        if _finish(factory, row, token, status="bounced", last_error=str(error)[:500], next_attempt_at=utcnow()):
            run.bounced += 1
            log.warning("mail %s (%s) bounced", row.id, row.kind)
        return
    except TemporaryFailure as error:
        if row.attempts >= timings.max_attempts:
            if _finish(factory, row, token, status="failed", last_error=str(error)[:500]):
                run.failed += 1
                log.error("mail %s (%s) failed after %d attempts", row.id, row.kind, row.attempts)
            return
        wait = dt.timedelta(seconds=timings.back_off(row.attempts))
        if _finish(factory, row, token, status="queued", last_error=str(error)[:500],
                   next_attempt_at=utcnow() + wait):
            run.retried += 1
            log.info("mail %s (%s) not sent (attempt %d), next try in %s", row.id, row.kind, row.attempts, wait)
        return
    if _finish(factory, row, token, status="sent", sent_at=utcnow(), last_error=""):
        run.sent += 1
        log.info("mail %s (%s) sent", row.id, row.kind)
