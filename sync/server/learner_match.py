"""Which learner on the server a row of an MIS file is: by ULN, or, while the ULN is still to follow, by the MIS's
own reference (LearnRefNumber).

Shared by the caseload import and the assignments file, so both find a learner the same way. A learner imported
with the temporary ULN (9999999999) is found again by its reference, also once the MIS has its real ULN: the
import then gives it that ULN rather than creating a second learner.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.protocol import TEMPORARY_ULN

from .models import Learner

#: Most values in one SQL IN list (SQLite's limit on bound parameters is the tightest of the two back ends).
IN_LIST = 500


def learner_key(fields: Mapping[str, Any]) -> str:
    """What names a learner in one file: its ULN, or for "ULN to follow", its reference."""
    uln = fields["uln"]
    return f"ref:{fields.get('learner_ref') or ''}" if uln == TEMPORARY_ULN else uln


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    items = sorted(set(values))
    for start in range(0, len(items), IN_LIST):
        yield items[start : start + IN_LIST]


def find_learners(session: Session, rows: Iterable[Mapping[str, Any]]) -> dict[str, Learner]:
    """The server's learners for these rows (each with `uln` and maybe `learner_ref`), by `learner_key`.

    A real ULN finds the learner with it; failing that (or for the temporary ULN), the reference finds a learner
    still waiting for its ULN. A few queries for any number of rows."""
    wanted = list(rows)
    by_uln: dict[str, Learner] = {}
    for ulns in _chunks(r["uln"] for r in wanted if r["uln"] != TEMPORARY_ULN):
        by_uln |= {lr.uln: lr for lr in session.scalars(select(Learner).where(Learner.uln.in_(ulns)))}
    waiting: dict[str, Learner] = {}
    refs = [r["learner_ref"] for r in wanted if r.get("learner_ref") and r["uln"] not in by_uln]
    for chunk in _chunks(refs):
        query = select(Learner).where(Learner.learner_ref.in_(chunk), Learner.uln == TEMPORARY_ULN)
        waiting |= {lr.learner_ref: lr for lr in session.scalars(query.order_by(Learner.rev)) if lr.learner_ref}
    found: dict[str, Learner] = {}
    for row in wanted:
        learner = by_uln.get(row["uln"]) if row["uln"] != TEMPORARY_ULN else None
        if learner is None and row.get("learner_ref"):
            learner = waiting.get(row["learner_ref"])
        if learner is not None:
            found[learner_key(row)] = learner
    return found
