"""A learner's own review frequency travels with the learner: set on one laptop, it reaches the server, the office
and the assessor's other laptop; a client older than protocol 3 is sent the learner without it (its models forbid
fields they do not know) and its pushes leave it in place (issue 14 item 8)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from synckit import Office

from reviewapp.core.review_frequency import AgreedFrequency
from reviewapp.core.scheduling import Interval
from reviewapp.store import queries
from reviewapp.store.learner_frequency import set_review_frequency
from sync.protocol import RECORD_FIELDS_SINCE, REVIEW_FREQUENCY_FIELDS, LearnerData

AGREED = AgreedFrequency(Interval.months(3), "Seasonal shifts: released once a quarter", "Jo Bloggs (HR)",
                         dt.date(2026, 9, 7))
NEW_FIELDS = set(RECORD_FIELDS_SINCE["learner"])


def _pulled_learner(office: Office, learner_id: str) -> dict[str, Any]:
    body = office.http.get("/api/v1/sync/pull", params={"since": 0, "limit": 1000}, headers=office.headers).json()
    [data] = [c["data"] for c in body["changes"] if c["entity"] == "learner" and c["id"] == learner_id]
    return data


def test_an_agreed_frequency_set_on_one_laptop_reaches_the_office_and_the_other_laptop(world: dict[str, Any]) -> None:
    ann = world["learners"]["alice"][0]
    first = world["laptop"]("alice")
    first.sync()
    set_review_frequency(first.store, ann, AGREED)
    first.sync()
    with first.store.read() as session:
        assert queries.pending_change_count(session) == 0  # pushed and applied, nothing refused

    office = world["office"]()
    stored = _pulled_learner(office, ann)
    assert {name: stored[name] for name in REVIEW_FREQUENCY_FIELDS} == {
        "review_interval": "P3M", "review_interval_reason": AGREED.reason,
        "review_interval_agreed_by": "Jo Bloggs (HR)", "review_interval_agreed_on": "2026-09-07"}

    second = world["laptop"]("alice", name="alice-second-laptop")
    second.sync()
    with second.store.read() as session:
        assert queries.learner_detail(session, ann).review_frequency == AGREED
        [row] = [r for r in queries.caseload_facts(session) if r.learner_id == ann]
        assert row.review_interval == Interval.months(3)

    set_review_frequency(second.store, ann, None)  # back to the provider's schedule, from the other laptop
    second.sync()
    first.sync()
    with first.store.read() as session:
        assert queries.learner_detail(session, ann).review_frequency is None


def test_an_older_client_is_sent_the_learner_without_the_new_fields_and_its_pushes_keep_them(
        world: dict[str, Any]) -> None:
    ann = world["learners"]["alice"][0]
    laptop = world["laptop"]("alice")
    laptop.sync()
    set_review_frequency(laptop.store, ann, AGREED)
    laptop.sync()

    for protocol in (None, 2):  # no header (protocol 1, as the office's older scripts) or protocol 2
        older = Office(world["server"].url, "meg", protocol=protocol)
        try:
            old = _pulled_learner(older, ann)
            assert NEW_FIELDS.isdisjoint(old) and set(old) == set(LearnerData.model_fields) - NEW_FIELDS
            older.edit("learner", ann, phone=f"0113 496 000{protocol or 1}")  # its change to another field
        finally:
            older.close()

    now = _pulled_learner(world["office"](), ann)
    assert now["phone"] == "0113 496 0002" and now["review_interval"] == "P3M"
    laptop.sync()
    with laptop.store.read() as session:
        assert queries.learner_detail(session, ann).review_frequency == AGREED
