"""A discarded draft travels: the real server keeps it as void with its reason, never erased (issue 13 item 7)."""

from __future__ import annotations

from typing import Any

from reviewapp.core.templates import load_template
from reviewapp.store import reviews
from tests.conftest import DEMO_TODAY

TEMPLATE = load_template("apprenticeship-progress-review")


def test_a_synced_draft_discarded_on_the_laptop_is_void_on_the_server(world: dict[str, Any]) -> None:
    alice = world["laptop"]("alice")
    alice.sync()
    review_id = reviews.start_draft(alice.store, world["learners"]["alice"][0], TEMPLATE, DEMO_TODAY)
    reviews.save_answers(alice.store, review_id, {"welfare_own_words": "Started for the wrong learner"})
    assert alice.sync().rejected == 0
    office = world["office"]().as_assessor("alice")
    assert office.records()[("review", review_id)]["status"] == "draft"

    reviews.discard_draft(alice.store, review_id)
    summary = alice.sync()
    assert summary.rejected == 0 and summary.conflicts == 0
    held = office.records()[("review", review_id)]
    assert (held["status"], held["void_reason"]) == ("void", "Discarded draft")
    assert held["answers"]["welfare_own_words"] == "Started for the wrong learner"  # kept, not erased
    with alice.store.read() as session:
        assert review_id not in [d.review_id for d in reviews.open_drafts(session)]


def test_a_draft_discarded_before_it_ever_synced_arrives_as_void(world: dict[str, Any]) -> None:
    alice = world["laptop"]("alice")
    alice.sync()
    review_id = reviews.start_draft(alice.store, world["learners"]["alice"][1], TEMPLATE, DEMO_TODAY)
    reviews.discard_draft(alice.store, review_id)
    assert alice.sync().rejected == 0
    held = world["office"]().as_assessor("alice").records()[("review", review_id)]
    assert (held["status"], held["void_reason"]) == ("void", "Discarded draft")
    assert alice.records() == world["office"]().as_assessor("alice").records()
