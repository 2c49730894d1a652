"""Who is told of a case, and what they are told: every "tell someone" of the cases in this one module.

Each function works out the messages and returns them; it sends nothing itself. At merge these are handed to the
durable e-mail outbox (`sync.server.mail.enqueue(session, to=..., subject=..., text=..., kind=..., key=...)`), in
the same transaction as the case, so a crash loses no notification; `Message.key` makes a repeat harmless.

A message says that a case is waiting, how urgent it is, and links to it. It NEVER carries the disclosure (what was
recorded, the learner's name): e-mail leaves the provider's systems, and only the case page, behind sign-in and the
need-to-know check, shows the content.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from reviewapp.core.concerns import ROUTE_NAMES
from reviewapp.core.dates import format_datetime

from ..models import Case, CaseLogEntry, User, as_utc

#: Who is told first of a new case on each route, and who is told when nobody acknowledges it in time.
FIRST_TOLD = {"safeguarding": ("safeguarding_lead",), "learning_support": ("learning_support",)}
THEN_TOLD = {"safeguarding": ("safeguarding_deputy",), "learning_support": ("learning_support",)}
#: How long a case may wait for acknowledgement before the deputies are told (issue 16: 4 working hours).
ACKNOWLEDGE_WITHIN = dt.timedelta(hours=4)
#: Where the links point; the lead sets it from the server's public address at merge.
BASE_URL = ""


@dataclass(frozen=True)
class Message:
    """One e-mail to send: to whom, what it says, why (`kind`) and a key unique to it (what the outbox dedupes by)."""

    to: tuple[str, ...]
    subject: str
    text: str
    link: str
    kind: str
    key: str
    #: Who and why, for the log and the tests (usernames, never addresses in logs).
    recipients: tuple[str, ...] = ()
    reason: str = ""


def _people(session: Session, roles: tuple[str, ...]) -> list[User]:
    return list(session.scalars(
        select(User).where(User.role.in_(roles), User.active.is_(True), User.email != "").order_by(User.username)
    ))


def case_link(case: Case) -> str:
    return f"{BASE_URL}/cases/{case.id}"


def _body(case: Case, opening: str) -> str:
    urgency = "URGENT: look at it today." if case.urgency == "urgent" else "Routine: look at it this week."
    return (f"{opening}\n\n{urgency}\n\nOpen the case (sign in to the office web app): {case_link(case)}\n\n"
            "This e-mail does not say what was recorded: read it on the case page.\n")


def case_opened(session: Session, case: Case) -> list[Message]:
    """A case has opened: tell the route's first people (the designated safeguarding lead; the learning support
    officer). No one to tell (no such account with an address) returns nothing; the deputies' reminder still
    comes from `overdue_acknowledgements`."""
    people = _people(session, FIRST_TOLD[case.route])
    if not people:
        return []
    route = ROUTE_NAMES[case.route].lower()
    urgent = "Urgent " if case.urgency == "urgent" else ""
    received = format_datetime(as_utc(case.received_at))
    return [Message(
        to=tuple(p.email for p in people), subject=f"{urgent}{route} case waiting",
        text=_body(case, f"A {route} case was received at {received} and is waiting for you to acknowledge it."),
        link=case_link(case), kind="case_opened", key=f"case_opened:{case.id}",
        recipients=tuple(p.username for p in people), reason=f"they work {route} cases",
    )]


def overdue_acknowledgements(session: Session, now: dt.datetime,
                             within: dt.timedelta = ACKNOWLEDGE_WITHIN) -> list[Message]:
    """Cases still unacknowledged `within` after they were received: tell the deputies (safeguarding), once per
    case (`key`). (Working hours: the lead's outbox job runs this on working days; `within` counts from receipt.)"""
    acknowledged = exists().where(CaseLogEntry.case_id == Case.id,
                                  CaseLogEntry.kind.in_(("acknowledged", "action", "referred", "outcome", "closed")))
    waiting = session.scalars(
        select(Case).where(Case.state == "open", Case.received_at <= now - within, ~acknowledged)
        .order_by(Case.received_at)
    )
    messages = []
    for case in waiting:
        people = _people(session, THEN_TOLD[case.route])
        if not people:
            continue
        route = ROUTE_NAMES[case.route].lower()
        received = format_datetime(as_utc(case.received_at))
        messages.append(Message(
            to=tuple(p.email for p in people), subject=f"Unacknowledged {route} case",
            text=_body(case, f"A {route} case received at {received} has not been acknowledged within "
                             f"{int(within.total_seconds() // 3600)} hours."),
            link=case_link(case), kind="case_unacknowledged", key=f"case_unacknowledged:{case.id}",
            recipients=tuple(p.username for p in people), reason="nobody acknowledged the case in time",
        ))
    return messages
