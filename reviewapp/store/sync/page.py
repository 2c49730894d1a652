"""Checking a pulled page against the protocol, change by change, before anything of it touches the store.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from reviewapp.store import unapplied
from reviewapp.store.sync.state import BadServerData
from sync.protocol import ENTITY_MODELS, Change, PullResponse


class _PageEnvelope(BaseModel):
    """A pull page with its changes not yet looked at, so that one bad change cannot fail the whole page."""

    model_config = {"extra": "forbid"}
    server_id: str
    protocol_version: int = 1
    changes: list[Any]
    cursor: int
    more: bool
    remaining: int | None = None


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
                                        changes=changes, cursor=envelope.cursor, more=envelope.more,
                                        remaining=envelope.remaining)
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


