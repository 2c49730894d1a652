"""Loose ends of conflict resolution (issue 19), with a real server process and two real laptop stores.

A conflict resolved on the laptop is resolved on the server too (the office's /conflicts page stops showing it
open), however it was resolved, keep theirs included, which writes nothing; keep theirs after the assessor typed
the same question again drops that newer edit rather than sending it over theirs, and keep mine keeps the newer
edit; targets of the new-targets list merge per target, and a conflict on one reads as that target alone.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from reviewapp.operations.conflict_details import conflict_lists
from reviewapp.store import reviews
from reviewapp.store.models import OutboxEntry, Review, SyncConflict
from reviewapp.store.sync.conflicts import keep_mine, keep_theirs, open_conflicts, resolved_conflicts
from sync.server.db import transaction
from sync.server.models import Conflict
from tests.sync.test_answer_conflicts_sync import _answers, _two_laptops_one_draft


def _server_conflicts(world: dict[str, Any]) -> dict[str, tuple[Any, str | None]]:
    """The server's conflicts by id: (resolved_at, resolution)."""
    with transaction(world["setup"].factory) as session:
        return {c.id: (c.resolved_at, c.resolution) for c in session.scalars(select(Conflict))}


def _open_by_question(laptop: Any) -> dict[str, Any]:
    with laptop.store.read() as session:
        return {c.path[0]: c for c in open_conflicts(session)}


def _conflict_on(world: dict[str, Any], first_edits: dict[str, Any], second_edits: dict[str, Any]
                 ) -> tuple[Any, Any, str]:
    """Both laptops edit the draft offline; the first syncs first, so the second meets the conflicts."""
    first, second, review_id = _two_laptops_one_draft(world)
    reviews.save_answers(first.store, review_id, first_edits)
    reviews.save_answers(second.store, review_id, second_edits)
    first.sync()
    second.sync()
    return first, second, review_id


def _pending(laptop: Any, review_id: str) -> OutboxEntry | None:
    with laptop.store.read() as session:
        return session.scalars(select(OutboxEntry).where(OutboxEntry.record_id == review_id)).first()


def test_each_resolution_reaches_the_server_keep_theirs_too(world: dict[str, Any]) -> None:
    first, second, review_id = _conflict_on(
        world, {"hs_discussion": "Desk text.", "progress_rag": "amber", "otj_examples": "Desk example."},
        {"hs_discussion": "Tablet text.", "progress_rag": "red", "otj_examples": "Tablet example."})
    shown = _open_by_question(second)
    assert len(shown) == 3
    on_server = _server_conflicts(world)
    assert {shown[q].id for q in shown} <= set(on_server)
    assert all(on_server[c.id] == (None, None) for c in shown.values())
    # Keep theirs alone: nothing to send but the word that it was resolved (a push of no changes).
    keep_theirs(second.store, shown["progress_rag"].id)
    assert _pending(second, review_id) is None
    second.sync()
    on_server = _server_conflicts(world)
    assert on_server[shown["progress_rag"].id][0] is not None
    assert on_server[shown["progress_rag"].id][1] == "kept_theirs"
    assert on_server[shown["hs_discussion"].id] == (None, None)  # the others are still open there, as here
    keep_mine(second.store, shown["hs_discussion"].id)
    keep_mine(second.store, shown["otj_examples"].id, combined="Desk example. Tablet example.")
    second.sync()
    on_server = _server_conflicts(world)
    assert {q: on_server[c.id][1] for q, c in shown.items()} == {
        "progress_rag": "kept_theirs", "hs_discussion": "kept_mine", "otj_examples": "combined"}
    assert all(on_server[c.id][0] is not None for c in shown.values())
    with second.store.read() as session:
        assert all(c.server_told for c in session.scalars(select(SyncConflict)))
    first.sync()
    for laptop in (first, second):
        answers = _answers(laptop, review_id)
        assert (answers["hs_discussion"], answers["progress_rag"], answers["otj_examples"]) == (
            "Tablet text.", "amber", "Desk example. Tablet example.")


def test_a_conflict_left_open_stays_open_on_the_server_though_other_edits_go(world: dict[str, Any]) -> None:
    """Typing other questions is no decision: the whole answers map goes up with the conflict's question at the
    server's value, and the server must not take that as keep theirs, nor the laptop tell it so."""
    _first, second, review_id = _conflict_on(world, {"hs_discussion": "Desk text."}, {"hs_discussion": "Tablet."})
    [conflict] = _open_by_question(second).values()
    reviews.save_answers(second.store, review_id, {"edi_discussion": "Talked about the Equality Act."})
    second.sync()
    assert _server_conflicts(world)[conflict.id] == (None, None)
    assert [c.id for c in _open_by_question(second).values()] == [conflict.id]


def test_keep_theirs_after_a_newer_local_edit_drops_that_edit_and_keeps_the_others(world: dict[str, Any]) -> None:
    first, second, review_id = _conflict_on(world, {"hs_discussion": "Desk: gloves."},
                                            {"hs_discussion": "Tablet: goggles."})
    [conflict] = _open_by_question(second).values()
    assert _answers(second, review_id)["hs_discussion"] == "Desk: gloves."  # the push answer showed theirs
    # The assessor types the question again (and another one) before choosing.
    reviews.save_answers(second.store, review_id, {"hs_discussion": "Tablet: goggles and a hard hat.",
                                                    "edi_discussion": "Tablet's EDI."})
    [shown] = conflict_lists(second.store).open
    assert shown.mine == "Tablet: goggles and a hard hat."  # the dialog offers the newest, not the older value
    keep_theirs(second.store, conflict.id)
    assert _answers(second, review_id)["hs_discussion"] == "Desk: gloves."
    second.sync()
    first.sync()
    for laptop in (first, second):
        answers = _answers(laptop, review_id)
        assert answers["hs_discussion"] == "Desk: gloves."  # theirs won, the newer local edit did not go up
        assert answers["edi_discussion"] == "Tablet's EDI."  # the entry's other change still went
    with second.store.read() as session:
        [history] = resolved_conflicts(session)
        assert open_conflicts(session) == []
    assert history.resolution == "kept_theirs"
    assert history.mine == "Tablet: goggles and a hard hat."  # the value not chosen stays readable
    assert _server_conflicts(world)[conflict.id][1] == "kept_theirs"


def test_keep_theirs_when_the_newer_edit_was_the_only_change_leaves_nothing_to_send(world: dict[str, Any]) -> None:
    first, second, review_id = _conflict_on(world, {"hs_discussion": "Desk."}, {"hs_discussion": "Tablet."})
    [conflict] = _open_by_question(second).values()
    reviews.save_answers(second.store, review_id, {"hs_discussion": "Tablet, again."})
    assert _pending(second, review_id) is not None
    keep_theirs(second.store, conflict.id)
    assert _pending(second, review_id) is None
    reviews.save_answers(first.store, review_id, {"progress_summary": "Desk's summary, later."})
    first.sync()
    second.sync()
    answers = _answers(second, review_id)
    assert answers["hs_discussion"] == "Desk." and answers["progress_summary"] == "Desk's summary, later."
    assert _answers(first, review_id)["hs_discussion"] == "Desk."


def test_keep_mine_after_a_newer_local_edit_keeps_the_newer_edit(world: dict[str, Any]) -> None:
    first, second, review_id = _conflict_on(world, {"hs_discussion": "Desk."}, {"hs_discussion": "Tablet."})
    [conflict] = _open_by_question(second).values()
    reviews.save_answers(second.store, review_id, {"hs_discussion": "Tablet, better worded."})
    keep_mine(second.store, conflict.id)
    second.sync()
    first.sync()
    for laptop in (first, second):
        assert _answers(laptop, review_id)["hs_discussion"] == "Tablet, better worded."
    with second.store.read() as session:
        assert open_conflicts(session) == []
    assert _server_conflicts(world)[conflict.id][1] == "kept_mine"


def _target(item_id: str, text: str, due: str = "2027-01-15") -> dict[str, Any]:
    return {"id": item_id, "text": text, "due_date": due, "actions": []}


TARGETS = [_target("t-1", "Complete the unit 4 workbook"), _target("t-2", "Shadow the site supervisor")]


def _two_laptops_with_targets(world: dict[str, Any]) -> tuple[Any, Any, str]:
    first, second, review_id = _two_laptops_one_draft(world)
    reviews.save_answers(first.store, review_id, {"new_targets": TARGETS})
    first.sync()
    second.sync()
    assert _answers(second, review_id)["new_targets"] == TARGETS
    return first, second, review_id


def test_different_targets_of_one_list_edited_on_two_laptops_both_survive(world: dict[str, Any]) -> None:
    first, second, review_id = _two_laptops_with_targets(world)
    reviews.save_answers(first.store, review_id, {"new_targets": [
        _target("t-1", "Complete the unit 4 workbook and hand it in"), TARGETS[1]]})
    reviews.save_answers(second.store, review_id, {"new_targets": [
        TARGETS[0], _target("t-2", "Shadow the site supervisor for two days"), _target("t-3", "Book the exam")]})
    first.sync()
    second.sync()
    first.sync()
    for laptop in (first, second):
        assert _answers(laptop, review_id)["new_targets"] == [
            _target("t-1", "Complete the unit 4 workbook and hand it in"),
            _target("t-2", "Shadow the site supervisor for two days"), _target("t-3", "Book the exam")]
        with laptop.store.read() as session:
            assert open_conflicts(session) == []


def test_the_same_target_edited_on_two_laptops_is_one_conflict_on_that_target(world: dict[str, Any]) -> None:
    first, second, review_id = _two_laptops_with_targets(world)
    desk = _target("t-1", "Complete the unit 4 workbook by Friday")
    tablet = _target("t-1", "Complete the unit 4 workbook with the mentor")
    reviews.save_answers(first.store, review_id, {"new_targets": [desk, TARGETS[1]]})
    reviews.save_answers(second.store, review_id, {"new_targets": [tablet, TARGETS[1]]})
    first.sync()
    second.sync()
    [detail] = conflict_lists(second.store).open
    assert detail.view.path == ("new_targets", "t-1")
    assert detail.question == "Targets to complete before the next review" and detail.step == "New targets"
    assert detail.mine == "1. Complete the unit 4 workbook with the mentor (by 15/01/2027)"
    assert detail.theirs == "1. Complete the unit 4 workbook by Friday (by 15/01/2027)"
    assert "Shadow" not in detail.mine + detail.theirs  # that target alone, not the whole list
    keep_mine(second.store, detail.view.id)
    second.sync()
    first.sync()
    for laptop in (first, second):
        assert _answers(laptop, review_id)["new_targets"] == [tablet, TARGETS[1]]
    # Then keep theirs on the next one: the first laptop's value there stays.
    reviews.save_answers(first.store, review_id, {"new_targets": [tablet, _target("t-2", "Shadow: desk")]})
    reviews.save_answers(second.store, review_id, {"new_targets": [tablet, _target("t-2", "Shadow: tablet")]})
    first.sync()
    second.sync()
    [detail] = conflict_lists(second.store).open
    assert detail.view.path == ("new_targets", "t-2")
    keep_theirs(second.store, detail.view.id)
    second.sync()
    first.sync()
    for laptop in (first, second):
        assert _answers(laptop, review_id)["new_targets"] == [tablet, _target("t-2", "Shadow: desk")]
    assert {resolution for _at, resolution in _server_conflicts(world).values()} == {"kept_mine", "kept_theirs"}
    with second.store.read() as session:
        assert session.get(Review, review_id).answers["new_targets"][1]["text"] == "Shadow: desk"
