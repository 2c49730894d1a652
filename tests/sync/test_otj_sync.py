"""The off-the-job log travels (issue 14 item 4): entries imported at the office reach the assessor's laptop at the
next sync and fill the next review's off-the-job step; entries added, edited and deleted on the laptop reach the
office and the assessor's other laptop, evidence and all."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from reviewapp.core.templates import load_template
from reviewapp.store import queries, reviews
from reviewapp.store.otj_log import EntryFields, add_entry, delete_entry, edit_entry
from sync.server.models import Learner
from sync.server.otj_import import import_otj, parse_otj

TODAY = dt.date(2026, 11, 23)


def _uln(world: dict[str, Any], learner_id: str) -> str:
    with world["setup"].factory() as session:
        return session.scalar(select(Learner.uln).where(Learner.id == learner_id))


def test_entries_imported_at_the_office_reach_the_laptop_and_its_next_review(world: dict[str, Any]) -> None:
    ann, amy = world["learners"]["alice"]
    ben = world["learners"]["bob"][0]
    laptop = world["laptop"]("alice")
    laptop.sync()
    with laptop.store.read() as session:
        assert queries.learner_detail(session, ann).otj_log == []

    csv = "\r\n".join([
        "ULN,Date,Hours,Activity,What was learnt,Evidence",
        f"{_uln(world, ann)},03/11/2026,3.5,Training course,Risk assessments,Certificate",
        f"{_uln(world, ann)},45962,1:30,Shadowing,,Portfolio item 12",  # 45962: 1 November 2025 in Excel
        f"{_uln(world, ben)},02/11/2026,7,Online module,,",
    ]).encode()
    summary = import_otj(world["setup"].factory, parse_otj(csv, today=TODAY))
    assert summary.written and summary.added == [2, 3, 4]

    laptop.sync()
    with laptop.store.read() as session:
        log = queries.learner_detail(session, ann).otj_log
        assert [(e.date, e.hours, e.activity, e.learnt, e.evidence) for e in log] == [
            (dt.date(2026, 11, 3), 3.5, "Training course", "Risk assessments", "Certificate"),
            (dt.date(2025, 11, 1), 1.5, "Shadowing", "", "Portfolio item 12")]
        assert queries.learner_detail(session, amy).otj_log == []
        assert queries.learner_detail(session, ben) is None  # Bob's learner: not on Alice's laptop

    template = load_template("apprenticeship-progress-review")
    draft = reviews.start_draft(laptop.store, ann, template, TODAY)
    with laptop.store.read() as session:
        answers = reviews.load_review(session, draft)[0].answers
    assert answers["otj_hours_to_date"] == 5.0 and answers["otj_hours_since_last"] == 5.0

    # The same file again: nothing new reaches the laptop.
    assert import_otj(world["setup"].factory, parse_otj(csv, today=TODAY)).added == []
    laptop.sync()
    with laptop.store.read() as session:
        assert len(queries.learner_detail(session, ann).otj_log) == 2


def test_entries_made_on_a_laptop_reach_the_office_and_the_other_laptop(world: dict[str, Any]) -> None:
    ann = world["learners"]["alice"][0]
    first = world["laptop"]("alice")
    first.sync()
    entry = add_entry(first.store, ann, EntryFields(dt.date(2026, 11, 20), 2.5, "Mentoring", "Planning a survey",
                                                    "Witness statement"))
    first.sync()
    with first.store.read() as session:
        assert queries.pending_change_count(session) == 0  # pushed and applied, nothing refused
    office = world["office"]()
    assert office.record("otj_entry", entry) == {
        "learner_id": ann, "date": "2026-11-20", "hours": 2.5, "activity": "Mentoring",
        "description": "Planning a survey", "evidence": "Witness statement"}

    second = world["laptop"]("alice", name="alice-second-laptop")
    second.sync()
    with second.store.read() as session:
        [shown] = queries.learner_detail(session, ann).otj_log
        assert (shown.id, shown.hours, shown.evidence) == (entry, 2.5, "Witness statement")

    edit_entry(second.store, entry, EntryFields(dt.date(2026, 11, 20), 3.0, "Mentoring", "Planning a survey",
                                                "Witness statement from Jo"))
    second.sync()
    first.sync()
    with first.store.read() as session:
        [shown] = queries.learner_detail(session, ann).otj_log
        assert (shown.hours, shown.evidence) == (3.0, "Witness statement from Jo")

    delete_entry(first.store, entry)
    first.sync()
    second.sync()
    with second.store.read() as session:
        assert queries.learner_detail(session, ann).otj_log == []
    assert ("otj_entry", entry) not in office.records()
