"""Applying pulled pages to the store: order, pending local edits, removals and the stored cursor."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from reviewapp.store.models import Learner, OutboxEntry, SyncConflict, Target, new_id
from reviewapp.store.sync.page import validate_page
from reviewapp.store.sync.pull import CursorMoved, apply_pages
from reviewapp.store.sync.state import CURSOR, get_state, rewind_cursor

LEARNER = {"uln": "9000000019", "first_name": "Ann", "last_name": "Lee", "start_date": "2026-01-05"}


def page(*changes: dict[str, Any], more: bool = False):  # type: ignore[no-untyped-def]
    cursor = max(c["rev"] for c in changes)
    return validate_page({"server_id": "s1", "changes": list(changes), "cursor": cursor, "more": more})


def upsert(record_id: str, rev: int, **fields: Any) -> dict[str, Any]:
    return {"entity": "learner", "id": record_id, "rev": rev, "op": "upsert", "data": {**LEARNER, **fields}}


def test_the_newest_copy_of_a_record_wins_when_pages_are_applied_together(store) -> None:
    learner_id = new_id()
    apply_pages(store, [page(upsert(learner_id, 10))], allow_dangling=True)
    with store.write() as session:
        session.get(Learner, learner_id).phone = "07700 900123"  # a local edit, not yet sent
    # Two pages applied as one unit (as after a record named one on a later page): the later copy is the newer.
    apply_pages(store, [page(upsert(learner_id, 12, first_name="Old"), more=True),
                                   page(upsert(learner_id, 14, first_name="New"))], allow_dangling=True)
    with store.read() as session:
        learner = session.get(Learner, learner_id)
        assert (learner.first_name, learner.rev, learner.phone) == ("New", 14, "07700 900123")
    apply_pages(store, [page(upsert(learner_id, 16), more=True),
                                   page({"entity": "learner", "id": learner_id, "rev": 18, "op": "delete"})],
                           allow_dangling=True)
    with store.read() as session:
        assert session.get(Learner, learner_id).deleted  # the tombstone came last, and stays


def test_a_learner_sent_then_removed_in_one_batch_stays_held(store) -> None:
    learner_id = new_id()
    apply_pages(store, [page(upsert(learner_id, 20))], allow_dangling=True)
    with store.write() as session:
        session.add(Target(learner_id=learner_id, text="Written offline"))
    counts = apply_pages(
        store, [page(upsert(learner_id, 21, last_name="Lee-Smith"), more=True),
                page({"entity": "learner", "id": learner_id, "rev": 22, "op": "removed"})], allow_dangling=True,
    )
    assert counts.held_learners == [learner_id] and counts.purged_learners == []
    with store.read() as session:
        [removal] = session.scalars(select(SyncConflict).where(SyncConflict.kind == "removed")).all()
        assert removal.resolved_at is None and session.get(Learner, learner_id) is not None
    # Nothing else arriving does not purge it behind the assessor's back, even with nothing left to send.
    with store.apply_remote() as session:
        for entry in session.scalars(select(OutboxEntry)):
            session.delete(entry)
    apply_pages(store, [page(upsert(new_id(), 23))], allow_dangling=True)
    with store.read() as session:
        assert session.get(Learner, learner_id) is not None
        assert session.scalars(select(SyncConflict).where(SyncConflict.resolved_at.is_(None))).all()


def test_pages_fetched_before_the_cursor_moved_back_are_not_applied(store) -> None:
    first, second = new_id(), new_id()
    apply_pages(store, [page(upsert(first, 30))], allow_dangling=True, since=0)
    rewind_cursor(store, 10)  # e.g. Keep theirs on a refused change, while a pull was running
    with pytest.raises(CursorMoved):
        apply_pages(store, [page(upsert(second, 31))], allow_dangling=True, since=30)
    with store.read() as session:
        assert session.get(Learner, second) is None
        assert get_state(session, CURSOR) == "10"
