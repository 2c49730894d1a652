"""The outbox: every local change to a synced record, recorded in the same transaction as the change.

The recording happens in a `before_flush` hook on every session, not in each caller, so no write path can forget
it: a change flushed by a session that is not a store unit of work is refused outright (`BypassedOutboxError`),
and so is bulk SQL on a synced table outside a remote/seed unit of work.

Entries coalesce: one pending entry per record, holding for each changed field its value when first changed since
the last sync (`base`) and its latest value (`fields`), so typing a long answer makes one change, not hundreds.
The same hook enforces that finalised reviews and their signatures never change.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session

from reviewapp.core.dates import utc_now
from reviewapp.store.errors import BypassedOutboxError, ImmutableRecordError, StoreError
from reviewapp.store.models import (
    AlertDismissal,
    CaseStatus,
    Delivery,
    OutboxEntry,
    PortalNote,
    Review,
    ReviewSample,
    Signature,
    Syncable,
    data_fields,
    new_id,
)

LOCAL = "local"
REMOTE = "remote"
READ_ONLY = "read-only"

_SYNCED_TABLES = frozenset(
    m.__tablename__ for m in Syncable.__subclasses__()  # type: ignore[attr-defined]
)



class StoreSession(Session):
    """The session class of a `Store`'s units of work: the only sessions the outbox's hooks watch.

    The hooks used to listen on every SQLAlchemy `Session` in the process, so the office server embedded in the
    demo (its own models, tables of the same names) ran them on each flush and had its bulk writes refused.
    """


def to_wire(value: Any) -> Any:
    """A column value as JSON the sync protocol carries (dates as ISO text)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _changed_fields(obj: Syncable) -> dict[str, tuple[Any, Any]]:
    state = inspect(obj)
    changes: dict[str, tuple[Any, Any]] = {}
    for name in (*data_fields(type(obj)), "deleted"):
        hist = state.attrs[name].history
        if not hist.added:
            continue
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0]
        if old != new:
            changes[name] = (old, new)
    return changes


def _committed_status(review: Review) -> str | None:
    hist = inspect(review).attrs["status"].history
    if hist.deleted:
        return hist.deleted[0]
    return review.status if not hist.added else None


def _review_of(session: Session, signature: Signature) -> Review | None:
    return session.get(Review, signature.review_id) if signature.review_id else None


#: Statuses after which a review and its signatures are append-only (a voided review was signed once).
_CLOSED = ("finalised", "void")
#: The only change a finalised review takes: voiding it, with a reason (neither is covered by its content hash).
_VOIDING_FIELDS = frozenset({"status", "void_reason"})


def _is_voiding(review: Review, changes: dict[str, tuple[Any, Any]]) -> bool:
    return set(changes) <= _VOIDING_FIELDS and review.status == "void" and bool((review.void_reason or "").strip())


def _check_immutable(session: Session, obj: Syncable, changes: dict[str, tuple[Any, Any]], is_new: bool) -> None:
    """Local changes only: the server enforces append-only for what it sends, and may void a finalised review."""
    if isinstance(obj, ReviewSample):
        raise StoreError("A quality sample comes from the office and cannot be changed on a laptop.",
                         "Ask the quality lead who sampled the review: a second look is a new sample.")
    if isinstance(obj, AlertDismissal) and not is_new:
        raise StoreError("An alert's dismissal is kept as it was made and cannot be changed.",
                         "The alert stays dismissed; its next occurrence alerts again.")
    if isinstance(obj, Delivery) and not is_new and changes:
        raise StoreError("A copy handed over is a record of what happened and cannot be changed.",
                         "Print or save the copy again: that is a second delivery.")
    if isinstance(obj, CaseStatus):
        raise StoreError("A case's state comes from the office and cannot be changed on a laptop.",
                         "Those who work the case record on it in the office web app.")
    if isinstance(obj, PortalNote):
        raise StoreError("What a learner or employer wrote in the portal cannot be changed on a laptop.",
                         "It is theirs: talk it through at the review instead.")
    status = _committed_status(obj) if isinstance(obj, Review) and not is_new and changes else None
    if status in _CLOSED and not (status == "finalised" and _is_voiding(obj, changes)):
        raise ImmutableRecordError("This review")
    if isinstance(obj, Signature):
        if "review_id" in changes:
            raise ImmutableRecordError("A signature cannot move to another review; this signature")
        review = _review_of(session, obj)
        if review is not None and _committed_status(review) in _CLOSED and (is_new or changes):
            raise ImmutableRecordError("This signature")


def _record(session: Session, obj: Syncable, op: str, changes: dict[str, tuple[Any, Any]]) -> None:
    entry = session.execute(
        select(OutboxEntry).where(OutboxEntry.entity == obj.entity, OutboxEntry.record_id == obj.id)
    ).scalar_one_or_none()
    now = utc_now()
    if entry is None:
        if op == "create":
            fields = {name: to_wire(getattr(obj, name)) for name in data_fields(type(obj))}
            base: dict[str, Any] = {}
        else:
            fields = {k: to_wire(new) for k, (_old, new) in changes.items() if k != "deleted"}
            base = {k: to_wire(old) for k, (old, _new) in changes.items() if k != "deleted"}
        session.add(
            OutboxEntry(
                entity=obj.entity, record_id=obj.id, op=op, base_rev=obj.rev, base=base, fields=fields,
                created_at=now, updated_at=now,
            )
        )
        return
    if op == "delete" and entry.op == "create":
        # The server never knew this record: forgetting the pending creation is the whole deletion.
        session.delete(entry)
        return
    fields = dict(entry.fields)
    base = dict(entry.base)
    for name, (old, new) in changes.items():
        if name == "deleted":
            continue
        if entry.op != "create" and name not in base:
            base[name] = to_wire(old)
        fields[name] = to_wire(new)
    if entry.op != "create":
        # A field typed back to where it started is no change at all.
        for name in [n for n in fields if n in base and fields[n] == base[n]]:
            del fields[name]
            del base[name]
    new_op = "delete" if op == "delete" else entry.op
    if new_op == "update" and not fields:
        session.delete(entry)
        return
    entry.op = new_op
    entry.fields = fields
    entry.base = base
    entry.updated_at = now
    # A new id for the changed entry: if the old one reached the server (its answer lost, or a push in flight),
    # the server would take a resend under the old id as a harmless duplicate and this newer edit would vanish.
    entry.change_id = new_id()


@event.listens_for(StoreSession, "before_flush")
def _before_flush(session: Session, _flush_context: Any, _instances: Any) -> None:
    origin = session.info.get("origin")
    touched = [o for o in (*session.new, *session.dirty, *session.deleted) if isinstance(o, Syncable)]
    if not touched:
        return
    if origin == READ_ONLY:
        raise BypassedOutboxError("A read-only unit of work tried to change a record.")
    if origin not in (LOCAL, REMOTE):
        raise BypassedOutboxError(
            "A synced record was changed outside the store's API (Store.write), so it would never reach the server."
        )
    for obj in session.deleted:
        if isinstance(obj, Syncable) and origin == LOCAL:
            raise BypassedOutboxError(
                "Synced records are never deleted outright: set `deleted = True` so the deletion syncs."
            )
    session.connection().info[FLUSHING_KEY] = True
    user = session.info.get("user", "")
    new_objects = {id(o) for o in session.new}
    for obj in [o for o in session.new if isinstance(o, Syncable)]:
        if origin == LOCAL:
            _check_immutable(session, obj, {}, is_new=True)
            obj.id = obj.id or new_id()
            obj.updated_at, obj.updated_by = utc_now(), user
            _record(session, obj, "create", {})
    for obj in [o for o in session.dirty if isinstance(o, Syncable) and id(o) not in new_objects]:
        changes = _changed_fields(obj)
        if not changes:
            continue
        if origin == LOCAL:
            _check_immutable(session, obj, changes, is_new=False)
            was_deleted = changes["deleted"][0] if "deleted" in changes else obj.deleted
            if was_deleted:
                raise BypassedOutboxError(
                    "A deleted record cannot be changed or restored on the laptop; make a new record instead."
                )
            obj.updated_at, obj.updated_by = utc_now(), user
            op = "delete" if changes.get("deleted", (False, False))[1] else "update"
            _record(session, obj, op, changes)


#: Keys in a pooled connection's `info`: whose unit of work holds it, and whether the ORM is flushing on it.
ORIGIN_KEY = "reviewapp_origin"
FLUSHING_KEY = "reviewapp_flushing"
MIGRATION = "migration"

_WRITE_SQL = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+"?(\w+)', re.I
)


@event.listens_for(StoreSession, "after_begin")
def _mark_connection(session: Session, _transaction: Any, connection: Any) -> None:
    connection.info[ORIGIN_KEY] = session.info.get("origin")


@event.listens_for(StoreSession, "after_flush_postexec")
def _flush_done(session: Session, _flush_context: Any) -> None:
    session.connection().info[FLUSHING_KEY] = False


def guard_engine(engine: Any) -> None:
    """Refuse, at the lowest level, SQL that writes a synced table outside an ORM flush (which records the
    outbox) or a remote/migration unit of work: raw `text()` updates, Core statements, bulk mappings."""

    @event.listens_for(engine, "before_cursor_execute")
    def _guard(conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool) -> None:
        head = statement.lstrip()[:7].upper()
        if not head.startswith(("INSERT", "UPDATE", "DELETE", "REPLACE")):
            return
        origin = conn.info.get(ORIGIN_KEY)
        if origin in (REMOTE, MIGRATION) or (origin == LOCAL and conn.info.get(FLUSHING_KEY)):
            return
        match = _WRITE_SQL.match(statement)
        table = match.group(1).lower() if match else ""
        if table in _SYNCED_TABLES:
            raise BypassedOutboxError(
                f"SQL writing {table} outside the store's API would bypass the outbox: use Store.write()."
            )

    @event.listens_for(engine, "checkin")
    def _forget(_dbapi_conn: Any, record: Any) -> None:
        record.info.pop(ORIGIN_KEY, None)
        record.info.pop(FLUSHING_KEY, None)


@event.listens_for(StoreSession, "do_orm_execute")
def _guard_bulk_dml(state: ORMExecuteState) -> None:
    """Refuse bulk INSERT/UPDATE/DELETE on synced tables except when applying the server's data or seeding."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    if state.session.info.get("origin") == REMOTE:
        return
    table = getattr(state.statement, "table", None)
    if table is not None and table.name in _SYNCED_TABLES:
        raise BypassedOutboxError(
            f"Bulk {'insert' if state.is_insert else 'update' if state.is_update else 'delete'} on {table.name} "
            "would bypass the outbox: change records one by one through Store.write()."
        )
