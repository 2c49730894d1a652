"""The server's periodic jobs, in one place: what runs on every tick, whoever runs the tick.

- cases: a case nobody acknowledged in time e-mails the deputies, once per case (cases/notify.py's rule);
- alerts: each manager's daily e-mail of urgent alerts (working days, from 07:00 London, once per manager per day)
  and weekly digest (from Monday 07:00, once per manager per ISO week) (alert_digest.py's content);
- booking reminders: each booked review's reminder to the learner and the employer, N days before (bookings.py);
- archive: the signed archival copies of newly finalised reviews (archive/copies.py), at most once a minute.

Who ticks (mail/jobs.py): on PostgreSQL the procrastinate periodic task `reviewapp.periodic`, deferred once per tick
however many workers run; on SQLite the mail worker's thread in the server process. Every e-mail goes through the
outbox with an idempotency key, so a tick run twice (two processes, a restart) sends nothing twice.

Settings (environment): REVIEWAPP_CASE_ACKNOWLEDGE_SECONDS, a plain wait in seconds before the deputies are told,
instead of the default 4 working hours; REVIEWAPP_ARCHIVE_SECONDS, how often the archive runs (default 60; 0: never).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reviewapp.core.dates import LONDON

from .cases import notify
from .db import transaction
from .models import User, utcnow

log = logging.getLogger("reviewapp.periodic")

ACKNOWLEDGE_SECONDS_ENV = "REVIEWAPP_CASE_ACKNOWLEDGE_SECONDS"
ARCHIVE_SECONDS_ENV = "REVIEWAPP_ARCHIVE_SECONDS"
#: When the managers' e-mails go, London time.
ALERTS_FROM = dt.time(7, 0)


def acknowledge_wait(env: dict[str, str] | None = None) -> tuple[dt.timedelta, bool]:
    """(how long, counted in working time?) a case may wait for acknowledgement before the deputies are told."""
    text = (os.environ if env is None else env).get(ACKNOWLEDGE_SECONDS_ENV, "").strip()
    if not text:
        return notify.ACKNOWLEDGE_WITHIN, True
    try:
        seconds = float(text)
    except ValueError:
        raise ValueError(f"{ACKNOWLEDGE_SECONDS_ENV}={text!r} is not a number of seconds.") from None
    if seconds <= 0:
        raise ValueError(f"{ACKNOWLEDGE_SECONDS_ENV} must be more than 0 seconds.")
    return dt.timedelta(seconds=seconds), False


def tell_overdue_cases(session: Session, now: dt.datetime, within: dt.timedelta | None = None,
                       working: bool = True) -> int:
    """E-mail the deputies of each case unacknowledged in time (once per case and deputy); how many e-mails."""
    if within is None:
        within, working = acknowledge_wait()
    return notify.send(session, notify.overdue_acknowledgements(session, now, within, working=working))


def _managers(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.role == "manager", User.active.is_(True), User.email != "")
                                .order_by(User.username)))


def _queued(session: Session, key: str) -> bool:
    from .models import MailMessage

    return session.scalar(select(MailMessage.id).where(MailMessage.key == key)) is not None


def alert_keys(manager: User, today: dt.date) -> tuple[str, str]:
    """The outbox keys of a manager's daily urgent e-mail for `today` and their weekly digest for its ISO week."""
    year, week, _ = today.isocalendar()
    return f"alerts_urgent:{manager.id}:{today.isoformat()}", f"alerts_weekly:{manager.id}:{year}-W{week:02d}"


def send_alert_emails(session: Session, now: dt.datetime, done: set[str] | None = None) -> int:
    """Queue each manager's daily urgent e-mail and weekly digest when they are due and not yet queued; how many.
    `done`: keys already dealt with by this process (an urgent e-mail with nothing to say is not worked out again
    on every tick)."""
    from .alert_digest import urgent_for, weekly_for
    from .mail import enqueue

    local = now.astimezone(LONDON)
    if local.weekday() >= 5 or local.time() < ALERTS_FROM:
        return 0
    today, base = local.date(), notify.base_url(session)
    done = set() if done is None else done
    queued = 0
    for manager in _managers(session):
        daily_key, weekly_key = alert_keys(manager, today)
        if daily_key not in done and not _queued(session, daily_key):
            email = urgent_for(session, manager, today, base)
            if email is not None:
                enqueue(session, to=manager.email, subject=email.subject, text=email.text, kind="alerts_urgent",
                        key=daily_key)
                queued += 1
        done.add(daily_key)
        if weekly_key not in done and not _queued(session, weekly_key):
            digest = weekly_for(session, manager, today, base)
            enqueue(session, to=manager.email, subject=digest.subject, text=digest.text, kind="alerts_weekly",
                    key=weekly_key)
            queued += 1
        done.add(weekly_key)
    return queued


def send_booking_reminders(session: Session, now: dt.datetime) -> int:
    """The reminder of each booked review due within the provider's lead (bookings.py), once per booking."""
    from .bookings import send_reminders

    return send_reminders(session, now)


class PeriodicJobs:
    """One process's periodic jobs: `tick()` runs each of them, each on its own (one failing leaves the others)."""

    def __init__(self, factory: sessionmaker[Session], *, clock: Callable[[], dt.datetime] = utcnow,
                 archive_seconds: float | None = None) -> None:
        self.factory, self.clock = factory, clock
        if archive_seconds is None:
            archive_seconds = float(os.environ.get(ARCHIVE_SECONDS_ENV, "").strip() or 60)
        self.archive_seconds = archive_seconds
        self.within, self.working = acknowledge_wait()
        self._alerts_done: set[str] = set()
        self._archived_at = time.monotonic()  # the first archive run waits one interval (as the embedded loop does)
        self._lock = threading.Lock()

    def tick(self) -> None:
        if not self._lock.acquire(blocking=False):  # the previous tick is still running (a long archive batch)
            return
        try:
            now = self.clock()
            self._run("cases", lambda: self._in_transaction(
                lambda s: tell_overdue_cases(s, now, self.within, self.working)))
            self._run("alerts", lambda: self._in_transaction(lambda s: send_alert_emails(s, now, self._alerts_done)))
            self._run("booking reminders", lambda: self._in_transaction(lambda s: send_booking_reminders(s, now)))
            if self.archive_seconds > 0 and time.monotonic() - self._archived_at >= self.archive_seconds:
                self._archived_at = time.monotonic()
                self._run("archive", self._archive)
        finally:
            self._lock.release()

    def _in_transaction(self, job: Callable[[Session], object]) -> None:
        with transaction(self.factory) as session:
            job(session)

    def _archive(self) -> None:
        try:
            from .archive.copies import archive_pending
        except ImportError:  # pikepdf or pyHanko missing: the server extra is not installed
            return
        with self.factory() as session:
            archive_pending(session)

    @staticmethod
    def _run(name: str, job: Callable[[], object]) -> None:
        try:
            job()
        except Exception as error:  # a periodic job must outlive one bad run; the next tick tries again
            # the type only: a database error's text would carry the row's values (addresses) into the log
            log.error("periodic job %s failed (%s); trying again at the next tick", name, type(error).__name__)
