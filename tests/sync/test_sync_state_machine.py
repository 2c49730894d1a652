"""A hypothesis state machine: random offline edits on two laptops and in the office, syncs in random order.

At the end (after everyone syncs) every laptop equals the server for its caseload, and every value ever written is
the current value, kept in a conflict record, or was the base a later writer saw and replaced (a knowing edit).
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import select
from synckit import Laptop, Office

from reviewapp.store.models import Learner, OutboxEntry, SyncConflict
from reviewapp.store.sync.conflicts import keep_mine, keep_theirs

FIELDS = ("phone", "email", "starting_points")
COUNTER = itertools.count()
RUNS = {"examples": 0, "steps": 0}


def make_machine(world: dict[str, Any], tmp_path) -> type[RuleBasedStateMachine]:  # type: ignore[no-untyped-def]
    class SyncMachine(RuleBasedStateMachine):
        @initialize()
        def setup(self) -> None:
            n = next(COUNTER)
            RUNS["examples"] += 1
            self.username = f"assessor{n}"
            world["setup"].add_user(self.username)
            self.learners = [world["setup"].add_learner(self.username, first_name=f"L{i}") for i in range(2)]
            self.laptops = [
                Laptop(tmp_path / f"m{n}-{i}", self.username, world["server"].url).login() for i in range(2)
            ]
            for laptop in self.laptops:
                laptop.sync()
            self.office = Office(world["server"].url, "meg")
            self.written: set[tuple[str, str, str]] = set()
            self.replaced: set[tuple[str, str, str]] = set()

        def teardown(self) -> None:
            for laptop in getattr(self, "laptops", []):
                laptop.close()
            if hasattr(self, "office"):
                self.office.close()

        def _value(self) -> str:
            return f"v{next(COUNTER)}"

        @rule(which=st.integers(0, 1), learner=st.integers(0, 1), name=st.sampled_from(FIELDS))
        def laptop_edit(self, which: int, learner: int, name: str) -> None:
            RUNS["steps"] += 1
            laptop, learner_id, value = self.laptops[which], self.learners[learner], self._value()
            with laptop.store.read() as session:
                self.replaced.add((learner_id, name, getattr(session.get(Learner, learner_id), name)))
            laptop.edit("learner", learner_id, **{name: value})
            self.written.add((learner_id, name, value))

        @rule(learner=st.integers(0, 1), name=st.sampled_from(FIELDS))
        def office_edit(self, learner: int, name: str) -> None:
            RUNS["steps"] += 1
            learner_id, value = self.learners[learner], self._value()
            self.replaced.add((learner_id, name, self.office.record("learner", learner_id)[name]))
            self.office.edit("learner", learner_id, **{name: value})
            self.written.add((learner_id, name, value))

        @rule(which=st.integers(0, 1))
        def sync(self, which: int) -> None:
            RUNS["steps"] += 1
            summary = self.laptops[which].sync()
            assert summary.rejected == 0, summary.log

        @rule(which=st.integers(0, 1), mine=st.booleans())
        def resolve(self, which: int, mine: bool) -> None:
            laptop = self.laptops[which]
            with laptop.store.read() as session:
                first = session.scalars(select(SyncConflict).where(SyncConflict.resolved_at.is_(None))).first()
                if first is None:
                    return
                current = getattr(session.get(Learner, first.record_id), first.field)
            if mine:
                self.replaced.add((first.record_id, first.field, current))
                keep_mine(laptop.store, first.id)
            else:
                keep_theirs(laptop.store, first.id)

        @invariant()
        def laptops_never_lose_a_pending_value(self) -> None:
            for laptop in getattr(self, "laptops", []):
                with laptop.store.read() as session:
                    for entry in session.scalars(select(OutboxEntry)):
                        row = session.get(Learner, entry.record_id)
                        assert row is not None
                        for name, value in entry.fields.items():
                            assert getattr(row, name) == value

        def check_final(self) -> None:
            for laptop in (*self.laptops, self.laptops[0]):
                laptop.sync()
            server = self.office.as_assessor(self.username)
            try:
                truth = server.records()
            finally:
                server.close()
            for laptop in self.laptops:
                assert laptop.records() == truth
                with laptop.store.read() as session:
                    assert session.scalars(select(OutboxEntry)).all() == []
            kept = {(c.record_id, c.field, c.my_value) for laptop in self.laptops for c in laptop.conflicts()}
            kept |= {(c.record_id, c.field, c.their_value) for laptop in self.laptops for c in laptop.conflicts()}
            current = {(lid, name, truth[("learner", lid)][name]) for lid in self.learners for name in FIELDS}
            lost = self.written - current - kept - self.replaced
            assert not lost, f"values lost: {lost}"

    class Checked(SyncMachine):
        def teardown(self) -> None:
            try:
                if hasattr(self, "laptops"):
                    self.check_final()
            finally:
                super().teardown()

    return Checked


def _run(world: dict[str, Any], tmp_path, examples: int, steps: int) -> None:  # type: ignore[no-untyped-def]
    machine = make_machine(world, tmp_path)
    run_state_machine_as_test(machine, settings=settings(
        max_examples=examples, stateful_step_count=steps, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck),
    ))
    print(f"state machine: {RUNS['examples']} examples, {RUNS['steps']} steps")


def test_random_offline_work_and_syncs_end_in_agreement(world: dict[str, Any], tmp_path) -> None:
    _run(world, tmp_path, examples=6, steps=10)
    assert RUNS["examples"] >= 6


@pytest.mark.slow
def test_random_offline_work_and_syncs_end_in_agreement_long(world: dict[str, Any], tmp_path) -> None:
    _run(world, tmp_path, examples=20, steps=25)
