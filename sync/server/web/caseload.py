"""The learners a signed-in user may see, with their next review due by the laptop's own rules (reviewapp.core).

The server keeps each record as its wire document, so a learner's last finalised progress review is picked from its
reviews here, and `reviewapp.core.caseload.caseload_rows` (the laptop caseload's function) derives the due date and
timing from it: there is no second copy of the scheduling rules. Every query is scoped by the caller (scope.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, select
from sqlalchemy.orm import Session

from reviewapp.core.caseload import CaseloadFacts, CaseloadRow, caseload_rows
from reviewapp.core.review_frequency import agreed_frequency
from reviewapp.core.scheduling import DEFAULT_RULES, ScheduleRules
from sync.protocol import LearnerData, ReviewData

from ..models import Assignment, Employer, Learner, Review, User
from ..scope import Caller


@dataclass(frozen=True)
class LearnerLine:
    """One learner as the office sees them: the caseload row (due date, timing) and who assesses them."""

    caseload: CaseloadRow
    assessor: str
    data: LearnerData
    employer: str
    #: The assessor's username (their page's address), "" when not assigned.
    assessor_username: str = ""


def last_progress_review(reviews: Iterable[ReviewData]) -> ReviewData | None:
    """The last finalised progress review (not an addendum), latest visit first then latest finalised: what "the
    last review" means on the laptop (reviewapp.store.models.Review.finalised_progress_review)."""
    held = [r for r in reviews if r.status == "finalised" and r.addendum_to_id is None and r.visit_date]
    return max(held, key=lambda r: (r.visit_date, r.finalised_at or dt.datetime.min.replace(tzinfo=dt.UTC)),
               default=None)


def _facts(learner_id: str, data: LearnerData, employer: str, last: ReviewData | None) -> CaseloadFacts:
    frequency = agreed_frequency(data.review_interval, data.review_interval_reason, data.review_interval_agreed_by,
                                 data.review_interval_agreed_on)
    return CaseloadFacts(
        learner_id=learner_id, name=f"{data.first_name} {data.last_name}", uln=data.uln, employer=employer,
        programme=data.programme, level=data.level, start_date=data.start_date, learner_status=data.status,
        has_support_needs=bool(data.support_needs.strip()),
        last_review_date=last.visit_date if last else None,
        agreed_next_review_date=last.next_review_date if last else None,
        welfare_rag=last.welfare_rag if last else None, progress_rag=last.progress_rag if last else None,
        planned_end_date=data.planned_end_date, planned_otj_hours=data.planned_otj_hours,
        review_interval=frequency.interval if frequency else None,
    )


def visible_learners(
    session: Session, caller: Caller, today: dt.date, *, learner_id: str | None = None,
    rules: ScheduleRules = DEFAULT_RULES, among: Select[tuple[str]] | None = None,
) -> list[LearnerLine]:
    """The learners `caller` may see (or only `learner_id`, if they may see it; or only those of the ids `among`
    selects), by surname, with their timing."""
    condition = caller.visible(Learner)
    if learner_id is not None:
        condition = and_(condition, Learner.id == learner_id)
    if among is not None:
        condition = and_(condition, Learner.id.in_(among))
    return learner_lines(session, condition, today, rules)


def learner_lines(session: Session, condition: ColumnElement[bool], today: dt.date,
                  rules: ScheduleRules = DEFAULT_RULES) -> list[LearnerLine]:
    """The learners meeting `condition`, with their timing. Unscoped: pages ask `visible_learners`; this is for
    figures over a group (counts, naming no one) that a page shows beside its scoped caseload."""
    query = (
        select(Learner.id, Learner.data, Employer.data, User.display_name, User.username)
        .outerjoin(Employer, Employer.id == Learner.employer_id)
        .outerjoin(Assignment, Assignment.learner_id == Learner.id)
        .outerjoin(User, User.id == Assignment.assessor_id)
        .where(Learner.deleted.is_(False), condition)
    )
    found = session.execute(query).all()
    ids = [row[0] for row in found]
    reviews: dict[str, list[ReviewData]] = {}
    if ids:
        for owner, review in session.execute(
            select(Review.learner_id, Review.data).where(Review.learner_id.in_(ids), Review.deleted.is_(False))
        ):
            reviews.setdefault(owner, []).append(ReviewData.model_validate(review))
    facts, extra = [], []
    for lid, data, employer_data, display_name, username in found:
        learner = LearnerData.model_validate(data)
        employer = (employer_data or {}).get("name", "")
        facts.append(_facts(lid, learner, employer, last_progress_review(reviews.get(lid, ()))))
        extra.append((learner, employer, display_name or username or "Not assigned", username or ""))
    lines = [
        LearnerLine(caseload=row, assessor=who, data=learner, employer=employer, assessor_username=login)
        for row, (learner, employer, who, login) in zip(caseload_rows(facts, today, rules), extra, strict=True)
    ]
    return sorted(lines, key=lambda line: (line.data.last_name.casefold(), line.data.first_name.casefold()))
