"""The part of a structured field (a review's `answers`) at a path: a question, then an item id within it.

A conflict on such a field names its path (issue 19), and both the server (merging) and the laptop (keeping one
side of one question) read and replace the value there, so the rule for finding an item lives here, once.
"""

from __future__ import annotations

from typing import Any

__all__ = ["value_at", "with_part"]


def value_at(value: Any, path: list[str] | tuple[str, ...]) -> Any:
    """The part of `value` at `path` (None where absent): a key of a map, or the item of a list with that id."""
    for key in path:
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list):
            value = next((item for item in value if isinstance(item, dict) and item.get("id") == key), None)
        else:
            return None
    return value


def with_part(value: Any, path: tuple[str, ...], part: Any) -> Any:
    """A copy of `value` with the part at `path` replaced by `part` (removed when `part` is None)."""
    if not path:
        return part
    key, rest = path[0], path[1:]
    if isinstance(value, list):
        items = [item for item in value if not (isinstance(item, dict) and item.get("id") == key)]
        old = value_at(value, (key,))
        new = with_part(old, rest, part)
        if new is None:
            return items
        at = next((i for i, item in enumerate(value) if isinstance(item, dict) and item.get("id") == key), len(items))
        return [*items[:at], new, *items[at:]]
    copy = dict(value) if isinstance(value, dict) else {}
    new = with_part(copy.get(key), rest, part)
    if new is None:
        copy.pop(key, None)
    else:
        copy[key] = new
    return copy
