"""A learner's saved copies (kept encrypted in the store): list them, read one into memory, export one as a file.

Printing one again is `printing.record_delivery` once the printer has taken it."""

from __future__ import annotations

from pathlib import Path

from reviewapp.operations.changes import NOTHING, Outcome
from reviewapp.operations.printing import record_delivery
from reviewapp.store import saved_copies
from reviewapp.store.database import Store
from reviewapp.store.saved_copies import SavedCopyInfo


def copies_of_learner(store: Store, learner_id: str) -> list[SavedCopyInfo]:
    """The learner's saved copies, as the panel lists them."""
    with store.read() as session:
        return saved_copies.copies_of_learner(session, learner_id)


def saved_copy(store: Store, copy_id: str) -> tuple[SavedCopyInfo, bytes] | None:
    """One saved copy and its bytes; None when it is no longer on this laptop."""
    with store.read() as session:
        return saved_copies.copy_pdf(session, copy_id)


def export(store: Store, info: SavedCopyInfo, path: Path) -> Outcome[Path]:
    """Write the copy as a plain, unprotected file at `path` (OSError when it cannot be); a review's copy saved to
    hand over is a delivery."""
    saved_copies.export_copy(store, info.id, path)
    changes = NOTHING
    if info.review_id is not None:
        changes = record_delivery(store, review_id=info.review_id, learner_id=info.learner_id, copies=[info.kind],
                                  channel="saved").changes
    return Outcome(path, changes)
