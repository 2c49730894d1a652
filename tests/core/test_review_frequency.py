"""A learner's own review frequency, agreed with the employer (issue 14 item 8): the only way the rules allow a
longer gap than the provider's interval, and never beyond the funding ceiling of three calendar months."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from reviewapp.core.review_frequency import AgreedFrequency, frequency_fields, frequency_of, learner_interval
from reviewapp.core.scheduling import (
    FUNDING_CEILING,
    Interval,
    ScheduleRules,
    next_review_due,
    propose_next_review,
)
from sync.protocol import PROTOCOL_VERSION, REVIEW_FREQUENCY_NEEDS_AGREEMENT, LearnerData, fields_for_protocol

START, LAST = dt.date(2026, 1, 5), dt.date(2026, 9, 7)  # both Mondays
AGREED = AgreedFrequency(Interval.months(3), "Seasonal shifts: released once a quarter", "Jo Bloggs (HR)",
                         dt.date(2026, 9, 7))


def _learner(**fields) -> LearnerData:
    return LearnerData(uln="1234567890", first_name="Priya", last_name="Shah", start_date=START, **fields)


def test_an_agreed_frequency_is_the_way_to_a_longer_gap_than_the_providers() -> None:
    assert next_review_due(START, LAST) == dt.date(2026, 11, 2)  # the provider's 8 weeks
    assert next_review_due(START, LAST, learner_interval=Interval.months(3)) == dt.date(2026, 12, 7)
    assert next_review_due(START, LAST, learner_interval=Interval.weeks(4)) == dt.date(2026, 10, 5)  # or shorter


def test_even_an_agreed_frequency_stops_at_the_funding_ceiling() -> None:
    """A longer value from elsewhere (an office script, a hand-edited record) is held to three calendar months."""
    assert next_review_due(START, LAST, learner_interval=Interval.months(6)) == FUNDING_CEILING.after(LAST)
    assert next_review_due(START, LAST, learner_interval=Interval.weeks(20)) == FUNDING_CEILING.after(LAST)
    with pytest.raises(ValueError, match="no more than 3 calendar months apart"):
        AgreedFrequency(Interval.months(4), "Asked for", "Jo Bloggs", dt.date(2026, 9, 7))


def test_at_risk_still_brings_a_review_forward_and_the_first_review_keeps_to_the_procedure() -> None:
    rules = ScheduleRules().for_learner(Interval.months(3))
    assert (rules.first_review, rules.short_interval, rules.max_interval) == (
        Interval.weeks(8), Interval.weeks(4), Interval.months(3))
    assert ScheduleRules().for_learner(Interval.weeks(3)).short_interval == Interval.weeks(3)
    at_risk = propose_next_review(LAST, welfare_rag="red", learner_interval=Interval.months(3))
    assert at_risk.date == dt.date(2026, 10, 5) and "welfare rated red" in at_risk.reason
    agreed = propose_next_review(LAST, learner_interval=Interval.months(3))
    assert agreed == propose_next_review(LAST, learner_interval=Interval.months(3))
    assert (agreed.date, agreed.reason) == (dt.date(2026, 12, 7), "3 months (this learner's agreed frequency)")


@pytest.mark.parametrize(("changes", "message"), [
    ({"reason": " "}, "Say why"),
    ({"agreed_by": ""}, "who at the employer agreed"),
])
def test_an_agreement_without_its_reason_or_who_agreed_is_refused(changes, message) -> None:
    fields = {"interval": AGREED.interval, "reason": AGREED.reason, "agreed_by": AGREED.agreed_by,
              "agreed_on": AGREED.agreed_on, **changes}
    with pytest.raises(ValueError, match=message):
        AgreedFrequency(**fields)


def test_the_learner_record_carries_the_agreement_and_refuses_an_interval_without_it() -> None:
    learner = _learner(**frequency_fields(AGREED))
    assert learner.review_interval == "P3M"
    assert frequency_of(learner) == AGREED and learner_interval(learner) == Interval.months(3)
    assert frequency_of(_learner()) is None and learner_interval(None) is None
    with pytest.raises(ValidationError, match="needs the reason for it"):
        _learner(review_interval="P3M")
    assert REVIEW_FREQUENCY_NEEDS_AGREEMENT.startswith("A learner's own review frequency")
    with pytest.raises(ValidationError):
        _learner(**{**frequency_fields(AGREED), "review_interval": "3 months"})  # stored only as P3M / P10W
    assert _learner(**frequency_fields(None)).review_interval == ""


def test_a_pull_to_an_older_client_leaves_out_the_fields_it_does_not_know() -> None:
    data = _learner(**frequency_fields(AGREED)).model_dump(mode="json")
    for_old = fields_for_protocol("learner", data, 2)
    assert not any(name.startswith("review_interval") for name in for_old)
    # protocol 3 knows the review frequency, not protocol 4's e-mail consent
    assert fields_for_protocol("learner", data, 3) == {k: v for k, v in data.items() if k != "email_consent"}
    assert fields_for_protocol("learner", data, PROTOCOL_VERSION) == data
    assert fields_for_protocol("employer", {"name": "Acme"}, 1) == {"name": "Acme"}
