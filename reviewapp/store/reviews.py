"""Reviews in the store: starting a draft, saving answers and signatures as they are entered, finalising.

Each function is one unit of work through `Store.write`, so every change reaches the outbox, and finalising writes
the stamped review, the new targets, the followed-up targets and the plan progress in one transaction: all or none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewapp.core.dates import utc_now
from reviewapp.core.drafts import new_draft_answers
from reviewapp.core.finalise import Finalisation, finalise_review
from reviewapp.core.review_rules import ReviewContext, plan_items_covered, targets_followed_up_in
from reviewapp.core.scheduling import DEFAULT_RULES, ScheduleRules
from reviewapp.core.templates import Template
from reviewapp.store.database import Store
from reviewapp.store.errors import StoreError
from reviewapp.store.models import Employer, Learner, OtjEntry, PlanItem, Review, Signature, Target
from reviewapp.store.records import apply_record, to_record
from sync.protocol import ReviewData, SignatureData


class ReviewNotFoundError(StoreError):
    def __init__(self, review_id: str) -> None:
        super().__init__(f"There is no review {review_id} on this laptop.")


@dataclass(frozen=True)
class DraftSummary:
    """An unfinished review, for the offer to resume it."""

    review_id: str
    learner_id: str
    learner_name: str
    visit_date: dt.date | None
    updated_at: dt.datetime
    #: A correction to a finalised review rather than a progress review.
    is_addendum: bool = False


def review_context(session: Session, learner_id: str, review_id: str,
                   rules: ScheduleRules = DEFAULT_RULES) -> ReviewContext:
    """The learner's records a review works from: the targets it follows up, plan items, last finalised review date.

    Which targets and plan items those are is `targets_followed_up_in`'s and `plan_items_covered`'s rule (the same
    as the printed copy's): for a draft, the targets open and the plan now; for a finalised review, the targets it
    followed up and the items it recorded, not those open or added since.
    """
    learner = session.get(Learner, learner_id)
    if learner is None:
        raise StoreError(f"There is no learner {learner_id} on this laptop.")
    review = session.get(Review, review_id)
    targets = session.scalars(
        select(Target).where(Target.learner_id == learner_id, Target.deleted.is_(False))
    ).all()
    status = review.status if review is not None else "draft"
    followed = targets_followed_up_in(review_id, status, ((t.id, to_record(t)) for t in targets))
    plan = session.scalars(
        select(PlanItem).where(PlanItem.learner_id == learner_id, PlanItem.deleted.is_(False))
        .order_by(PlanItem.position)
    ).all()
    plan_items = {p.id: to_record(p) for p in plan}
    if review is not None:
        plan_items = plan_items_covered(review.template_id, review.template_version, status, review.answers,
                                        plan_items)
    last = session.scalar(
        select(Review.visit_date)
        .where(Review.learner_id == learner_id, Review.finalised_progress_review(), Review.id != review_id)
        .order_by(Review.visit_date.desc())
        .limit(1)
    )
    employer = session.get(Employer, learner.employer_id) if learner.employer_id else None
    return ReviewContext(
        review_id=review_id,
        learner=to_record(learner),
        employer=to_record(employer) if employer is not None else None,
        open_targets=followed,
        plan_items=plan_items,
        last_review_date=last,
        rules=rules,
    )


def _otj_entries(session: Session, learner_id: str) -> list[Any]:
    rows = session.scalars(select(OtjEntry).where(OtjEntry.learner_id == learner_id, OtjEntry.deleted.is_(False)))
    return [to_record(r) for r in rows]


def start_draft(store: Store, learner_id: str, template: Template, visit_date: dt.date,
                rules: ScheduleRules = DEFAULT_RULES, addendum_to_id: str | None = None) -> str:
    """Create a draft review for the learner, its answers prefilled from their records; returns its id."""
    with store.write() as session:
        review = Review(learner_id=learner_id, template_id=template.id, template_version=template.version,
                        assessor=store.account, visit_date=visit_date, addendum_to_id=addendum_to_id)
        session.add(review)
        session.flush()
        context = review_context(session, learner_id, review.id, rules)
        review.answers = new_draft_answers(template, context, visit_date, _otj_entries(session, learner_id))
        return review.id


def open_drafts(session: Session) -> list[DraftSummary]:
    rows = session.execute(
        select(Review.id, Review.learner_id, Learner.first_name, Learner.last_name, Review.visit_date,
               Review.updated_at, Review.addendum_to_id)
        .join(Learner, Learner.id == Review.learner_id)
        .where(Review.status == "draft", Review.deleted.is_(False), Learner.deleted.is_(False))
        .order_by(Review.updated_at.desc())
    )
    return [DraftSummary(r[0], r[1], f"{r[2]} {r[3]}", r[4], r[5], r[6] is not None) for r in rows]


def _draft(session: Session, review_id: str) -> Review:
    review = session.get(Review, review_id)
    if review is None or review.deleted:
        raise ReviewNotFoundError(review_id)
    return review


def save_answers(store: Store, review_id: str, changes: dict[str, Any]) -> None:
    """Merge changed answers into the draft (None removes an answer). The outbox coalesces repeated saves."""
    if not changes:
        return
    with store.write() as session:
        review = _draft(session, review_id)
        answers = dict(review.answers or {})
        for question_id, value in changes.items():
            if value is None:
                answers.pop(question_id, None)
            else:
                answers[question_id] = value
        review.answers = answers  # a new dict, so the change is seen (and checked against immutability)


def save_signature(store: Store, review_id: str, role: str, *, name: str = "", image_png: str | None = None,
                   strokes: list[Any] | None = None, absent_reason: str = "") -> None:
    """Record (or replace) one party's signature, or the reason they could not sign."""
    with store.write() as session:
        _draft(session, review_id)
        signature = session.scalars(
            select(Signature).where(Signature.review_id == review_id, Signature.role == role,
                                    Signature.deleted.is_(False))
        ).first()
        if signature is None:
            signature = Signature(review_id=review_id, role=role)
            session.add(signature)
        strokes = strokes or []
        if image_png is None:
            signature.signed_at = None
        elif signature.signed_at is None or strokes != signature.strokes:
            signature.signed_at = utc_now()  # the moment of drawing; correcting the name later does not move it
        signature.name = name
        signature.image_png = image_png
        signature.strokes = strokes
        signature.absent_reason = absent_reason


def clear_signature(store: Store, review_id: str, role: str) -> None:
    with store.write() as session:
        for signature in session.scalars(
            select(Signature).where(Signature.review_id == review_id, Signature.role == role,
                                    Signature.deleted.is_(False))
        ):
            signature.deleted = True


#: The void reason a discarded draft keeps, on the laptop and on the server.
DISCARDED_DRAFT = "Discarded draft"


class NotADraftError(StoreError):
    """Raised when asked to discard a review that is not a draft: a signed review is never thrown away."""

    def __init__(self, status: str) -> None:
        super().__init__("Only a draft can be discarded; this review is "
                         + ("finalised: add an addendum to correct it." if status == "finalised" else f"{status}."))


def discard_draft(store: Store, review_id: str, reason: str = DISCARDED_DRAFT) -> None:
    """Discard a mistaken draft (a review started for the wrong learner, an addendum opened by mistake).

    It is voided, not deleted: the draft may already be on the server and in the office's view, so the discard has
    to travel as a change like any other and leave a trace of what happened (status "void" with the reason). A void
    review is closed, so it leaves the drafts offer and takes no further change. A finalised review refuses:
    what was signed is corrected by an addendum, never discarded.
    """
    with store.write() as session:
        review = _draft(session, review_id)
        if review.status != "draft":
            raise NotADraftError(review.status)
        review.status = "void"
        review.void_reason = reason.strip() or DISCARDED_DRAFT


def load_review(session: Session, review_id: str) -> tuple[ReviewData, list[SignatureData]]:
    review = _draft(session, review_id)
    signatures = session.scalars(
        select(Signature).where(Signature.review_id == review_id, Signature.deleted.is_(False))
    ).all()
    return to_record(review), [to_record(s) for s in signatures]


def finalise(store: Store, review_id: str, template: Template, rules: ScheduleRules = DEFAULT_RULES,
             now: dt.datetime | None = None) -> Finalisation:
    """Finalise the draft in one transaction, or raise `ReviewNotReady` (from core) listing what is missing."""
    with store.write() as session:
        row = _draft(session, review_id)
        review, signatures = load_review(session, review_id)
        context = review_context(session, row.learner_id, review_id, rules)
        result = finalise_review(template, review, signatures, context, now or utc_now())
        apply_record(row, result.review)
        for target_id, record in result.target_updates.items():
            apply_record(session.get(Target, target_id), record)
        for item_id, record in result.plan_updates.items():
            apply_record(session.get(PlanItem, item_id), record)
        for target_id, record in result.new_targets.items():
            target = Target(id=target_id, learner_id=record.learner_id, text=record.text)
            apply_record(target, record)
            session.add(target)
        return result


def finalised_review_ids(session: Session, learner_id: str | None = None) -> list[str]:
    """Finalised reviews, newest visit first: one learner's, or (for exporting signed copies) everyone's."""
    query = select(Review.id).where(Review.status == "finalised", Review.deleted.is_(False))
    if learner_id is not None:
        query = query.where(Review.learner_id == learner_id)
    return list(session.scalars(query.order_by(Review.visit_date.desc(), Review.id)))


def plan_starts(session: Session, learner_id: str) -> dict[str, int | None]:
    """Plan items' starting points by id (None where none was recorded), for the learning gain a comparison shows."""
    return {p.id: p.starting_value
            for p in session.scalars(select(PlanItem).where(PlanItem.learner_id == learner_id))}


def plan_titles(session: Session, learner_id: str) -> dict[str, str]:
    """Plan item titles by id (with their codes), for showing plan progress held in answers."""
    return {p.id: f"{p.code} {p.title}".strip()
            for p in session.scalars(select(PlanItem).where(PlanItem.learner_id == learner_id))}
