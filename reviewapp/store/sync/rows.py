"""Small shared reads for applying the server's word: a row as a mapping, a record's outbox entry, and `IN`
queries in chunks that stay inside SQLite's limit on bound parameters.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewapp.store.models import OutboxEntry


def table_row(session: Session, model: Any, record_id: str) -> Any:
    return session.execute(select(model.__table__).where(model.__table__.c.id == record_id)).mappings().first()


def outbox_entry(session: Session, entity: str, record_id: str) -> OutboxEntry | None:
    return session.execute(
        select(OutboxEntry).where(OutboxEntry.entity == entity, OutboxEntry.record_id == record_id)
    ).scalar_one_or_none()


def id_chunks(ids: list[str], size: int = 500) -> Iterator[list[str]]:
    """`ids` in slices that stay inside SQLite's limit on bound parameters."""
    return (ids[start : start + size] for start in range(0, len(ids), size))


def select_in_chunks(session: Session, query: Any, column: Any, ids: list[str], size: int = 500) -> list[Any]:
    """`query` filtered by `column IN ids`, in chunks that stay inside SQLite's limit on bound parameters."""
    found: list[Any] = []
    for chunk in id_chunks(ids, size):
        found.extend(session.scalars(query.where(column.in_(chunk))))
    return found
