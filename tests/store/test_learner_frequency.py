"""A learner's own review frequency kept in the encrypted store and queued to sync (issue 14 item 8).

Each test reopens the store file, so what is read back is what the file holds, not what a session remembered.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from reviewapp.core.caseload import caseload_rows
from reviewapp.core.review_frequency import AgreedFrequency
from reviewapp.core.scheduling import Interval
from reviewapp.store import queries
from reviewapp.store.database import Store
from reviewapp.store.learner_frequency import UnknownLearnerError, set_review_frequency
from reviewapp.store.models import Learner, OutboxEntry

LEARNER_ID = "5f0c7f0e-0000-4000-8000-000000000001"
AGREED = AgreedFrequency(Interval.months(3), "Seasonal shifts: released once a quarter", "Jo Bloggs (HR)",
                         dt.date(2026, 9, 7))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A caseload holding one learner as pulled from the server (rev 7), nothing waiting to sync."""
    with Store.open(tmp_path / "data", "assessor1") as store, store.apply_remote() as session:
        session.add(Learner(id=LEARNER_ID, rev=7, uln="1000000042", first_name="Zoë", last_name="Ødegård",
                            start_date=dt.date(2026, 1, 5)))
    return tmp_path / "data"


def test_an_agreed_frequency_is_kept_and_queued_to_sync(data_dir: Path) -> None:
    with Store.open(data_dir, "assessor1") as store:
        set_review_frequency(store, LEARNER_ID, AGREED)
    with Store.open(data_dir, "assessor1") as store, store.read() as session:
        detail = queries.learner_detail(session, LEARNER_ID)
        assert detail is not None and detail.review_frequency == AGREED
        [entry] = session.scalars(select(OutboxEntry)).all()
        assert (entry.entity, entry.op, entry.base_rev) == ("learner", "update", 7)
        assert entry.fields == {"review_interval": "P3M", "review_interval_reason": AGREED.reason,
                                "review_interval_agreed_by": "Jo Bloggs (HR)",
                                "review_interval_agreed_on": "2026-09-07"}
        assert entry.base["review_interval"] == ""


def test_the_caseload_follows_the_learners_own_frequency_and_clearing_it_restores_the_providers(
        data_dir: Path) -> None:
    today = dt.date(2026, 4, 1)
    with Store.open(data_dir, "assessor1") as store:
        with store.read() as session:
            [before] = caseload_rows(queries.caseload_facts(session), today)
        assert before.next_review_due == dt.date(2026, 3, 2)  # 8 weeks after the start
        set_review_frequency(store, LEARNER_ID, AgreedFrequency(Interval.weeks(6), "Shorter for a start", "Jo",
                                                                dt.date(2026, 1, 5)))
        with store.read() as session:
            [row] = caseload_rows(queries.caseload_facts(session), today)
        assert row.facts.review_interval == Interval.weeks(6) and row.next_review_due == dt.date(2026, 2, 16)
        set_review_frequency(store, LEARNER_ID, None)
    with Store.open(data_dir, "assessor1") as store, store.read() as session:
        [after] = caseload_rows(queries.caseload_facts(session), today)
        assert after.facts.review_interval is None and after.next_review_due == before.next_review_due
        assert queries.learner_detail(session, LEARNER_ID).review_frequency is None


def test_an_unknown_learner_is_said_plainly(data_dir: Path) -> None:
    with Store.open(data_dir, "assessor1") as store, pytest.raises(UnknownLearnerError, match="no longer in your"):
        set_review_frequency(store, "not-a-learner", AGREED)
