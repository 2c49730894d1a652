"""The key of each encrypted local database, kept in the OS keyring.

The key is 256 random bits made on first open. A real caseload's key never touches the disk or the settings; losing
it loses the local file (which the server can restore), so every failure to reach it is reported, never papered
over.

The one exception is the demo caseload on a computer whose keyring forgets what it holds when it stops (the private,
in-memory keyring `make run` starts where no desktop keyring runs, or no keyring at all): there its key is kept in a
file beside the demo data, named `<demo>.db.key-NOT-SECURE`, so the demo and any work tried in it survive a restart
instead of being lost with the key. Demo data is made-up, so a key on disk there costs nothing; a real caseload
(`demo=False`, the default everywhere) never gets a key file.
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


#: The Secret Service's in-memory collection: what it holds is gone when the keyring daemon stops.
SESSION_COLLECTION = "/org/freedesktop/secrets/collection/session"

#: Ends the name of a demo caseload's key file, so nobody mistakes it for a safe place for a key.
KEY_FILE_SUFFIX = ".key-NOT-SECURE"


def key_file_path(db_path: Path) -> Path:
    """Where a demo caseload's key is kept when the keyring cannot keep it: `demo.db.key-NOT-SECURE`."""
    return db_path.with_name(db_path.name + KEY_FILE_SUFFIX)


def keyring_persists() -> bool:
    """Whether a key stored in the keyring now is still there at the next start: False with no usable keyring, or
    with keys kept in the Secret Service's in-memory session collection (as `make run` arranges without a desktop
    keyring)."""
    try:
        _backend_usable()
    except KeyringUnavailableError:
        return False
    return os.environ.get(COLLECTION_ENV, "").rstrip("/") != SESSION_COLLECTION


def read_key_file(db_path: Path) -> str | None:
    """The key in the demo key file beside `db_path`, or None when there is none."""
    try:
        return key_file_path(db_path).read_text(encoding="ascii").strip() or None
    except FileNotFoundError:
        return None


def _write_key_file(db_path: Path, key: str) -> None:
    target = key_file_path(db_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # readable by its owner only
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, target)  # never a half-written key file


def _backend_usable() -> None:
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        raise KeyringUnavailableError("no keyring backend is installed or running")
    chain = getattr(backend, "backends", None)
    if chain is not None and not chain:
        raise KeyringUnavailableError("no keyring backend is installed or running")
    use_configured_collection()


def use_configured_collection() -> None:
    """Point the Secret Service backend at `COLLECTION_ENV`'s collection, if set. Called before every keyring use
    (keys here, sync tokens in `reviewapp.sync_client`), so none depends on another having run first: a demo whose
    key comes from its key file still keeps its sync token in the collection `make run` chose."""
    collection = os.environ.get(COLLECTION_ENV)
    if not collection:
        return
    backend = keyring.get_keyring()
    for candidate in getattr(backend, "backends", None) or [backend]:
        if hasattr(candidate, "get_preferred_collection"):  # the Secret Service backend reads this attribute
            candidate.preferred_collection = collection


def load_key(db_path: Path, *, demo: bool = False) -> str | None:
    """The hex key for `db_path`, or None when the keyring holds none.

    For the demo (`demo=True`) the key file beside it comes first; where the keyring does not persist, a demo key
    still found in it (made earlier in the same session) is copied to the key file, so the next start finds it."""
    if demo:
        kept = read_key_file(db_path)
        if kept is not None:
            return kept
        if not keyring_persists():
            try:
                key = _keyring_get(db_path)
            except KeyringUnavailableError:
                return None
            if key is not None:
                _write_key_file(db_path, key)
            return key
    return _keyring_get(db_path)


def _keyring_get(db_path: Path) -> str | None:
    _backend_usable()
    try:
        return keyring.get_password(KEYRING_SERVICE, _key_name(db_path))
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailableError(str(exc) or type(exc).__name__) from exc


def create_key(db_path: Path, *, demo: bool = False) -> str:
    """Make, store and return a new random key for a database that does not exist yet: in the keyring, or for the
    demo where the keyring does not persist, in the key file beside it."""
    key = secrets.token_hex(32)
    if demo and not keyring_persists():
        _write_key_file(db_path, key)
        return key
    _backend_usable()
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
    """Remove the key (when the local data is wiped, e.g. on a revoked device), and a demo's key file if any."""
    key_file_path(db_path).unlink(missing_ok=True)
    with contextlib.suppress(keyring.errors.PasswordDeleteError, KeyringUnavailableError):
        _backend_usable()
        keyring.delete_password(KEYRING_SERVICE, _key_name(db_path))
