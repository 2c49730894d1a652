"""The portal for learners and employers (issue 17 item 2): who is signed in, and what they may see.

No password: `request_link` e-mails a random token (only its digest is kept) to each learner or employer contact
whose address the provider holds; it works once, for `LINK_LIFETIME`. Opening it starts a portal session, its own
cookie and table (`portal_sessions`), never a staff sign-in. Its principal is a learner, or an employer's contact;
`Principal.visible` is the portal's one scope rule (a learner: their own record; an employer: their apprentices),
with the same shape as `scope.Caller.visible`, so the review loaders take either.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, delete, false, func, select
from sqlalchemy.orm import Session

from sync.protocol import EmployerData, LearnerData, PortalNoteData

from .core.security import new_token, token_digest
from .db import new_id, next_rev, take_write_lock
from .mail import outbox
from .models import Employer, Learner, PortalLink, PortalNote, PortalSession, as_utc, utcnow

PrincipalKind = Literal["learner", "employer"]
LINK_LIFETIME = dt.timedelta(minutes=15)
#: A portal session ends after this long without a request.
PORTAL_IDLE = dt.timedelta(minutes=30)
SEEN_RESOLUTION = dt.timedelta(minutes=1)
MAIL_KIND = "portal_link"


@dataclass(frozen=True)
class Principal:
    """Who is signed in to the portal: a learner, or the contact of an employer (all its apprentices)."""

    kind: PrincipalKind
    principal_id: str
    #: In words, for the page and for what they write ("Sam Smith (learner)").
    name: str
    csrf_token: str = ""

    def learner_ids(self) -> Select[tuple[str]]:
        if self.kind == "learner":
            return select(Learner.id).where(Learner.id == self.principal_id, Learner.deleted.is_(False))
        return select(Learner.id).where(Learner.employer_id == self.principal_id, Learner.deleted.is_(False))

    def visible(self, model: Any) -> ColumnElement[bool]:
        """The condition a row of `model` must meet for this principal to see it (as `scope.Caller.visible`)."""
        if model is Learner:
            return Learner.id.in_(self.learner_ids())
        if model is Employer:
            return false()
        return model.learner_id.in_(self.learner_ids())

    def load_learner(self, session: Session, learner_id: str) -> Learner | None:
        """The learner if this principal may see them; None otherwise (the two are never told apart)."""
        if not isinstance(learner_id, str) or len(learner_id) > 36:
            return None
        return session.execute(
            select(Learner).where(Learner.id == learner_id, self.visible(Learner))
        ).scalar_one_or_none()

    @property
    def copy(self) -> Literal["learner", "employer"]:
        """Which copy of a review they download: the employer's leaves out what is confidential to the learner."""
        return self.kind


def _address(value: Any) -> ColumnElement[str]:
    return func.lower(func.trim(value.as_string()))


def principals_for(session: Session, email: str) -> list[tuple[PrincipalKind, str, str]]:
    """(kind, id, the address as held) of every live learner and employer whose address is `email`."""
    wanted = email.strip().casefold()
    if not wanted or "@" not in wanted:
        return []
    found: list[tuple[PrincipalKind, str, str]] = []
    for learner_id, data in session.execute(
        select(Learner.id, Learner.data).where(Learner.deleted.is_(False), _address(Learner.data["email"]) == wanted)
    ):
        found.append(("learner", learner_id, str(data.get("email", "")).strip()))
    for employer_id, data in session.execute(
        select(Employer.id, Employer.data).where(Employer.deleted.is_(False),
                                                 _address(Employer.data["contact_email"]) == wanted)
    ):
        found.append(("employer", employer_id, str(data.get("contact_email", "")).strip()))
    return found


def request_link(session: Session, email: str, base_url: str) -> int:
    """Queue a sign-in link to `email` for each learner and employer contact it belongs to, in the caller's
    transaction; how many (the page never says: the answer is the same whether or not the address is known)."""
    now = utcnow()
    session.execute(delete(PortalLink).where(PortalLink.expires_at < now - dt.timedelta(days=1))
                    .execution_options(synchronize_session=False))
    sent = 0
    for kind, principal_id, address in principals_for(session, email):
        token = new_token()
        digest = token_digest(token)
        session.add(PortalLink(token_hash=digest, principal_kind=kind, principal_id=principal_id, created_at=now,
                               expires_at=now + LINK_LIFETIME))
        who = "your apprenticeship reviews" if kind == "learner" else "your apprentices' reviews"
        text = (f"Open this link to see {who}:\n\n{base_url.rstrip('/')}/portal/link/{token}\n\n"
                f"It works once, within {int(LINK_LIFETIME.total_seconds() // 60)} minutes. If you did not ask "
                "for it, you can ignore this e-mail.\n")
        try:
            outbox.enqueue(session, to=address, subject="Your sign-in link", text=text, kind=MAIL_KIND,
                           key=f"portal-link:{digest}")
        except outbox.MailError:
            continue  # an address the provider holds that is not one: nothing to send
        sent += 1
    return sent


class LinkRefused(Exception):
    """A link used before, expired or never issued: `reason` says which, in words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


USED = "This sign-in link has already been used. Each link works once: ask for a new one."
EXPIRED = "This sign-in link has expired. Links work for 15 minutes: ask for a new one."
UNKNOWN = "This sign-in link is not one we sent, or it was copied incompletely: ask for a new one."


def check_link(session: Session, token: str) -> PortalLink:
    """The link if it can still be used; LinkRefused otherwise."""
    link = session.get(PortalLink, token_digest(token)) if 0 < len(token) <= 100 else None
    if link is None:
        raise LinkRefused(UNKNOWN)
    if link.used_at is not None:
        raise LinkRefused(USED)
    if (as_utc(link.expires_at) or utcnow()) <= utcnow():
        raise LinkRefused(EXPIRED)
    return link


def use_link(session: Session, token: str) -> str:
    """Spend the link and start a portal session: its cookie token. Single use even under a race: the update only
    takes a link not yet used."""
    link = check_link(session, token)
    now = utcnow()
    spent = session.execute(
        PortalLink.__table__.update()
        .where(PortalLink.token_hash == link.token_hash, PortalLink.used_at.is_(None))
        .values(used_at=now)
    ).rowcount
    if spent != 1:
        raise LinkRefused(USED)
    session.execute(delete(PortalSession).where(PortalSession.last_seen_at < now - PORTAL_IDLE)
                    .execution_options(synchronize_session=False))
    cookie = new_token()
    session.add(PortalSession(token_hash=token_digest(cookie), principal_kind=link.principal_kind,
                              principal_id=link.principal_id, csrf_token=secrets.token_urlsafe(32),
                              created_at=now, last_seen_at=now))
    return cookie


def _name(session: Session, kind: str, principal_id: str) -> str | None:
    if kind == "learner":
        row = session.get(Learner, principal_id)
        if row is None or row.deleted:
            return None
        data = LearnerData.model_validate(row.data)
        return f"{data.first_name} {data.last_name}"
    row = session.get(Employer, principal_id)
    if row is None or row.deleted:
        return None
    employer = EmployerData.model_validate(row.data)
    return f"{employer.contact_name}, {employer.name}" if employer.contact_name.strip() else employer.name


def signed_in(session: Session, token: str | None) -> Principal | None:
    """Who the portal cookie signs in, or None (unknown, idle too long, or the learner or employer gone)."""
    if not token or len(token) > 100:
        return None
    row = session.get(PortalSession, token_digest(token))
    if row is None:
        return None
    now = utcnow()
    seen = as_utc(row.last_seen_at) or now
    name = _name(session, row.principal_kind, row.principal_id)
    if now - seen > PORTAL_IDLE or name is None:
        session.delete(row)
        return None
    if now - seen > SEEN_RESOLUTION:
        row.last_seen_at = now
    return Principal(kind=row.principal_kind, principal_id=row.principal_id, name=name,  # type: ignore[arg-type]
                     csrf_token=row.csrf_token)


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(PortalSession).where(PortalSession.token_hash == token_digest(token)))


def written_by(principal: Principal) -> str:
    return f"{principal.name} ({'learner' if principal.kind == 'learner' else 'employer'})"


def add_note(session: Session, principal: Principal, data: PortalNoteData) -> str:
    """Record what a learner or employer wrote as a synced record (made here only), for the assessor's laptop."""
    take_write_lock(session)
    note_id = new_id()
    note = PortalNote(id=note_id, learner_id=data.learner_id, data=data.model_dump(mode="json"),
                      updated_at=utcnow(), updated_by=f"portal:{principal.kind}")
    note.rev = next_rev(session, "portal_note", note_id, "create")
    session.add(note)
    return note_id


def notes_for(session: Session, learner_id: str) -> list[PortalNoteData]:
    return [PortalNoteData.model_validate(d) for d in session.scalars(
        select(PortalNote.data).where(PortalNote.learner_id == learner_id, PortalNote.deleted.is_(False))
        .order_by(PortalNote.rev))]


#: Link requests allowed per client address and per e-mail address (every request counts, known or not, so the
#: limit tells nobody whether an address is held).
LIMIT_PER_ADDRESS = "20/hour"
LIMIT_PER_EMAIL = "5/15 minutes"


class PortalLimiter:
    """Link requests per client address and per e-mail address (the `limits` storage the sign-in limits use)."""

    def __init__(self, storage: str) -> None:
        from limits import parse
        from limits.storage import storage_from_string
        from limits.strategies import MovingWindowRateLimiter

        self._limiter = MovingWindowRateLimiter(storage_from_string(storage))
        self._items = (("address", parse(LIMIT_PER_ADDRESS)), ("email", parse(LIMIT_PER_EMAIL)))

    def hit(self, address: str, email: str) -> None:
        """Count a request; `TooManyAttempts` (with the wait) once either limit is reached."""
        import math
        import time

        from .api.sign_in_limits import TooManyAttempts

        for name, item in self._items:
            key = f"{name}:{address if name == 'address' else email.strip().casefold()}"
            if not self._limiter.hit(item, "portal-link", key):
                reset = self._limiter.get_window_stats(item, "portal-link", key).reset_time
                raise TooManyAttempts(max(1, math.ceil(reset - time.time())))
