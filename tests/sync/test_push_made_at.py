"""What the laptop adds to a push since protocol 2: the time each change was made on the laptop (kept by the server's
audit log beside its own receipt time), and batches cut by size as well as by count, so a backlog of signed reviews
never makes a push the server must refuse as too large (413) on every retry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from reviewapp.store.sync.push import SentEntry
from reviewapp.sync_client.batching import batches
from sync.server.models import ChangeLog, as_utc


def test_a_synced_edit_reaches_the_audit_log_with_the_laptops_time(world: dict[str, Any]) -> None:
    laptop = world["laptop"]("alice")
    learner_id = world["learners"]["alice"][0]
    laptop.sync()
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    laptop.edit("learner", learner_id, phone="07700 900123")
    assert laptop.sync().applied == 1
    with world["setup"].factory() as session:
        logged = session.scalars(
            select(ChangeLog).where(ChangeLog.record_id == learner_id, ChangeLog.op == "update")
        ).all()
    assert len(logged) == 1
    made = as_utc(logged[0].device_time)
    assert made is not None, "the laptop's time of the change was not sent or not kept"
    assert before <= made <= as_utc(logged[0].at) + dt.timedelta(seconds=1)


def _entry(seq: int, entity: str, text_bytes: int, review_id: str | None = None) -> SentEntry:
    fields: dict[str, Any] = {"text": "x" * text_bytes}
    if review_id:
        fields["review_id"] = review_id
    return SentEntry(seq, f"c{seq}", entity, f"r{seq}", "create", 0, {}, fields, dt.datetime.now(dt.UTC))


def test_batches_are_cut_by_size_and_a_review_keeps_its_signatures() -> None:
    entries = [_entry(1, "review", 400)] + [_entry(i, "signature", 300, review_id="r1") for i in (2, 3, 4)]
    entries += [_entry(i, "target", 400) for i in range(5, 10)]
    cut = batches(entries, size=200, max_bytes=1000)
    assert [len(b) for b in cut] == [4, 2, 2, 1]  # the review and its three signatures together, though over 1000
    assert [e.entity for e in cut[0]] == ["review", "signature", "signature", "signature"]
    assert sum(len(b) for b in cut) == len(entries)
    assert [len(b) for b in batches(entries, size=200)] == [9]  # small entries: one batch, as before
