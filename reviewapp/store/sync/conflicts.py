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
from reviewapp.store.models import (
    SYNCABLE_MODELS,
    Employer,
    Learner,
    OutboxEntry,
    Review,
    Signature,
    SyncConflict,
    new_id,
)
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
    """An open field conflict shows as "mine" the laptop's newest value there: where the assessor typed the
    question again since, that edit, which is what keep mine keeps and keep theirs drops."""
    my_value, mine_at_path = c.my_value, c.mine_at_path
    newer = _newer_local(session, c) if c.kind == ConflictKind.CONFLICT and c.resolved_at is None else None
    if newer is not None:
        if c.path:
            mine_at_path = newer[1]
        else:
            my_value = newer[1]
    return ConflictView(
        c.id, c.kind, c.entity, c.record_id, _label(session, c.entity, c.record_id), c.field, my_value,
        c.their_value, c.their_by, c.their_at, c.reason, tuple(c.path or ()), c.base_at_path, mine_at_path,
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


def _path(conflict: SyncConflict) -> tuple[str, ...]:
    return tuple(conflict.path or ())


def _theirs(conflict: SyncConflict) -> Any:
    return conflict.theirs_at_path if conflict.path else conflict.their_value


def _record_mine(conflict: SyncConflict, value: Any) -> None:
    """The laptop's side of the conflict as it stands at resolution, so the history shows what was kept or left."""
    if conflict.path:
        conflict.mine_at_path = value
    else:
        conflict.my_value = value


def _newer_local(session: Session, conflict: SyncConflict) -> tuple[OutboxEntry, Any] | None:
    """The record's pending outbox entry and the value in it at the conflict's path, when this laptop changed the
    question again after the conflict arose (the entry's value there differs from its base): the assessor's
    newest word, which the conflict's own "mine" (the value that met theirs) predates."""
    entry = outbox_entry(session, conflict.entity, conflict.record_id)
    if entry is None or entry.op != "update" or conflict.field not in entry.fields:
        return None
    path = _path(conflict)
    value = value_at(entry.fields[conflict.field], path)
    if value == value_at(entry.base.get(conflict.field), path):
        return None
    return entry, value


def _rebase_on_theirs(entry: OutboxEntry, conflict: SyncConflict, value: Any) -> None:
    """The entry's base at the conflict's path becomes the server's value (what the assessor chose against or
    for), and its value there `value`: the push then changes that question from theirs, as the merge expects."""
    path, theirs = _path(conflict), _theirs(conflict)
    fields, base = dict(entry.fields), dict(entry.base)
    base[conflict.field] = with_part(base.get(conflict.field), path, theirs)
    fields[conflict.field] = with_part(fields[conflict.field], path, value)
    if fields[conflict.field] == base[conflict.field]:
        del fields[conflict.field], base[conflict.field]
    entry.fields, entry.base = fields, base
    # A new id for the changed entry, as the outbox gives one (reviewapp.store.outbox._record): a resend under the
    # old id would be taken as a duplicate of what the server may already have.
    entry.change_id, entry.updated_at = new_id(), utc_now()


def keep_mine(store: Store, conflict_id: str, combined: Any = None) -> None:
    """Resolve a field conflict with the laptop's value (or `combined`, a value the assessor wrote from both): a
    new local change, sent on the next sync. Per question, only that question changes, so what goes up is that
    question over the server's value there as its base.

    The laptop's value is its newest: where the assessor typed the question again after the conflict arose, that
    edit is kept (not put back to the value that met theirs), and recorded as the conflict's "mine"."""
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
                newer = _newer_local(session, conflict)
                mine = conflict.mine_at_path if conflict.path else conflict.my_value
                value = combined if combined is not None else newer[1] if newer is not None else mine
                _set_part(row, conflict, value)
                session.flush()  # the outbox entry as the change makes it, based on what the row held
                entry = outbox_entry(session, conflict.entity, conflict.record_id)
                if entry is not None and entry.op == "update" and conflict.field in entry.fields:
                    _rebase_on_theirs(entry, conflict, value)
                    if not entry.fields:
                        session.delete(entry)
                _record_mine(conflict, value)
        conflict.resolved_at = utc_now()
        if conflict.kind != ConflictKind.CONFLICT:
            conflict.resolution = "retried"
        else:
            conflict.resolution = "kept_mine" if combined is None else "combined"


def keep_theirs(store: Store, conflict_id: str) -> list[str]:
    """Resolve with the server's value. For a field conflict the laptop already shows it, unless the assessor typed
    the question again since; for a refused change the local change is dropped and the record pulled again from
    the server.

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
        if conflict.kind == ConflictKind.CONFLICT:
            rewind = _keep_their_part(session, conflict)
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


def _keep_their_part(session: Session, conflict: SyncConflict) -> int | None:
    """Keep theirs means the server's value wins at the conflict's path, over the newer local edit too.

    With no local change there since the conflict, the laptop shows the server's value already (the push answer
    set it, or a later pull a newer one): nothing to do, and nothing to send. When the assessor typed the question
    again after the conflict, that pending edit is dropped from the outbox entry (rebased: its base and value at
    the path become theirs, so the push leaves the question as the server holds it, and the entry's other changes
    still go), the row shows theirs there, and the dropped edit is kept as the conflict's "mine", readable in the
    history. Applied as the server's own value, it is no local change.

    Returns a cursor to pull again from when the entry went whole: while it waited, pulls left this record's
    field as the laptop had it, so without a push to bring it back the server's other changes to it would be
    missed."""
    newer = _newer_local(session, conflict)
    if newer is None:
        return None
    entry, dropped = newer
    row = session.get(SYNCABLE_MODELS[conflict.entity], conflict.record_id)
    _rebase_on_theirs(entry, conflict, _theirs(conflict))
    _record_mine(conflict, dropped)
    if row is not None:
        _set_part(row, conflict, _theirs(conflict))
    if entry.fields:
        return None
    session.delete(entry)
    return row.rev - 1 if row is not None and row.rev else None
