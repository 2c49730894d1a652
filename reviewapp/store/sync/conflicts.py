"""Conflicts for the UI and the headless command: the open ones with a readable label, and resolving them (Keep
mine, Keep theirs).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from reviewapp.core.answer_paths import value_at, with_part
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
    #: Where in the field (a review's answers): [question] or [question, item id]; empty for the whole field.
    path: tuple[str, ...] = ()
    base_at_path: Any = None
    mine_at_path: Any = None
    theirs_at_path: Any = None
    their_device: str = ""
    #: Kept_mine, kept_theirs, combined, retried or discarded once resolved (the history); empty while open.
    resolution: str = ""
    resolved_at: dt.datetime | None = None

    @property
    def mine(self) -> Any:
        """The laptop's side where the two differ: the question's value for a per-question conflict."""
        return self.mine_at_path if self.path else self.my_value

    @property
    def theirs(self) -> Any:
        return self.theirs_at_path if self.path else self.their_value


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


def _view(session: Session, c: SyncConflict) -> ConflictView:
    return ConflictView(
        c.id, c.kind, c.entity, c.record_id, _label(session, c.entity, c.record_id), c.field, c.my_value,
        c.their_value, c.their_by, c.their_at, c.reason, tuple(c.path or ()), c.base_at_path, c.mine_at_path,
        c.theirs_at_path, c.their_device or "", c.resolution, c.resolved_at,
    )


def open_conflicts(session: Session) -> list[ConflictView]:
    rows = session.scalars(
        select(SyncConflict).where(SyncConflict.resolved_at.is_(None)).order_by(SyncConflict.created_at)
    ).all()
    return [_view(session, c) for c in rows]


def resolved_conflicts(session: Session, limit: int = 200) -> list[ConflictView]:
    """The conflict history, newest first: each keeps both values, so the one not chosen stays readable."""
    rows = session.scalars(
        select(SyncConflict).where(SyncConflict.resolved_at.is_not(None))
        .order_by(SyncConflict.resolved_at.desc()).limit(limit)
    ).all()
    return [_view(session, c) for c in rows]


def open_conflict_count(session: Session) -> int:
    return int(session.scalar(
        select(func.count()).select_from(SyncConflict).where(SyncConflict.resolved_at.is_(None))
    ) or 0)


def _set_part(row: Any, conflict: SyncConflict, part: Any) -> None:
    """Set the conflict's field on `row` to `part`: for a per-question conflict only that question (or item), so
    the laptop's other edits to the field, and another conflict on it resolved before, stay as they are."""
    whole = with_part(getattr(row, conflict.field), tuple(conflict.path), part) if conflict.path else part
    setattr(row, conflict.field, python_value(conflict.entity, conflict.field, whole))


def keep_mine(store: Store, conflict_id: str, combined: Any = None) -> None:
    """Resolve a field conflict with the laptop's value (or `combined`, a value the assessor wrote from both): a
    new local change, sent on the next sync. Per question, only that question changes, so what goes up is that
    question over the server's value there as its base."""
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
                mine = conflict.mine_at_path if conflict.path else conflict.my_value
                _set_part(row, conflict, mine if combined is None else combined)
        conflict.resolved_at = utc_now()
        if conflict.kind != ConflictKind.CONFLICT:
            conflict.resolution = "retried"
        else:
            conflict.resolution = "kept_mine" if combined is None else "combined"
            if combined is not None:
                if conflict.path:
                    conflict.mine_at_path = combined
                else:
                    conflict.my_value = combined


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
        if conflict.kind == ConflictKind.CONFLICT and conflict.path:
            _keep_their_part(session, conflict)
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


def _keep_their_part(session: Session, conflict: SyncConflict) -> None:
    """The server's value at the conflict's path, set here alone (the laptop may have edited the question again
    since); as the server's own value, it is not a local change."""
    row = session.get(SYNCABLE_MODELS[conflict.entity], conflict.record_id)
    if row is not None and value_at(getattr(row, conflict.field), conflict.path) != conflict.theirs_at_path:
        _set_part(row, conflict, conflict.theirs_at_path)
