"""The pull side of the sync protocol: every change the caller may see after a cursor, one page at a time.

A page is cut at `last_rev` read at its start. Writers commit revs in order (see db.py), so every rev up to that
value is already committed and no later commit can land below it: a client that stores the returned cursor never
steps past a row. A record changed again after the cut simply arrives on a later page with its new rev.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.protocol import ENTITY_ORDER, Change

from .db import last_rev
from .models import RECORD_MODELS, CaseloadRemoval
from .records import pull_change
from .scope import Caller


def pull_page(session: Session, caller: Caller, since: int, limit: int) -> tuple[list[Change], int, bool]:
    """(changes in rev order, cursor to pull from next, whether more are waiting)."""
    high = last_rev(session)
    found: list[Change] = []
    for entity in ENTITY_ORDER:
        model = RECORD_MODELS[entity]
        rows = session.execute(
            select(model)
            .where(model.rev > since, model.rev <= high, caller.visible(model))
            .order_by(model.rev)
            .limit(limit + 1)
        ).scalars()
        found.extend(pull_change(entity, row) for row in rows)
    if not caller.sees_everything:
        removals = session.execute(
            select(CaseloadRemoval)
            .where(
                CaseloadRemoval.assessor_id == caller.user_id,
                CaseloadRemoval.rev > since,
                CaseloadRemoval.rev <= high,
            )
            .order_by(CaseloadRemoval.rev)
            .limit(limit + 1)
        ).scalars()
        found.extend(Change(entity="learner", id=r.learner_id, rev=r.rev, op="removed") for r in removals)
    found.sort(key=lambda change: change.rev)
    if len(found) > limit:
        page = found[:limit]
        return page, page[-1].rev, True
    return found, max(since, high), False
