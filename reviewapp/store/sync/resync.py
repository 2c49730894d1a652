"""A server with a new id (restored or replaced): re-pull everything, then send back what it lacks.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from reviewapp.core.dates import utc_now
from reviewapp.store.database import Store
from reviewapp.store.models import SYNCABLE_MODELS, OutboxEntry, SyncConflict, data_fields, new_id
from reviewapp.store.sync.kinds import ConflictKind
from reviewapp.store.sync.rows import outbox_entry
from reviewapp.store.sync.state import CURSOR, RESYNC, SERVER_ID, set_state
from reviewapp.store.sync.values import wire_value
from sync.protocol import OFFICE_ONLY_ENTITIES


def queue_what_the_server_lacks(session: Session) -> int:
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
            entry = outbox_entry(session, entity, row["id"])
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
        update(SyncConflict).where(SyncConflict.kind == ConflictKind.REJECTED, SyncConflict.resolved_at.is_(None))
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


