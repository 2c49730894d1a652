"""Shared test set-up: Qt offscreen, and a keyring in a temporary directory for every test.

The keyring backend is chosen by PYTHON_KEYRING_BACKEND so subprocesses started by tests (the app, the demo
command) use the same temporary keyring as the test itself.
"""

from __future__ import annotations

import os
from pathlib import Path

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TEST_KEYRING_BACKEND = "keyrings.alt.file.PlaintextKeyring"


@pytest.fixture(autouse=True)
def temp_keyring(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> PlaintextKeyring:
    """A file keyring private to this test, also selected for any subprocess the test starts."""
    root = tmp_path_factory.mktemp("keyring")
    monkeypatch.setenv("XDG_DATA_HOME", str(root))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", TEST_KEYRING_BACKEND)
    backend = PlaintextKeyring()
    backend.file_path = str(Path(root) / "python_keyring" / "keyring_pass.cfg")
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def window_settings_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Window sizes and places (QSettings) kept in a temporary folder: never the user's, never another test's.

    XDG_CONFIG_HOME covers subprocesses (the app, the autosave driver); QSettings.setPath the test's own process,
    where Qt read XDG_CONFIG_HOME once, at its first QSettings.
    """
    root = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(root))
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(root))
    return root


@pytest.fixture(autouse=True)
def no_store_session_from_ui():
    """Code under reviewapp/ui that opens a store session (directly or through a store function) fails the test:
    widgets go through reviewapp/operations (issue 18; see tests/session_guard.py)."""
    from tests.session_guard import session_guard

    with session_guard() as refusals:
        yield refusals


DEMO_TODAY = __import__("datetime").date(2026, 11, 23)


@pytest.fixture
def store(tmp_path: Path, temp_keyring: PlaintextKeyring):
    """An empty encrypted store in a temporary data directory."""
    from reviewapp.store.database import Store

    with Store.open(tmp_path / "data", "assessor1") as opened:
        yield opened


@pytest.fixture
def demo_store(tmp_path: Path, temp_keyring: PlaintextKeyring):
    """An encrypted store holding the default demo caseload, as of DEMO_TODAY."""
    from reviewapp import demo
    from reviewapp.store.database import Store

    with Store.open(tmp_path / "demo-data") as opened:
        demo.generate(opened, learners=40, seed=7, today=DEMO_TODAY)
        yield opened
