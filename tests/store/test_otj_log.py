"""The off-the-job log in the encrypted store (issue 14 item 4): an entry added, edited and deleted is kept in the
file and queued to sync (an edit of a synced entry sends only what changed, a deletion a tombstone); what the server
would refuse is refused here, with a reason.

Each test reopens the store file, so what is read back is what the file holds, not what a session remembered.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from reviewapp.store import queries
from reviewapp.store.database import Store
from reviewapp.store.learner_frequency import UnknownLearnerError
from reviewapp.store.models import Learner, OtjEntry, OutboxEntry
from reviewapp.store.otj_log import EntryFields, UnknownEntryError, add_entry, delete_entry, edit_entry

LEARNER_ID = "5f0c7f0e-0000-4000-8000-000000000001"
SYNCED_ENTRY = "5f0c7f0e-0000-4000-8000-0000000000e1"
COURSE = EntryFields(dt.date(2026, 11, 3), 3.5, "Training course", "Risk assessments", "Certificate")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A caseload holding one learner and one of their entries as pulled from the server, nothing waiting."""
    with Store.open(tmp_path / "data", "assessor1") as store, store.apply_remote() as session:
        session.add(Learner(id=LEARNER_ID, rev=7, uln="1000000042", first_name="Zoë", last_name="Ødegård",
                            start_date=dt.date(2026, 1, 5)))
        session.add(OtjEntry(id=SYNCED_ENTRY, rev=9, learner_id=LEARNER_ID, date=dt.date(2026, 10, 1), hours=2.0,
                             activity="Mentoring", description="", evidence=""))
    return tmp_path / "data"


def test_an_entry_added_is_kept_listed_newest_first_and_queued_to_sync(data_dir: Path) -> None:
    with Store.open(data_dir, "assessor1") as store:
        entry_id = add_entry(store, LEARNER_ID, COURSE)
    with Store.open(data_dir, "assessor1") as store, store.read() as session:
        detail = queries.learner_detail(session, LEARNER_ID)
        assert detail is not None and [(e.id, e.hours, e.evidence) for e in detail.otj_log] == [
            (entry_id, 3.5, "Certificate"), (SYNCED_ENTRY, 2.0, "")]
        assert detail.otj_hours_logged == 5.5
        [queued] = session.scalars(select(OutboxEntry)).all()
        assert (queued.entity, queued.record_id, queued.op) == ("otj_entry", entry_id, "create")
        assert {k: queued.fields[k] for k in ("date", "hours", "activity", "description", "evidence")} == {
            "date": "2026-11-03", "hours": 3.5, "activity": "Training course", "description": "Risk assessments",
            "evidence": "Certificate"}


def test_an_edit_sends_only_what_changed_and_a_deletion_a_tombstone(data_dir: Path) -> None:
    with Store.open(data_dir, "assessor1") as store:
        edit_entry(store, SYNCED_ENTRY, EntryFields(dt.date(2026, 10, 1), 2.5, "Mentoring", "", "Witness statement"))
    with Store.open(data_dir, "assessor1") as store:
        with store.read() as session:
            [queued] = session.scalars(select(OutboxEntry)).all()
            assert (queued.op, queued.base_rev) == ("update", 9)
            assert queued.fields == {"hours": 2.5, "evidence": "Witness statement"}
            assert queued.base == {"hours": 2.0, "evidence": ""}
        delete_entry(store, SYNCED_ENTRY)
        with store.read() as session:
            assert session.get(OtjEntry, SYNCED_ENTRY).deleted
            assert queries.learner_detail(session, LEARNER_ID).otj_log == []
            [queued] = session.scalars(select(OutboxEntry)).all()
            assert queued.op == "delete"
        with pytest.raises(UnknownEntryError, match="no longer in the log"):
            edit_entry(store, SYNCED_ENTRY, COURSE)


def test_what_the_server_would_refuse_is_refused_here_and_nothing_is_written(data_dir: Path) -> None:
    with Store.open(data_dir, "assessor1") as store:
        with pytest.raises(ValueError, match="Say what the activity was"):
            add_entry(store, LEARNER_ID, EntryFields(dt.date(2026, 11, 3), 2, "  "))
        with pytest.raises(ValueError, match="The entry cannot be saved"):
            add_entry(store, LEARNER_ID, EntryFields(dt.date(2026, 11, 3), 30, "Workshop"))
        with pytest.raises(ValueError, match="longer than 200 characters"):
            add_entry(store, LEARNER_ID, EntryFields(dt.date(2026, 11, 3), 2, "x" * 201))
        with pytest.raises(UnknownLearnerError):
            add_entry(store, "5f0c7f0e-0000-4000-8000-00000000dead", COURSE)
        with store.read() as session:
            assert session.scalars(select(OutboxEntry)).all() == []
            assert len(queries.learner_detail(session, LEARNER_ID).otj_log) == 1
