"""Each review's due date and each learner's next review due, stored as columns so the dashboard's "reviews held on
time" and "learners overdue now" are plain SQL (issue 15 items 4, 8, 9).

Why stored rather than computed in SQL: the due date is the laptop's rule (`reviewapp.core.scheduling
.next_review_due`): the first review a set interval after the start, each later one the agreed date capped by the
interval after the previous review, the learner's own agreed frequency, a holiday period moving a date earlier.
Writing that again in SQL would be a second copy of the rule, and would drift. So the core rule computes them here,
for one learner's reviews at a time (a handful of rows), whenever that learner or one of their reviews is written:
`refresh_learners`, called by the push and at the migration that added the columns.

`reviews.due_by` is the date the review was due by, from the learner's review held before it (or their start);
`learners.next_review_due` the date their next review is due now, None when not in active learning (as the laptop's
caseload: `caseload_rows`). Both by the provider's schedule as set at the office, else the default rules.
When the provider's schedule changes, `refresh_learners(session, None)` recomputes every learner.

The same pass stores each review held's neighbours in that order: `reviews.previous_visit` and `reviews.next_visit`,
the visit dates of the learner's review held before it and after it (None for the first / last, and for a review not
held). The dashboard's "days between reviews", "targets followed up" and "learners at risk" read them instead of a
window function over every review (issue 15's speed: each of those sorted all the reviews at every page view).
And whether each review held amended the learning plan against the one before it (`reviews.plan_amended`, by
`reviewapp.core.plan_amendment.amended` over the plan columns record_columns.py stores): "learning plans amended at
reviews" is then a count, by the core rule itself rather than a copy of it in SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from reviewapp.core.plan_amendment import amended
from reviewapp.core.review_frequency import agreed_frequency
from reviewapp.core.scheduling import DEFAULT_RULES, ScheduleRules, next_review_due, schedule_from_document
from sync.protocol import LearnerData

from .models import Learner, ProviderSetting, Review

SCHEDULE_KEY = "schedule"  # provider_settings.SCHEDULE


def provider_rules(session: Session) -> ScheduleRules:
    """The schedule set at the office (what every laptop pulls), else the default rules."""
    value = session.execute(select(ProviderSetting.value).where(ProviderSetting.key == SCHEDULE_KEY)).scalar()
    if value is None:
        return DEFAULT_RULES
    try:
        return schedule_from_document(value)
    except ValueError:  # set under an earlier version's rules: laptops keep their own, so the defaults here
        return DEFAULT_RULES


#: Learners whose due dates are worked out per query (an IN list within every back end's limits).
REFRESH_CHUNK = 500


def _held_key(data: dict[str, Any]) -> tuple[str, str]:
    return (data.get("visit_date") or "", data.get("finalised_at") or "")


def _is_held(data: dict[str, Any]) -> bool:
    return data.get("status") == "finalised" and not data.get("addendum_to_id") and bool(data.get("visit_date"))


def refresh_learners(session: Session, learner_ids: Iterable[str] | None, rules: ScheduleRules | None = None,
                     *, neighbours: bool = True) -> None:
    """Recompute the stored due dates of `learner_ids` (None: every learner) by the core rule, and each review's
    neighbours (`neighbours` False: not, for a migration run before the columns were added)."""
    rules = rules or provider_rules(session)
    ids = sorted(set(learner_ids)) if learner_ids is not None else list(session.scalars(select(Learner.id)))
    for start in range(0, len(ids), REFRESH_CHUNK):  # a chunk's records at a time: memory stays flat
        _refresh_chunk(session, ids[start:start + REFRESH_CHUNK], rules, neighbours)


def _refresh_chunk(session: Session, ids: list[str], rules: ScheduleRules, neighbours: bool) -> None:
    query = select(Learner.id, Learner.data, Learner.deleted).where(Learner.id.in_(ids))
    for learner_id, data, _deleted in session.execute(query).all():
        try:
            learner = LearnerData.model_validate(data)
        except ValidationError:  # a stored record the wire schema no longer reads: no due date, and the migration
            continue             # or push that asked goes on (it stopped an upgrade with one such row)
        frequency = agreed_frequency(learner.review_interval, learner.review_interval_reason,
                                     learner.review_interval_agreed_by, learner.review_interval_agreed_on)
        interval = frequency.interval if frequency else None
        columns = (Review.id, Review.data, Review.deleted,
                   *((Review.plan_progress, Review.plan_commented) if neighbours else ()))
        reviews = session.execute(select(*columns).where(Review.learner_id == learner_id)).all()
        plans = {row[0]: (row[3], bool(row[4])) for row in reviews} if neighbours else {}
        held = sorted(((rid, rdata) for rid, rdata, gone, *_ in reviews if not gone and _is_held(rdata)),
                      key=lambda pair: _held_key(pair[1]))
        values: dict[str, dict[str, Any]] = {
            row[0]: {"due_by": None,
                     **({"previous_visit": None, "next_visit": None, "plan_amended": None} if neighbours else {})}
            for row in reviews}
        previous: dict[str, Any] | None = None
        previous_id: str | None = None
        for index, (rid, rdata) in enumerate(held):
            values[rid]["due_by"] = _due(learner.start_date, previous, rules, interval)
            if neighbours:
                values[rid]["previous_visit"] = previous["visit_date"] if previous else None
                values[rid]["next_visit"] = held[index + 1][1]["visit_date"] if index + 1 < len(held) else None
                progress, commented = plans[rid]
                values[rid]["plan_amended"] = amended(progress, commented,
                                                      plans[previous_id][0] if previous_id else None,
                                                      first=previous_id is None)
            previous, previous_id = rdata, rid
        for rid, value in values.items():
            session.execute(update(Review).where(Review.id == rid).values(value)
                            .execution_options(synchronize_session=False))
        next_due = _due(learner.start_date, previous, rules, interval) if learner.status == "active" else None
        session.execute(update(Learner).where(Learner.id == learner_id).values(next_review_due=next_due)
                        .execution_options(synchronize_session=False))


def _due(start: dt.date, previous: dict[str, Any] | None, rules: ScheduleRules, interval: Any) -> dt.date:
    last = dt.date.fromisoformat(previous["visit_date"]) if previous else None
    agreed = previous.get("next_review_date") if previous else None
    return next_review_due(start, last, dt.date.fromisoformat(agreed) if agreed else None, rules,
                           learner_interval=interval)
