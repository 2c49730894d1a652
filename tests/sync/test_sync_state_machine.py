"""A hypothesis state machine: random offline edits on two laptops and in the office, syncs in random order, and
faults in the syncs: the laptop killed mid-push (the server applied the batch, the process died before it heard;
the laptop opens again from its files), the answer lost (the server applied, the client only saw a broken
connection, and retried), and duplicate delivery (every push batch arrives twice).

At the end (after everyone syncs) every laptop equals the server for its caseload, and every value ever written is
the current value, kept in a conflict record, or was the base a later writer saw and replaced (a knowing edit).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import select
from synckit import Laptop, Office

from reviewapp.store.models import Learner, OutboxEntry, SyncConflict
from reviewapp.store.sync.conflicts import keep_mine, keep_theirs
from reviewapp.sync_client.errors import SyncError

FIELDS = ("phone", "email", "starting_points")
COUNTER = itertools.count()
RUNS = {"examples": 0, "steps": 0, "faults": 0}


class Killed(BaseException):
    """The laptop's process died here: a BaseException, so nothing in the client catches it and carries on."""


class FaultTransport(httpx.HTTPTransport):
    """The laptop's real HTTP transport with a fault for its pushes: `mode` None (none), "duplicate" (each push
    sent twice, the second answer returned), "lose" (sent, then the answer is lost) or "kill" (sent, then the
    process dies before the answer is read)."""

    def __init__(self) -> None:
        super().__init__()
        self.mode: str | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.mode is None or not request.url.path.endswith("/sync/push"):
            return super().handle_request(request)
        response = super().handle_request(request)
        response.read()
        response.close()
        if self.mode == "lose":
            raise httpx.ReadError("the answer was lost", request=request)
        if self.mode == "kill":
            raise Killed
        second = super().handle_request(request)  # duplicate: the same batch delivered again
        second.read()
        return second


def open_laptop(data_dir: Path, username: str, url: str) -> tuple[Laptop, FaultTransport]:
    transport = FaultTransport()
    laptop = Laptop(data_dir, username, url, http=httpx.Client(base_url=url, timeout=10, transport=transport))
    return laptop, transport


def make_machine(world: dict[str, Any], tmp_path) -> type[RuleBasedStateMachine]:  # type: ignore[no-untyped-def]
    class SyncMachine(RuleBasedStateMachine):
        @initialize()
        def setup(self) -> None:
            n = next(COUNTER)
            RUNS["examples"] += 1
            self.username = f"assessor{n}"
            world["setup"].add_user(self.username)
            self.learners = [world["setup"].add_learner(self.username, first_name=f"L{i}") for i in range(2)]
            self.dirs = [tmp_path / f"m{n}-{i}" for i in range(2)]
            opened = [open_laptop(d, self.username, world["server"].url) for d in self.dirs]
            self.laptops = [laptop.login() for laptop, _transport in opened]
            self.transports = [transport for _laptop, transport in opened]
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

        @rule(which=st.integers(0, 1), fault=st.sampled_from(("kill", "lose", "duplicate")))
        def faulty_sync(self, which: int, fault: str) -> None:
            """A sync with a fault in its pushes; the next plain sync (or the final one) must settle it."""
            RUNS["steps"] += 1
            RUNS["faults"] += 1
            self.transports[which].mode = fault
            try:
                summary = self.laptops[which].sync()
                assert summary.rejected == 0, summary.log
            except SyncError:
                assert fault == "lose"  # the client gave up after its retries: the outbox is still there
            except Killed:
                self.laptops[which].close()  # the process is gone; the laptop opens again from its files
                self.laptops[which], self.transports[which] = open_laptop(
                    self.dirs[which], self.username, world["server"].url)
            finally:
                self.transports[which].mode = None

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
    print(f"state machine: {RUNS['examples']} examples, {RUNS['steps']} steps, {RUNS['faults']} faulty syncs")


def test_random_offline_work_and_syncs_end_in_agreement(world: dict[str, Any], tmp_path) -> None:
    _run(world, tmp_path, examples=6, steps=10)
    assert RUNS["examples"] >= 6
    assert RUNS["faults"] > 0


@pytest.mark.slow
def test_random_offline_work_and_syncs_end_in_agreement_long(world: dict[str, Any], tmp_path) -> None:
    _run(world, tmp_path, examples=20, steps=25)
