"""Fault injection against a real server process: it dies after committing a push but before answering, and at
random points of a pull; the client is cancelled at random points. After a restart and a re-sync both sides agree
record by record, nothing lost and nothing twice."""

from __future__ import annotations

import random
import shutil
import sqlite3
from typing import Any

import pytest
from sqlalchemy import select

from reviewapp.store.models import OutboxEntry, PlanItem, Target
from reviewapp.store.sync.conflicts import keep_mine
from reviewapp.sync_client.errors import SyncError
from tests.conftest import DEMO_TODAY

TRIALS = 6


def _agree(laptop: Any, world: dict[str, Any]) -> None:
    server = world["office"]("alice").records()
    assert laptop.records() == server
    with laptop.store.read() as session:
        assert session.scalars(select(OutboxEntry)).all() == []


def _local_work(laptop: Any, learners: list[str], rng: random.Random, tag: str) -> list[str]:
    texts = []
    with laptop.store.write() as session:
        for number in range(rng.randint(3, 7)):
            text = f"{tag} target {number}"
            session.add(Target(learner_id=rng.choice(learners), text=text, due_date=DEMO_TODAY))
            texts.append(text)
    laptop.edit("learner", learners[0], phone=f"{tag} phone")
    return texts


def test_server_dies_after_committing_a_push_before_replying(world: dict[str, Any]) -> None:
    rng = random.Random(61)
    learners = world["learners"]["alice"]
    alice = world["laptop"]("alice", batch_size=2)
    alice.sync()
    for trial in range(TRIALS):
        texts = _local_work(alice, learners, rng, f"t{trial}")
        with alice.store.read() as session:
            batches = -(-len(session.scalars(select(OutboxEntry)).all()) // 2)
        world["server"].plan(push=rng.randint(1, batches))
        with pytest.raises(SyncError, match="try again at the next sync"):
            alice.sync()
        assert not world["server"].alive()
        world["server"].restart()
        summary = alice.sync()
        assert summary.duplicates >= 1 and summary.rejected == 0, summary.log
        _agree(alice, world)
        server_texts = [d["text"] for (e, _), d in world["office"]("alice").records().items() if e == "target"]
        for text in texts:
            assert server_texts.count(text) == 1  # nothing lost, nothing twice


def test_a_conflict_whose_answer_was_lost_is_still_shown(world: dict[str, Any]) -> None:
    learner = world["learners"]["alice"][0]
    alice = world["laptop"]("alice", "lost-answer")
    alice.sync()
    world["office"]().edit("learner", learner, phone="01632 960001")
    alice.edit("learner", learner, phone="07700 900123")
    world["server"].plan(push=1)  # the server stores the conflict, then dies before answering
    with pytest.raises(SyncError, match="try again at the next sync"):
        alice.sync()
    world["server"].restart()
    summary = alice.sync()
    assert summary.duplicates == 1, summary.log
    [conflict] = alice.conflicts()
    assert (conflict.field, conflict.my_value, conflict.their_value) == ("phone", "07700 900123", "01632 960001")
    alice.sync()  # a later sync neither repeats nor drops it
    assert [c.id for c in alice.conflicts()] == [conflict.id]
    _agree(alice, world)


def test_server_dies_at_random_points_of_a_pull(world: dict[str, Any]) -> None:
    rng = random.Random(62)
    learners = world["learners"]["alice"]
    office = world["office"]()
    setup_laptop = world["laptop"]("alice", "filler")
    setup_laptop.sync()
    with setup_laptop.store.write() as session:
        for number in range(40):
            session.add(PlanItem(learner_id=rng.choice(learners), title=f"Unit {number}", position=number))
    setup_laptop.sync()
    for trial in range(TRIALS):
        alice = world["laptop"]("alice", f"trial-{trial}", page_size=4)
        if trial % 2:
            alice.sync()  # some trials start from a synced laptop with new office edits waiting
            for learner in learners:
                office.edit("learner", learner, email=f"trial{trial}@example.org")
        world["server"].plan(pull=rng.randint(1, 8))
        try:
            alice.sync()
        except SyncError:
            assert not world["server"].alive()
        world["server"].restart()
        alice.sync()
        _agree(alice, world)


def test_cancel_at_random_points_keeps_everything_consistent(world: dict[str, Any]) -> None:
    rng = random.Random(63)
    learners = world["learners"]["alice"]
    filler = world["laptop"]("alice", "filler")
    filler.sync()
    with filler.store.write() as session:
        for number in range(30):
            session.add(PlanItem(learner_id=rng.choice(learners), title=f"Unit {number}", position=number))
    filler.sync()
    cancelled = 0
    for trial in range(TRIALS):
        alice = world["laptop"]("alice", f"cancel-{trial}", page_size=3, batch_size=2)
        if trial % 2:
            alice.sync()
            _local_work(alice, learners, rng, f"c{trial}")
            filler.edit("learner", learners[1], email=f"cancel{trial}@example.org")
            filler.sync()
        stop_after = rng.randint(1, 3)  # a fresh laptop may apply pages in few units (parents arrive late)
        seen = {"n": 0}

        def progress(_done: int, _total: int, _text: str = "", client=alice.client, seen=seen,
                     stop_after=stop_after) -> None:
            seen["n"] += 1
            if seen["n"] >= stop_after:
                client.cancel()

        summary = alice.client.sync(progress=progress)
        cancelled += summary.cancelled  # a sync with fewer units than `stop_after` simply finishes
        alice.client.cancel_event.clear()
        alice.sync()
        _agree(alice, world)
    assert cancelled >= TRIALS // 2


def test_server_replaced_by_an_older_copy_gets_back_what_it_lacks(world: dict[str, Any], tmp_path) -> None:
    learners = world["learners"]["alice"]
    alice = world["laptop"]("alice")
    alice.sync()
    backup = tmp_path / "backup.sqlite3"
    world["server"].stop()
    for suffix in ("", "-wal"):  # a consistent copy: the database and its write-ahead log, server stopped
        if (tmp_path / f"server.sqlite3{suffix}").exists():
            shutil.copy(tmp_path / f"server.sqlite3{suffix}", tmp_path / f"backup.sqlite3{suffix}")
    world["server"].start()
    alice.edit("learner", learners[0], phone="after the backup")
    with alice.store.write() as session:
        session.add(Target(learner_id=learners[1], text="Made after the backup"))
    alice.sync()
    world["server"].stop()
    with sqlite3.connect(backup) as conn:  # a replacement server: the older data under a new identity
        conn.execute("UPDATE server_state SET server_id = 'replacement-server-0000'")
    world["server"].database_url = f"sqlite:///{backup}"
    world["server"].start()
    alice.client.login("correct horse battery")  # the old token's device is unknown to the older copy
    summary = alice.sync()
    assert summary.server_changed and summary.requeued >= 2, summary.log
    server = world["office"]("alice").records()
    assert any(d.get("text") == "Made after the backup" for d in server.values())  # the missing record is back
    # A field the older copy holds differently is neither overwritten nor dropped: it is a conflict to decide.
    [conflict] = alice.conflicts()
    assert (conflict.field, conflict.my_value) == ("phone", "after the backup")
    _agree(alice, world)

    keep_mine(alice.store, conflict.id)
    alice.sync()
    assert world["office"]("alice").record("learner", learners[0])["phone"] == "after the backup"
    _agree(alice, world)
