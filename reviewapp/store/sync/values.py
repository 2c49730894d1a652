"""Field values between the wire (JSON) form and the columns, one TypeAdapter per field of the protocol's models.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from reviewapp.store.outbox import to_wire
from sync.protocol import ENTITY_MODELS


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
