"""A new draft starts from the learner's records; the next review date is filled in from the proposal."""

from __future__ import annotations

import dataclasses
import datetime as dt

from reviewapp.core.drafts import new_draft_answers, with_proposed_next_review
from sync.protocol import OtjEntryData

VISIT = dt.date(2026, 3, 2)


def entry(day: dt.date, hours: float) -> OtjEntryData:
    return OtjEntryData(learner_id="learner-1", date=day, hours=hours)


def test_new_draft_takes_date_hours_and_plan_progress_from_the_records(template, context) -> None:
    log = [entry(dt.date(2025, 11, 3), 20), entry(dt.date(2025, 11, 4), 20), entry(dt.date(2025, 11, 5), 20),
           entry(dt.date(2026, 1, 5), 7), entry(dt.date(2026, 2, 9), 12.5),
           entry(dt.date(2026, 3, 9), 4)]  # the last is after the visit
    answers = new_draft_answers(template, context, VISIT, log)
    assert answers["visit_date"] == "2026-03-02"
    assert answers["otj_hours_since_last"] == 12.5  # the last review's own day (5 January) is not counted again
    assert answers["otj_hours_to_date"] == 79.5
    assert answers["plan_progress"] == {"p-1": {"progress": 40, "comment": ""}, "p-2": {"progress": 25, "comment": ""}}
    assert "next_review_date" not in answers and "progress_rag" not in answers


def test_first_review_counts_every_logged_hour_as_since_last(template, context) -> None:
    first = dataclasses.replace(context, last_review_date=None, plan_items={})
    answers = new_draft_answers(template, first, VISIT, [entry(dt.date(2025, 10, 1), 6)])
    assert answers["otj_hours_since_last"] == answers["otj_hours_to_date"] == 6
    assert "plan_progress" not in answers


def test_next_review_date_is_proposed_only_when_not_yet_chosen(template, answers, context) -> None:
    del answers["next_review_date"]
    answers["progress_rag"] = "red"
    assert with_proposed_next_review(template, answers, context)["next_review_date"] == "2026-03-30"
    answers["next_review_date"] = "2026-04-13"
    assert with_proposed_next_review(template, answers, context)["next_review_date"] == "2026-04-13"
    assert with_proposed_next_review(template, {}, context) == {}  # no visit date, nothing to propose
