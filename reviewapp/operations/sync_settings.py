"""Sync as the window's Sync menu and status bar see it: the settings (server, username, how often), the facts the
status bar shows, whether this laptop was ever signed in, and keeping new settings. The sync itself and the sign-in
are the sync engine's (`reviewapp.sync_client`), run on the task runner."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reviewapp.operations.changes import Changes, Outcome
from reviewapp.store.database import Store
from reviewapp.store.settings import get_setting
from reviewapp.store.sync.state import DEVICE_ID, get_state
from reviewapp.sync_client.config import (
    DEFAULT_INTERVAL_MINUTES,
    EMBEDDED,
    INTERVAL_MINUTES,
    SERVER_URL,
    USERNAME,
    remember_server,
)
from reviewapp.sync_client.summary import status_counts


@dataclass(frozen=True)
class SyncSettings:
    server_url: str
    username: str
    #: Minutes between periodic syncs; 0 turns them off.
    interval_minutes: int
    #: Whether the server is the demo's, embedded on this computer.
    embedded: bool


@dataclass(frozen=True)
class SyncStatus:
    pending_changes: int
    open_conflicts: int
    last_sync: dt.datetime | None


def sync_settings(store: Store) -> SyncSettings:
    """The sync settings as kept now (an unset one is its default)."""
    return SyncSettings(server_url=str(get_setting(store, SERVER_URL, "") or ""),
                        username=str(get_setting(store, USERNAME, "") or ""),
                        interval_minutes=int(get_setting(store, INTERVAL_MINUTES, DEFAULT_INTERVAL_MINUTES) or 0),
                        embedded=bool(get_setting(store, EMBEDDED, False)))


def sync_status(store: Store) -> SyncStatus:
    """The changes not yet synced, the open conflicts and the last sync, for the status bar."""
    return SyncStatus(*status_counts(store))


def first_sign_in(store: Store) -> bool:
    """Whether this laptop has never signed in (the server has not named it yet): the sign-in offers a name."""
    with store.read() as session:
        return not get_state(session, DEVICE_ID)


def save_sync_settings(store: Store, server_url: str, username: str, interval_minutes: int) -> Outcome[None]:
    """Keep the server (an empty address turns sync off), the username and the minutes between syncs."""
    remember_server(store, server_url, sync_username=username, sync_interval_minutes=interval_minutes)
    return Outcome(None, Changes(settings=True))
