"""The local file is encrypted with a key that lives only in the keyring; every failure says what to do."""

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from reviewapp.store import keys
from reviewapp.store.database import Store, database_path
from reviewapp.store.errors import KeyringUnavailableError, MissingKeyError, WrongKeyError
from reviewapp.store.models import Employer


def _make(tmp_path: Path) -> Path:
    with Store.open(tmp_path, "assessor1") as store, store.write() as s:
        s.add(Employer(name="Secret Sauce Ltd"))
    return database_path(tmp_path, "assessor1")


def test_plain_sqlite_cannot_read_the_file(tmp_path):
    path = _make(tmp_path)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall()
    assert b"Secret Sauce" not in path.read_bytes()


def test_the_key_is_random_256_bits_and_only_in_the_keyring(tmp_path):
    path = _make(tmp_path)
    key = keys.load_key(path)
    assert key is not None and len(bytes.fromhex(key)) == 32
    for file in tmp_path.iterdir():
        assert key.encode() not in file.read_bytes()


def test_reopening_with_the_key_reads_the_data(tmp_path):
    _make(tmp_path)
    with Store.open(tmp_path, "assessor1") as store, store.read() as s:
        assert s.query(Employer).one().name == "Secret Sauce Ltd"


def test_wrong_key_is_reported_with_advice(tmp_path):
    path = _make(tmp_path)
    keyring.set_password(keys.KEYRING_SERVICE, f"database-key:{path.resolve()}", "ab" * 32)
    with pytest.raises(WrongKeyError) as caught:
        Store.open(tmp_path, "assessor1")
    assert "download the caseload" in caught.value.advice


def test_missing_key_is_reported_not_replaced(tmp_path):
    path = _make(tmp_path)
    before = path.read_bytes()
    keys.forget_key(path)
    with pytest.raises(MissingKeyError) as caught:
        Store.open(tmp_path, "assessor1")
    assert "keyring" in caught.value.message
    assert keys.load_key(path) is None  # no new key was made over the old file
    assert path.read_bytes() == before


def test_no_keyring_backend_is_reported(tmp_path):
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(KeyringUnavailableError) as caught:
        Store.open(tmp_path, "assessor1")
    assert "Unlock your keyring" in caught.value.advice


def test_app_explains_a_missing_key_without_a_traceback(tmp_path):
    path = _make(tmp_path)
    keys.forget_key(path)
    result = subprocess.run(
        [sys.executable, "-m", "reviewapp", "--data-dir", str(tmp_path), "--account", "assessor1"],
        capture_output=True, text=True, timeout=60, env=os.environ | {"QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 1
    assert "is not in your keyring" in result.stderr
    assert "Traceback" not in result.stderr


def test_sqlite3_command_line_cannot_read_the_demo(tmp_path):
    if shutil.which("sqlite3") is None:
        pytest.skip("the sqlite3 command is not installed")
    result = subprocess.run(
        [sys.executable, "-m", "reviewapp.demo", "--data-dir", str(tmp_path), "--learners", "3"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    tables = subprocess.run(["sqlite3", str(tmp_path / "demo.db"), ".tables"], capture_output=True, text=True)
    assert tables.returncode != 0
    assert "not a database" in tables.stderr


SECRET_SERVICE_SCRIPT = textwrap.dedent(
    """
    import sys
    import keyring
    from keyring.backends.SecretService import Keyring
    keyring.set_keyring(Keyring())
    from reviewapp.store.database import Store
    from reviewapp.store.models import Employer
    data_dir = sys.argv[1]
    with Store.open(data_dir, "assessor1") as store, store.write() as s:
        s.add(Employer(name="Keyring Cafe"))
    with Store.open(data_dir, "assessor1") as store, store.read() as s:
        print("READ", s.query(Employer).one().name)
    """
)


@pytest.mark.secret_service
def test_key_round_trips_through_a_real_secret_service(tmp_path):
    """gnome-keyring under its own D-Bus session: the real Linux keyring, not a stand-in."""
    missing = [tool for tool in ("dbus-run-session", "gnome-keyring-daemon") if shutil.which(tool) is None]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must provide {missing} (scripts/system-deps.sh installs them)")
        pytest.skip(f"not installed: {missing}")
    script = tmp_path / "secret_service_check.py"
    script.write_text(SECRET_SERVICE_SCRIPT)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS")}
    # As `make run` does: the in-memory 'session' collection, since a headless daemon has no login collection
    # and would prompt to make one.
    env["REVIEWAPP_SECRET_SERVICE_COLLECTION"] = "/org/freedesktop/secrets/collection/session"
    env["HOME"] = str(tmp_path / "home")  # gnome-keyring keeps its keyring files and sockets under $HOME
    (tmp_path / "home").mkdir()
    # Output goes to a file, not a pipe: daemons started in the session may outlive it and hold a pipe open.
    log = tmp_path / "secret-service.log"
    with log.open("w") as out:
        result = subprocess.run(
            [
                "dbus-run-session", "--", "bash", "-c",
                # Start and unlock the daemon (empty password), then run the check inside the same D-Bus session.
                'eval "$(printf "" | gnome-keyring-daemon --unlock --components=secrets)" && exec "$0" "$@"',
                sys.executable, str(script), str(tmp_path / "data"),
            ],
            stdout=out, stderr=subprocess.STDOUT, timeout=90, env=env,
        )
    output = log.read_text()
    assert result.returncode == 0, output
    assert "READ Keyring Cafe" in output


def test_a_real_caseload_whose_key_is_gone_is_never_discarded(tmp_path):
    """The demo is not discarded either now (tests/store/test_demo_key_file.py)."""
    from reviewapp.app import _open_store

    _make(tmp_path)
    keys.forget_key(database_path(tmp_path, "assessor1"))
    with pytest.raises(MissingKeyError):
        _open_store(tmp_path, "assessor1", demo=False)  # real work is never discarded
