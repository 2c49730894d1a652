"""Applying pulled pages: one transaction per batch of pages, the cursor stored with them, so an interrupted pull
resumes where it stopped.

Rows are read and written with Core statements on the tables in a remote-origin unit of work: they make no outbox
entries, and they bypass the ORM's immutability hook on purpose (a finalised review pulled before its signatures,
or voided in the office, is the server's word, not a local edit).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import BaseModel
from sqlalchemy import bindparam, delete, exists, insert, select, text, update
from sqlalchemy.orm import Session

from reviewapp.core.dates import utc_now
from reviewapp.store import unapplied
from reviewapp.store.database import Store
from reviewapp.store.errors import StoreError
from reviewapp.store.models import SYNCABLE_MODELS, OutboxEntry, SyncConflict, data_fields
from reviewapp.store.sync.kinds import ConflictKind
from reviewapp.store.sync.page import Page
from reviewapp.store.sync.removals import hold_learner, purge_learner, release_returned_learners, unsent_changes
from reviewapp.store.sync.resync import queue_what_the_server_lacks
from reviewapp.store.sync.rows import id_chunks, outbox_entry, select_in_chunks, table_row
from reviewapp.store.sync.state import CURSOR, RESYNC, BadServerData, get_state, set_state
from reviewapp.store.sync.values import wire_value
from sync.protocol import Change

log = logging.getLogger(__name__)


@dataclass
class PullCounts:
    applied: int = 0
    purged_learners: list[str] = field(default_factory=list)
    #: Learners who left the caseload while this laptop held unsent changes to their records: kept, not purged.
    held_learners: list[str] = field(default_factory=list)
    #: Folders of saved copies (under the data directory's reviews folder) to remove once the purge is committed.
    purged_folders: list[str] = field(default_factory=list)
    resync_queued: int = 0
    #: Records skipped in these pages (see `unapplied`): reported, never applied, the cursor moved past them.
    skipped: list[unapplied.Skipped] = field(default_factory=list)
    #: A skipped record applied at last: the cursor was moved back to where it was first met (see `unapplied`).
    rewound: bool = False


class CursorMoved(Exception):
    """The stored cursor moved (rewound) since the pages being applied were fetched; nothing was applied."""


class DanglingReferences(Exception):
    """The pages applied so far name a record the server has not sent yet (it is on a later page)."""


def _apply_upsert(session: Session, change: Change, record: BaseModel, resync: bool, counts: PullCounts) -> None:
    model = SYNCABLE_MODELS[change.entity]
    table = model.__table__
    names = data_fields(model)
    incoming = {name: getattr(record, name) for name in names}
    meta = {"rev": change.rev, "updated_at": change.updated_at or utc_now(), "updated_by": change.updated_by}
    current = table_row(session, model, change.id)
    if current is None:
        session.execute(insert(table).values(id=change.id, deleted=False, **meta, **incoming))
        return
    entry = outbox_entry(session, change.entity, change.id)
    if entry is None and resync and current["rev"] == 0:
        # A server with a new id (restored or replaced): a field the laptop holds differently goes back up with the
        # laptop's value as its base, so the server reports a conflict rather than either side silently winning.
        server_wire = record.model_dump(mode="json")
        differing = {
            name: wire_value(change.entity, name, current[name])
            for name in names
            if name != "assessor" and wire_value(change.entity, name, current[name]) != server_wire[name]
        }
        if differing and not current["deleted"]:
            now = utc_now()
            session.add(OutboxEntry(
                entity=change.entity, record_id=change.id, op="update", base_rev=change.rev,
                base=dict(differing), fields=differing,
                created_at=now, updated_at=now,
            ))
            counts.resync_queued += 1
            entry = outbox_entry(session, change.entity, change.id)
    pending = set(entry.fields) if entry is not None else set()
    values: dict[str, Any] = {name: incoming[name] for name in names if name not in pending}
    if entry is None or entry.op != "delete":
        values["deleted"] = False
    values["rev"] = change.rev
    if entry is None:
        values.update(meta)
    session.execute(update(table).where(table.c.id == change.id).values(**values))


def _apply_delete(session: Session, change: Change) -> None:
    table = SYNCABLE_MODELS[change.entity].__table__
    session.execute(
        update(table).where(table.c.id == change.id).values(
            deleted=True, rev=change.rev, updated_at=change.updated_at or utc_now(), updated_by=change.updated_by
        )
    )


def _fill_conflict_authors(session: Session, change: Change, record: BaseModel) -> None:
    """Open conflicts on this record learn who made the server's value, and when, from the change that made it."""
    open_conflicts = session.scalars(
        select(SyncConflict).where(
            SyncConflict.record_id == change.id, SyncConflict.kind == ConflictKind.CONFLICT,
            SyncConflict.resolved_at.is_(None), SyncConflict.their_by == "",
        )
    ).all()
    wire = record.model_dump(mode="json")
    for conflict in open_conflicts:
        if wire.get(conflict.field) == conflict.their_value:
            conflict.their_by = change.updated_by
            conflict.their_at = change.updated_at


def apply_pages(
    store: Store, pages: list[Page], *, allow_dangling: bool, since: int | None = None,
) -> PullCounts:
    """Apply validated pages and store the last page's cursor, all in one transaction.

    Raises `DanglingReferences` (having applied nothing) when a record names one the pages do not hold and
    `allow_dangling` is false: the caller fetches the next page and applies both together. With `since` (the
    cursor the first page was fetched from), raises `CursorMoved` (having applied nothing) if the stored cursor is
    no longer there, so a rewind made meanwhile is never overwritten.

    Records that cannot be applied are skipped with those hanging off them (`PullCounts.skipped`, see `unapplied`):
    those found unusable by `validate_page` at once; when applying the pages in bulk raises anything else, the
    whole transaction is rolled back and done again a record at a time, each in a savepoint, skipping the ones
    that raise.
    """
    try:
        return _apply_pages(store, pages, allow_dangling=allow_dangling, since=since, careful=False)
    except (CursorMoved, DanglingReferences, BadServerData, StoreError):
        raise
    except Exception as exc:
        log.warning("A pulled page could not be applied in one go (%s); applying it a record at a time.",
                    type(exc).__name__)
    return _apply_pages(store, pages, allow_dangling=allow_dangling, since=since, careful=True)


def _apply_pages(
    store: Store, pages: list[Page], *, allow_dangling: bool, since: int | None, careful: bool,
) -> PullCounts:
    counts = PullCounts()
    with store.apply_remote() as session:
        stored_cursor = int(get_state(session, CURSOR, "0") or 0)
        if since is not None and stored_cursor != since:
            raise CursorMoved
        resync = get_state(session, RESYNC) == "1"
        # Conflicts are only made when a push is settled, never by a pull, so one look tells whether any record
        # of these pages can have one waiting for its author (the per-record query was 30% of a first pull).
        authors_wanted = session.scalar(select(exists().where(
            SyncConflict.kind == ConflictKind.CONFLICT, SyncConflict.resolved_at.is_(None), SyncConflict.their_by == "",
        )))
        since_of: dict[str, int] = {}  # each record (by `unapplied.key`): the cursor its first page was pulled from
        run: list[tuple[Change, BaseModel | None]] = []
        touched: dict[str, list[str]] = {}
        back: set[str] = set()  # learners whose last word in these pages is an upsert, not a removal
        purged = False
        skipped: dict[str, unapplied.Skipped] = {}
        applied_keys: list[str] = []

        def skip(change: Change, reason: str) -> None:
            name = unapplied.key(change.entity, change.id)
            skipped[name] = unapplied.Skipped(change.entity, change.id, reason, since_of[name])

        pulled_from = stored_cursor if since is None else since
        for page, records in pages:
            for change in page.changes:
                since_of.setdefault(unapplied.key(change.entity, change.id), pulled_from)
            pulled_from = page.cursor
            for change, record in zip(page.changes, records, strict=True):
                if isinstance(record, unapplied.Unusable):
                    skip(change, record.reason)
                    continue
                if change.op == "removed":
                    back.discard(change.id)
                    _apply_run(session, run, resync, counts, skip if careful else None)
                    run = []
                    session.flush()
                    if unsent := unsent_changes(session, change.id):
                        hold_learner(session, change.id, unsent)
                        counts.held_learners.append(change.id)
                    else:
                        counts.purged_folders.append(purge_learner(session, change.id))
                        counts.purged_learners.append(change.id)
                        purged = True
                else:
                    run.append((change, record))
                    touched.setdefault(change.entity, []).append(change.id)
                    if change.entity == "learner" and change.op == "upsert":
                        back.add(change.id)
                applied_keys.append(unapplied.key(change.entity, change.id))
                counts.applied += 1
        _apply_run(session, run, resync, counts, skip if careful else None)
        release_returned_learners(session, back)
        if authors_wanted:
            for page, records in pages:
                for change, record in zip(page.changes, records, strict=True):
                    if isinstance(record, BaseModel) and unapplied.key(change.entity, change.id) not in skipped:
                        _fill_conflict_authors(session, change, record)
        session.flush()
        kept = unapplied.parse(get_state(session, unapplied.UNAPPLIED))  # skipped by earlier pulls
        if skipped or kept:
            _leave_out_dependants(session, touched, skipped, kept, since_of)
        if not counts.applied:
            dangling: list[Any] = []  # nothing applied, nothing to check: a no-change sync costs no scan
        elif purged:
            dangling = session.execute(text("PRAGMA foreign_key_check")).fetchall()
        else:
            dangling = _dangling_references(session, touched)
        if dangling:
            if not allow_dangling:
                raise DanglingReferences(str(dangling[:3]))
            raise BadServerData(
                f"the server sent records that refer to records it never sent ({dangling[0][0]} …)"
            )
        last = pages[-1][0]
        cursor = last.cursor
        counts.applied -= sum(1 for name in skipped if name in applied_keys)  # skipped while applying
        if kept or skipped:
            before = list(kept.values())
            for name in applied_keys:
                resolved = kept.pop(name, None) if name not in skipped else None
                if resolved is not None and resolved.parent == "":
                    # It applies now: what was left out with it comes again, from where the first of it was met.
                    cursor = min(cursor, resolved.since,
                                 *(item.since for item in before if item.parent == resolved.id))
            for name, item in skipped.items():
                earlier = kept.get(name)
                kept[name] = item if earlier is None else replace(item, since=min(item.since, earlier.since))
            set_state(session, unapplied.UNAPPLIED, unapplied.dump(kept))
        counts.skipped = list(skipped.values())
        counts.rewound = cursor < last.cursor
        set_state(session, CURSOR, str(cursor))
        if resync and not last.more:
            counts.resync_queued += queue_what_the_server_lacks(session)
            set_state(session, RESYNC, "")
    for item in counts.skipped:
        log.warning("sync: the pulled %s %s could not be applied and was skipped: %s", item.entity, item.id,
                    item.reason)
    return counts


def _leave_out_dependants(session: Session, touched: dict[str, list[str]], skipped: dict[str, unapplied.Skipped],
                          earlier: dict[str, unapplied.Skipped], since_of: dict[str, int]) -> None:
    """Records of these pages that name a skipped record (a skipped review's signatures), skipped here or by an
    earlier pull, are left out with it, and so on down; they go into `skipped`, so they come again when it does."""
    entity_of = {model.__table__.name: entity for entity, model in SYNCABLE_MODELS.items()}
    skipped_ids = {item.id: item for item in [*earlier.values(), *skipped.values()]}
    while True:
        found = [row for row in _dangling_references(session, touched) if row[2] in skipped_ids]
        if not found:
            return
        for table_name, record_id, parent_id in found:
            entity = entity_of[table_name]
            table = SYNCABLE_MODELS[entity].__table__
            session.execute(delete(table).where(table.c.id == record_id))
            parent = skipped_ids[parent_id]
            item = unapplied.Skipped(entity, record_id, f"left out with the {parent.entity} it belongs to",
                                     since_of.get(unapplied.key(entity, record_id), parent.since),
                                     parent.parent or parent.id)
            skipped[unapplied.key(entity, record_id)] = skipped_ids[record_id] = item
            touched[entity] = [i for i in touched.get(entity, []) if i != record_id]
        session.flush()


def _apply_run(session: Session, run: list[tuple[Change, BaseModel | None]], resync: bool, counts: PullCounts,
               skip: Callable[[Change, str], None] | None = None) -> None:
    """Apply upserts and deletes in bulk: one look-up of rows and outbox entries per entity, many-row writes.

    A first pull is almost all inserts, and applying it a row at a time (four statements a record) was 85% of its
    time. Records that need care — a pending local change, a re-pull from a new server, an id seen twice in the
    run — go through `_apply_upsert` one by one, after the bulk writes, in the server's order. With `skip` (after
    the bulk way raised), every record goes one by one in a savepoint, and one that raises is handed to `skip`.
    """
    by_entity: dict[str, list[tuple[Change, BaseModel | None]]] = {}
    one_by_one: list[tuple[Change, BaseModel | None]] = []
    copies = Counter((change.entity, change.id) for change, _ in run)
    for change, record in run:
        # Every copy of an id seen more than once goes one by one, in the server's order, so the newest is applied
        # last (a first copy in the bulk and a later one queued could otherwise land in the wrong order).
        if skip is not None or resync or copies[(change.entity, change.id)] > 1:
            one_by_one.append((change, record))
        else:
            by_entity.setdefault(change.entity, []).append((change, record))
    for entity, changes in by_entity.items():
        model = SYNCABLE_MODELS[entity]
        table = model.__table__
        ids = [change.id for change, _ in changes]
        existing = set(select_in_chunks(session, select(table.c.id), table.c.id, ids))
        pending = set(select_in_chunks(
            session, select(OutboxEntry.record_id).where(OutboxEntry.entity == entity), OutboxEntry.record_id, ids
        ))
        names = data_fields(model)
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        deletes: list[dict[str, Any]] = []
        for change, record in changes:
            meta = {"rev": change.rev, "updated_at": change.updated_at or utc_now(), "updated_by": change.updated_by}
            if change.op == "delete":
                deletes.append({"_id": change.id, "deleted": True, **meta})
            elif change.id in pending:
                one_by_one.append((change, record))
            else:
                values = {name: getattr(record, name) for name in names}
                if change.id in existing:
                    updates.append({"_id": change.id, "deleted": False, **meta, **values})
                else:
                    inserts.append({"id": change.id, "deleted": False, **meta, **values})
        if inserts:
            session.execute(insert(table), inserts)
        for rows in (updates, deletes):
            if rows:
                columns = [name for name in rows[0] if name != "_id"]
                statement = update(table).where(table.c.id == bindparam("_id"))
                session.execute(statement.values({name: bindparam(name) for name in columns}), rows)
    for change, record in one_by_one:
        if skip is None:
            _apply_one(session, change, record, resync, counts)
            continue
        try:
            with session.begin_nested():
                _apply_one(session, change, record, resync, counts)
        except StoreError:
            raise
        except Exception as exc:  # whatever it was, it is this record's alone: skip it, keep the rest
            skip(change, unapplied.error_reason(exc))


def _apply_one(session: Session, change: Change, record: BaseModel | None, resync: bool, counts: PullCounts) -> None:
    if change.op == "delete":
        _apply_delete(session, change)
    else:
        assert record is not None
        _apply_upsert(session, change, record, resync, counts)


def _dangling_references(session: Session, touched: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    """(table, record id, missing parent id) for each record written by this pull that names an absent parent.

    The store was whole when the transaction began and a pull changes only the rows it names, so checking those
    rows' references is the whole check — `PRAGMA foreign_key_check` scans every table, ~1 s a page at 5,000
    learners.
    """
    dangling: list[tuple[str, str, str]] = []
    for entity, ids in touched.items():
        table = SYNCABLE_MODELS[entity].__table__
        for foreign_key in table.foreign_keys:
            column = foreign_key.parent
            parents = foreign_key.column.table.alias()  # an alias, so a self-reference is not correlated away
            query = select(table.c.id, column).where(
                column.is_not(None), ~exists().where(parents.c[foreign_key.column.name] == column)
            )
            for chunk in id_chunks(ids):
                rows = session.execute(query.where(table.c.id.in_(chunk)))
                dangling.extend((table.name, row[0], row[1]) for row in rows)
    return dangling
