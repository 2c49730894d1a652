"""Read queries the UI needs, answered in a few SQL statements each, never one per learner.

They return the plain values of `reviewapp.core.caseload`, so widgets never hold ORM objects or sessions.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from reviewapp.core.caseload import CaseloadFacts, LearnerDetail, PlanProgress, ReviewSummary, TargetSummary
from reviewapp.core.review_frequency import agreed_frequency, frequency_of
from reviewapp.core.review_rules import target_order
from reviewapp.store.deliveries import deliveries_of_learner
from reviewapp.store.models import Employer, Learner, OtjEntry, OutboxEntry, PlanItem, Review, ReviewSample, Target
from reviewapp.store.otj_log import log_entries
from reviewapp.store.records import to_record


def caseload_facts(session: Session) -> list[CaseloadFacts]:
    """Every learner on the laptop with their last finalised review's dates and ratings, and their off-the-job plan
    and hours logged (one grouped sum, not a query per learner)."""
    ranked = (
        select(
            Review.learner_id,
            Review.visit_date,
            Review.next_review_date,
            Review.welfare_rag,
            Review.progress_rag,
            func.row_number()
            .over(partition_by=Review.learner_id, order_by=(Review.visit_date.desc(), Review.finalised_at.desc()))
            .label("recency"),
        )
        .where(Review.finalised_progress_review())
        .subquery()
    )
    last = select(ranked).where(ranked.c.recency == 1).subquery()
    otj_logged = (
        select(OtjEntry.learner_id, func.sum(OtjEntry.hours).label("hours"))
        .where(OtjEntry.deleted.is_(False))
        .group_by(OtjEntry.learner_id)
        .subquery()
    )
    draft_exists = exists().where(
        Review.learner_id == Learner.id, Review.status == "draft", Review.deleted.is_(False)
    )
    stmt = (
        select(
            Learner.id,
            Learner.first_name,
            Learner.last_name,
            Learner.uln,
            Employer.name,
            Learner.programme,
            Learner.level,
            Learner.start_date,
            Learner.status,
            Learner.support_needs,
            last.c.visit_date,
            last.c.next_review_date,
            last.c.welfare_rag,
            last.c.progress_rag,
            draft_exists.label("has_draft"),
            Learner.planned_end_date,
            Learner.planned_otj_hours,
            otj_logged.c.hours,
            Learner.review_interval,
            Learner.review_interval_reason,
            Learner.review_interval_agreed_by,
            Learner.review_interval_agreed_on,
        )
        .outerjoin(Employer, Employer.id == Learner.employer_id)
        .outerjoin(last, last.c.learner_id == Learner.id)
        .outerjoin(otj_logged, otj_logged.c.learner_id == Learner.id)
        .where(Learner.deleted.is_(False))
        .order_by(Learner.last_name, Learner.first_name)
    )
    return [
        CaseloadFacts(
            learner_id=r[0],
            name=f"{r[1]} {r[2]}",
            uln=r[3],
            employer=r[4] or "",
            programme=r[5],
            level=r[6],
            start_date=r[7],
            learner_status=r[8],
            has_support_needs=bool((r[9] or "").strip()),
            last_review_date=r[10],
            agreed_next_review_date=r[11],
            welfare_rag=r[12],
            progress_rag=r[13],
            has_draft=bool(r[14]),
            planned_end_date=r[15],
            planned_otj_hours=float(r[16] or 0),
            otj_hours_logged=float(r[17] or 0),
            # The core's one rule: an interval counts only with its reason and the employer's agreement.
            review_interval=getattr(agreed_frequency(r[18], r[19], r[20], r[21]), "interval", None),
        )
        for r in session.execute(stmt)
    ]


def learner_detail(session: Session, learner_id: str) -> LearnerDetail | None:
    """The learner panel's contents, or None for an unknown (or deleted) learner."""
    learner = session.get(Learner, learner_id)
    if learner is None or learner.deleted:
        return None
    employer = session.get(Employer, learner.employer_id) if learner.employer_id else None
    plan = session.scalars(
        select(PlanItem)
        .where(PlanItem.learner_id == learner_id, PlanItem.deleted.is_(False))
        .order_by(PlanItem.position, PlanItem.code)
    ).all()
    targets = session.scalars(
        select(Target)
        .where(Target.learner_id == learner_id, Target.deleted.is_(False), Target.status == "open")
    ).all()
    targets = sorted(targets, key=target_order)  # core's one order: the wizard and the printed copy list them so
    reviews = session.scalars(
        select(Review)
        .where(Review.learner_id == learner_id, Review.deleted.is_(False))
        .order_by(Review.visit_date.desc().nulls_first())
    ).all()
    samples = review_samples(session, learner_id)
    deliveries = deliveries_of_learner(session, learner_id)
    otj_logged = session.scalar(
        select(func.coalesce(func.sum(OtjEntry.hours), 0.0)).where(
            and_(OtjEntry.learner_id == learner_id, OtjEntry.deleted.is_(False))
        )
    )
    return LearnerDetail(
        learner_id=learner.id,
        name=learner.full_name,
        uln=learner.uln,
        email=learner.email,
        phone=learner.phone,
        programme=learner.programme,
        level=learner.level,
        start_date=learner.start_date,
        planned_end_date=learner.planned_end_date,
        status=learner.status,
        support_needs=learner.support_needs,
        planned_otj_hours=learner.planned_otj_hours,
        otj_hours_logged=float(otj_logged or 0),
        employer_name=employer.name if employer else "",
        employer_contact=employer.contact_name if employer else "",
        employer_email=employer.contact_email if employer else "",
        employer_phone=employer.contact_phone if employer else "",
        employer_address=employer.address if employer else "",
        review_frequency=frequency_of(learner),
        otj_log=log_entries(session, learner_id),
        plan=[PlanProgress(p.kind, p.code, p.title, p.progress, p.planned_date, p.starting_value, p.starting_note)
              for p in plan],
        english_level_at_start=learner.english_level_at_start,
        maths_level_at_start=learner.maths_level_at_start,
        case_states=case_states(session, learner_id),
        email_consent=learner.email_consent,
        employer_email_consent=employer.email_consent if employer else None,
        open_targets=[TargetSummary(t.id, t.text, t.due_date, t.status, list(t.actions or [])) for t in targets],
        reviews=[
            ReviewSummary(r.id, r.visit_date, r.status, r.progress_rag, r.welfare_rag, r.next_review_date,
                          is_addendum=r.addendum_to_id is not None, samples=tuple(samples.get(r.id, ())),
                          deliveries=tuple(deliveries.get(r.id, ())))
            for r in reviews
        ],
    )


def case_states(session: Session, learner_id: str) -> tuple[str, ...]:
    from reviewapp.store.concerns import case_states as states

    return states(session, learner_id)


def review_samples(session: Session, learner_id: str, review_id: str | None = None) -> dict[str, list[Any]]:
    """The office's quality samples of a learner's reviews (or of one review), by review id, oldest first, as
    `sync.protocol.ReviewSampleData`: one query."""
    query = select(ReviewSample).where(ReviewSample.learner_id == learner_id, ReviewSample.deleted.is_(False))
    if review_id is not None:
        query = query.where(ReviewSample.review_id == review_id)
    found: dict[str, list[Any]] = {}
    for row in session.scalars(query.order_by(ReviewSample.sampled_at, ReviewSample.rev)):
        found.setdefault(row.review_id, []).append(to_record(row))
    return found


def pending_change_count(session: Session) -> int:
    """How many records have local changes the server has not yet received."""
    return int(session.scalar(select(func.count()).select_from(OutboxEntry)) or 0)
