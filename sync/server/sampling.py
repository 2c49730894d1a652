"""Quality sampling: a quality lead's judgement of a finalised review and feedback for its assessor.

A sample is a record of its own (`protocol.ReviewSampleData`, table review_samples), never an edit of the review:
a signed review stays exactly as signed. Samples are made here, by the office web app, and go down to the laptops
that hold the learner by the ordinary pull (scoped like every other record of the learner). Every query goes through
the caller's scope (scope.py); the figures are counted in SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from sync.protocol import ReviewData, ReviewSampleData

from .db import new_id, next_rev, take_write_lock
from .models import Learner, Review, ReviewSample, Target, User, utcnow
from .office_figures import team_learners
from .records import validate_fields
from .scope import Caller

#: Who records samples: the quality leads, and admins. Managers see their teams' samples but do not record them:
#: a sample is the quality team's independent look at an assessor's work, and a manager judging their own team's
#: reviews would be marking their own homework (and the record says who sampled, not in what capacity).
SAMPLER_ROLES = ("quality_lead", "admin")


def finalised_review(session: Session, caller: Caller, review_id: str) -> ReviewData | None:
    """The finalised review if the caller may see it; None for a draft, a voided one, another caseload's or none."""
    row = caller.load(session, Review, review_id) if len(review_id) <= 36 else None
    if row is None or row.deleted:
        return None
    review = ReviewData.model_validate(row.data)
    return review if review.status == "finalised" else None


@dataclass(frozen=True)
class ReviewFacts:
    """What the sample form shows of a review: enough to judge it by, with a link to the whole review."""

    review_id: str
    review: ReviewData
    learner_name: str
    targets: list[str]
    samples: list[ReviewSampleData]


def review_facts(session: Session, review_id: str, review: ReviewData) -> ReviewFacts:
    learner = session.get(Learner, review.learner_id)
    name = f"{learner.data.get('first_name', '')} {learner.data.get('last_name', '')}".strip() if learner else ""
    targets = list(session.scalars(
        select(Target.data["text"].as_string()).where(
            Target.learner_id == review.learner_id, Target.deleted.is_(False),
            Target.data["set_in_review_id"].as_string() == review_id,
        )
    ))
    samples = [ReviewSampleData.model_validate(data) for data in session.scalars(
        select(ReviewSample.data).where(ReviewSample.review_id == review_id, ReviewSample.deleted.is_(False))
        .order_by(ReviewSample.rev)
    )]
    return ReviewFacts(review_id=review_id, review=review, learner_name=name, targets=targets, samples=samples)


def record_sample(session: Session, caller: Caller, review_id: str, review: ReviewData, answers: dict[str, Any],
                  sampled_by: str) -> str:
    """Store a new sample of `review` (already checked finalised and in scope); its id. Call in a transaction."""
    data = validate_fields("review_sample", {**answers, "review_id": review_id, "learner_id": review.learner_id,
                                              "sampled_by": sampled_by, "sampled_at": utcnow()})
    take_write_lock(session)
    sample_id = new_id()
    rev = next_rev(session, "review_sample", sample_id, "create", caller.user_id, caller.device_id)
    session.add(ReviewSample(id=sample_id, rev=rev, data=data, learner_id=review.learner_id, review_id=review_id,
                             updated_at=utcnow(), updated_by=caller.username))
    return sample_id


@dataclass(frozen=True)
class SampleLine:
    sample_id: str
    review_id: str
    learner_id: str
    learner_name: str
    sample: ReviewSampleData
    visit_date: dt.date | None
    assessor: str


def visible_samples(session: Session, caller: Caller, limit: int = 500) -> list[SampleLine]:
    """The samples the caller may see, newest first (at most `limit`)."""
    rows = session.execute(
        select(ReviewSample.id, ReviewSample.data, Learner.data, Review.data)
        .join(Learner, Learner.id == ReviewSample.learner_id)
        .join(Review, Review.id == ReviewSample.review_id)
        .where(ReviewSample.deleted.is_(False), caller.visible(ReviewSample))
        .order_by(ReviewSample.rev.desc()).limit(limit)
    ).all()
    lines = []
    for sample_id, data, learner, review in rows:
        sample = ReviewSampleData.model_validate(data)
        reviewed = ReviewData.model_validate(review)
        lines.append(SampleLine(
            sample_id=sample_id, review_id=sample.review_id, learner_id=sample.learner_id,
            learner_name=f"{learner.get('first_name', '')} {learner.get('last_name', '')}".strip(), sample=sample,
            visit_date=reviewed.visit_date, assessor=reviewed.assessor,
        ))
    return lines


@dataclass(frozen=True)
class SampledShare:
    """One assessor's finalised reviews in a period and how many of them have been sampled."""

    assessor: str
    display_name: str
    finalised: int
    sampled: int

    @property
    def share(self) -> float:
        return self.sampled / self.finalised if self.finalised else 0.0


def sampled_shares(session: Session, caller: Caller, start: dt.date, end: dt.date,
                   team_id: str | None = None) -> list[SampledShare]:
    """For the dashboard: each assessor's finalised progress reviews (not addenda, which correct one) visited from
    `start` to `end` (inclusive) that the caller may see, and how many have at least one sample, counted in SQL.
    With `team_id`, only the reviews of that team's learners, as every figure on the dashboard
    (office_figures.team_learners); the caller may choose only their own teams (web/dashboard.py checks).

    The assessor is the review's own (`ReviewData.assessor`, the username of who carried it out), not the learner's
    current one: a sample judges the work of whoever did it. Status, visit date and addendum are read from the
    columns they are copied to when written (record_columns.py), the visit date's index narrowing to the period.
    """
    assessor = Review.data["assessor"].as_string()
    sampled = select(ReviewSample.review_id).where(ReviewSample.deleted.is_(False))
    conditions = [Review.deleted.is_(False), Review.status == "finalised", caller.visible(Review),
                  Review.addendum_to_id.is_(None),
                  and_(Review.visit_date >= start.isoformat(), Review.visit_date <= end.isoformat())]
    if team_id is not None:
        conditions.append(Review.learner_id.in_(team_learners(team_id)))
    rows = session.execute(
        select(assessor.label("assessor"), func.max(User.display_name), func.count(),
               func.sum(case((Review.id.in_(sampled), 1), else_=0)))
        .outerjoin(User, User.username == assessor)
        .where(*conditions)
        .group_by(assessor).order_by(assessor)
    ).all()
    return [SampledShare(assessor=who or "", display_name=name or who or "Not recorded", finalised=int(total),
                         sampled=int(done or 0)) for who, name, total, done in rows]
