"""Review rules: conditions, per-section completeness and the finalise check, on the real template."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from answer_strategies import ANSWER_KEYS, json_values
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewapp.core.finalise import ReviewNotReady, finalise_review
from reviewapp.core.review_rules import (
    ReviewContext,
    effective_answers,
    finalise_readiness,
    is_visible,
    proposed_next_review,
    section_statuses,
    targets_to_follow_up,
    visible_answers,
    visible_questions,
)
from reviewapp.core.templates import Template
from sync.protocol import ReviewData, SignatureData, TargetData


def incomplete(template: Template, answers: dict[str, Any], signatures: list[SignatureData],
               context: ReviewContext) -> dict[str, list[str]]:
    return {s.section_id: [p.message for p in s.problems]
            for s in section_statuses(template, answers, signatures, context) if not s.complete}


def test_a_fully_answered_and_signed_review_is_ready(template, answers, signatures, context) -> None:
    assert incomplete(template, answers, signatures, context) == {}
    readiness = finalise_readiness(template, answers, signatures, context)
    assert readiness.ready, readiness.messages()


def test_an_empty_draft_lists_every_section_and_is_not_ready(template, context) -> None:
    statuses = section_statuses(template, {}, [], context)
    assert [s.section_id for s in statuses] == [s.id for s in template.sections]
    assert not any(s.complete for s in statuses)
    summary = statuses[-1]
    assert summary.problems[0].message.startswith("Still to complete: The visit, Targets from the last review")
    readiness = finalise_readiness(template, {}, [], context)
    assert not readiness.ready
    assert set(readiness.by_section()) == {s.id for s in template.sections if s.kind != "summary"}


@pytest.mark.parametrize("question_id", ["visit_location", "progress_summary", "otj_examples", "welfare_own_words",
                                         "employer_opportunities", "hs_understanding", "als_in_place"])
def test_removing_one_required_answer_marks_only_its_section(template, answers, signatures, context,
                                                            question_id) -> None:
    del answers[question_id]
    section = next(s for s, q in template.questions() if q.id == question_id)
    problems = incomplete(template, answers, signatures, context)
    assert list(problems) == [section.id, "summary"]
    label = template.question(question_id).label
    assert any(label in message for message in problems[section.id])


def test_follow_up_questions_appear_only_when_their_condition_holds(template, answers, signatures, context) -> None:
    progress = template.section("progress")
    shown = {q.id for q in visible_questions(template, progress, answers, context)}
    assert "behind_causes" not in shown
    answers["progress_rag"] = "amber"
    shown = {q.id for q in visible_questions(template, progress, answers, context)}
    assert {"behind_causes", "behind_explanation", "behind_actions"} <= shown
    problems = incomplete(template, answers, signatures, context)["progress"]
    assert len(problems) == 3
    answers.update(behind_causes=["workload"], behind_explanation="Busy season.",
                   behind_actions="Two afternoons a week protected for study until May.")
    assert "progress" not in incomplete(template, answers, signatures, context)


def test_an_answer_to_a_hidden_question_does_not_count_and_is_not_shown(template, answers, context) -> None:
    answers["english_exam_date"] = "2026-05-01"  # english_status is achieved_prior: the date is hidden
    assert "english_exam_date" not in visible_answers(template, effective_answers(template, answers, context))


def test_employer_absence_needs_a_reason(template, answers, signatures, context) -> None:
    answers["attendees"] = ["learner", "assessor"]
    problems = incomplete(template, answers, signatures, context)["visit"]
    assert problems == ["Answer “Why did the employer not take part, and how will they contribute?”."]
    assert not is_visible(template.question("employer_rep_name"), answers)


def test_flags_need_detail_only_when_raised(template, answers, signatures, context) -> None:
    answers["refer_safeguarding"] = {"raised": True, "detail": "  "}
    assert incomplete(template, answers, signatures, context)["welfare"] == [
        "“Refer to the designated safeguarding lead?” is ticked: fill in “Reason for the referral”."]
    answers["refer_safeguarding"]["detail"] = "Disclosed money worries and threats from a lender."
    assert "welfare" not in incomplete(template, answers, signatures, context)


def test_previous_targets_need_an_outcome_each_and_a_reason_unless_met(template, answers, signatures,
                                                                      context) -> None:
    answers["previous_targets"] = {"t-met": {"status": "met"}, "t-not-met": {"status": "not_met", "comment": ""}}
    assert incomplete(template, answers, signatures, context)["previous_targets"] == [
        "Target “Write a reflective account of two team meetings”: say why it was not met."]
    del answers["previous_targets"]["t-met"]
    assert len(incomplete(template, answers, signatures, context)["previous_targets"]) == 2


def test_carry_forward_only_for_targets_not_fully_met(template, answers, signatures, context) -> None:
    answers["previous_targets"]["t-met"]["carry_forward"] = True
    messages = incomplete(template, answers, signatures, context)["previous_targets"]
    assert messages == ["Target “Complete the customer service unit workbook”: only a target partly met or not met "
                        "can be carried forward."]


def test_first_review_with_no_open_targets_or_plan_is_complete_there(template, answers, signatures,
                                                                    context) -> None:
    first = dataclasses.replace(context, open_targets={}, plan_items={})
    del answers["previous_targets"], answers["plan_progress"]
    assert incomplete(template, answers, signatures, first) == {}


def test_plan_grid_needs_progress_for_every_item_within_range(template, answers, signatures, context) -> None:
    answers["plan_progress"] = {"p-1": {"progress": 140}}
    assert incomplete(template, answers, signatures, context)["progress"] == [
        "“K1 Organisational purpose”: progress must be between 0 and 100%.",
        "“S3 Communication”: give its progress (0 to 100%).",
    ]


def test_new_targets_need_wording_and_at_least_one(template, answers, signatures, context) -> None:
    answers["new_targets"].append({"text": " ", "due_date": None, "actions": []})
    assert incomplete(template, answers, signatures, context)["new_targets"] == [
        "New target 3 has no wording: write it, or remove it."]
    answers["new_targets"] = []
    assert incomplete(template, answers, signatures, context)["new_targets"] == ["Set at least one new target."]


def test_invalid_answers_are_reported_even_when_optional(template, answers, signatures, context) -> None:
    answers["otj_hours_to_date"] = -3
    answers["epa_readiness"] = "tomorrow"
    problems = incomplete(template, answers, signatures, context)
    assert problems["otj"][0] == "“Off-the-job hours to date” cannot be less than 0."
    assert problems["progress"] == ["Choose one of the listed answers for “How close is the learner to gateway for "
                                    "end-point assessment?”."]


# --- Off-the-job: derived figures drive the recovery plan ---------------------------------------------------------


def test_otj_shortfall_is_derived_and_asks_for_a_recovery_plan(template, answers, signatures, context) -> None:
    # 400 planned hours over 546 days; 182 days in on 2 March 2026: 133.3 hours expected.
    answers["otj_hours_to_date"] = 100
    answers["otj_shortfall"] = 0  # a stale stored figure is ignored
    effective = effective_answers(template, answers, context)
    assert effective["otj_planned_to_date"] == pytest.approx(133.3)
    assert effective["otj_shortfall"] == pytest.approx(33.3)
    assert incomplete(template, answers, signatures, context)["otj"] == [
        "Answer “How will the shortfall be made up?”.",
        "Choose an answer for “Has the employer agreed to release the time in the recovery plan?”.",
    ]
    answers["otj_hours_to_date"] = 140
    assert effective_answers(template, answers, context)["otj_shortfall"] == 0
    assert "otj" not in incomplete(template, answers, signatures, context)


def test_otj_figures_are_absent_without_a_plan(template, answers, context) -> None:
    no_plan = dataclasses.replace(context, learner=context.learner.model_copy(update={"planned_end_date": None}))
    effective = effective_answers(template, answers, no_plan)
    assert "otj_planned_to_date" not in effective and "otj_shortfall" not in effective


# --- Next review date ---------------------------------------------------------------------------------------------


def test_next_review_is_proposed_from_the_ratings(template, answers, context) -> None:
    assert proposed_next_review(template, answers, context).date == dt.date(2026, 4, 27)
    answers["welfare_rag"] = "amber"
    proposal = proposed_next_review(template, answers, context)
    assert proposal.date == dt.date(2026, 3, 30)
    assert "welfare rated amber" in proposal.reason
    assert effective_answers(template, answers, context)["next_review_proposed"] == "2026-03-30"


def test_support_in_place_shortens_the_interval_and_the_record_is_the_fallback(template, answers, context) -> None:
    answers["als_in_place"] = True
    assert proposed_next_review(template, answers, context).date == dt.date(2026, 3, 30)
    del answers["als_in_place"]
    with_needs = dataclasses.replace(context, learner=context.learner.model_copy(update={"support_needs": "Dyslexia"}))
    assert proposed_next_review(template, answers, with_needs).date == dt.date(2026, 3, 30)


def test_changing_the_proposed_date_needs_a_reason(template, answers, signatures, context) -> None:
    answers["next_review_date"] = "2026-04-20"
    assert incomplete(template, answers, signatures, context)["comments_next"] == [
        "Answer “Why is the next review on a different date from the one proposed?”."]
    answers["next_review_change_reason"] = "Employer's site closed the week of 27 April."
    assert finalise_readiness(template, answers, signatures, context).ready


def test_next_review_beyond_three_calendar_months_is_refused(template, answers, signatures, context) -> None:
    """The 2025-26 funding rules: at least every three calendar months (2 March to 2 June), no longer 12 weeks."""
    answers["next_review_date"] = "2026-06-03"  # three calendar months and a day
    answers["next_review_change_reason"] = "Learner on holiday."
    readiness = finalise_readiness(template, answers, signatures, context)
    assert readiness.messages() == ["Comments and next review: The next review must be no more than 3 calendar "
                                    "months after this one (by 02/06/2026), under the funding rules."]
    answers["next_review_date"] = "2026-06-02"
    assert finalise_readiness(template, answers, signatures, context).ready


def test_next_review_after_twelve_weeks_but_within_three_months_is_accepted(template, answers, signatures,
                                                                            context) -> None:
    answers["next_review_date"] = "2026-05-26"  # 12 weeks and 1 day: refused under the old twelve-week rule
    answers["next_review_change_reason"] = "Learner on holiday."
    assert finalise_readiness(template, answers, signatures, context).ready


# --- Signatures -----------------------------------------------------------------------------------------------------


def test_absent_learner_or_employer_needs_a_recorded_reason(template, answers, context, drawn) -> None:
    signatures = [drawn("assessor", "Sam Jones"),
                  SignatureData(review_id=context.review_id, role="employer",
                                absent_reason="Called away to a site incident")]
    readiness = finalise_readiness(template, answers, signatures, context)
    assert readiness.messages() == [
        "Signatures: The learner has not signed: ask them to sign, or record why they cannot."]


def test_assessor_cannot_be_absent(template, answers, context, drawn) -> None:
    signatures = [drawn("learner", "Priya Shah"), drawn("employer", "Tom Clarke"),
                  SignatureData(review_id=context.review_id, role="assessor", absent_reason="Forgot")]
    assert finalise_readiness(template, answers, signatures, context).messages() == [
        "Signatures: You (the assessor) must sign the review."]


def test_a_drawn_signature_needs_a_name(template, answers, signatures, context) -> None:
    signatures[1] = signatures[1].model_copy(update={"name": ""})
    assert finalise_readiness(template, answers, signatures, context).messages() == [
        "Signatures: Add the name of the employer's representative beside the signature."]


def test_readiness_messages_are_grouped_in_wizard_order(template, answers, context) -> None:
    del answers["visit_location"], answers["welfare_rag"]
    readiness = finalise_readiness(template, answers, [], context)
    sections = list(readiness.by_section())
    assert sections == ["visit", "welfare", "signatures"]
    assert readiness.messages()[0] == "The visit: Answer “Location or video platform”."


def test_targets_to_follow_up_are_the_open_ones_by_due_date() -> None:
    def target(text: str, status: str, due: dt.date | None) -> TargetData:
        return TargetData(learner_id="learner-1", text=text, status=status, due_date=due)

    found = targets_to_follow_up([
        ("a", target("A", "open", None)), ("b", target("B", "met", dt.date(2026, 1, 1))),
        ("c", target("C", "open", dt.date(2026, 2, 1))), ("d", target("D", "open", dt.date(2026, 1, 10))),
    ])
    assert list(found) == ["d", "c", "a"]


# --- Properties -----------------------------------------------------------------------------------------------------


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_dropping_answers_never_completes_a_section_that_was_incomplete(template, answers, signatures, context,
                                                                        data) -> None:
    """Completeness is monotone: removing answers can only add problems, and a review with problems is not ready."""
    keys = sorted(answers)
    dropped = data.draw(st.lists(st.sampled_from(keys), unique=True, max_size=8))
    partial = {k: v for k, v in answers.items() if k not in dropped}
    statuses = section_statuses(template, partial, signatures, context)
    readiness = finalise_readiness(template, partial, signatures, context)
    assert readiness.ready == all(s.complete for s in statuses)
    if any(template.question(k).required for k in dropped):
        assert not readiness.ready


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rag=st.sampled_from(["red", "amber", "green"]), welfare=st.sampled_from(["red", "amber", "green"]))
def test_behind_questions_follow_the_progress_rating(template, answers, context, rag, welfare) -> None:
    answers.update(progress_rag=rag, welfare_rag=welfare)
    shown = {q.id for q in visible_questions(template, template.section("progress"), answers, context)}
    assert ("behind_causes" in shown) == (rag != "green")
    shown = {q.id for q in visible_questions(template, template.section("welfare"), answers, context)}
    assert ("welfare_concerns" in shown) == (welfare != "green")


answer_values = json_values((*ANSWER_KEYS[:-1], "t-met", "p-1", "scenario_id"))


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_any_stored_answers_give_problems_not_crashes(template, answers, signatures, context, data) -> None:
    """A draft may hold anything (an old version, a half-synced edit): the rules must report, never raise."""
    ids = [q.id for _, q in template.questions()]
    garbage = data.draw(st.dictionaries(st.sampled_from(ids), answer_values, max_size=10))
    mixed = {**answers, **garbage}
    statuses = section_statuses(template, mixed, signatures, context)
    readiness = finalise_readiness(template, mixed, signatures, context)
    assert readiness.ready == all(s.complete for s in statuses)
    for problem in readiness.problems:
        assert problem.message.strip()
    review = ReviewData(learner_id="learner-1", template_id=template.id, template_version=template.version,
                        answers=mixed)
    stamp = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
    if readiness.ready:  # whatever passed the check must finalise into valid records
        result = finalise_review(template, review, signatures, context, stamp)
        assert result.review.status == "finalised" and len(result.content_hash) == 64
    else:
        with pytest.raises(ReviewNotReady):
            finalise_review(template, review, signatures, context, stamp)


def test_vague_new_targets_warn_without_blocking(template, answers, signatures, context) -> None:
    answers["new_targets"].append({"text": "Try to improve emails", "due_date": "2026-05-20", "actions": []})
    readiness = finalise_readiness(template, answers, signatures, context)
    assert readiness.ready
    warnings = readiness.warning_messages()
    assert warnings[0].startswith("New targets: New target 3: Due 20/05/2026, after the next review on 27/04/2026")
    assert any("“try” cannot be measured" in w for w in warnings)
    assert not any("New target 1" in w for w in warnings)


# --- The side list's ticks are the finalise check's ------------------------------------------------------------------


def _step_problems(template: Template, answers: dict[str, Any], signatures: list[SignatureData],
                   context: ReviewContext) -> dict[str, list[str]]:
    """Each step's blocking messages as the side list has them, leaving out the summary's own roll-call."""
    return {s.section_id: [p.message for p in s.problems if not p.message.startswith("Still to complete")]
            for s in section_statuses(template, answers, signatures, context)
            if any(not p.message.startswith("Still to complete") for p in s.problems)}


@pytest.mark.parametrize(("next_review", "words"), [
    ("2026-02-23", "must be after this one"),  # before the visit: the side list ticked it; finalise refused
    ("2026-03-02", "must be after this one"),  # the visit day itself
    ("2026-07-01", "no more than 3 calendar months"),  # past the funding rules' limit
])
def test_a_next_review_that_blocks_finalising_unticks_its_step(template, answers, signatures, context,
                                                               next_review, words) -> None:
    answers["next_review_date"] = next_review
    statuses = section_statuses(template, answers, signatures, context)
    status = next(s for s in statuses if s.section_id == "comments_next")
    assert not status.complete
    assert any(words in p.message for p in status.problems)
    assert not finalise_readiness(template, answers, signatures, context).ready


def test_a_carried_target_missing_from_the_new_targets_unticks_the_follow_up_step(template, answers, signatures,
                                                                                   context) -> None:
    answers["new_targets"] = [t for t in answers["new_targets"] if not t.get("carried_from_id")]
    problems = _step_problems(template, answers, signatures, context)
    assert list(problems) == ["previous_targets"]
    assert "is to be carried forward but is not among the new targets" in problems["previous_targets"][0]


def test_smart_warnings_are_on_the_new_targets_step_without_unticking_it(template, answers, signatures,
                                                                        context) -> None:
    answers["new_targets"].append({"text": "Try to improve emails", "due_date": "2026-05-20", "actions": []})
    statuses = section_statuses(template, answers, signatures, context)
    status = next(s for s in statuses if s.section_id == "new_targets")
    assert status.complete and not status.problems
    readiness = finalise_readiness(template, answers, signatures, context)
    assert [w.message for w in status.warnings] == [w.message for w in readiness.warnings]
    assert any("“try” cannot be measured" in w.message for w in status.warnings)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_every_step_is_ticked_exactly_when_finalising_finds_nothing_in_it(template, answers, signatures, context,
                                                                           data) -> None:
    """One set of rules: each step's problems and warnings are the finalise check's for that step, no more and no
    fewer, whatever a draft holds, so no tick can say "done" where finalising would refuse."""
    ids = [q.id for _, q in template.questions()]
    garbage = data.draw(st.dictionaries(st.sampled_from(ids), answer_values, max_size=10))
    mixed = {**answers, **garbage}
    readiness = finalise_readiness(template, mixed, signatures, context)
    statuses = section_statuses(template, mixed, signatures, context)
    summary_ids = {s.id for s in template.sections if s.kind == "summary"}
    assert _step_problems(template, mixed, signatures, context) == {
        section_id: [p.message for p in found] for section_id, found in readiness.by_section().items()}
    for status in statuses:
        if status.section_id not in summary_ids:
            assert status.complete == (status.section_id not in readiness.by_section())
        assert list(status.warnings) == [w for w in readiness.warnings if w.section_id == status.section_id]
