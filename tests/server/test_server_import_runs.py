"""Big MIS imports in chunks under an import run: sync goes on meanwhile, a failure midway undoes what was written,
an admin can roll a run back, and nothing of a file with bad rows is written (issue 12, item 8)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from server_testkit import PASSWORD, Server, change, free_port, wait_for_health
from sqlalchemy import func, select
from test_server_caseload import _ulns, csv_bytes, row

from sync.server.caseload_csv import parse_caseload
from sync.server.caseload_import import ImportFailed, import_caseload
from sync.server.core.config import DATABASE_URL_ENV
from sync.server.db import new_id
from sync.server.import_runs import ImportRunError, rollback_run
from sync.server.models import Assignment, Employer, ImportRun, Learner


def live_state(server: Server) -> dict[str, Any]:
    """What every reader sees: the live learners (by ULN) and employers (by name) with their fields and holder."""
    with server.factory() as session:
        holders = {a.learner_id: a.assessor_id for a in session.scalars(select(Assignment))}
        employers = {e.id: e for e in session.scalars(select(Employer).where(Employer.deleted.is_(False)))}
        learners = {
            lr.uln: ({**lr.data, "employer_id": employers[lr.employer_id].data["name"] if lr.employer_id else None},
                     holders.get(lr.id))
            for lr in session.scalars(select(Learner).where(Learner.deleted.is_(False)))
        }
        return {"learners": learners, "employers": {e.data["name"]: e.data for e in employers.values()}}


def caseload_seen_by(server: Server, headers: dict[str, str]) -> dict[str, dict]:
    """An assessor's caseload as a laptop would hold it after pulling everything from the start: live learners."""
    held: dict[str, dict] = {}
    for c in server.pull_all(headers)[0]:
        if c["entity"] == "learner":
            if c["op"] == "upsert":
                held[c["id"]] = c["data"]
            else:
                held.pop(c["id"], None)
    return {data["uln"]: data for data in held.values()}


def big_file(ulns: list[str], assessor: str, *first_rows: str) -> bytes:
    return csv_bytes(*first_rows, *(row(uln=uln, first=f"Learner{n}", assessor=assessor,
                                        employer=f"Employer {n % 7}") for n, uln in enumerate(ulns)))


def test_a_failure_midway_leaves_the_database_as_before(server: Server) -> None:
    server.add_user("alice")
    server.add_user("bob")
    ulns = _ulns(603)
    first = import_caseload(server.factory, parse_caseload(csv_bytes(
        row(uln=ulns[0], assessor="alice"), row(uln=ulns[1], assessor="alice", employer="Bolt plc"))))
    assert first.imported and first.created == 2
    before = live_state(server)
    alice, bob = server.login("alice"), server.login("bob")
    alice_before = caseload_seen_by(server, alice)

    # One learner renamed and moved to bob, an employer's details changed, 600 new learners and seven new employers.
    changed = big_file(ulns[3:], "bob",
                       row(uln=ulns[0], first="Samantha", assessor="bob", employer_phone="0113 496 0000"),
                       row(uln=ulns[1], assessor="alice", employer="Bolt plc"))

    def fail_at_the_fourth_chunk(done: int) -> None:
        if done >= 400:
            raise RuntimeError("the database went away")

    with pytest.raises(ImportFailed, match=r"stopped after 400 of 602 rows.*rolled back"):
        import_caseload(server.factory, parse_caseload(changed), chunk_rows=100, after_chunk=fail_at_the_fourth_chunk)
    assert live_state(server) == before
    with server.factory() as session:
        run = session.scalars(select(ImportRun).order_by(ImportRun.started_at.desc())).first()
        assert run is not None and run.status == "rolled back" and "database went away" in run.error
        assert run.created == 398 and run.undone == 398 + 1 + 7 + 1 and run.kept == 0  # learners, employers
    # And as laptops see it after their next sync: alice has her two learners as they were, bob has none.
    assert caseload_seen_by(server, alice) == alice_before
    assert caseload_seen_by(server, bob) == {}

    again = import_caseload(server.factory, parse_caseload(changed), chunk_rows=100)  # the same file, now whole
    # The 398 learners the rollback removed are tombstones, found again by ULN and brought back (as "updated").
    # They kept their assignment to bob (so his laptop pulled the tombstone): only 202 + Samantha are assigned.
    assert again.imported and (again.created, again.updated, again.assigned) == (202, 398 + 1, 203)
    assert len(caseload_seen_by(server, bob)) == 601


def test_bad_rows_mean_nothing_is_written_even_in_chunks(server: Server) -> None:
    server.add_user("alice")
    ulns = _ulns(700)
    data = big_file(ulns[:-1], "alice", row(uln=ulns[-1], assessor="nobody"))  # the bad row first, 699 good ones
    summary = import_caseload(server.factory, parse_caseload(data), chunk_rows=50)
    assert not summary.imported and [p.line for p in summary.problems] == [2]
    with server.factory() as session:
        assert session.scalar(select(func.count()).select_from(Learner)) == 0
        assert session.scalar(select(func.count()).select_from(ImportRun)) == 0


def test_rollback_removes_what_the_run_made_and_keeps_what_changed_since(server: Server) -> None:
    server.add_user("alice")
    server.add_user("bob")
    ulns = _ulns(4)
    made = import_caseload(server.factory, parse_caseload(big_file(ulns, "bob")), chunk_rows=3)
    assert made.imported and made.run_id
    bob = server.login("bob")
    learners = {c["data"]["uln"]: c["id"] for c in server.pull_all(bob)[0] if c["entity"] == "learner"}
    # Since the import: bob logs an off-the-job entry for one learner, an admin moves another to alice.
    [result] = server.push(bob, change("otj_entry", "create", fields={
        "learner_id": learners[ulns[0]], "date": "2026-11-20", "hours": 2.5, "activity": "Workshop"}))
    assert result["status"] == "applied"
    server.assign(learners[ulns[1]], "alice")

    undone = rollback_run(server.factory, made.run_id, by="admin")
    assert (undone.learners_removed, undone.kept) == (2, 2 + 2)  # two learners; employers 0 and 1 still in use
    assert any("has records of its own" in why for why in undone.kept_named)
    assert any("changed since the import" in why for why in undone.kept_named)
    assert set(live_state(server)["learners"]) == {ulns[0], ulns[1]}
    assert set(caseload_seen_by(server, bob)) == {ulns[0]}
    with pytest.raises(ImportRunError, match="already been rolled back"):
        rollback_run(server.factory, made.run_id, by="admin")
    with pytest.raises(ImportRunError, match="No import run"):
        rollback_run(server.factory, new_id(), by="admin")


def _cli(database_url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "sync.server", *args, "--database", database_url]


@pytest.mark.slow
def test_sync_answers_while_a_large_import_runs_in_another_process(tmp_path: Path) -> None:
    """A real server process and a real import process on one SQLite file: every push and pull during the import
    is answered 200 (it was a 500 after the 30 s lock wait), and pulls see the import arrive chunk by chunk."""
    database_path = tmp_path / "server.sqlite3"
    database_url = f"sqlite:///{database_path}"
    setup = Server(database_url)
    setup.add_user("alice")
    learner = setup.add_learner("alice")
    setup.close()
    csv_path = tmp_path / "caseload.csv"
    csv_path.write_bytes(big_file(_ulns(5000), "alice"))
    port = free_port()
    env = {**os.environ, DATABASE_URL_ENV: database_url}
    server = subprocess.Popen([*_cli(database_url, "serve", "--port", str(port))], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    answers: list[tuple[str, int, bool]] = []  # (what, HTTP status, whether the import was still running)
    seen_counts: list[int] = []  # learners committed, read after each push and pull
    try:
        wait_for_health(base, server, seconds=60)
        with httpx.Client(base_url=base, timeout=120) as client:
            token = client.post("/api/v1/auth/token", json={"username": "alice", "password": PASSWORD,
                                                             "device_name": "laptop"}).json()
            headers = {"Authorization": f"Bearer {token['token']}"}
            importer = subprocess.Popen(_cli(database_url, "import-caseload", str(csv_path)), env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            cursor = 0
            running = lambda: importer.poll() is None  # noqa: E731
            while running() or not answers:
                pushed = client.post("/api/v1/sync/push", headers=headers, json={
                    "batch_id": new_id(), "device_id": token["device_id"], "changes": [change(
                        "otj_entry", "create", fields={"learner_id": learner, "date": "2026-11-20", "hours": 1.0,
                                                       "activity": "Workshop"})]})
                answers.append(("push", pushed.status_code, running()))
                pulled = client.get("/api/v1/sync/pull", params={"since": cursor}, headers=headers)
                answers.append(("pull", pulled.status_code, running()))
                if pulled.status_code == 200:  # a page at a time, as a laptop syncing meanwhile
                    cursor = pulled.json()["cursor"]
                with sqlite3.connect(database_path) as reader:  # what is committed now (WAL: readers never wait)
                    seen_counts.append(reader.execute("SELECT count(*) FROM learners").fetchone()[0])
            out, err = importer.communicate(timeout=60)
            assert importer.returncode == 0, err
            assert "5000 learner(s) created" in out
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert [a for a in answers if a[1] != 200] == []
    assert any(during for _, _, during in answers), "no request was answered while the import ran"
    # Chunks commit one by one: at some point between two requests part of the import was committed (more than
    # the one learner, fewer than all). An import in one transaction shows 1, then 5,001: it held the database
    # for its whole run.
    assert any(1 < count < 5001 for count in seen_counts), sorted(set(seen_counts))



@pytest.mark.slow
def test_an_import_killed_midway_is_rolled_back_from_the_command_line(database_url: str, tmp_path: Path) -> None:
    """kill -9 of the import process between chunks leaves a run marked running; `import-rollback` undoes it."""
    setup = Server(database_url)
    setup.add_user("alice")
    setup.close()
    csv_path = tmp_path / "caseload.csv"
    csv_path.write_bytes(big_file(_ulns(4000), "alice"))
    env = {**os.environ, DATABASE_URL_ENV: database_url}
    importer = subprocess.Popen(_cli(database_url, "import-caseload", str(csv_path), "--chunk-rows", "50"), env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    check = Server(database_url)
    try:
        deadline = time.monotonic() + 120
        while live_count(check) == 0:  # wait for the first chunks to commit, then kill it
            assert importer.poll() is None, importer.stderr.read() if importer.stderr else ""
            assert time.monotonic() < deadline, "no chunk was committed within 120 s"
            time.sleep(0.05)
        importer.kill()
        importer.wait(10)
        assert 0 < live_count(check) < 4000
        with check.factory() as session:
            run = session.scalars(select(ImportRun)).one()
            assert run.status == "running"
        listed = subprocess.run(_cli(database_url, "list-imports"), env=env, capture_output=True, text=True)
        assert run.id in listed.stdout and "running" in listed.stdout

        undone = subprocess.run(_cli(database_url, "import-rollback", run.id), env=env, capture_output=True,
                                text=True, timeout=120)
        assert undone.returncode == 0, undone.stderr
        assert f"Rolled back import run {run.id}" in undone.stdout and "0 kept" in undone.stdout
        assert live_count(check) == 0
        again = subprocess.run(_cli(database_url, "import-rollback", run.id), env=env, capture_output=True, text=True)
        assert again.returncode == 1 and "already been rolled back" in again.stderr
    finally:
        if importer.poll() is None:
            importer.kill()
            importer.wait(10)
        check.close()


def live_count(server: Server) -> int:
    with server.factory() as session:
        return session.scalar(select(func.count()).select_from(Learner).where(Learner.deleted.is_(False))) or 0
