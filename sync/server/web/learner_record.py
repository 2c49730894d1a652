"""What the office's learner page shows beyond the caseload line: the plan with learning gain, the targets and
their history, the reviews with their ratings over time, and the off-the-job hours against plan.

Every figure comes from reviewapp.core's one rule for it (`learning_gain`, `otj_position`, the target outcomes'
words), over this one learner's records, read by their scoped id: the page asks `caseload.visible_learners` first,
so nothing here is reached for a learner the caller may not see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewapp.core.learning_gain import LearningGain, learning_gain, mean_gain
from reviewapp.core.otj import OtjPosition, format_hours, otj_position
from reviewapp.core.review_rules import TARGET_OUTCOMES, target_order
from sync.protocol import LearnerData, OtjEntryData, PlanItemData, ReviewData, TargetData

from ..models import ArchivedCopy, OtjEntry, PlanItem, Review, Target

#: A RAG rating as a point on the chart's scale (and back), so the chart and its table say the same.
RAG_SCORES = {"red": 1, "amber": 2, "green": 3}
TARGET_STATUS_WORDS = {"open": "Open", **{k: v.capitalize() for k, v in TARGET_OUTCOMES.items()}}


@dataclass(frozen=True)
class PlanLine:
    item: PlanItemData
    gain: LearningGain


@dataclass(frozen=True)
class ReviewLine:
    review_id: str
    review: ReviewData

    @property
    def kind(self) -> str:
        return "Addendum" if self.review.addendum_to_id else "Progress review"


@dataclass(frozen=True)
class TargetLine:
    target: TargetData
    set_in: ReviewLine | None
    followed_up_in: ReviewLine | None

    @property
    def status_words(self) -> str:
        return TARGET_STATUS_WORDS.get(self.target.status, self.target.status)


@dataclass(frozen=True)
class LearnerRecord:
    plan: tuple[PlanLine, ...]
    mean_gain: float | None
    reviews: tuple[ReviewLine, ...]
    targets: tuple[TargetLine, ...]
    otj: OtjPosition
    planned_otj_hours: float
    #: The reviews that have an archived signed copy (web/archived_copies.py).
    archived: frozenset[str] = frozenset()

    @property
    def rated(self) -> tuple[ReviewLine, ...]:
        """The finalised progress reviews with a rating, oldest first: the points of the ratings chart."""
        return tuple(sorted((r for r in self.reviews if not r.review.addendum_to_id
                             and (r.review.progress_rag or r.review.welfare_rag)),
                            key=lambda r: r.review.visit_date or dt.date.min))

    def hours(self, value: float | None) -> str:
        return "—" if value is None else f"{format_hours(value)} hours"


def learner_record(session: Session, learner_id: str, learner: LearnerData, today: dt.date) -> LearnerRecord:
    """The record of a learner the caller may see (checked by the caller before this is asked)."""
    plan = sorted((PlanItemData.model_validate(d) for d in session.scalars(
        select(PlanItem.data).where(PlanItem.learner_id == learner_id, PlanItem.deleted.is_(False)))),
        key=lambda item: (item.position, item.code, item.title))
    lines = tuple(PlanLine(item, learning_gain(item.starting_value, item.progress)) for item in plan)
    reviews = {rid: ReviewLine(rid, ReviewData.model_validate(d)) for rid, d in session.execute(
        select(Review.id, Review.data).where(Review.learner_id == learner_id, Review.deleted.is_(False)))}
    finalised = tuple(sorted((r for r in reviews.values() if r.review.status == "finalised"),
                             key=lambda r: (r.review.visit_date or dt.date.min, r.review_id), reverse=True))
    shown = {r.review_id: r for r in finalised}
    targets = sorted((TargetData.model_validate(d) for d in session.scalars(
        select(Target.data).where(Target.learner_id == learner_id, Target.deleted.is_(False)))),
        key=lambda t: (t.status != "open", *target_order(t)))
    entries = [OtjEntryData.model_validate(d) for d in session.scalars(
        select(OtjEntry.data).where(OtjEntry.learner_id == learner_id, OtjEntry.deleted.is_(False)))]
    return LearnerRecord(
        plan=lines, mean_gain=mean_gain(line.gain for line in lines), reviews=finalised,
        targets=tuple(TargetLine(t, shown.get(t.set_in_review_id or ""), shown.get(t.followed_up_in_review_id or ""))
                      for t in targets),
        otj=otj_position(learner, entries, today), planned_otj_hours=learner.planned_otj_hours,
        archived=frozenset(session.scalars(
            select(ArchivedCopy.review_id).where(ArchivedCopy.learner_id == learner_id))),
    )
