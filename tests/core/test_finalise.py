"""Finalising: the records it writes, worked out from a complete draft, and the hash the server will check."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from reviewapp.core.finalise import (
    ReviewNotReady,
    carried_target_item,
    finalise_review,
    finalised_answers,
    new_targets,
    next_review_decision,
    plan_progress_updates,
    previous_target_updates,
    review_record_fields,
)
from reviewapp.core.review_rules import finalise_readiness
from reviewapp.core.templates import choose_scenario
from sync.protocol import ReviewData, review_content_hash

FINALISED_AT = dt.datetime(2026, 3, 2, 11, 45, tzinfo=dt.UTC)


@pytest.fixture
def review(template, answers) -> ReviewData:
    return ReviewData(learner_id="learner-1", template_id=template.id, template_version=template.version,
                      assessor="sjones", answers=answers)


def counter():
    numbers = itertools.count(1)
    return lambda: f"new-{next(numbers)}"


def test_finalising_stamps_the_review_and_hashes_it(template, review, signatures, context) -> None:
    result = finalise_review(template, review, signatures, context, FINALISED_AT, new_id=counter())
    stamped = result.review
    assert stamped.status == "finalised"
    assert stamped.finalised_at == FINALISED_AT
    assert stamped.visit_date == dt.date(2026, 3, 2)
    assert (stamped.progress_rag, stamped.welfare_rag) == ("green", "green")
    assert stamped.next_review_date == dt.date(2026, 4, 27)
    assert stamped.next_review_reason == "8 weeks (standard interval)"
    assert len(stamped.content_hash) == 64
    assert stamped.content_hash == review_content_hash(context.review_id, stamped, signatures)
    assert review.status == "draft" and review.content_hash is None  # the draft passed in is not changed


def test_the_hash_covers_the_answers_and_signatures(template, review, signatures, context) -> None:
    first = finalise_review(template, review, signatures, context, FINALISED_AT).content_hash
    changed = review.model_copy(update={"answers": {**review.answers, "employer_feedback": "Reliable."}})
    assert finalise_review(template, changed, signatures, context, FINALISED_AT).content_hash != first
    resigned = [signatures[0].model_copy(update={"name": "P. Shah"}), *signatures[1:]]
    assert finalise_review(template, review, resigned, context, FINALISED_AT).content_hash != first


def test_an_incomplete_draft_is_refused_with_the_reasons(template, review, signatures, context) -> None:
    draft = review.model_copy(update={"answers": {k: v for k, v in review.answers.items() if k != "welfare_rag"}})
    with pytest.raises(ReviewNotReady) as caught:
        finalise_review(template, draft, signatures[:2], context, FINALISED_AT)
    assert caught.value.readiness.messages() == [
        "Welfare and wellbeing: Choose an answer for “Your rating of the learner's welfare”.",
        "Signatures: You (the assessor) must sign the review.",
    ]


def test_only_a_draft_of_this_template_can_be_finalised(template, review, signatures, context) -> None:
    with pytest.raises(ValueError, match="only a draft"):
        finalise_review(template, review.model_copy(update={"status": "finalised"}), signatures, context,
                        FINALISED_AT)
    other_version = template.version + 1
    with pytest.raises(ValueError, match=f"v{other_version}"):
        finalise_review(template, review.model_copy(update={"template_version": other_version}), signatures, context,
                        FINALISED_AT)


def test_signed_answers_drop_hidden_ones_and_record_figures_and_scenarios(template, answers, context) -> None:
    answers["maths_exam_date"] = "2026-06-01"  # hidden: maths status is "working towards"
    signed = finalised_answers(template, answers, context)
    assert "maths_exam_date" not in signed
    assert signed["otj_planned_to_date"] == pytest.approx(133.3)
    assert signed["otj_shortfall"] == 0
    assert signed["next_review_proposed"] == "2026-04-27"
    expected = choose_scenario(template.question("hs_scenario"), context.review_id).id
    assert signed["hs_scenario"] == {"scenario_id": expected,
                                     "response": "Unplug it, warn people and tell my supervisor."}


def test_previous_targets_are_closed_with_outcome_and_comment(template, answers, context) -> None:
    updates = previous_target_updates(template, answers, context)
    assert set(updates) == {"t-met", "t-not-met"}
    assert updates["t-met"].status == "met"
    assert updates["t-not-met"].status == "not_met"
    assert updates["t-not-met"].follow_up_comment == "Meetings cancelled in February"
    assert {t.followed_up_in_review_id for t in updates.values()} == {context.review_id}
    assert context.open_targets["t-met"].status == "open"  # the originals are untouched


def test_a_carried_target_is_a_new_target_with_the_date_the_assessor_set(template, answers, context) -> None:
    created = new_targets(template, answers, context, "learner-1", counter())
    assert list(created) == ["new-1", "new-2"]
    listed, carried = created["new-1"], created["new-2"]
    assert listed.due_date == dt.date(2026, 4, 17) and listed.actions == ["Collect counts", "Build the sheet"]
    assert listed.set_in_review_id == context.review_id and listed.carried_from_id is None
    assert carried.carried_from_id == "t-not-met"
    assert carried.text == "Write a reflective account of two team meetings in April"  # as reworded
    assert carried.actions == ["Chair one meeting", "Take minutes"]
    assert carried.due_date == dt.date(2026, 4, 24)  # the assessor's date, not the next review's


def test_a_carried_target_left_undated_is_never_given_an_invented_date(template, answers, context) -> None:
    answers["new_targets"][1]["due_date"] = None
    created = new_targets(template, answers, context, "learner-1", counter())
    assert created["new-2"].carried_from_id == "t-not-met" and created["new-2"].due_date is None


def test_a_carried_target_missing_from_the_new_targets_blocks_finalising(template, answers, signatures,
                                                                         context) -> None:
    """Finalising never creates a target the learner did not see on the page they signed."""
    del answers["new_targets"][1]
    readiness = finalise_readiness(template, answers, signatures, context)
    assert not readiness.ready
    assert [p.question_id for p in readiness.problems] == ["previous_targets"]
    assert "is to be carried forward but is not among the new targets" in readiness.problems[0].message
    assert [t.carried_from_id for t in new_targets(template, answers, context, "learner-1", counter()).values()
            ] == [None]


def test_the_carried_item_keeps_the_wording_and_actions_and_leaves_the_date_to_the_assessor(context) -> None:
    item = carried_target_item("t-not-met", context.open_targets["t-not-met"])
    assert item == {"text": "Write a reflective account of two team meetings", "due_date": None,
                    "actions": ["Chair one meeting", "Take minutes"], "carried_from_id": "t-not-met"}


def test_plan_progress_updates_only_changed_items(template, answers, context) -> None:
    updates = plan_progress_updates(template, answers, context)
    assert list(updates) == ["p-1"]
    assert updates["p-1"].progress == 55 and updates["p-1"].title == "K1 Organisational purpose"


def test_changed_next_review_date_keeps_the_assessors_reason(template, answers, context) -> None:
    answers["next_review_date"] = "2026-04-20"
    answers["next_review_change_reason"] = "Site closed the week of 27 April."
    date, reason = next_review_decision(template, answers, context)
    assert date == dt.date(2026, 4, 20)
    assert reason == ("Changed by the assessor from the proposed 27/04/2026 (8 weeks (standard interval)): "
                      "Site closed the week of 27 April.")


def test_ratings_come_from_the_answers(template, answers, context) -> None:
    answers.update(progress_rag="red", welfare_rag="amber", next_review_date="2026-03-30")
    fields = review_record_fields(template, answers, context)
    assert (fields["progress_rag"], fields["welfare_rag"]) == ("red", "amber")
    assert fields["next_review_date"] == dt.date(2026, 3, 30)
    assert "progress rated red" in fields["next_review_reason"]


def test_a_met_target_is_never_carried_even_if_marked(template, answers, context) -> None:
    answers["previous_targets"]["t-met"]["carry_forward"] = True
    answers["previous_targets"]["t-not-met"]["carry_forward"] = False
    del answers["new_targets"][1]
    created = new_targets(template, answers, context, "learner-1", counter())
    assert [t.carried_from_id for t in created.values()] == [None]


def test_the_canonical_form_is_fixed_so_old_hashes_keep_checking() -> None:
    from sync.protocol import SignatureData, canonical_review_json

    review = ReviewData(learner_id="l-1", template_id="t", template_version=1, assessor="sjones",
                        visit_date=dt.date(2026, 3, 2), answers={"q1": "Zoë"}, status="finalised",
                        finalised_at=dt.datetime(2026, 3, 2, 11, 45, tzinfo=dt.UTC))
    signatures = [SignatureData(review_id="r-1", role="learner", name="Zoë Ødegård",
                                signed_at=dt.datetime(2026, 3, 2, 11, 40, tzinfo=dt.UTC), image_png="iVBOR",
                                strokes=[[[0, 0], [1, 1]]])]
    # The exact bytes hashed since the first schema: a change here breaks every signed review's check.
    assert canonical_review_json("r-1", review, signatures) == (
        '{"id":"r-1","review":{"addendum_to_id":null,"answers":{"q1":"Zoë"},"assessor":"sjones",'
        '"finalised_at":"2026-03-02T11:45:00.000000+00:00","learner_id":"l-1","next_review_date":null,'
        '"next_review_reason":"","progress_rag":null,"template_id":"t","template_version":1,'
        '"visit_date":"2026-03-02","welfare_rag":null},"signatures":[{"absent_reason":"","image_png":"iVBOR",'
        '"name":"Zoë Ødegård","review_id":"r-1","role":"learner","signed_at":"2026-03-02T11:40:00.000000+00:00",'
        '"strokes":[[[0.0,0.0],[1.0,1.0]]]}]}'
    )

    class LaterReviewData(ReviewData):  # a field a later version adds to reviews
        location_postcode: str = "LS1 4AP"

    later = LaterReviewData(**review.model_dump())
    assert review_content_hash("r-1", later, signatures) == review_content_hash("r-1", review, signatures)
    voided = review.model_copy(update={"status": "void", "void_reason": "Wrong learner"})
    assert review_content_hash("r-1", voided, signatures) == review_content_hash("r-1", review, signatures)
