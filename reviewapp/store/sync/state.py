"""The sync state kept on the laptop: the cursor, the server's id, the device id, and moving the cursor back.

Why its own module: pull, push and sign-in all read and write these keys, and a rewind must never move the
cursor forward.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewapp.store.database import Store
from reviewapp.store.models import SyncState

CURSOR = "cursor"
SERVER_ID = "server_id"
LAST_SYNC = "last_sync"
#: "1" while re-pulling everything from a server with a new id: rows at rev 0 are not yet known to be there.
RESYNC = "resync"
DEVICE_ID = "device_id"
TOKEN_EXPIRES = "token_expires_at"


def get_state(session: Session, key: str, default: str = "") -> str:
    row = session.get(SyncState, key)
    return row.value if row is not None else default


def set_state(session: Session, key: str, value: str) -> None:
    row = session.get(SyncState, key)
    if row is None:
        session.add(SyncState(key=key, value=value))
    else:
        row.value = value


def read_state(store: Store) -> dict[str, str]:
    with store.read() as session:
        return {row.key: row.value for row in session.scalars(select(SyncState))}


class BadServerData(Exception):
    """The server sent something that does not fit the protocol; nothing of it was applied."""


def rewind_cursor(store: Store, to: int) -> None:
    with store.apply_remote() as session:
        current = int(get_state(session, CURSOR, "0") or 0)
        if to < current:
            set_state(session, CURSOR, str(max(0, to)))


