"""Who is told of a case, and what they are told: every "tell someone" of the cases in this one module.

`case_opened` and `overdue_acknowledgements` work out the messages and return them; `send` hands them to the
durable e-mail outbox (`sync.server.mail.enqueue`), one message per recipient, in the caller's transaction (the
case's, or the periodic job's: sync/server/periodic.py), so a crash loses no notification; each message's key
(`Message.key` plus the recipient's username) makes a repeat harmless.

Links point at the provider's public address (its setting), else the address the request came in on (the sync that
brought the case), else the last one this process saw.

A message says that a case is waiting, how urgent it is, and links to it. It NEVER carries the disclosure (what was
recorded, the learner's name): e-mail leaves the provider's systems, and only the case page, behind sign-in and the
need-to-know check, shows the content.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import exists, literal, select
from sqlalchemy.orm import Session

from reviewapp.core.concerns import ROUTE_NAMES
from reviewapp.core.dates import format_datetime

from ..models import Case, CaseLogEntry, MailMessage, User, as_utc

#: Who is told first of a new case on each route, and who is told when nobody acknowledges it in time.
FIRST_TOLD = {"safeguarding": ("safeguarding_lead",), "learning_support": ("learning_support",)}
THEN_TOLD = {"safeguarding": ("safeguarding_deputy",), "learning_support": ("learning_support",)}
#: How long a case may wait for acknowledgement before the deputies are told (issue 16: 4 working hours).
ACKNOWLEDGE_WITHIN = dt.timedelta(hours=4)
#: The address of the request being handled, kept in `session.info` (and the last one seen, for periodic jobs).
BASE_URL_KEY = "base_url"
_seen_base_url = ""


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


def remember_base_url(session: Session, url: str) -> None:
    """The address a request came in on (e.g. a laptop's push): the links' address when no public one is set."""
    global _seen_base_url
    session.info[BASE_URL_KEY] = _seen_base_url = url.rstrip("/")


def base_url(session: Session) -> str:
    """Where links point: the public address setting, else this request's address, else the last one seen."""
    from ..provider_settings import public_address

    return (public_address(session) or session.info.get(BASE_URL_KEY) or _seen_base_url).rstrip("/")


def case_link(case: Case, base: str = "") -> str:
    return f"{base}/cases/{case.id}"


def _body(case: Case, opening: str, link: str) -> str:
    urgency = "URGENT: look at it today." if case.urgency == "urgent" else "Routine: look at it this week."
    return (f"{opening}\n\n{urgency}\n\nOpen the case (sign in to the office web app): {link}\n\n"
            "This e-mail does not say what was recorded: read it on the case page.\n")


def _wait_words(within: dt.timedelta, working: bool) -> str:
    seconds = int(within.total_seconds())
    if seconds % 3600 == 0:
        hours = seconds // 3600
        amount = f"{hours} {'working ' if working else ''}hour{'' if hours == 1 else 's'}"
    elif seconds % 60 == 0:
        amount = f"{seconds // 60} minute{'' if seconds == 60 else 's'}"
    else:
        amount = f"{seconds} second{'' if seconds == 1 else 's'}"
    return amount


def send(session: Session, messages: list[Message]) -> int:
    """Queue `messages` in the outbox in the caller's transaction, one e-mail per recipient (key: the message's key
    and the recipient's username, so a repeat queues nothing); the number of e-mails queued or already queued."""
    from ..mail import enqueue

    count = 0
    for message in messages:
        for address, username in zip(message.to, message.recipients, strict=True):
            enqueue(session, to=address, subject=message.subject, text=message.text, kind=message.kind,
                    key=f"{message.key}:{username}")
            count += 1
    return count


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
    link = case_link(case, base_url(session))
    return [Message(
        to=tuple(p.email for p in people), subject=f"{urgent}{route} case waiting",
        text=_body(case, f"A {route} case was received at {received} and is waiting for you to acknowledge it.",
                   link),
        link=link, kind="case_opened", key=f"case_opened:{case.id}",
        recipients=tuple(p.username for p in people), reason=f"they work {route} cases",
    )]


def overdue_acknowledgements(session: Session, now: dt.datetime, within: dt.timedelta = ACKNOWLEDGE_WITHIN,
                             *, working: bool = False) -> list[Message]:
    """Cases still unacknowledged `within` after they were received: tell the deputies (safeguarding), once per
    case (`key`). `working`: `within` counts working time only (`reviewapp.core.working_time`: Monday to Friday,
    09:00 to 17:00 in London), as the periodic job does by default; else plain time since receipt."""
    from reviewapp.core.working_time import working_time_between

    acknowledged = exists().where(CaseLogEntry.case_id == Case.id,
                                  CaseLogEntry.kind.in_(("acknowledged", "action", "referred", "outcome", "closed")))
    # a case whose deputies' e-mail is queued already is left out (not worked out again on every periodic tick)
    told = exists().where(MailMessage.kind == "case_unacknowledged",
                          MailMessage.key.startswith(literal("case_unacknowledged:") + Case.id + literal(":")))
    waiting = session.scalars(
        select(Case).where(Case.state == "open", Case.received_at <= now - within, ~acknowledged, ~told)
        .order_by(Case.received_at)
    )
    messages = []
    base = base_url(session)
    for case in waiting:
        if working and working_time_between(as_utc(case.received_at), now) < within:
            continue  # the query's plain-time test is the coarse one; working time is the rule
        people = _people(session, THEN_TOLD[case.route])
        if not people:
            continue
        route = ROUTE_NAMES[case.route].lower()
        received = format_datetime(as_utc(case.received_at))
        link = case_link(case, base)
        messages.append(Message(
            to=tuple(p.email for p in people), subject=f"Unacknowledged {route} case",
            text=_body(case, f"A {route} case received at {received} has not been acknowledged within "
                             f"{_wait_words(within, working)}.", link),
            link=link, kind="case_unacknowledged", key=f"case_unacknowledged:{case.id}",
            recipients=tuple(p.username for p in people), reason="nobody acknowledged the case in time",
        ))
    return messages


def _first_e_mail_bounced(session: Session, bounced: MailMessage) -> None:
    """A case's first e-mail was refused for good (the address is wrong): tell those told when nobody acknowledges
    at once, instead of after the wait (as their reminder: the same key, so they are not told twice)."""
    parts = bounced.key.split(":")
    case = session.get(Case, parts[1]) if len(parts) == 3 else None
    if case is None or case.state != "open":
        return
    people = [p for p in _people(session, THEN_TOLD[case.route]) if p.email.casefold() != bounced.to_address.casefold()]
    if not people:
        return
    route = ROUTE_NAMES[case.route].lower()
    link = case_link(case, base_url(session))
    send(session, [Message(
        to=tuple(p.email for p in people), subject=f"Unacknowledged {route} case",
        text=_body(case, f"A {route} case received at {format_datetime(as_utc(case.received_at))} is waiting, and the "
                         "e-mail telling its lead of it could not be delivered.", link),
        link=link, kind="case_unacknowledged", key=f"case_unacknowledged:{case.id}",
        recipients=tuple(p.username for p in people), reason="the first e-mail bounced",
    )])


def _register_bounce_hook() -> None:
    from ..mail import on_bounce

    on_bounce("case_opened")(_first_e_mail_bounced)


_register_bounce_hook()
