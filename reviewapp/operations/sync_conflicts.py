"""Resolving a sync conflict (Keep mine, Keep theirs): the store's resolution, then the files it frees."""

from __future__ import annotations

from typing import Any

from reviewapp.core.file_names import remove_saved_copy_folders
from reviewapp.operations.changes import Changes, Outcome
from reviewapp.store.database import Store
from reviewapp.store.sync import conflicts

_RESOLVED = Changes(caseload=True, outbox=True, conflicts=True)


def keep_mine(store: Store, conflict_id: str, combined: Any = None) -> Outcome[None]:
    """The laptop's value wins (or `combined`, written by the assessor from both): a new local change, sent on the
    next sync. Per question, only that question changes."""
    conflicts.keep_mine(store, conflict_id, combined)
    return Outcome(None, _RESOLVED)


def keep_theirs(store: Store, conflict_id: str) -> Outcome[None]:
    """The server's value wins; a held learner's saved copies go with the learner, once the store has committed."""
    folders = conflicts.keep_theirs(store, conflict_id)
    remove_saved_copy_folders(store.path.parent, folders)
    return Outcome(None, _RESOLVED)
