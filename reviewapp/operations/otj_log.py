"""A learner's off-the-job log from the learner panel: add, change or delete an entry (each syncs)."""

from __future__ import annotations

from reviewapp.operations.changes import Changes, Outcome
from reviewapp.store import otj_log
from reviewapp.store.database import Store
from reviewapp.store.otj_log import EntryFields, UnknownEntryError

__all__ = ["EntryFields", "UnknownEntryError", "add_entry", "delete_entry", "edit_entry"]


def _changed(learner_id: str) -> Changes:
    return Changes(learners=frozenset({learner_id}), outbox=True, alerts=True)


def add_entry(store: Store, learner_id: str, fields: EntryFields) -> Outcome[str]:
    """A new entry; its id. UnknownLearnerError or ValueError say why it was not saved."""
    return Outcome(otj_log.add_entry(store, learner_id, fields), _changed(learner_id))


def edit_entry(store: Store, learner_id: str, entry_id: str, fields: EntryFields) -> Outcome[None]:
    """The entry changed. UnknownEntryError or ValueError say why it was not saved."""
    otj_log.edit_entry(store, entry_id, fields)
    return Outcome(None, _changed(learner_id))


def delete_entry(store: Store, learner_id: str, entry_id: str) -> Outcome[None]:
    """The entry deleted (a tombstone, so the deletion syncs); UnknownEntryError when it is already gone."""
    otj_log.delete_entry(store, entry_id)
    return Outcome(None, _changed(learner_id))
