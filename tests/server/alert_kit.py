"""Records for the alert tests, written straight into a server's tables as the push would store them (validated by
the wire schema, a rev each): finalised and draft reviews, targets and off-the-job entries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from server_testkit import Server

from sync.server.db import new_id, next_rev, take_write_lock, transaction
from sync.server.models import RECORD_MODELS
from sync.server.records import set_columns, validate_fields

TEMPLATE = {"template_id": "apprenticeship-progress-review", "template_version": 1}


def put(session: Any, entity: str, data: dict[str, Any]) -> str:
    """One record stored (call after take_write_lock); its id."""
    record_id = new_id()
    row = RECORD_MODELS[entity](id=record_id, rev=next_rev(session, entity, record_id, "create"),
                                data=validate_fields(entity, data), updated_by="office")
    set_columns(row, row.data)
    session.add(row)
    return record_id


def held_review(learner: str, visit: dt.date, welfare: str = "green", progress: str = "green",
                agreed: dt.date | None = None, assessor: str = "alice") -> dict[str, Any]:
    return {**TEMPLATE, "learner_id": learner, "status": "finalised", "visit_date": visit.isoformat(),
            "welfare_rag": welfare, "progress_rag": progress, "assessor": assessor,
            "next_review_date": agreed.isoformat() if agreed else None,
            "finalised_at": f"{visit.isoformat()}T12:00:00+00:00"}


def draft_review(learner: str, visit: dt.date, assessor: str = "alice") -> dict[str, Any]:
    return {**TEMPLATE, "learner_id": learner, "status": "draft", "visit_date": visit.isoformat(), "assessor": assessor}


def store(server: Server, *records: tuple[str, dict[str, Any]]) -> list[str]:
    """Store (entity, data) records in one transaction; their ids."""
    with transaction(server.factory) as session:
        take_write_lock(session)
        return [put(session, entity, data) for entity, data in records]


def seed_scenario(server: Server, assessor: str) -> dict[str, str]:
    """tests/alert_scenario.py's caseload on the server, assigned to `assessor`; learner name -> id."""
    from tests.alert_scenario import CASES

    ids = {}
    for case in CASES:
        ids[case.name] = server.add_learner(
            assessor, first_name=case.first_name, last_name=case.last_name, start_date=case.start.isoformat(),
            status=case.status, planned_end_date=case.planned_end.isoformat() if case.planned_end else None,
            planned_otj_hours=case.planned_hours)
    records: list[tuple[str, dict[str, Any]]] = []
    for case in CASES:
        learner = ids[case.name]
        records += [("review", held_review(learner, visit, welfare, progress, agreed, assessor))
                    for visit, welfare, progress, agreed in case.reviews]
        records += [("review", draft_review(learner, visit, assessor)) for visit in case.drafts]
        records += [("target", {"learner_id": learner, "text": text, "status": status,
                                "due_date": due.isoformat() if due else None}) for text, due, status in case.targets]
        entries = -(-int(case.logged_hours) // 20)  # at most 24 hours an entry: days of 20 hours or fewer
        records += [("otj_entry", {"learner_id": learner, "date": f"2026-07-{day:02d}",
                                   "hours": case.logged_hours / entries, "activity": "Course"})
                    for day in range(1, entries + 1)]
    store(server, *records)
    return ids
