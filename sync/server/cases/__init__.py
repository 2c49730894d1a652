"""Safeguarding and learning support cases (issue 16): opened when a review that raises a concern reaches the server
(a draft too) or when an assessor raises a concern without a review, then worked by the route's role.

Which answers raise a case is the template's data, read by the one rule in `reviewapp.core.concerns`. One case per
review and route (and per concern): a later push of the same review adds an "updated" entry to the case's log,
never a second case. The log is append-only (the migration's triggers), each entry with who and when.

The case row's `data` is the small status record the raising assessor's laptop pulls (`protocol.CaseStatusData`:
state, who in words and when); it gets a fresh rev at every change of state, so the laptop's next pull brings it.
Who may read what is in access.py; who is told is in notify.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewapp.core.concerns import CASE_STATE_WORDS, cases_to_open
from sync.protocol import CaseStatusData, ConcernData, ReviewData

from ..db import new_id, next_rev
from ..models import Case, CaseLogEntry, CaseView, Concern, Review, User, as_utc, utcnow
from ..records import Rejected
from ..scope import Caller
from . import notify

#: The roles that work each route's cases.
ROUTE_ROLES: dict[str, tuple[str, ...]] = {
    "safeguarding": ("safeguarding_lead", "safeguarding_deputy"),
    "learning_support": ("learning_support",),
}
CASE_ROLES: tuple[str, ...] = ("safeguarding_lead", "safeguarding_deputy", "learning_support")
#: How a role is named to the assessor on the laptop ("Acknowledged by the safeguarding lead, 14:02").
ROLE_WORDS = {"safeguarding_lead": "the safeguarding lead", "safeguarding_deputy": "a deputy safeguarding lead",
              "learning_support": "the learning support officer"}
#: The log's entries, in words; the ones a person records in the web app are `WORK_KINDS`.
LOG_WORDS = {"opened": "Opened", "updated": "Updated from the laptop", "acknowledged": "Acknowledged",
             "action": "Action taken", "referred": "Referred on", "outcome": "Outcome", "closed": "Closed"}
WORK_KINDS = ("acknowledged", "action", "referred", "outcome", "closed")
#: The state each entry leaves a case in (others leave it as it was; any work on an open case acknowledges it).
STATE_AFTER = {"acknowledged": "acknowledged", "referred": "referred", "closed": "closed"}
STATE_WORDS = CASE_STATE_WORDS
URGENCY_WORDS = {"urgent": "Urgent", "routine": "Routine"}
MAX_ENTRY_CHARS = 5000
#: Entries that need words (what was done, to whom it was referred, what came of it).
NEEDS_TEXT = ("action", "referred", "outcome")
CLOSED_CASE = "This case is closed: nothing more can be recorded on it."


def _name(session: Session, caller: Caller) -> str:
    user = session.get(User, caller.user_id)
    return (user.display_name if user else "") or caller.username


def _status(case: Case, by: str = "", at: dt.datetime | None = None) -> dict[str, Any]:
    return CaseStatusData(
        learner_id=case.learner_id, review_id=case.review_id, concern_id=case.concern_id, route=case.route,  # type: ignore[arg-type]
        state=case.state, state_by=by, state_at=at, opened_at=as_utc(case.received_at),  # type: ignore[arg-type]
    ).model_dump(mode="json")


def _log(session: Session, case: Case, kind: str, by_id: str | None, by_name: str, text: str = "",
         at: dt.datetime | None = None) -> CaseLogEntry:
    entry = CaseLogEntry(id=new_id(), case_id=case.id, at=at or utcnow(), kind=kind, by_id=by_id, by_name=by_name,
                         text=text)
    session.add(entry)
    return entry


def _open(session: Session, caller: Caller, *, learner_id: str, route: str, urgency: str,
          recorded: list[dict[str, Any]], raised_at: dt.datetime | None, review_id: str | None = None,
          concern_id: str | None = None) -> Case:
    now = utcnow()
    case = Case(id=new_id(), learner_id=learner_id, review_id=review_id, concern_id=concern_id, route=route,
                urgency=urgency, state="open", raised_by_id=caller.user_id, raised_by=_name(session, caller),
                raised_at=raised_at, received_at=now, recorded=recorded, updated_at=now, updated_by=caller.username)
    case.rev = next_rev(session, "case_status", case.id, "create", caller.user_id, caller.device_id)
    case.data = _status(case)
    session.add(case)
    _log(session, case, "opened", caller.user_id, case.raised_by, at=now)
    session.flush()
    notify.send(session, notify.case_opened(session, case))  # the e-mails commit with the case, or neither
    return case


def _update_recorded(session: Session, caller: Caller, case: Case, recorded: list[dict[str, Any]],
                     urgency: str) -> None:
    """A later push of what raised `case`: an "updated" entry saying what now stands recorded, if it changed."""
    if recorded == case.recorded and urgency == case.urgency:
        return
    case.recorded, case.urgency = recorded, urgency
    _log(session, case, "updated", caller.user_id, _name(session, caller),
         "The laptop sent a changed record of the concern: what was recorded now reads as shown above.")


def open_from_review(session: Session, caller: Caller, review_id: str,
                     made_at: dt.datetime | None = None) -> list[Case]:
    """Open (or update) the cases a stored review's answers raise; returns the cases newly opened. A review whose
    template the server does not hold raises none here (the laptop is told to update the server when it finalises).
    """
    from ..finalisation_rules import installed_template

    row = session.get(Review, review_id)
    if row is None or row.deleted or row.data.get("status") == "void":
        return []
    review = ReviewData.model_validate(row.data)
    try:
        template = installed_template(review.template_id, review.template_version, session)
    except Rejected:
        return []
    wanted = cases_to_open(template, review.answers, {"welfare_rag": review.welfare_rag,
                                                       "progress_rag": review.progress_rag})
    opened = []
    for found in wanted:
        recorded = [{"question_id": c.question_id, "label": c.label, "recorded": c.recorded} for c in found.concerns]
        case = session.scalars(select(Case).where(Case.review_id == row.id, Case.route == found.route)).first()
        if case is None:
            opened.append(_open(session, caller, learner_id=row.learner_id, route=found.route,
                                urgency=found.urgency, recorded=recorded, raised_at=made_at, review_id=row.id))
        else:
            _update_recorded(session, caller, case, recorded, found.urgency)
    return opened


def open_from_concern(session: Session, caller: Caller, concern_id: str,
                      made_at: dt.datetime | None = None) -> Case | None:
    """Open (or update) the case of a concern raised without a review; the new case, or None if it was open."""
    row = session.get(Concern, concern_id)
    if row is None or row.deleted:
        return None
    concern = ConcernData.model_validate(row.data)
    recorded = [{"question_id": "", "label": "Concern raised without a review", "recorded": concern.text.strip()}]
    case = session.scalars(select(Case).where(Case.concern_id == row.id)).first()
    if case is None:
        return _open(session, caller, learner_id=row.learner_id, route=concern.route, urgency=concern.urgency,
                     recorded=recorded, raised_at=concern.raised_at or made_at, concern_id=row.id)
    _update_recorded(session, caller, case, recorded, concern.urgency)
    return None


def open_after_push(session: Session, caller: Caller, applied: list[tuple[str, str, dt.datetime | None]]) -> None:
    """The cases of a push's applied changes: (entity, id, made_at) of each review or concern stored or changed."""
    session.flush()
    for entity, record_id, made_at in applied:
        if entity == "review":
            open_from_review(session, caller, record_id, made_at)
        elif entity == "concern":
            open_from_concern(session, caller, record_id, made_at)


def record_entry(session: Session, caller: Caller, case: Case, kind: str, text: str) -> CaseLogEntry:
    """A person working the case records an entry (acknowledged, action, referred, outcome, closed); the state
    moves with it and the raiser's status record gets a fresh rev. `ValueError` says why an entry is refused."""
    if kind not in WORK_KINDS:
        raise ValueError("Choose what to record: acknowledged, an action, a referral, an outcome or closed.")
    text = text.strip()
    if case.state == "closed":
        raise ValueError(CLOSED_CASE)
    if kind in NEEDS_TEXT and not text:
        raise ValueError({"action": "Enter the action taken", "referred": "Enter who the case was referred to, and why",
                          "outcome": "Enter the outcome"}[kind])
    if len(text) > MAX_ENTRY_CHARS:
        raise ValueError(f"The entry must be {MAX_ENTRY_CHARS:,} characters or fewer")
    now = utcnow()
    entry = _log(session, case, kind, caller.user_id, _name(session, caller), text, at=now)
    state = STATE_AFTER.get(kind) or ("acknowledged" if case.state == "open" else case.state)
    if state != case.state:
        case.state = state
        case.rev = next_rev(session, "case_status", case.id, "update", caller.user_id, None)
        case.data = _status(case, ROLE_WORDS.get(caller.role, caller.role), now)
        case.updated_at, case.updated_by = now, caller.username
    session.flush()
    return entry


def log_view(session: Session, caller: Caller, case: Case) -> None:
    """Every opening of a case page is kept (append-only) and shown to those who work the case."""
    session.add(CaseView(id=new_id(), case_id=case.id, at=utcnow(), user_id=caller.user_id,
                         username=caller.username, role=caller.role))
