"""The demo survives `make run` restarts where the keyring forgets (issue 13 item 1); a key is never lost silently.

`make run` without a desktop keyring starts a private GNOME Keyring whose keys live only in memory: each run is a
new keyring. The demo's key then goes in `demo.db.key-NOT-SECURE` beside it; a real caseload never gets one, and a
caseload (the demo's too) whose key is gone is reported, never replaced by a fresh one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from keyring.backends import fail

from reviewapp import DEMO_ACCOUNT
from reviewapp.app import _open_store
from reviewapp.store import keys
from reviewapp.store.database import Store
from reviewapp.store.errors import MissingKeyError
from reviewapp.store.locations import database_path
from reviewapp.store.models import Employer

DEMO_RUN_SCRIPT = textwrap.dedent(
    """
    import datetime as dt, sys
    import keyring
    from keyring.backends.SecretService import Keyring
    keyring.set_keyring(Keyring())
    from reviewapp import DEMO_ACCOUNT, demo
    from reviewapp.app import _open_store
    from reviewapp.core.templates import load_template
    from reviewapp.store import reviews
    from reviewapp.store.models import Learner
    data_dir, step = sys.argv[1], sys.argv[2]
    with _open_store(data_dir, DEMO_ACCOUNT, demo=True) as store:
        if step == "first":
            demo.generate(store, learners=2, seed=3, today=dt.date(2026, 11, 23))
            with store.read() as s:
                learner = s.query(Learner.id).order_by(Learner.id).first()[0]
            review = reviews.start_draft(store, learner, load_template("apprenticeship-progress-review"),
                                         dt.date(2026, 11, 23))
            reviews.save_answers(store, review, {"typed_in_first_run": "eleven minutes of work"})
            print("MADE", review)
        else:
            with store.read() as s:
                found = [(d.review_id, reviews.load_review(s, d.review_id)[0].answers.get("typed_in_first_run"))
                         for d in reviews.open_drafts(s)]
            print("FOUND", found)
            # The key came from its file, not the keyring: the demo's sign-in still goes to the session keyring.
            from reviewapp.sync_client.tokens import load_token, save_token
            save_token(store, "http://127.0.0.1:8765", "demo-token")
            print("TOKEN", load_token(store, "http://127.0.0.1:8765"))
    """
)


def _run_in_a_fresh_session_keyring(tmp_path: Path, script: Path, *args: str) -> str:
    """One `make run`-like start: a new private GNOME Keyring, its in-memory 'session' collection, then gone."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS")}
    env[keys.COLLECTION_ENV] = keys.SESSION_COLLECTION  # as scripts/run.sh sets it
    env["HOME"] = str(tmp_path / "home")
    (tmp_path / "home").mkdir(exist_ok=True)
    log = tmp_path / f"run-{args[-1]}.log"
    with log.open("w") as out:  # a file, not a pipe: the daemon may outlive the session and hold a pipe open
        result = subprocess.run(
            ["dbus-run-session", "--", "bash", "-c",
             'eval "$(printf "" | gnome-keyring-daemon --unlock --components=secrets)" && exec "$0" "$@"',
             sys.executable, str(script), *args],
            stdout=out, stderr=subprocess.STDOUT, timeout=180, env=env,
        )
    output = log.read_text()
    assert result.returncode == 0, output
    return output


@pytest.mark.secret_service
def test_the_demo_and_a_draft_in_it_survive_a_restart_with_a_keyring_that_forgets(tmp_path):
    missing = [tool for tool in ("dbus-run-session", "gnome-keyring-daemon") if shutil.which(tool) is None]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must provide {missing} (scripts/system-deps.sh installs them)")
        pytest.skip(f"not installed: {missing}")
    script = tmp_path / "demo_run.py"
    script.write_text(DEMO_RUN_SCRIPT)
    data = tmp_path / "data"
    first = _run_in_a_fresh_session_keyring(tmp_path, script, str(data), "first")
    review_id = first.split("MADE ", 1)[1].split()[0]
    key_file = data / "demo.db.key-NOT-SECURE"
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    second = _run_in_a_fresh_session_keyring(tmp_path, script, str(data), "second")
    assert f"('{review_id}', 'eleven minutes of work')" in second, second
    assert "making a new demo" not in second
    assert "TOKEN demo-token" in second, second


def test_a_real_caseload_never_gets_a_key_file_even_where_the_keyring_forgets(tmp_path, monkeypatch):
    monkeypatch.setenv(keys.COLLECTION_ENV, keys.SESSION_COLLECTION)
    assert not keys.keyring_persists()
    with _open_store(tmp_path, "assessor1", demo=False) as store, store.write() as s:
        s.add(Employer(name="Real work"))
    with Store.open(tmp_path, "assessor1") as store:  # the key is in the keyring, as ever
        pass
    assert not list(tmp_path.glob("*NOT-SECURE*"))
    assert keys.load_key(database_path(tmp_path, "assessor1")) is not None


def test_with_no_keyring_at_all_the_demo_keeps_its_key_in_a_file_and_a_real_caseload_stops(tmp_path):
    import keyring

    keyring.set_keyring(fail.Keyring())
    with _open_store(tmp_path, DEMO_ACCOUNT, demo=True) as store, store.write() as s:
        s.add(Employer(name="Tried in the demo"))
    with _open_store(tmp_path, DEMO_ACCOUNT, demo=True) as store, store.read() as s:
        assert s.query(Employer).one().name == "Tried in the demo"
    with pytest.raises(Exception, match="keyring"):
        _open_store(tmp_path, "assessor1", demo=False)
    assert [p.name for p in tmp_path.glob("*NOT-SECURE*")] == ["demo.db.key-NOT-SECURE"]


def test_a_demo_whose_key_is_gone_is_reported_and_kept_never_made_afresh(tmp_path):
    """Before issue 13 a lost demo key meant a silent new demo over the old file, and the work in it lost."""
    with _open_store(tmp_path, DEMO_ACCOUNT, demo=True) as store, store.write() as s:
        s.add(Employer(name="Eleven minutes of work"))
    path = database_path(tmp_path, DEMO_ACCOUNT)
    before = path.read_bytes()
    keys.forget_key(path)
    with pytest.raises(MissingKeyError) as caught:
        _open_store(tmp_path, DEMO_ACCOUNT, demo=True)
    assert "is not in your keyring" in caught.value.message
    assert "fresh demo" in caught.value.advice and str(path) in caught.value.advice
    assert path.read_bytes() == before  # the file is untouched
    assert keys.load_key(path, demo=True) is None  # and no new key was made over it


def test_a_damaged_demo_set_aside_takes_its_key_file_with_it(tmp_path):
    import keyring

    keyring.set_keyring(fail.Keyring())
    with _open_store(tmp_path, DEMO_ACCOUNT, demo=True):
        pass
    moved = Store.set_aside_damaged(tmp_path, DEMO_ACCOUNT)
    assert keys.read_key_file(moved) is not None
    assert not keys.key_file_path(database_path(tmp_path, DEMO_ACCOUNT)).exists()
