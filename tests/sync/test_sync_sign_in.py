"""The laptop's sign-in against a real server process: one device across sign-ins, and a reset password answered
by choosing a new one (the client API and the headless `reviewapp sync`)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from sqlalchemy import select
from synckit import PASSWORD, ROOT

from reviewapp.sync_client.errors import PasswordChangeRequiredError
from sync.server.accounts import find_user, reset_password
from sync.server.db import transaction
from sync.server.models import Device

TEMPORARY = "a temporary phrase from IT"
CHOSEN = "my own choice of four words"


def _devices(world: dict[str, Any], username: str) -> list[Device]:
    with world["setup"].factory() as session:
        user = find_user(session, username)
        return list(session.execute(select(Device).where(Device.user_id == user.id)).scalars())


def _reset(world: dict[str, Any], username: str) -> None:
    with transaction(world["setup"].factory) as session:
        reset_password(session, find_user(session, username), TEMPORARY)


def test_a_laptop_signing_in_again_keeps_its_device(world: dict[str, Any]) -> None:
    laptop = world["laptop"]("alice")
    first = _devices(world, "alice")
    assert len(first) == 1 and first[0].name == "alice-laptop" and first[0].host_name and first[0].app_version
    for _ in range(3):
        laptop.login()
    again = _devices(world, "alice")
    assert [d.id for d in again] == [first[0].id]
    laptop.sync()


def test_a_reset_password_is_replaced_through_the_client_then_signs_in(world: dict[str, Any]) -> None:
    laptop = world["laptop"]("alice")
    _reset(world, "alice")
    with pytest.raises(PasswordChangeRequiredError, match="reset your password"):
        laptop.client.login(TEMPORARY)
    laptop.client.change_password(TEMPORARY, CHOSEN)
    assert laptop.client.signed_in()
    assert laptop.sync().pulled >= 0
    assert len(_devices(world, "alice")) == 1


def _run(args: list[str], stdin: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    environment.pop("REVIEWAPP_PASSWORD", None)
    environment.update(env)
    return subprocess.run([sys.executable, "-m", "reviewapp", "sync", *args], env=environment, input=stdin,
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_headless_sync_sets_a_new_password_after_an_admin_reset(world: dict[str, Any], tmp_path) -> None:
    args = ["--data-dir", str(tmp_path / "headless"), "--server", world["server"].url, "--username", "alice",
            "--device-name", "Sam's ThinkPad"]
    _reset(world, "alice")
    stuck = _run(args, stdin=f"{TEMPORARY}\n")
    assert stuck.returncode == 1 and "reset your password" in stuck.stderr and "Traceback" not in stuck.stderr
    weak = _run(args, stdin=f"{TEMPORARY}\npassword1234\n")
    assert weak.returncode == 1 and "most commonly used" in weak.stderr
    done = _run(args, stdin=f"{TEMPORARY}\n{CHOSEN}\n")
    assert done.returncode == 0, done.stderr
    assert "Your new password is set" in done.stdout and "Pulled" in done.stdout
    assert _run(args, stdin="").returncode == 0  # the kept sign-in
    assert _run(["--data-dir", str(tmp_path / "second"), *args[2:]], stdin=f"{PASSWORD}\n").returncode == 1
    assert [d.name for d in _devices(world, "alice")] == ["Sam's ThinkPad"]


def test_a_demo_seeded_with_the_old_short_password_signs_in_with_the_new_one(tmp_path) -> None:
    from reviewapp.sync_client.demo_server import DEMO_PASSWORD, DEMO_USERNAME, seed_demo_server
    from sync.server.core.security import hash_password, verify_password
    from sync.server.db import make_engine, make_session_factory

    url = f"sqlite:///{tmp_path / 'demo-server.sqlite3'}"
    assert seed_demo_server(url, learners=2)
    engine = make_engine(url)
    try:
        factory = make_session_factory(engine)
        with transaction(factory) as session:  # as an earlier version left it
            find_user(session, DEMO_USERNAME).password_hash = hash_password("demo-password")
        assert seed_demo_server(url, learners=2) is False
        with factory() as session:
            assert verify_password(find_user(session, DEMO_USERNAME).password_hash, DEMO_PASSWORD)
    finally:
        engine.dispose()
