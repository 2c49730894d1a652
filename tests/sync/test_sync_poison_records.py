"""A pulled record the laptop cannot apply is reported and skipped; the rest of the caseload syncs (issue 12, 2).

The server's database is poisoned directly, as a push accepted before the server checked such values left it: a
review whose `template_version` no SQLite integer holds, and one whose visit date is no date. (A lone surrogate
stored on the server is refused by the server's own answer, a 500 until the server checks pushes; the laptop's
side of it, one record of a page, is in tests/store/test_sync_pull_unapplied.py.)
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest
from test_sync_client import TEMPLATE, _finalised_review

from reviewapp.store import reviews
from reviewapp.store.models import Review, Signature
from sync.server.db import next_rev, take_write_lock, transaction
from sync.server.models import Review as ServerReview
from tests.conftest import DEMO_TODAY


def _poison(server_db: str, review_id: str, change: Any) -> dict[str, Any]:
    """Rewrite one review's stored document straight in the server's SQLite file; returns the document it had."""
    path = server_db.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        (text,) = db.execute("SELECT data FROM reviews WHERE id = ?", (review_id,)).fetchone()
        data = json.loads(text)
        change(data)
        db.execute("UPDATE reviews SET data = ? WHERE id = ?", (json.dumps(data), review_id))
    return json.loads(text)


def _correct(setup: Any, review_id: str, data: dict[str, Any]) -> None:
    """Someone puts the review right on the server: its document back, under a new rev, as any change gets."""
    with transaction(setup.factory) as session:
        take_write_lock(session)
        review = session.get(ServerReview, review_id)
        review.data = data
        review.rev = next_rev(session, "review", review_id, "update")


POISONS = {
    "huge template_version": lambda data: data.update(template_version=2**70),
    "a visit date that is no date": lambda data: data.update(visit_date="before the summer"),
}


@pytest.mark.parametrize("page_size", [500, 2])  # 2: the review's signatures come in later pulls than it does
@pytest.mark.parametrize("poison", sorted(POISONS))
def test_a_record_the_laptop_cannot_apply_is_reported_and_the_rest_syncs(
    world: dict[str, Any], server_db: str, poison: str, page_size: int,
) -> None:
    ann, amy = world["learners"]["alice"]
    alice = world["laptop"]("alice")
    alice.sync()
    bad = _finalised_review(alice.store, ann)  # its three signatures hang off it
    good = reviews.start_draft(alice.store, amy, TEMPLATE, DEMO_TODAY)
    assert alice.sync().rejected == 0
    original = _poison(server_db, bad, POISONS[poison])

    fresh = world["laptop"]("alice", "alice-second-laptop", page_size=page_size)
    summary = fresh.sync()  # a whole caseload from 0: must not stop at the poisoned review
    assert not summary.cancelled
    records = fresh.records()
    assert ("review", good) in records and ("learner", ann) in records and ("learner", amy) in records
    assert ("review", bad) not in records
    with fresh.store.read() as session:
        assert session.query(Signature).filter(Signature.review_id == bad).count() == 0
        assert session.get(Review, good) is not None
    assert summary.unapplied and summary.unapplied[0].startswith(f"review {bad}:")
    assert f"1 record could not be applied: review {bad}" in summary.text()
    # Its signatures, and the targets set in it, cannot be kept without it: left out with it, and said so.
    left_out = summary.unapplied[1:]
    assert summary.unapplied_with_parent == len(left_out) >= 3
    assert sum(text.startswith("signature ") for text in left_out) == 3
    assert all(text.endswith("left out with the review it belongs to") for text in left_out)
    assert f"{len(left_out)} record(s) that belong to them" in summary.text()
    assert "before" not in summary.text() and "1180591620717411303424" not in summary.text()  # no values

    again = fresh.sync()  # the cursor moved on: the next sync neither fails nor meets it again
    assert again.unapplied == [] and again.pulled == 0

    _correct(world["setup"], bad, original)
    mended = fresh.sync()  # it comes again, and so do the records left out with it
    assert mended.unapplied == []
    assert fresh.records() == alice.records() == world["office"]("alice").records()
