"""Pulled records the laptop could not apply: why, what is kept about them, and when they are tried again.

Why: one record the laptop cannot use (a value no SQLite column holds, text that is not Unicode, a field of the
wrong type, a bug in applying it) must never stop a whole caseload from syncing, on every retry, for good. Such a
record is skipped, with the records that hang off it (a review's signatures cannot be kept without the review), and
the pull goes on with the rest; the cursor moves past it, so it is not met again on every sync.

What is kept (the sync state `unapplied`, as JSON): for each skipped record its entity, id, a reason naming only
the field and the kind of fault (never a value: the log and the summary carry nothing personal), and the cursor of
the page it came on. The summary reports them every sync until they are resolved. A skipped record comes again
when the server's copy changes (someone corrects it); when it then applies, the cursor is moved back to where it
was first met, so the records skipped with it arrive again too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, ValidationError

#: The sync-state key holding the skipped records.
UNAPPLIED = "unapplied"
#: SQLite's INTEGER is 64-bit signed: a larger number cannot be stored (it raised OverflowError mid-pull).
INT_MIN, INT_MAX = -(2**63), 2**63 - 1


@dataclass(frozen=True)
class Unusable:
    """Stands in a validated page for a record that cannot be applied; `reason` names no value."""

    reason: str


@dataclass(frozen=True)
class Skipped:
    entity: str
    id: str
    reason: str
    #: The cursor the record's page was pulled from: where to pull again from when it is resolved.
    since: int
    #: The record this one was skipped with (its parent), or "" when it was unusable itself.
    parent: str = ""

    def text(self) -> str:
        return f"{self.entity} {self.id}: {self.reason}"


def validation_reason(error: ValidationError) -> str:
    """A validation failure as the fields and kinds of fault, without the values (which may be personal)."""
    faults = []
    for item in error.errors(include_url=False, include_input=False, include_context=False)[:3]:
        if not item["loc"] and item["type"] == "value_error":
            # The record-wide storability rule (sync.protocol.record_problem): its message names the field and the
            # kind of fault, never the value.
            faults.append(str(item["msg"]).removeprefix("Value error, "))
        else:
            faults.append(f"{'.'.join(str(part) for part in item['loc']) or 'the record'} ({item['type']})")
    return "fields that do not fit: " + ", ".join(faults)


def unstorable(record: BaseModel, rev: int, *, free_form: bool = True) -> str:
    """Why this validated record could not be stored and sent back as it is, or "" when it can.

    Cheap, as it runs on every pulled record: the typed fields were checked by validation (a `str` field refuses
    a lone surrogate), so what is left is integers beyond SQLite's and, with `free_form`, the fields whose contents
    validation did not look into (a review's answers), serialised once in C as the store will: text that is not
    Unicode, or nesting deeper than can be encoded. A page parsed by pydantic-core needs no `free_form` check (its
    parser refuses lone surrogates, and limits nesting), which keeps a first pull's cost where it was.
    """
    if not INT_MIN <= rev <= INT_MAX:
        return "a revision number too large to store"
    free_form_fields = _free_form_fields(type(record)) if free_form else frozenset()
    for name in type(record).model_fields:
        value = getattr(record, name)
        if isinstance(value, int) and not isinstance(value, bool):
            if not INT_MIN <= value <= INT_MAX:
                return f"a number too large to store in {name}"
        elif name in free_form_fields and value:
            try:
                json.dumps(value, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError:
                return f"text that is not valid Unicode in {name}"
            except RecursionError:
                return f"nesting deeper than any review can hold in {name}"
            except (TypeError, ValueError):
                return f"a value that cannot be stored in {name}"
    return ""


@cache
def _free_form_fields(model: type[BaseModel]) -> frozenset[str]:
    """The fields whose type leaves their contents open (`Any` inside), which validation did not look into."""
    return frozenset(name for name, info in model.model_fields.items() if "Any" in str(info.annotation))


def error_reason(exc: BaseException) -> str:
    """An exception raised while applying a record, named by its kind only (its message may quote a value)."""
    original = getattr(exc, "orig", None)
    return f"applying it failed ({type(original or exc).__name__})"


def parse(text: str) -> dict[str, Skipped]:
    """The kept skipped records (the sync state's JSON), by `key`; an unreadable value counts as none."""
    try:
        return {name: Skipped(**value) for name, value in json.loads(text or "{}").items()}
    except (ValueError, TypeError):
        return {}


def dump(skipped: dict[str, Skipped]) -> str:
    return json.dumps({name: vars(item) for name, item in skipped.items()})


def key(entity: str, record_id: str) -> str:
    return f"{entity}:{record_id}"
