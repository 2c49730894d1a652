"""Conflicts for the UI and the headless command: the open ones with a readable label, and resolving them (Keep
mine, Keep theirs).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from reviewapp.core.dates import utc_now
from reviewapp.store.database import Store
from reviewapp.store.models import SYNCABLE_MODELS, Employer, Learner, Review, Signature, SyncConflict
from reviewapp.store.sync.kinds import ConflictKind
from reviewapp.store.sync.removals import discard_held_learner, retry_refused
from reviewapp.store.sync.rows import outbox_entry, table_row
from reviewapp.store.sync.state import rewind_cursor
from reviewapp.store.sync.values import python_value


@dataclass(frozen=True)
class ConflictView:
    id: str
    kind: str
    entity: str
    record_id: str
    record_label: str
    field: str
    my_value: Any
    their_value: Any
    their_by: str
    their_at: dt.datetime | None
    reason: str


def _label(session: Session, entity: str, record_id: str) -> str:
    model = SYNCABLE_MODELS[entity]
    row = session.get(model, record_id)
    if row is None:
        return f"{entity.replace('_', ' ')} {record_id[:8]}"
    if isinstance(row, Learner):
        return f"Learner {row.full_name}"
    if isinstance(row, Employer):
        return f"Employer {row.name}"
    learner_id = getattr(row, "learner_id", None)
    if isinstance(row, Signature):
        review = session.get(Review, row.review_id)
        learner_id = review.learner_id if review else None
    learner = session.get(Learner, learner_id) if learner_id else None
    who = f" — {learner.full_name}" if learner else ""
    title = getattr(row, "title", None) or getattr(row, "text", None) or ""
    what = entity.replace("_", " ").capitalize()
    return f"{what}{who}" + (f": {title[:40]}" if title else "")


def open_conflicts(session: Session) -> list[ConflictView]:
    rows = session.scalars(
        select(SyncConflict).where(SyncConflict.resolved_at.is_(None)).order_by(SyncConflict.created_at)
    ).all()
    return [
        ConflictView(c.id, c.kind, c.entity, c.record_id, _label(session, c.entity, c.record_id), c.field,
                     c.my_value, c.their_value, c.their_by, c.their_at, c.reason)
        for c in rows
    ]


def open_conflict_count(session: Session) -> int:
    return int(session.scalar(
        select(func.count()).select_from(SyncConflict).where(SyncConflict.resolved_at.is_(None))
    ) or 0)


def keep_mine(store: Store, conflict_id: str) -> None:
    """Resolve a field conflict with the laptop's value: a new local change, sent on the next sync."""
    with store.write() as session:
        conflict = session.get(SyncConflict, conflict_id)
        if conflict is None or conflict.resolved_at is not None:
            return
        if conflict.kind == ConflictKind.REMOVED:
            retry_refused(session, conflict.record_id)  # stays open until the server sends the learner again
            return
        if conflict.kind == ConflictKind.CONFLICT:
            row = session.get(SYNCABLE_MODELS[conflict.entity], conflict.record_id)
            if row is not None:
                setattr(row, conflict.field, python_value(conflict.entity, conflict.field, conflict.my_value))
        conflict.resolved_at = utc_now()
        conflict.resolution = "kept_mine" if conflict.kind == ConflictKind.CONFLICT else "retried"


def keep_theirs(store: Store, conflict_id: str) -> list[str]:
    """Resolve with the server's value. For a field conflict the laptop already shows it; for a refused change
    the local change is dropped and the record pulled again from the server.

    Returns the saved-copy folders of a held learner it removed, for the caller to delete once this is committed
    (the store deletes no files)."""
    rewind: int | None = None
    purged_folder = ""
    with store.apply_remote() as session:
        conflict = session.get(SyncConflict, conflict_id)
        if conflict is None or conflict.resolved_at is not None:
            return []
        conflict.resolved_at = utc_now()
        conflict.resolution = "kept_theirs" if conflict.kind == ConflictKind.CONFLICT else "discarded"
        if conflict.kind == ConflictKind.REMOVED:
            purged_folder = discard_held_learner(session, conflict.record_id)
        if conflict.kind == ConflictKind.REJECTED:
            entry = outbox_entry(session, conflict.entity, conflict.record_id)
            if entry is not None:
                session.delete(entry)
            row = table_row(session, SYNCABLE_MODELS[conflict.entity], conflict.record_id)
            if row is not None:
                if row["rev"] == 0:
                    session.execute(delete(SYNCABLE_MODELS[conflict.entity].__table__)
                                    .where(SYNCABLE_MODELS[conflict.entity].__table__.c.id == conflict.record_id))
                else:
                    rewind = row["rev"] - 1
    if rewind is not None:
        rewind_cursor(store, rewind)
    return [purged_folder] if purged_folder else []
