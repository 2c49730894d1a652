"""Syncable records between the wire and the tables: validation, the columns derived from `data`, pull entries.

Record fields are validated by the entity models of `sync.protocol` and stored in their JSON form, so what a
client pulls is exactly what was validated.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from sync.protocol import ENTITY_MODELS, Change, record_problem

from .models import Employer, Learner, Signature, as_utc


class Rejected(Exception):
    """A pushed change the server will not apply; the message says why, for the person using the app."""


def validation_reason(error: ValidationError) -> str:
    """A short, readable account of what is wrong with the fields."""
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(p) for p in item.get("loc", ())) or "record"
        parts.append(f"{where}: {item.get('msg', 'invalid')}")
    return "; ".join(parts)


def validate_fields(entity: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The record's fields in their stored (JSON) form, or `Rejected` with the reasons they are not valid."""
    try:
        record = ENTITY_MODELS[entity].model_validate(fields)
    except ValidationError as error:
        raise Rejected(f"The {entity.replace('_', ' ')} is not valid: {validation_reason(error)}.") from None
    data = record.model_dump(mode="json")
    check_storable(data)
    return data


def stored_fields(entity: str, data: dict[str, Any]) -> dict[str, Any]:
    """A stored record's fields, with any field added to the schema since it was stored at its default.

    Why: a record stored before a field existed has no such key, while a client that knows the field sends its
    default as the base of a change; read as missing (None), that base would never match and every first change of
    the new field would be taken as a conflict with a value nobody set.
    """
    fields = ENTITY_MODELS[entity].model_fields
    missing = {name: info.get_default(call_default_factory=True)
               for name, info in fields.items() if name not in data and not info.is_required()}
    return {**missing, **data} if missing else dict(data)


def check_storable(value: dict[str, Any]) -> None:
    """Refuse what the server could not store, send back and hash (the shared rule: `protocol.record_problem`)."""
    problem = record_problem(value)
    if problem:
        raise Rejected(f"The change cannot be stored: {problem}.")


def unknown_fields(entity: str, names: Any) -> list[str]:
    known = ENTITY_MODELS[entity].model_fields
    return sorted(str(name) for name in names if name not in known)


def set_columns(row: Any, data: dict[str, Any]) -> None:
    """Copy the fields the server queries by out of `data` into their columns."""
    if isinstance(row, Employer):
        row.name_key = employer_name_key(data["name"])
    elif isinstance(row, Learner):
        for name, value in learner_columns(data).items():
            setattr(row, name, value)
    elif isinstance(row, Signature):
        row.review_id = data["review_id"]
    elif hasattr(row, "learner_id"):
        row.learner_id = data["learner_id"]
    if hasattr(row, "alert_key"):  # AlertDismissal
        row.alert_key = data["alert_key"]


def learner_columns(data: dict[str, Any]) -> dict[str, Any]:
    """A learner's queried columns from its fields: for `set_columns`, and for the import's many-row inserts."""
    return {"uln": data["uln"], "employer_id": data.get("employer_id"), "learner_ref": data.get("learner_ref") or None}


def employer_name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def pull_change(entity: str, row: Any) -> Change:
    return Change(
        entity=entity,  # type: ignore[arg-type]
        id=row.id,
        rev=row.rev,
        op="delete" if row.deleted else "upsert",
        data=None if row.deleted else row.data,
        updated_at=as_utc(row.updated_at),
        updated_by=row.updated_by or "",
    )
