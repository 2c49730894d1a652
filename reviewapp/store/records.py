"""Converting between database rows and the wire schema's records (`sync.protocol` entity models).

The core's rules and the sync client both speak in protocol records; this is the one place rows become records
and records become rows.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from reviewapp.store.models import Syncable, data_fields
from sync.protocol import ENTITY_MODELS

R = TypeVar("R", bound=BaseModel)


def to_record(row: Syncable) -> Any:
    """The row's data as its protocol model (validated, so a bad row is caught here rather than on the wire)."""
    model = ENTITY_MODELS[row.entity]
    return model.model_validate({name: getattr(row, name) for name in data_fields(type(row))})


def apply_record(row: Syncable, record: BaseModel) -> None:
    """Set the row's fields from a record, touching only those that differ (so the outbox sees real changes)."""
    for name in data_fields(type(row)):
        value = getattr(record, name)
        if getattr(row, name) != value:
            setattr(row, name, value)
