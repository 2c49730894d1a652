"""Scheduling rules: when reviews fall due, and what the rules propose after a review."""

import datetime as dt

import pytest

from reviewapp.core.scheduling import (
    HolidayPeriod,
    Interval,
    ReviewTiming,
    ScheduleRules,
    next_review_due,
    propose_next_review,
    review_timing,
)

START = dt.date(2026, 1, 5)


def test_first_review_is_eight_weeks_after_start_by_default():
    assert next_review_due(START, None) == dt.date(2026, 3, 2)


def test_first_review_interval_is_configurable():
    assert next_review_due(START, None, rules=ScheduleRules(first_review=Interval.weeks(6))) == dt.date(2026, 2, 16)


def test_later_reviews_at_most_the_interval_apart():
    assert next_review_due(START, dt.date(2026, 3, 2)) == dt.date(2026, 4, 27)


def test_agreed_date_wins_only_when_earlier_than_the_rule_allows():
    last = dt.date(2026, 3, 2)
    assert next_review_due(START, last, dt.date(2026, 3, 30)) == dt.date(2026, 3, 30)
    assert next_review_due(START, last, dt.date(2026, 6, 30)) == dt.date(2026, 4, 27)


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (dt.date(2026, 11, 22), ReviewTiming.OVERDUE),
        (dt.date(2026, 11, 23), ReviewTiming.DUE_SOON),
        (dt.date(2026, 11, 30), ReviewTiming.DUE_SOON),
        (dt.date(2026, 12, 1), ReviewTiming.OK),
    ],
)
def test_timing_against_today(due, expected):
    assert review_timing(due, dt.date(2026, 11, 23)) is expected


def test_learner_on_a_break_is_never_overdue():
    assert review_timing(dt.date(2020, 1, 1), dt.date(2026, 11, 23), learner_status="break_in_learning") is (
        ReviewTiming.PAUSED
    )


def test_red_or_amber_or_support_shortens_the_interval():
    visit = dt.date(2026, 11, 23)  # a Monday
    assert propose_next_review(visit).date == dt.date(2027, 1, 18)
    amber = propose_next_review(visit, welfare_rag="amber")
    assert amber.date == dt.date(2026, 12, 21)
    assert "welfare rated amber" in amber.reason
    assert propose_next_review(visit, has_support_needs=True).date == dt.date(2026, 12, 21)


def test_holiday_moves_the_date_earlier_never_later():
    visit = dt.date(2026, 11, 23)
    rules = ScheduleRules(holidays=(HolidayPeriod(dt.date(2027, 1, 11), dt.date(2027, 1, 22)),))
    proposed = propose_next_review(visit, rules=rules)
    assert proposed.date == dt.date(2027, 1, 8)  # the Friday before the closure
    assert "holiday" in proposed.reason


def test_rules_refuse_intervals_beyond_funding_limit():
    with pytest.raises(ValueError, match="no more than 3 calendar months apart under the funding rules, not 13 weeks"):
        ScheduleRules(max_interval=Interval.weeks(13))
