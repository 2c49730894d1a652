"""The part of the finalise check that needs only the review as signed: what the sync server enforces.

Two promises: it finds every signature and answer problem the laptop's whole check finds (so a forged finalisation
cannot pass it), and nothing it finds can be new for a review the laptop finalised (so a genuine review signed
offline is never refused later, whatever happened to the learner's records meanwhile).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from answer_strategies import json_values
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from reviewapp.core.finalise import finalise_review, finalised_answers
from reviewapp.core.review_rules import (
    RECORD_DEPENDENT_TYPES,
    ReviewContext,
    answer_problems,
    finalise_readiness,
    signed_review_readiness,
)
from reviewapp.core.templates import Template
from sync.protocol import LearnerData, PlanItemData, ReviewData, SignatureData, TargetData

STAMP = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)


def signed(template: Template, answers: dict[str, Any], context: ReviewContext) -> dict[str, Any]:
    return finalised_answers(template, answers, context)


def test_a_complete_signed_review_is_ready(template, answers, signatures, context) -> None:
    readiness = signed_review_readiness(template, signed(template, answers, context), signatures)
    assert readiness.ready, readiness.messages()


def test_signatures_and_answers_are_checked_as_the_laptop_checks_them(template, answers, context, drawn) -> None:
    del answers["visit_location"]
    answers["sg_feels_safe"] = "yes"
    absent_employer = SignatureData(review_id=context.review_id, role="employer", absent_reason="On a site visit")
    signatures = [drawn("assessor", "Sam Jones"), absent_employer]
    laptop = finalise_readiness(template, answers, signatures, context).messages()
    server = signed_review_readiness(template, signed(template, answers, context), signatures).messages()
    assert server == laptop == [
        "The visit: Answer “Location or video platform”.",
        "Safeguarding, Prevent and British values: Answer yes or no to “Does the learner say they feel safe at work "
        "and outside it?”.",
        "Signatures: The learner has not signed: ask them to sign, or record why they cannot.",
    ]
    assert not signed_review_readiness(template, signed(template, answers, context), []).ready


def test_what_depends_on_the_learners_records_is_left_to_the_laptop(template, answers, signatures, context) -> None:
    """A target or plan item the laptop never saw (added by the office after signing) is no reason to refuse."""
    later = dataclasses.replace(context, open_targets={
        **context.open_targets, "t-new": TargetData(learner_id="learner-1", text="Added by the office")},
        plan_items={**context.plan_items, "p-new": PlanItemData(learner_id="learner-1", title="Added later")})
    answers_signed = signed(template, answers, context)
    assert not finalise_readiness(template, answers_signed, signatures, later).ready  # the laptop's check would
    assert signed_review_readiness(template, answers_signed, signatures).ready
    assert {"previous_targets", "plan_progress_grid"} == RECORD_DEPENDENT_TYPES
    section = template.section("previous_targets")
    with pytest.raises(ValueError, match="learner's records"):
        answer_problems(section, template.question("previous_targets"), {}, signatures)


def test_the_figures_are_taken_as_signed_not_worked_out_again(template, answers, signatures, context) -> None:
    """The OTJ plan changed after signing: the shortfall signed was 0, so no recovery plan was needed then."""
    answers_signed = signed(template, answers, context)
    assert answers_signed["otj_shortfall"] == 0
    assert signed_review_readiness(template, answers_signed, signatures).ready
    bigger_plan = dataclasses.replace(context, learner=context.learner.model_copy(update={"planned_otj_hours": 900}))
    assert not finalise_readiness(template, answers_signed, signatures, bigger_plan).ready


def test_a_visit_in_the_calendars_last_weeks_is_judged_not_a_crash(template, answers, signatures, context) -> None:
    answers_signed = {**signed(template, answers, context), "visit_date": "9999-12-20",
                      "next_review_date": "9999-12-30", "next_review_change_reason": "End of the calendar"}
    assert signed_review_readiness(template, answers_signed, signatures).ready
    answers_signed["next_review_date"] = "9999-12-01"
    assert signed_review_readiness(template, answers_signed, signatures).messages() == [
        "Comments and next review: The next review must be after this one (20/12/9999)."]


answer_values = json_values()
contexts = st.builds(
    lambda targets, items, hours, support: ReviewContext(
        review_id="7d2f7a0e-3c1b-4a53-9a55-0d3d3f1c2b10",
        learner=LearnerData(uln="1234567890", first_name="Priya", last_name="Shah", start_date=dt.date(2025, 9, 1),
                            planned_end_date=dt.date(2027, 3, 1), planned_otj_hours=hours, support_needs=support),
        open_targets={f"t-{i}": TargetData(learner_id="learner-1", text=f"Target {i}") for i in range(targets)},
        plan_items={f"p-{i}": PlanItemData(learner_id="learner-1", title=f"Item {i}", progress=10)
                    for i in range(items)},
    ),
    st.integers(0, 2), st.integers(0, 2), st.sampled_from([0, 400, 2000]), st.sampled_from(["", "Dyslexia"]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), at_signing=contexts)
def test_whatever_the_laptop_finalises_the_server_check_accepts(template, answers, signatures, data,
                                                                 at_signing) -> None:
    """For any draft (garbage answers included), any signatures and any records at signing: if the laptop finalises
    it, the server's check over the signed review finds nothing (and it takes no records, so nothing that happens
    to them later can change that)."""
    ids = [q.id for _, q in template.questions()]
    garbage = data.draw(st.dictionaries(st.sampled_from(ids), answer_values, max_size=3))
    for target_id in at_signing.open_targets:
        answers["previous_targets"][target_id] = {"status": "met", "comment": ""}
    answers["plan_progress"] = {item_id: {"progress": 50} for item_id in at_signing.plan_items}
    mixed = {**answers, **garbage}
    absent = data.draw(st.sampled_from([None, "learner", "employer"]))
    kept = [s if s.role != absent else SignatureData(review_id=s.review_id, role=s.role, absent_reason="Off sick")
            for s in signatures]
    review = ReviewData(learner_id="learner-1", template_id=template.id, template_version=template.version,
                        answers=mixed)
    ready = finalise_readiness(template, mixed, kept, at_signing).ready
    event(f"the laptop finalises it: {ready}")
    if not ready:
        return
    stamped = finalise_review(template, review, kept, at_signing, STAMP).review
    # As the server holds it: the review and its signatures after a trip through the wire's JSON.
    received = ReviewData.model_validate_json(stamped.model_dump_json())
    held = [SignatureData.model_validate_json(s.model_dump_json()) for s in kept]
    assert signed_review_readiness(template, received.answers, held).ready
