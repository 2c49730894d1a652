"""A new draft starts from the learner's records; the next review date is filled in from the proposal."""

from __future__ import annotations

import dataclasses
import datetime as dt

from reviewapp.core.drafts import new_draft_answers, with_carried_targets, with_proposed_next_review
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


def test_ticking_carry_forward_adds_the_target_to_the_new_targets_undated(template, answers, context) -> None:
    answers["new_targets"] = answers["new_targets"][:1]  # as the wizard has it before the tick is followed
    carried = with_carried_targets(template, answers, context)["new_targets"]
    assert carried[1] == {"text": "Write a reflective account of two team meetings", "due_date": None,
                          "actions": ["Chair one meeting", "Take minutes"], "carried_from_id": "t-not-met"}
    again = with_carried_targets(template, {**answers, "new_targets": carried}, context)
    assert again["new_targets"] == carried  # never added twice


def test_unticking_removes_an_untouched_carried_target_but_keeps_a_reworded_one(template, answers, context) -> None:
    answers["new_targets"] = answers["new_targets"][:1]
    answers = with_carried_targets(template, answers, context)
    answers["previous_targets"]["t-not-met"]["carry_forward"] = False
    assert len(with_carried_targets(template, answers, context)["new_targets"]) == 1
    answers["new_targets"][1]["due_date"] = "2026-04-24"
    kept = with_carried_targets(template, answers, context)["new_targets"]
    assert len(kept) == 2 and "carried_from_id" not in kept[1]  # the assessor's own target now


def test_a_met_target_is_not_carried_into_the_new_targets(template, answers, context) -> None:
    answers["new_targets"] = answers["new_targets"][:1]
    answers["previous_targets"]["t-not-met"]["status"] = "met"
    assert with_carried_targets(template, answers, context)["new_targets"] == answers["new_targets"]


def test_the_employer_representative_starts_as_the_employers_contact(template, context) -> None:
    from sync.protocol import EmployerData

    with_employer = dataclasses.replace(context, employer=EmployerData(name="Acme Ltd", contact_name="Tom Clarke"))
    assert new_draft_answers(template, with_employer, VISIT)["employer_rep_name"] == "Tom Clarke"
    assert "employer_rep_name" not in new_draft_answers(template, context, VISIT)  # no contact on record


def test_signature_names_are_proposed_from_what_the_app_knows(template, answers, context) -> None:
    from reviewapp.core.drafts import proposed_signature_names
    from sync.protocol import EmployerData

    with_employer = dataclasses.replace(context, employer=EmployerData(name="Acme Ltd", contact_name="Jo Bloggs"))
    names = proposed_signature_names(template, answers, with_employer, "Alex Morgan")
    learner = context.learner
    assert names == {"learner": f"{learner.first_name} {learner.last_name}", "employer": "Tom Clarke",
                     "assessor": "Alex Morgan"}  # the representative as answered, not the contact on record
    del answers["employer_rep_name"]
    assert proposed_signature_names(template, answers, with_employer)["employer"] == "Jo Bloggs"
    assert "assessor" not in proposed_signature_names(template, answers, context)
