"""The pull side of the sync protocol: every change the caller may see after a cursor, one page at a time.

A page is cut at `last_rev` read at its start. Writers commit revs in order (see db.py), so every rev up to that
value is already committed and no later commit can land below it: a client that stores the returned cursor never
steps past a row. A record changed again after the cut simply arrives on a later page with its new rev.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sync.protocol import PROTOCOL_VERSION, Change, entities_for_protocol

from .db import last_rev
from .models import RECORD_MODELS, Case, CaseloadRemoval
from .records import pull_change
from .scope import Caller


def _own(model: Any, caller: Caller) -> tuple[Any, ...]:
    """A case's status goes only to the laptop of the assessor who raised it (cases/: need to know)."""
    return (Case.raised_by_id == caller.user_id,) if model is Case else ()


def pull_page(
    session: Session, caller: Caller, since: int, limit: int, protocol: int = PROTOCOL_VERSION
) -> tuple[list[Change], int, bool]:
    """(changes in rev order, cursor to pull from next, whether more are waiting), of the entities a client
    speaking `protocol` knows (`protocol.ENTITY_SINCE`).

    Two passes: the revs alone first (up to `limit + 1` per kind of record) to find where the page ends, then
    the whole records up to that rev. Loading whole records for every kind and keeping the first `limit` read
    and decoded some seven times the page (three quarters of a first pull's server time went on it).
    """
    high = last_rev(session)
    removals, models, queries = _queries(caller, since, high, protocol)
    revs: list[int] = []
    for entity, model in models.items():
        revs.extend(session.scalars(queries[entity].with_only_columns(model.rev).order_by(model.rev).limit(limit + 1)))
    if removals is not None:
        revs.extend(session.scalars(
            removals.with_only_columns(CaseloadRemoval.rev).order_by(CaseloadRemoval.rev).limit(limit + 1)
        ))
    revs.sort()
    more = len(revs) > limit
    cut = revs[limit - 1] if more else high
    found: list[Change] = []
    for entity, model in models.items():
        found.extend(pull_change(entity, row) for row in session.scalars(queries[entity].where(model.rev <= cut)))
    if removals is not None:
        found.extend(
            Change(entity="learner", id=r.learner_id, rev=r.rev, op="removed")
            for r in session.scalars(removals.where(CaseloadRemoval.rev <= cut))
        )
    found.sort(key=lambda change: change.rev)
    if more:
        return found, cut, True
    return found, max(since, high), False


def _queries(caller: Caller, since: int, high: int, protocol: int) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """(removals query or None, models, a query per entity) of what `caller` may see in revs (since, high]."""
    removals = (
        None
        if caller.sees_everything
        else select(CaseloadRemoval).where(
            CaseloadRemoval.assessor_id == caller.user_id, CaseloadRemoval.rev > since, CaseloadRemoval.rev <= high
        )
    )
    models = {entity: RECORD_MODELS[entity] for entity in entities_for_protocol(protocol)}
    queries = {
        entity: select(model).where(model.rev > since, model.rev <= high, caller.visible(model), *_own(model, caller))
        for entity, model in models.items()
    }
    return removals, models, queries


def remaining_after(session: Session, caller: Caller, cursor: int, protocol: int = PROTOCOL_VERSION) -> int:
    """How many changes `caller` has still to pull after `cursor`: the total a client's progress shows. One count
    per kind of record, asked for once per sync (the first page), not per page."""
    removals, models, queries = _queries(caller, cursor, last_rev(session), protocol)
    total = sum(session.scalar(select(func.count()).select_from(queries[e].with_only_columns(m.id).subquery())) or 0
                for e, m in models.items())
    if removals is not None:
        total += session.scalar(select(func.count()).select_from(
            removals.with_only_columns(CaseloadRemoval.rev).subquery())) or 0
    return int(total)
