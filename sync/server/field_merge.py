"""Three-way merge of a structured field (issue 19 item 1): merge at the level a person edits.

A review's `answers` travel as one field, but a person edits one question at a time: two laptops that changed
different questions of one draft must both be kept. So a dict field merges per key (each question is a field for
merge and conflict), and a question whose value is itself a collection of items with ids (previous-target
outcomes and plan-progress rows, keyed by the target's or plan item's id; a list of dicts that carry an "id")
merges per item. Items and plain values are atomic: a flag's "raised" and its "detail" go together.

The client may send the whole map with the whole base (as laptops do today) or only the questions it changed, each
with its base: a key in neither the client's value nor its base was not touched, a key in its base but not in its
value was removed. Either way a key is taken from the client only where the client changed it and the server still
holds the client's base; where both changed it to different values, the server keeps its own and the key is a
conflict, named by its path (question, item id).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: A key absent on one side (a question not answered, an item removed).
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()
#: Depth of the keys a field merges by: the question (1), then the item within an id-keyed question (2).
MAX_DEPTH = 2


@dataclass(frozen=True)
class PartConflict:
    """Both sides changed the value at `path` (inside one field) from `base` to different values."""

    path: tuple[str, ...]
    base: Any
    server: Any
    client: Any


def structured(server: Any, client: Any) -> bool:
    """Whether a field's two values merge per key rather than as one value."""
    return isinstance(server, dict) and isinstance(client, dict)


def merge_field(base: Any, server: Any, client: Any) -> tuple[Any, list[PartConflict]]:
    """The server's new value for a dict field, and the keys both sides changed (kept as the server has them)."""
    return _merge_keys(_as_map(base), server, client, (), 1)


def _as_map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _merge_keys(
    base: dict[str, Any], server: dict[str, Any], client: dict[str, Any], path: tuple[str, ...], depth: int
) -> tuple[dict[str, Any], list[PartConflict]]:
    merged = dict(server)
    conflicts: list[PartConflict] = []
    for key in [*client, *(k for k in base if k not in client)]:
        value, found = _merge_value(base.get(key, MISSING), server.get(key, MISSING), client.get(key, MISSING),
                                    (*path, str(key)), depth)
        conflicts.extend(found)
        if value is MISSING:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged, conflicts


def _merge_value(
    base: Any, server: Any, client: Any, path: tuple[str, ...], depth: int
) -> tuple[Any, list[PartConflict]]:
    if client in (base, server):
        return server, []
    if server == base:
        return client, []
    if depth < MAX_DEPTH:
        if _id_map(base) and _id_map(server) and _id_map(client):
            return _merge_keys(_as_map(base), server, client, path, depth + 1)
        if _id_list(base) and _id_list(server) and _id_list(client):
            return _merge_list(base if isinstance(base, list) else [], server, client, path, depth + 1)
    return server, [PartConflict(path, None if base is MISSING else base, None if server is MISSING else server,
                                 None if client is MISSING else client)]


def _id_map(value: Any) -> bool:
    """A map of items keyed by id (previous targets, plan progress): every value a dict. A missing base counts."""
    return value is MISSING or (isinstance(value, dict) and all(isinstance(v, dict) for v in value.values()))


def _id_list(value: Any) -> bool:
    """A list of items that carry their own "id". A missing base counts."""
    return value is MISSING or (isinstance(value, list) and all(
        isinstance(item, dict) and isinstance(item.get("id"), str) for item in value))


def _merge_list(
    base: list[dict[str, Any]], server: list[dict[str, Any]], client: list[dict[str, Any]], path: tuple[str, ...],
    depth: int,
) -> tuple[list[dict[str, Any]], list[PartConflict]]:
    """Per item by id; the server's order, then the client's new items in the client's order."""
    by_id = {item["id"]: item for item in server}
    merged, conflicts = _merge_keys({item["id"]: item for item in base}, by_id,
                                    {item["id"]: item for item in client}, path, depth)
    order = [item["id"] for item in server if item["id"] in merged]
    order += [item["id"] for item in client if item["id"] in merged and item["id"] not in by_id]
    return [merged[item_id] for item_id in order], conflicts
