"""The key of each encrypted local database, kept only in the OS keyring.

The key is 256 random bits made on first open. It never touches the disk or the settings; losing it loses the
local file (which the server can restore), so every failure to reach it is reported, never papered over.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

import keyring
import keyring.errors
from keyring.backends import fail

from reviewapp.store.errors import KeyringUnavailableError

KEYRING_SERVICE = "ReviewApp"


def _key_name(db_path: Path) -> str:
    # Keyed by the file's absolute path, so two data directories (say, a demo and a real account) never share one.
    return f"database-key:{db_path.resolve()}"


#: A Secret Service collection to keep keys in instead of the default ('login'). `make run` sets it to the
#: in-memory session collection of the private GNOME Keyring it starts where no desktop keyring runs.
COLLECTION_ENV = "REVIEWAPP_SECRET_SERVICE_COLLECTION"


def _backend_usable() -> None:
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        raise KeyringUnavailableError("no keyring backend is installed or running")
    chain = getattr(backend, "backends", None)
    if chain is not None and not chain:
        raise KeyringUnavailableError("no keyring backend is installed or running")
    collection = os.environ.get(COLLECTION_ENV)
    if collection:
        for candidate in chain or [backend]:
            if hasattr(candidate, "get_preferred_collection"):  # the Secret Service backend reads this attribute
                candidate.preferred_collection = collection


def load_key(db_path: Path) -> str | None:
    """The hex key for `db_path`, or None when the keyring holds none."""
    _backend_usable()
    try:
        return keyring.get_password(KEYRING_SERVICE, _key_name(db_path))
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailableError(str(exc) or type(exc).__name__) from exc


def create_key(db_path: Path) -> str:
    """Make, store and return a new random key for a database that does not exist yet."""
    _backend_usable()
    key = secrets.token_hex(32)
    try:
        keyring.set_password(KEYRING_SERVICE, _key_name(db_path), key)
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailableError(str(exc) or type(exc).__name__) from exc
    return key


def keep_key(db_path: Path, key: str) -> None:
    """Keep an existing key under the name of `db_path` (a damaged caseload set aside keeps its key)."""
    _backend_usable()
    try:
        keyring.set_password(KEYRING_SERVICE, _key_name(db_path), key)
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailableError(str(exc) or type(exc).__name__) from exc


def forget_key(db_path: Path) -> None:
    """Remove the key (when the local data is wiped, e.g. on a revoked device)."""
    with contextlib.suppress(keyring.errors.PasswordDeleteError):
        keyring.delete_password(KEYRING_SERVICE, _key_name(db_path))
