"""The headless `reviewapp sync` command as a real process, and demo mode's embedded, seeded server."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from synckit import PASSWORD, ROOT

from reviewapp.store.database import Store
from reviewapp.store.models import Learner, Review, Signature
from reviewapp.sync_client.demo_server import DEMO_USERNAME
from reviewapp.sync_client.engine import SyncClient
from tests.conftest import DEMO_TODAY


def _run(args: list[str], password: str | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("REVIEWAPP_PASSWORD", None)
    if password is not None:
        env["REVIEWAPP_PASSWORD"] = password
    return subprocess.run([sys.executable, "-m", "reviewapp", "sync", *args], env=env, input=stdin,
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_headless_sync_signs_in_once_then_uses_the_keyring(world: dict[str, Any], tmp_path) -> None:
    data_dir = tmp_path / "headless"
    args = ["--data-dir", str(data_dir), "--server", world["server"].url, "--username", "alice",
            "--account", "alice"]
    first = _run(args, password=PASSWORD)
    assert first.returncode == 0, first.stderr
    assert "Signed in to" in first.stdout and "Pulled" in first.stdout and "purged 0 learner(s)" in first.stdout
    second = _run(args, stdin="")  # no password anywhere: the token from the keyring is used
    assert second.returncode == 0, second.stderr
    assert "Signed in" not in second.stdout and "Pulled 0 change(s)" in second.stdout
    with Store.open(data_dir, "alice") as store, store.read() as session:
        assert {row.id for row in session.query(Learner)} == set(world["learners"]["alice"])


def test_headless_sync_signs_in_again_when_the_kept_sign_in_expired(world: dict[str, Any], tmp_path) -> None:
    import datetime as dt

    from sqlalchemy import update

    from sync.server.db import transaction
    from sync.server.models import Token

    args = ["--data-dir", str(tmp_path / "nightly"), "--server", world["server"].url, "--username", "alice"]
    def expire() -> None:
        with transaction(world["setup"].factory) as session:
            session.execute(update(Token).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))

    assert _run(args, password=PASSWORD).returncode == 0
    expire()
    renewed = _run(args, password=PASSWORD)
    assert renewed.returncode == 0, renewed.stderr
    assert "no longer accepted; signed in to" in renewed.stdout and "Pulled 0 change(s)" in renewed.stdout
    expire()
    without = _run(args, stdin="")  # no password to renew it with: a clear failure, not a prompt
    assert without.returncode == 1 and "expired" in without.stderr


def test_headless_sync_fails_clearly(world: dict[str, Any], tmp_path) -> None:
    wrong = _run(["--data-dir", str(tmp_path / "x"), "--server", world["server"].url, "--username", "alice"],
                 stdin="not the password\n")
    assert wrong.returncode == 1 and "username or password is not right" in wrong.stderr
    world["server"].stop()
    down = _run(["--data-dir", str(tmp_path / "y"), "--server", world["server"].url, "--username", "alice"],
                password=PASSWORD)
    assert down.returncode == 1 and "is not reachable" in down.stderr


def test_demo_mode_seeds_an_embedded_server_and_pulls_from_it(tmp_path) -> None:
    from reviewapp.app import _start_demo_server

    store = Store.open(tmp_path / "demo", "demo")
    store, server = _start_demo_server(store, tmp_path / "demo", 40, DEMO_TODAY)
    try:
        with SyncClient(store, server.url, DEMO_USERNAME) as client:
            summary = client.sync()
        assert summary.rejected == 0 and summary.pulled > 40
        with store.read() as session:
            assert session.query(Learner).count() == 40
            finalised = session.query(Review).filter(Review.status == "finalised").count()
            assert finalised > 0 and session.query(Signature).count() == 3 * finalised
        # A second start finds the server seeded and the laptop signed in: nothing is pulled twice.
        server.stop()
        store, server = _start_demo_server(store, tmp_path / "demo", 40, DEMO_TODAY)
        with SyncClient(store, server.url, DEMO_USERNAME) as client:
            assert client.sync().pulled == 0
    finally:
        server.stop()
        store.close()


def test_the_demo_prints_its_office_web_app_and_the_demo_managers_sign_in(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    import re

    import httpx

    from reviewapp.app import _start_demo_server
    from reviewapp.sync_client.demo_server import DEMO_MANAGER, DEMO_PASSWORD

    store = Store.open(tmp_path / "demo", "demo")
    store, server = _start_demo_server(store, tmp_path / "demo", 3, DEMO_TODAY)
    try:
        said = capsys.readouterr().out
        assert f"{server.url}/" in said and repr(DEMO_MANAGER) in said and repr(DEMO_PASSWORD) in said
        with httpx.Client(base_url=server.url, timeout=10, follow_redirects=True) as browser:
            form = browser.get("/sign-in")
            token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
            signed = browser.post("/sign-in", data={"username": DEMO_MANAGER, "password": DEMO_PASSWORD,
                                                    "csrf_token": token})
            assert signed.status_code == 200 and signed.text.count('href="/learners/') == 3
    finally:
        server.stop()
        store.close()
