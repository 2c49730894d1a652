"""Applying what the server says to the local store: pulled pages, push results, removals and conflicts.

Why a module of its own: every step here must be atomic and must never lose a local edit. A pulled page is applied
together with the new cursor in ONE transaction (`apply_pages`), so an interrupted pull resumes where it stopped.
Push results are applied per batch in one transaction (`apply_push_results`), and an outbox entry is deleted only
when the server answered for exactly the version that was sent: an entry edited while its push was in flight keeps
the newer values, with the server's answer as its new base.

Rows are read and written with Core statements on the tables in a remote-origin unit of work: they make no outbox
entries, and they bypass the ORM's immutability hook on purpose (a finalised review pulled before its signatures,
or voided in the office, is the server's word, not a local edit).
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy import bindparam, delete, exists, func, insert, select, text, update
from sqlalchemy.orm import Session

from reviewapp.core.dates import utc_now
from reviewapp.core.file_names import REVIEWS_FOLDER, learner_folder_name
from reviewapp.store import unapplied
from reviewapp.store.database import Store
from reviewapp.store.errors import StoreError
from reviewapp.store.models import (
    SYNCABLE_MODELS,
    AlertDismissal,
    CaseStatus,
    Concern,
    Delivery,
    Employer,
    Learner,
    OtjEntry,
    OutboxEntry,
    PlanItem,
    PortalNote,
    Review,
    ReviewSample,
    SavedCopy,
    Signature,
    SyncConflict,
    SyncState,
    Target,
    data_fields,
    new_id,
)
from reviewapp.store.outbox import to_wire
from sync.protocol import ENTITY_MODELS, OFFICE_ONLY_ENTITIES, Change, PullResponse, PushResult

log = logging.getLogger(__name__)

# --- sync state ------------------------------------------------------------------------------------------------

CURSOR = "cursor"
SERVER_ID = "server_id"
LAST_SYNC = "last_sync"
#: "1" while re-pulling everything from a server with a new id: rows at rev 0 are not yet known to be there.
RESYNC = "resync"
DEVICE_ID = "device_id"
TOKEN_EXPIRES = "token_expires_at"


def get_state(session: Session, key: str, default: str = "") -> str:
    row = session.get(SyncState, key)
    return row.value if row is not None else default


def set_state(session: Session, key: str, value: str) -> None:
    row = session.get(SyncState, key)
    if row is None:
        session.add(SyncState(key=key, value=value))
    else:
        row.value = value


def read_state(store: Store) -> dict[str, str]:
    with store.read() as session:
        return {row.key: row.value for row in session.scalars(select(SyncState))}


class BadServerData(Exception):
    """The server sent something that does not fit the protocol; nothing of it was applied."""


# --- values ---------------------------------------------------------------------------------------------------


@cache
def _adapter(entity: str, name: str) -> TypeAdapter[Any]:
    return TypeAdapter(ENTITY_MODELS[entity].model_fields[name].annotation)


def python_value(entity: str, name: str, wire_value: Any) -> Any:
    """A field's wire (JSON) value as the column holds it (dates as `date`, instants as aware `datetime`)."""
    return _adapter(entity, name).validate_python(wire_value)


def wire_value(entity: str, name: str, value: Any) -> Any:
    """A field's value in the canonical JSON form the server stores, for comparing like with like."""
    try:
        return _adapter(entity, name).dump_python(_adapter(entity, name).validate_python(value), mode="json")
    except ValidationError:
        return to_wire(value)


class _PageEnvelope(BaseModel):
    """A pull page with its changes not yet looked at, so that one bad change cannot fail the whole page."""

    model_config = {"extra": "forbid"}
    server_id: str
    protocol_version: int = 1
    changes: list[Any]
    cursor: int
    more: bool


#: A validated page: the page, and for each change its record (None for deletes and removals, `Unusable` for one
#: that cannot be applied).
Record = BaseModel | unapplied.Unusable | None
Page = tuple[PullResponse, list[Record]]


def validate_page(body: Any, *, parsed_leniently: bool = True) -> Page:
    """Check a pull page against the protocol, record by record, before anything of it touches the store.

    The page itself (server id, cursor) must fit, or nothing of it is used (`BadServerData`). A change that does not
    fit, or a record no column here could hold, is kept as `Unusable` in its place: it is reported and skipped, and
    the others are applied (see `unapplied`). `parsed_leniently=False` says the page was parsed by pydantic-core,
    which refuses text that is not Unicode, so the free-form fields need no second look.
    """
    try:
        envelope = _PageEnvelope.model_validate(body)
    except ValidationError as error:
        raise BadServerData(f"a pull page did not match the protocol: {unapplied.validation_reason(error)}") from None
    changes: list[Change] = []
    records: list[Record] = []
    for raw in envelope.changes:
        change, record = _validate_change(raw, parsed_leniently)
        changes.append(change)
        records.append(record)
    page = PullResponse.model_construct(server_id=envelope.server_id, protocol_version=envelope.protocol_version,
                                        changes=changes, cursor=envelope.cursor, more=envelope.more)
    return page, records


def _validate_change(raw: Any, parsed_leniently: bool) -> tuple[Change, Record]:
    try:
        change = Change.model_validate(raw)
    except ValidationError as error:
        found = raw if isinstance(raw, dict) else {}
        stand_in = Change.model_construct(entity=str(found.get("entity", "record"))[:40],
                                          id=str(found.get("id", "?"))[:40], rev=0, op="upsert", data=None)
        return stand_in, unapplied.Unusable(unapplied.validation_reason(error))
    if len(change.id) > 36 or not change.id:
        return change.model_copy(update={"id": change.id[:40]}), unapplied.Unusable("an id ReviewApp cannot use")
    if not unapplied.INT_MIN <= change.rev <= unapplied.INT_MAX:
        return change, unapplied.Unusable("a revision number too large to store")
    if change.op != "upsert":
        if change.op == "removed" and change.entity != "learner":
            return change, unapplied.Unusable("a 'removed' change, which only learners can be")
        return change, None
    if change.data is None:
        return change, unapplied.Unusable("it came without its fields")
    try:
        record = ENTITY_MODELS[change.entity].model_validate(change.data)
    except ValidationError as error:
        return change, unapplied.Unusable(unapplied.validation_reason(error))
    problem = unapplied.unstorable(record, change.rev, free_form=parsed_leniently)
    return change, unapplied.Unusable(problem) if problem else record


# --- pull ---------------------------------------------------------------------------------------------------


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


def _row(session: Session, model: Any, record_id: str) -> Any:
    return session.execute(select(model.__table__).where(model.__table__.c.id == record_id)).mappings().first()


def _entry(session: Session, entity: str, record_id: str) -> OutboxEntry | None:
    return session.execute(
        select(OutboxEntry).where(OutboxEntry.entity == entity, OutboxEntry.record_id == record_id)
    ).scalar_one_or_none()


def _apply_upsert(session: Session, change: Change, record: BaseModel, resync: bool, counts: PullCounts) -> None:
    model = SYNCABLE_MODELS[change.entity]
    table = model.__table__
    names = data_fields(model)
    incoming = {name: getattr(record, name) for name in names}
    meta = {"rev": change.rev, "updated_at": change.updated_at or utc_now(), "updated_by": change.updated_by}
    current = _row(session, model, change.id)
    if current is None:
        session.execute(insert(table).values(id=change.id, deleted=False, **meta, **incoming))
        return
    entry = _entry(session, change.entity, change.id)
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
            entry = _entry(session, change.entity, change.id)
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


def _learner_record_ids(session: Session, learner_id: str) -> set[str]:
    """The ids of a learner and of every record that hangs off them (reviews, their signatures, targets …)."""
    record_ids: set[str] = {learner_id}
    signatures = Signature.__table__
    signed = select(signatures.c.id).where(signatures.c.review_id.in_(_reviews_of(learner_id)))
    record_ids.update(session.scalars(signed))
    for model in (Target, PlanItem, OtjEntry, ReviewSample, AlertDismissal, Delivery, Concern, CaseStatus, PortalNote,
                  Review):
        table = model.__table__
        record_ids.update(session.scalars(select(table.c.id).where(table.c.learner_id == learner_id)))
    return record_ids


def _reviews_of(learner_id: str) -> Any:
    return select(Review.__table__.c.id).where(Review.__table__.c.learner_id == learner_id)


def _chunks(ids: list[str], size: int = 500) -> Iterator[list[str]]:
    """`ids` in slices that stay inside SQLite's limit on bound parameters."""
    return (ids[start : start + size] for start in range(0, len(ids), size))


def _unsent_changes(session: Session, learner_id: str) -> int:
    """How many of the laptop's changes to this learner's records have not reached the server."""
    ids = list(_learner_record_ids(session, learner_id))
    return len(_in_chunks(session, select(OutboxEntry.seq), OutboxEntry.record_id, ids))


def _hold_learner(session: Session, learner_id: str, unsent: int) -> None:
    """A learner left the caseload, but work done here for them never reached the server: keep it and say so.

    Purging would destroy it silently (the server refuses it, the learner being no longer the assessor's). The
    assessor decides in the conflicts dialog: discard it (Keep theirs: the learner is then removed from this
    laptop) or, once an admin has assigned the learner back, send it (Keep mine).
    """
    if _open_removal(session, learner_id) is not None:
        return
    learner = session.get(Learner, learner_id)
    name = learner.full_name if learner is not None else "This learner"
    session.add(SyncConflict(
        kind="removed", entity="learner", record_id=learner_id, field="",
        my_value=unsent,
        reason=f"{name} has left your caseload on the server, but changes made on this laptop to their records "
               "never reached it. They are kept here: ask an admin to assign the learner back to you and choose "
               "Keep mine to send them, or choose Keep theirs to discard them and remove the learner from this "
               "laptop.",
    ))


def _open_removal(session: Session, learner_id: str) -> SyncConflict | None:
    return session.scalars(select(SyncConflict).where(
        SyncConflict.kind == "removed", SyncConflict.record_id == learner_id, SyncConflict.resolved_at.is_(None)
    )).first()


def _release_returned_learners(session: Session, back: set[str]) -> None:
    """Held learners the server sent again (assigned back): held no longer, their refused changes go up again.

    A held learner is never purged here, even once nothing of theirs waits: the assessor's Keep mine may have just
    sent it to a server that has assigned the learner back, whose pages are still to come. Only the assessor's
    Keep theirs removes a held learner.
    """
    held = session.scalars(
        select(SyncConflict).where(SyncConflict.kind == "removed", SyncConflict.resolved_at.is_(None))
    ).all()
    for removal in held:
        if removal.record_id in back:
            removal.resolved_at, removal.resolution = utc_now(), "retried"
            _retry_refused(session, removal.record_id)


def _retry_refused(session: Session, learner_id: str) -> None:
    """Refused changes to a learner's records go up again on the next sync (they were refused as out of scope)."""
    for chunk in _chunks(list(_learner_record_ids(session, learner_id))):
        session.execute(
            update(SyncConflict).where(
                SyncConflict.kind == "rejected", SyncConflict.resolved_at.is_(None), SyncConflict.record_id.in_(chunk),
            ).values(resolved_at=utc_now(), resolution="retried")
        )


def _discard_held_learner(session: Session, learner_id: str) -> str:
    """The assessor chose to drop the unsent work of a learner who left the caseload: remove it all."""
    for chunk in _chunks(list(_learner_record_ids(session, learner_id))):
        session.execute(delete(OutboxEntry.__table__).where(OutboxEntry.__table__.c.record_id.in_(chunk)))
    session.flush()
    return purge_learner(session, learner_id)


def purge_learner(session: Session, learner_id: str) -> str:
    """Remove a learner and everything of theirs from the laptop (privacy): records, saved copies, pending changes,
    conflicts.

    Returns the name of the learner's folder of plain saved copies (older versions), for the caller to remove once
    this is committed.
    """
    record_ids = _learner_record_ids(session, learner_id)
    folder = next(iter(learner_folder_names(session, learner_id)), "")
    signatures = Signature.__table__
    session.execute(delete(signatures).where(signatures.c.review_id.in_(_reviews_of(learner_id))))
    # Saved copies: the PDFs handed out; deliveries: the copies handed over.
    for model in (SavedCopy, Target, PlanItem, OtjEntry, ReviewSample, AlertDismissal, Delivery, Review):
        table = model.__table__
        session.execute(delete(table).where(table.c.learner_id == learner_id))
    employer_id = session.scalar(select(Learner.__table__.c.employer_id).where(Learner.__table__.c.id == learner_id))
    session.execute(delete(Learner.__table__).where(Learner.__table__.c.id == learner_id))
    for chunk in _chunks(list(record_ids)):
        session.execute(delete(OutboxEntry.__table__).where(OutboxEntry.__table__.c.record_id.in_(chunk)))
        session.execute(delete(SyncConflict.__table__).where(SyncConflict.__table__.c.record_id.in_(chunk)))
    if employer_id is not None:
        _purge_orphan_employer(session, employer_id)
    return folder


def _purge_orphan_employer(session: Session, employer_id: str) -> None:
    """An employer no learner on the laptop works for any longer is the server's business, not the laptop's."""
    learners = Learner.__table__
    still_used = session.scalar(select(func.count()).select_from(learners).where(learners.c.employer_id == employer_id))
    pending = _entry(session, "employer", employer_id)
    if not still_used and pending is None:
        session.execute(delete(Employer.__table__).where(Employer.__table__.c.id == employer_id))
        session.execute(delete(SyncConflict.__table__).where(SyncConflict.__table__.c.record_id == employer_id))


def _fill_conflict_authors(session: Session, change: Change, record: BaseModel) -> None:
    """Open conflicts on this record learn who made the server's value, and when, from the change that made it."""
    open_conflicts = session.scalars(
        select(SyncConflict).where(
            SyncConflict.record_id == change.id, SyncConflict.kind == "conflict",
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
            SyncConflict.kind == "conflict", SyncConflict.resolved_at.is_(None), SyncConflict.their_by == "",
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
                    if unsent := _unsent_changes(session, change.id):
                        _hold_learner(session, change.id, unsent)
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
        _release_returned_learners(session, back)
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
            counts.resync_queued += _queue_what_the_server_lacks(session)
            set_state(session, RESYNC, "")
    for item in counts.skipped:
        log.warning("sync: the pulled %s %s could not be applied and was skipped: %s", item.entity, item.id,
                    item.reason)
    remove_saved_copies(store, counts.purged_folders)
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


def remove_saved_copies(store: Store, folder_names: list[str]) -> None:
    """Delete the saved PDF copies of learners no longer on this laptop (after the purge is committed)."""
    for name in folder_names:
        if name:
            shutil.rmtree(store.path.parent / REVIEWS_FOLDER / name, ignore_errors=True)


def learner_folder_names(session: Session, learner_id: str | None = None) -> list[str]:
    """The saved-copies folder of one learner, or of every learner on this laptop (removed with them)."""
    learners = Learner.__table__
    query = select(learners.c.first_name, learners.c.last_name, learners.c.uln)
    if learner_id is not None:
        query = query.where(learners.c.id == learner_id)
    return [learner_folder_name(f"{first} {last}", uln) for first, last, uln in session.execute(query)]


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
        existing = set(_in_chunks(session, select(table.c.id), table.c.id, ids))
        pending = set(_in_chunks(
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


def _in_chunks(session: Session, query: Any, column: Any, ids: list[str], size: int = 500) -> list[Any]:
    """`query` filtered by `column IN ids`, in chunks that stay inside SQLite's limit on bound parameters."""
    found: list[Any] = []
    for chunk in _chunks(ids, size):
        found.extend(session.scalars(query.where(column.in_(chunk))))
    return found


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
            for chunk in _chunks(ids):
                rows = session.execute(query.where(table.c.id.in_(chunk)))
                dangling.extend((table.name, row[0], row[1]) for row in rows)
    return dangling


def _queue_what_the_server_lacks(session: Session) -> int:
    """After a full re-pull from a new server: every live record it did not send goes back up as a creation."""
    queued = 0
    for entity, model in SYNCABLE_MODELS.items():
        table = model.__table__
        if entity in OFFICE_ONLY_ENTITIES:  # the office's record, not on this server: not the laptop's to send
            session.execute(delete(table).where(table.c.rev == 0))
            continue
        rows = session.execute(select(table).where(table.c.rev == 0, table.c.deleted.is_(False))).mappings().all()
        for row in rows:
            fields = {name: wire_value(entity, name, row[name]) for name in data_fields(model)}
            entry = _entry(session, entity, row["id"])
            now = utc_now()
            if entry is None:
                session.add(OutboxEntry(entity=entity, record_id=row["id"], op="create", base_rev=0, base={},
                                        fields=fields, created_at=now, updated_at=now))
            elif entry.op != "create":
                entry.op, entry.fields, entry.base, entry.base_rev = "create", fields, {}, 0
                entry.change_id, entry.updated_at = new_id(), now
            else:
                continue
            queued += 1
    session.execute(
        update(SyncConflict).where(SyncConflict.kind == "rejected", SyncConflict.resolved_at.is_(None))
        .values(resolved_at=utc_now(), resolution="retried")
    )
    return queued


def start_resync(store: Store, server_id: str) -> None:
    """A server with a new id: forget the cursor and what the old server had, then re-pull from 0."""
    with store.apply_remote() as session:
        for model in SYNCABLE_MODELS.values():
            session.execute(update(model.__table__).values(rev=0))
        set_state(session, SERVER_ID, server_id)
        set_state(session, CURSOR, "0")
        set_state(session, RESYNC, "1")


# --- push -----------------------------------------------------------------------------------------------------


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
                select(SyncConflict).where(SyncConflict.kind == "rejected", SyncConflict.resolved_at.is_(None))
            )
        }
        entries = session.scalars(select(OutboxEntry).order_by(OutboxEntry.seq)).all()
        return [snapshot(e) for e in entries if held.get((e.entity, e.record_id), "none") != e.updated_at]


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
    entry = _entry(session, item.entity, item.record_id)
    row = _row(session, model, item.record_id)
    if result.status == "rejected":
        counts.rejected += 1
        _record_rejection(session, item, entry, result.error or "The server refused this change.")
        return
    counts.applied += result.status == "applied"
    counts.duplicates += result.status == "duplicate"
    counts.conflicts += bool(result.conflicts)
    for conflict in session.scalars(
        select(SyncConflict).where(SyncConflict.record_id == item.record_id, SyncConflict.kind == "rejected",
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
            kind="conflict", entity=item.entity, record_id=item.record_id, field=conflict.field,
            base_value=conflict.base_value, my_value=conflict.client_value, their_value=conflict.server_value,
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
        select(SyncConflict).where(SyncConflict.record_id == item.record_id, SyncConflict.kind == "rejected",
                                   SyncConflict.resolved_at.is_(None))
    ).first()
    held_at = entry.updated_at if entry is not None else item.updated_at
    if existing is not None:
        existing.reason, existing.entry_updated_at, existing.my_value = reason, held_at, item.fields
        return
    session.add(SyncConflict(
        kind="rejected", entity=item.entity, record_id=item.record_id, field="", my_value=item.fields,
        reason=reason, entry_updated_at=held_at,
    ))


def rewind_cursor(store: Store, to: int) -> None:
    with store.apply_remote() as session:
        current = int(get_state(session, CURSOR, "0") or 0)
        if to < current:
            set_state(session, CURSOR, str(max(0, to)))


# --- conflicts, for the UI and the headless command --------------------------------------------------------------


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
        if conflict.kind == "removed":
            _retry_refused(session, conflict.record_id)  # stays open until the server sends the learner again
            return
        if conflict.kind == "conflict":
            row = session.get(SYNCABLE_MODELS[conflict.entity], conflict.record_id)
            if row is not None:
                setattr(row, conflict.field, python_value(conflict.entity, conflict.field, conflict.my_value))
        conflict.resolved_at = utc_now()
        conflict.resolution = "kept_mine" if conflict.kind == "conflict" else "retried"


def keep_theirs(store: Store, conflict_id: str) -> None:
    """Resolve with the server's value. For a field conflict the laptop already shows it; for a refused change
    the local change is dropped and the record pulled again from the server."""
    rewind: int | None = None
    purged_folder = ""
    with store.apply_remote() as session:
        conflict = session.get(SyncConflict, conflict_id)
        if conflict is None or conflict.resolved_at is not None:
            return
        conflict.resolved_at = utc_now()
        conflict.resolution = "kept_theirs" if conflict.kind == "conflict" else "discarded"
        if conflict.kind == "removed":
            purged_folder = _discard_held_learner(session, conflict.record_id)
        if conflict.kind == "rejected":
            entry = _entry(session, conflict.entity, conflict.record_id)
            if entry is not None:
                session.delete(entry)
            row = _row(session, SYNCABLE_MODELS[conflict.entity], conflict.record_id)
            if row is not None:
                if row["rev"] == 0:
                    session.execute(delete(SYNCABLE_MODELS[conflict.entity].__table__)
                                    .where(SYNCABLE_MODELS[conflict.entity].__table__.c.id == conflict.record_id))
                else:
                    rewind = row["rev"] - 1
    remove_saved_copies(store, [purged_folder])
    if rewind is not None:
        rewind_cursor(store, rewind)
