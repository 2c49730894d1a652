"""The fields the office dashboard's figures read (office_figures.py), copied out of each record's JSON `data` into
real, indexed columns whenever the record is written (issue 15: the dashboard read them out of JSON over every
review, 11.6 s at a provider's size).

One place sets them: `fill`, run by the ORM before every insert and update of a review, target or signature (the
push, the caseload import, the web app all write through the ORM), and `backfill` (one UPDATE per table, for the
migration that added them and for rows bulk-inserted without the ORM). Values stay ISO text as the laptop sends them,
so the figures compare them exactly as they compared the JSON.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from .models import Review, Signature, Target

#: model -> the `data` fields stored as columns of the same name.
STORED: dict[Any, tuple[str, ...]] = {
    Review: ("status", "visit_date", "finalised_at", "addendum_to_id", "progress_rag", "welfare_rag"),
    Target: ("set_in_review_id", "followed_up_in_review_id", "status", "due_date"),
    Signature: ("role", "signed_at"),
}


def _value(value: Any) -> str | None:
    return None if value is None else str(value)


def fill(row: Any) -> None:
    """Set `row`'s stored columns from its `data` (None for a deleted record without data)."""
    data = row.data or {}
    for field in STORED[type(row)]:
        setattr(row, field, _value(data.get(field)))


def _before_write(_mapper: Any, _connection: Any, row: Any) -> None:
    fill(row)


for _model in STORED:
    event.listen(_model, "before_insert", _before_write)
    event.listen(_model, "before_update", _before_write)


def backfill(session: Session) -> None:
    """Set every row's stored columns from its `data` in SQL (JSON paths: json_extract / ->>)."""
    for model, fields in STORED.items():
        session.execute(update(model).values({field: model.data[field].as_string() for field in fields})
                        .execution_options(synchronize_session=False))
