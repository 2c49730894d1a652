"""Locking a username after repeated failed sign-ins, counted in the database so every worker process agrees.

The in-memory rate limits (api/sign_in_limits.py) slow guessing down; this stops it: `threshold` failures within
`window` lock the name for `duration` (or until an admin runs `unlock-user` / `enable-user`). Any username sent is
counted, known or not, so a lockout says nothing about whether an account exists; while a name is locked its
password is not even checked, so the answer cannot tell a right password from a wrong one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .models import SignInFailures, as_utc


@dataclass(frozen=True)
class LockoutPolicy:
    threshold: int = 10
    window: dt.timedelta = dt.timedelta(minutes=15)
    duration: dt.timedelta = dt.timedelta(minutes=15)


def locked_until(session: Session, username: str, now: dt.datetime) -> dt.datetime | None:
    """When the name's lock ends, if it is locked now."""
    until = session.execute(
        select(SignInFailures.locked_until).where(SignInFailures.username == username)
    ).scalar_one_or_none()
    until = as_utc(until)
    return until if until is not None and until > now else None


def record_failure(session: Session, username: str, now: dt.datetime, policy: LockoutPolicy) -> None:
    """Count one failed sign-in for the name, locking it at the threshold. The row is locked (PostgreSQL) or the
    whole database is (SQLite's BEGIN IMMEDIATE), so two workers counting at once never lose a failure."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(SignInFailures)
        .values(username=username, failures=0, window_started_at=now)
        .on_conflict_do_nothing(index_elements=["username"])
    )
    row = session.execute(
        select(SignInFailures).where(SignInFailures.username == username).with_for_update()
    ).scalar_one()
    started = as_utc(row.window_started_at)
    if started is None or now - started > policy.window:
        row.failures, row.window_started_at = 0, now
    row.failures += 1
    if row.failures >= policy.threshold:
        row.locked_until = now + policy.duration
        row.failures, row.window_started_at = 0, now  # counting starts afresh once the lock ends
    # Names whose window and lock have both passed are forgotten, so unknown names tried once do not pile up.
    session.execute(
        delete(SignInFailures).where(
            SignInFailures.window_started_at < now - policy.window,
            (SignInFailures.locked_until.is_(None)) | (SignInFailures.locked_until < now),
            SignInFailures.username != username,
        ).execution_options(synchronize_session=False)
    )


def clear(session: Session, username: str, now: dt.datetime) -> bool:
    """Forget the name's failures and lock (a right password, or an admin's unlock). True when it was locked."""
    was_locked = locked_until(session, username, now) is not None
    session.execute(delete(SignInFailures).where(SignInFailures.username == username))
    return was_locked
