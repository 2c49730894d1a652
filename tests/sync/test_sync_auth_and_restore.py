"""A 401 wipes the laptop only for a revoked device; a server restored from a backup gets what it lost back.

Real server processes, real laptops (encrypted stores), no mocks.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import keyring
import pytest
from sqlalchemy import select, update
from synckit import ROOT

from reviewapp.store.database import database_path
from reviewapp.store.keys import KEYRING_SERVICE
from reviewapp.store.models import OutboxEntry, Target
from reviewapp.store.sync.conflicts import keep_mine, open_conflict_count
from reviewapp.store.sync.state import DEVICE_ID, SERVER_ID, read_state, set_state
from reviewapp.sync_client.errors import NotSignedInError
from sync.server.db import transaction
from sync.server.models import Token, User
from tests.conftest import DEMO_TODAY


def _pending(laptop: Any) -> list[tuple[str, str]]:
    with laptop.store.read() as session:
        return [(e.entity, e.record_id) for e in session.scalars(select(OutboxEntry))]


@pytest.mark.parametrize("how", ["expired", "disabled", "unknown"])
def test_a_401_other_than_revoked_asks_for_a_sign_in_and_keeps_everything(world: dict[str, Any], how: str) -> None:
    ann = world["learners"]["alice"][0]
    alice = world["laptop"]("alice")
    alice.sync()
    alice.edit("learner", ann, phone="07700 900123")
    path = database_path(alice.data_dir, "alice")
    token_name = f"sync-token:{path.resolve()}"
    with transaction(world["setup"].factory) as session:
        if how == "expired":
            session.execute(update(Token).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
        elif how == "disabled":
            session.execute(update(User).where(User.username == "alice").values(active=False))
        else:  # the server forgot the token (e.g. a database restored from before this sign-in)
            session.execute(Token.__table__.delete())
    message = {"expired": "expired", "disabled": "disabled", "unknown": "no longer accepted"}[how]
    with pytest.raises(NotSignedInError, match=f"{message}.*sign in again"):
        alice.sync()
    assert path.exists() and ("learner", ann) in _pending(alice)
    assert alice.records()[("learner", ann)]["phone"] == "07700 900123"
    assert keyring.get_password(KEYRING_SERVICE, token_name) is None  # the dead token is forgotten
    if how == "disabled":
        with pytest.raises(NotSignedInError, match="disabled"):
            alice.login()
        with transaction(world["setup"].factory) as session:
            session.execute(update(User).where(User.username == "alice").values(active=True))
    alice.login()
    assert alice.sync().applied == 1
    assert world["office"]("alice").record("learner", ann)["phone"] == "07700 900123"


def test_headless_sync_with_an_expired_token_says_sign_in_and_exits_non_zero(world: dict[str, Any], tmp_path) -> None:
    import os

    data_dir = tmp_path / "headless"
    args = [sys.executable, "-m", "reviewapp", "sync", "--data-dir", str(data_dir), "--server", world["server"].url,
            "--username", "alice", "--account", "alice"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "REVIEWAPP_PASSWORD": "correct horse battery"}
    first = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert first.returncode == 0, first.stderr
    with transaction(world["setup"].factory) as session:
        session.execute(update(Token).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    env.pop("REVIEWAPP_PASSWORD")
    second = subprocess.run(args, env=env, input="", capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert second.returncode == 1 and "expired" in second.stderr and "sign in again" in second.stderr
    assert database_path(data_dir, "alice").exists()


def _sqlite_file(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (the online backup API), as a backup tool makes."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def test_server_restored_from_a_backup_gets_back_what_it_lost(world: dict[str, Any], server_db: str,
                                                              tmp_path: Path) -> None:
    ann, amy = world["learners"]["alice"]
    server = world["server"]
    alice = world["laptop"]("alice")
    alice.sync()
    alice.edit("learner", ann, phone="before the backup")
    with alice.store.write() as session:
        session.add(Target(learner_id=ann, text="Kept by the backup", due_date=DEMO_TODAY))
    alice.sync()

    backup = tmp_path / "backup.sqlite3"
    _copy_database(_sqlite_file(server_db), backup)

    # After the backup: the laptop syncs new records and edits, which the backup will not hold.
    with alice.store.write() as session:
        late = Target(learner_id=amy, text="Made after the backup", due_date=DEMO_TODAY)
        session.add(late)
        session.flush()
        late_id = late.id
    alice.edit("learner", ann, phone="after the backup")
    alice.edit("learner", amy, email="amy@example.org")
    assert alice.sync().applied == 3
    before_restore = alice.records()
    assert ("target", late_id) in world["office"]("alice").records()

    # The server's disk dies; the backup is restored, given a new id, and served again.
    server.stop()
    _copy_database(backup, _sqlite_file(server_db))
    renewed = subprocess.run([sys.executable, "-m", "sync.server", "new-server-id", "--database", server_db],
                             capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert renewed.returncode == 0, renewed.stderr
    server.start()
    assert ("target", late_id) not in world["office"]("alice").records()  # lost with the disk

    summary = alice.sync()
    assert summary.server_changed and summary.requeued >= 2 and summary.rejected == 0
    # An edit to a record the backup holds in its older state comes back as a conflict, never silently lost.
    open_conflicts = [c for c in alice.conflicts() if c.resolved_at is None]
    assert {(c.record_id, c.field) for c in open_conflicts} == {(ann, "phone"), (amy, "email")}
    for conflict in open_conflicts:
        assert conflict.my_value == before_restore[(conflict.entity, conflict.record_id)][conflict.field]
        keep_mine(alice.store, conflict.id)
    alice.sync()
    with alice.store.read() as session:
        assert open_conflict_count(session) == 0
    assert not _pending(alice)
    server_view = world["office"]("alice").records()
    assert alice.records() == server_view == before_restore
    assert server_view[("target", late_id)]["text"] == "Made after the backup"
    assert server_view[("learner", ann)]["phone"] == "after the backup"
    assert server_view[("learner", amy)]["email"] == "amy@example.org"
    # A second laptop signing in afresh gets the same caseload: the server really holds it all again.
    fresh = world["laptop"]("alice", "alice-new-laptop")
    fresh.sync()
    assert fresh.records() == before_restore


def test_device_revoked_from_another_server_id_does_not_wipe(world: dict[str, Any]) -> None:
    """The wipe needs the code AND the server this laptop syncs with: a revocation answered by a server with another
    identity (one that changed under the sync) only asks for a sign-in."""
    from sync.protocol import PullResponse
    from sync.server.accounts import revoke_device

    alice = world["laptop"]("alice")
    alice.sync()
    with transaction(world["setup"].factory) as session:
        revoke_device(session, read_state(alice.store)[DEVICE_ID])
    with alice.store.apply_remote() as session:
        set_state(session, SERVER_ID, "a-server-this-laptop-synced-with-before")
    with pytest.raises(NotSignedInError, match="sign in again"):
        alice.client._call("GET", "/api/v1/sync/pull", PullResponse, params={"since": 0})
    assert database_path(alice.data_dir, "alice").exists() and alice.records()
