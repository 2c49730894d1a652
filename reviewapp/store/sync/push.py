"""Settling push results: an outbox entry is deleted only when the server answered for exactly the version sent.

An entry edited while its push was in flight keeps the newer values, with the server's answer as its new base.
Each answered batch is settled in one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from reviewapp.core.dates import utc_now
from reviewapp.store.database import Store
from reviewapp.store.models import SYNCABLE_MODELS, OutboxEntry, SyncConflict, data_fields, new_id
from reviewapp.store.sync.kinds import ConflictKind
from reviewapp.store.sync.rows import outbox_entry, table_row
from reviewapp.store.sync.values import python_value
from sync.protocol import MAX_PUSH_CHANGES, PushResult


@dataclass(frozen=True)
class SentEntry:
    """An outbox entry as it was when read for a push, to tell afterwards whether it changed meanwhile."""

    seq: int
    change_id: str
    entity: str
    record_id: str
    op: str
    base_rev: int
    base: dict[str, Any]
    fields: dict[str, Any]
    updated_at: dt.datetime


def snapshot(entry: OutboxEntry) -> SentEntry:
    return SentEntry(entry.seq, entry.change_id, entry.entity, entry.record_id, entry.op, entry.base_rev,
                     dict(entry.base), dict(entry.fields), entry.updated_at)


@dataclass
class PushCounts:
    applied: int = 0
    duplicates: int = 0
    conflicts: int = 0
    rejected: int = 0
    rewind_to: int | None = None


def pending_entries(store: Store) -> list[SentEntry]:
    """Outbox entries to send: everything except a refused change nobody has touched since it was refused."""
    with store.read() as session:
        held = {
            (c.entity, c.record_id): c.entry_updated_at
            for c in session.scalars(
                select(SyncConflict).where(SyncConflict.kind == ConflictKind.REJECTED,
                                           SyncConflict.resolved_at.is_(None))
            )
        }
        entries = session.scalars(select(OutboxEntry).order_by(OutboxEntry.seq)).all()
        return [snapshot(e) for e in entries if held.get((e.entity, e.record_id), "none") != e.updated_at]


#: The resolutions of a field conflict the server records (`sync.protocol.ResolvedConflict`).
TOLD_RESOLUTIONS = ("kept_mine", "kept_theirs", "combined")


def untold_resolutions(store: Store, limit: int = MAX_PUSH_CHANGES) -> list[tuple[str, str]]:
    """Field conflicts resolved here that the server has not been told of, oldest first: (the server's conflict
    id, which the push answer gave it; the resolution). A refusal or a held learner is the laptop's own (its id
    is not the server's), and is not told."""
    with store.read() as session:
        rows = session.execute(
            select(SyncConflict.id, SyncConflict.resolution)
            .where(SyncConflict.kind == ConflictKind.CONFLICT, SyncConflict.resolved_at.is_not(None),
                   SyncConflict.server_told.is_(False), SyncConflict.resolution.in_(TOLD_RESOLUTIONS))
            .order_by(SyncConflict.resolved_at).limit(limit)
        ).all()
    return [(row.id, row.resolution) for row in rows]


def mark_told(store: Store, conflict_ids: list[str]) -> None:
    """The server answered the push that named these resolutions: not named again."""
    if not conflict_ids:
        return
    with store.apply_remote() as session:
        session.execute(update(SyncConflict).where(SyncConflict.id.in_(conflict_ids)).values(server_told=True))


def apply_push_results(store: Store, sent: list[SentEntry], results: list[PushResult]) -> PushCounts:
    """Settle one answered batch in one transaction: delete what the server took, keep what changed meanwhile."""
    counts = PushCounts()
    by_id = {r.change_id: r for r in results}
    with store.apply_remote() as session:
        for item in sent:
            result = by_id.get(item.change_id)
            if result is None:
                continue  # not answered for: stays in the outbox and is sent again
            _settle(session, item, result, counts)
    return counts


def _settle(session: Session, item: SentEntry, result: PushResult, counts: PushCounts) -> None:
    model = SYNCABLE_MODELS[item.entity]
    table = model.__table__
    entry = outbox_entry(session, item.entity, item.record_id)
    row = table_row(session, model, item.record_id)
    if result.status == "rejected":
        counts.rejected += 1
        _record_rejection(session, item, entry, result.error or "The server refused this change.")
        return
    counts.applied += result.status == "applied"
    counts.duplicates += result.status == "duplicate"
    counts.conflicts += bool(result.conflicts)
    for conflict in session.scalars(
        select(SyncConflict).where(SyncConflict.record_id == item.record_id, SyncConflict.kind == ConflictKind.REJECTED,
                                   SyncConflict.resolved_at.is_(None))
    ):
        conflict.resolved_at, conflict.resolution = utc_now(), "retried"
    server_kept = {c.field: c.server_value for c in result.conflicts}
    unchanged = entry is not None and entry.change_id == item.change_id and entry.updated_at == item.updated_at
    if row is not None and result.status == "duplicate" and row["rev"] > result.rev and item.op != "delete":
        # The server took this change earlier and has changed the record since; a page skipped that newer
        # version while this entry was pending, so pull again from before it.
        counts.rewind_to = min(counts.rewind_to or row["rev"], row["rev"] - 1)
    values: dict[str, Any] = {}
    if row is not None and result.rev > row["rev"]:
        values["rev"] = result.rev
    for conflict in result.conflicts:
        if session.get(SyncConflict, conflict.conflict_id) is not None:
            continue  # already recorded here: a `duplicate` answer names the conflicts its first answer did
        session.add(SyncConflict(
            id=conflict.conflict_id,
            kind=ConflictKind.CONFLICT, entity=item.entity, record_id=item.record_id, field=conflict.field,
            base_value=conflict.base_value, my_value=conflict.client_value, their_value=conflict.server_value,
            path=list(conflict.path), base_at_path=conflict.base_at_path, mine_at_path=conflict.client_at_path,
            theirs_at_path=conflict.server_at_path, their_by=conflict.server_changed_by or "",
            their_device=conflict.server_changed_device or "", their_at=conflict.server_changed_at,
        ))
    edited_meanwhile = {} if unchanged or entry is None else dict(entry.fields)
    for name, server_value in server_kept.items():
        if name in edited_meanwhile and edited_meanwhile[name] != item.fields.get(name):
            continue  # typed again since: the newer local value stays, to be sent with the server's as its base
        if row is not None and name in data_fields(model):
            values[name] = python_value(item.entity, name, server_value)
    if values and row is not None:
        session.execute(update(table).where(table.c.id == item.record_id).values(**values))
    if entry is None:
        return
    if unchanged:
        session.delete(entry)
        return
    # (The outbox gives an entry a new change_id whenever it changes, so a resend of newer values is never taken
    # by the server as a duplicate of what it already has.)
    # Edited while the push was in flight: keep the newer values. A field the server took has the sent value as
    # its new base; a field in conflict keeps its old base, so the newer value meets the server's as a conflict
    # again instead of silently replacing a value this laptop never saw.
    new_base = dict(entry.base) if item.op != "create" else {}
    for name in entry.fields:
        if name in item.fields and name not in server_kept:
            new_base[name] = item.fields[name]
    fields = {name: value for name, value in entry.fields.items() if new_base.get(name, object()) != value}
    if entry.op == "delete" or item.op == "delete":
        entry.change_id, entry.base_rev = new_id(), max(result.rev, entry.base_rev)
        return
    if not fields:
        session.delete(entry)
        return
    entry.op = "update"
    entry.change_id = new_id()
    entry.base_rev = result.rev
    entry.base = {name: new_base[name] for name in fields if name in new_base}
    entry.fields = fields


def _record_rejection(session: Session, item: SentEntry, entry: OutboxEntry | None, reason: str) -> None:
    existing = session.scalars(
        select(SyncConflict).where(SyncConflict.record_id == item.record_id, SyncConflict.kind == ConflictKind.REJECTED,
                                   SyncConflict.resolved_at.is_(None))
    ).first()
    held_at = entry.updated_at if entry is not None else item.updated_at
    if existing is not None:
        existing.reason, existing.entry_updated_at, existing.my_value = reason, held_at, item.fields
        return
    session.add(SyncConflict(
        kind=ConflictKind.REJECTED, entity=item.entity, record_id=item.record_id, field="", my_value=item.fields,
        reason=reason, entry_updated_at=held_at,
    ))
