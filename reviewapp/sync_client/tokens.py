"""The sign-in token, kept in the OS keyring only and only ever sent to the server it was made with.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import keyring
import keyring.errors

from reviewapp.store.database import Store
from reviewapp.store.keys import KEYRING_SERVICE, use_configured_collection
from reviewapp.store.settings import get_setting
from reviewapp.sync_client.config import SERVER_URL
from reviewapp.sync_client.errors import SyncError


def _token_name(store_path: Path) -> str:
    return f"sync-token:{Path(store_path).resolve()}"


def _same_url(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and str(a).rstrip("/").lower() == str(b).rstrip("/").lower()


def load_token(store: Store, server_url: str) -> str | None:
    """The sign-in kept for this store, if it was made with `server_url`: a token never goes to another host."""
    use_configured_collection()
    try:
        raw = keyring.get_password(KEYRING_SERVICE, _token_name(store.path))
    except keyring.errors.KeyringError as exc:
        raise SyncError(f"Could not read your sign-in from the keyring ({exc}). Unlock it and try again.") from None
    if not raw:
        return None
    try:
        saved = json.loads(raw)
        token, for_server = str(saved["token"]), str(saved["server"])
    except (ValueError, TypeError, KeyError):  # a bare token, kept by an earlier version for the configured server
        token, for_server = raw, get_setting(store, SERVER_URL)
    return token if _same_url(for_server, server_url) else None


def save_token(store: Store, server_url: str, token: str) -> None:
    use_configured_collection()
    try:
        saved = json.dumps({"server": server_url, "token": token})
        keyring.set_password(KEYRING_SERVICE, _token_name(store.path), saved)
    except keyring.errors.KeyringError as exc:
        raise SyncError(f"Could not keep your sign-in in the keyring ({exc}). Unlock it and try again.") from None


def forget_token(store_path: Path) -> None:
    use_configured_collection()
    with contextlib.suppress(keyring.errors.KeyringError):
        keyring.delete_password(KEYRING_SERVICE, _token_name(store_path))
