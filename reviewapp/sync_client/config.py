"""The sync settings kept in the account's `setting` table (not secrets), and remembering the server.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reviewapp.store.database import Store
from reviewapp.store.settings import get_setting, set_settings

#: Settings keys (in the account's `setting` table: not secrets).
SERVER_URL = "sync.server_url"
#: Set when the server is the demo's embedded one, on this computer (see `reviewapp.app._start_demo_server`).
EMBEDDED = "sync.embedded"
USERNAME = "sync.username"
INTERVAL_MINUTES = "sync.interval_minutes"
DEFAULT_INTERVAL_MINUTES = 15

ProgressFn = Callable[[int, int, str], None]


def remember_server(store: Store, server_url: str, **others: Any) -> None:
    """Keep the sync server's address (with any other sync settings given as `set_settings` takes them). A new
    address is not the demo's embedded server, so the mark that said so goes with the old address; otherwise the
    status bar would go on naming the demo server after sync was pointed elsewhere."""
    changed = server_url != (get_setting(store, SERVER_URL, "") or "")
    set_settings(store, sync_server_url=server_url, **({"sync_embedded": False} if changed else {}), **others)

