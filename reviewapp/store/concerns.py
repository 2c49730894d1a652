"""Concerns raised on the laptop without a review (issue 16), and where the cases this laptop's user raised stand.

A concern is saved through the store like any record, so it reaches the outbox in the same transaction and goes up
first in the next sync (`sync.protocol.ENTITY_ORDER`), offline or not. The cases' states arrive in the pull as
`case_status` records (state, who in words and when, never what anyone recorded on the case).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewapp.core.concerns import ROUTE_NAMES, case_state_words
from reviewapp.core.dates import utc_now
from reviewapp.store.database import Store
from reviewapp.store.learner_frequency import UnknownLearnerError
from reviewapp.store.models import CaseStatus, Concern, Learner, new_id
from sync.protocol import MAX_TEXT_CHARS

ROUTES = ("safeguarding", "learning_support")
URGENCIES = ("urgent", "routine")


def raise_concern(store: Store, learner_id: str, route: str, urgency: str, text: str,
                  now: dt.datetime | None = None) -> str:
    """Save a concern about the learner; its id. `ValueError` says what is wrong with what was entered."""
    text = text.strip()
    if route not in ROUTES:
        raise ValueError("Choose who the concern is for: the safeguarding lead or learning support.")
    if urgency not in URGENCIES:
        raise ValueError("Choose how urgent the concern is.")
    if not text:
        raise ValueError("Write what the concern is: facts, not opinions.")
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"The concern must be {MAX_TEXT_CHARS:,} characters or fewer.")
    with store.write() as session:
        learner = session.get(Learner, learner_id)
        if learner is None or learner.deleted:
            raise UnknownLearnerError("This learner is no longer in your caseload.")
        row = Concern(id=new_id(), learner_id=learner_id, route=route, urgency=urgency, text=text,
                      raised_at=now or utc_now())
        session.add(row)
        return row.id


def case_states(session: Session, learner_id: str, now: dt.datetime | None = None) -> tuple[str, ...]:
    """Where each case raised about the learner stands, in words, newest first ("Safeguarding: Acknowledged by the
    safeguarding lead, 14:02"); a concern not yet synced reads as waiting to be sent."""
    lines = []
    for status in session.scalars(select(CaseStatus).where(CaseStatus.learner_id == learner_id,
                                                           CaseStatus.deleted.is_(False))
                                  .order_by(CaseStatus.opened_at.desc())):
        lines.append(f"{ROUTE_NAMES.get(status.route, status.route)}: "
                     f"{case_state_words(status.state, status.state_by, status.state_at, now)}")
    waiting = session.scalars(select(Concern).where(Concern.learner_id == learner_id, Concern.rev == 0,
                                                    Concern.deleted.is_(False)))
    for concern in waiting:
        lines.insert(0, f"{ROUTE_NAMES.get(concern.route, concern.route)}: concern raised, sent at the next sync")
    return tuple(lines)
