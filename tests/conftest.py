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
