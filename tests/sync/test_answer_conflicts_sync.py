"""Two laptops of one assessor edit one draft offline (issue 19 item 2), with a real server process.

Different questions merge with no conflict; the same question is one conflict naming that question, with both
values and who/device/when; keeping mine changes that question alone, so the other laptop's other edits and a
second conflict on the same field resolved after it all survive.
"""

from __future__ import annotations

from typing import Any

from reviewapp.core.templates import load_template
from reviewapp.store import reviews
from reviewapp.store.models import Review
from reviewapp.store.sync.conflicts import keep_mine, keep_theirs, open_conflicts, resolved_conflicts
from tests.conftest import DEMO_TODAY

TEMPLATE = load_template("apprenticeship-progress-review")


def _answers(laptop: Any, review_id: str) -> dict[str, Any]:
    with laptop.store.read() as session:
        return dict(session.get(Review, review_id).answers)


def _two_laptops_one_draft(world: dict[str, Any]) -> tuple[Any, Any, str]:
    ann = world["learners"]["alice"][0]
    first = world["laptop"]("alice", "alice-desk")
    second = world["laptop"]("alice", "alice-tablet")
    first.sync()
    review_id = reviews.start_draft(first.store, ann, TEMPLATE, DEMO_TODAY)
    reviews.save_answers(first.store, review_id, {"hs_discussion": "Talked about ladders.",
                                                   "progress_summary": "Unit 3 done."})
    assert first.sync().rejected == 0
    second.sync()
    assert _answers(second, review_id)["hs_discussion"] == "Talked about ladders."
    return first, second, review_id


def test_different_questions_edited_offline_both_survive_on_both(world: dict[str, Any]) -> None:
    first, second, review_id = _two_laptops_one_draft(world)
    reviews.save_answers(first.store, review_id, {"hs_discussion": "Ladders and manual handling."})
    reviews.save_answers(second.store, review_id, {"edi_discussion": "Discussed the Equality Act.",
                                                    "progress_rag": "green"})
    first.sync()
    second.sync()
    first.sync()
    for laptop in (first, second):
        answers = _answers(laptop, review_id)
        assert answers["hs_discussion"] == "Ladders and manual handling."
        assert answers["edi_discussion"] == "Discussed the Equality Act."
        assert answers["progress_rag"] == "green"
        with laptop.store.read() as session:
            assert open_conflicts(session) == []


def test_same_question_is_one_conflict_and_keep_mine_keeps_the_others_edits(world: dict[str, Any]) -> None:
    first, second, review_id = _two_laptops_one_draft(world)
    reviews.save_answers(first.store, review_id, {"hs_discussion": "Desk: ladders, gloves.",
                                                   "progress_rag": "amber", "otj_examples": "Desk's example."})
    reviews.save_answers(second.store, review_id, {"hs_discussion": "Tablet: ladders, goggles.",
                                                    "progress_rag": "red", "edi_discussion": "Tablet's EDI."})
    first.sync()
    second.sync()
    with second.store.read() as session:
        shown = open_conflicts(session)
    assert sorted(c.path for c in shown) == [("hs_discussion",), ("progress_rag",)]
    hs = next(c for c in shown if c.path == ("hs_discussion",))
    assert (hs.mine, hs.theirs) == ("Tablet: ladders, goggles.", "Desk: ladders, gloves.")
    assert hs.their_by == "alice" and hs.their_device and hs.their_at is not None
    # Both kept as mine, one after the other: the second does not undo the first.
    for conflict in shown:
        keep_mine(second.store, conflict.id)
    second.sync()
    first.sync()
    for laptop in (first, second):
        answers = _answers(laptop, review_id)
        assert answers["hs_discussion"] == "Tablet: ladders, goggles."
        assert answers["progress_rag"] == "red"
        assert answers["otj_examples"] == "Desk's example."  # the other laptop's other edit survives
        assert answers["edi_discussion"] == "Tablet's EDI."
    with second.store.read() as session:
        assert open_conflicts(session) == []
        history = resolved_conflicts(session)
    assert {c.resolution for c in history} == {"kept_mine"}
    assert {c.theirs for c in history} == {"Desk: ladders, gloves.", "amber"}  # the value not chosen stays readable


def test_keep_theirs_and_a_combined_value_change_their_question_alone(world: dict[str, Any]) -> None:
    first, second, review_id = _two_laptops_one_draft(world)
    reviews.save_answers(first.store, review_id, {"hs_discussion": "Desk text.", "progress_rag": "amber"})
    reviews.save_answers(second.store, review_id, {"hs_discussion": "Tablet text.", "progress_rag": "red"})
    first.sync()
    second.sync()
    with second.store.read() as session:
        shown = {c.path[0]: c for c in open_conflicts(session)}
    keep_mine(second.store, shown["hs_discussion"].id, combined="Desk text. Tablet text.")
    keep_theirs(second.store, shown["progress_rag"].id)
    second.sync()
    first.sync()
    for laptop in (first, second):
        answers = _answers(laptop, review_id)
        assert answers["hs_discussion"] == "Desk text. Tablet text."
        assert answers["progress_rag"] == "amber"
