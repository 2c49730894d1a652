"""Review intervals in weeks or calendar months, and the funding ceiling of three calendar months (issue 14 item 8)."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewapp.core.scheduling import (
    FUNDING_CEILING,
    Interval,
    IntervalUnit,
    ScheduleRules,
    add_months,
    next_review_due,
    propose_next_review,
)

days = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31))
month_counts = st.integers(min_value=0, max_value=36)


def _reference_add_months(day: dt.date, months: int) -> dt.date:
    """Counted by hand: the same day of the month `months` on, or that month's last day."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@given(days, month_counts)
def test_adding_months_lands_in_the_right_month_on_the_same_day_or_the_months_last(day, months) -> None:
    moved = add_months(day, months)
    assert moved == _reference_add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    last = calendar.monthrange(moved.year, moved.month)[1]
    assert moved.day == day.day or (moved.day == last < day.day)


@given(days, days, month_counts)
def test_adding_months_never_reorders_dates(a, b, months) -> None:
    early, late = sorted((a, b))
    assert add_months(early, months) <= add_months(late, months)


@given(days, st.integers(min_value=1, max_value=12), st.integers(min_value=1, max_value=12))
def test_more_months_is_never_earlier(day, fewer, more) -> None:
    fewer, more = sorted((fewer, more))
    assert add_months(day, fewer) <= add_months(day, more)


@pytest.mark.parametrize(("day", "expected"), [
    (dt.date(2026, 1, 31), dt.date(2026, 2, 28)),
    (dt.date(2028, 1, 31), dt.date(2028, 2, 29)),  # a leap year
    (dt.date(2026, 3, 31), dt.date(2026, 4, 30)),
    (dt.date(2026, 12, 15), dt.date(2027, 1, 15)),
])
def test_a_month_after_the_last_days_is_clamped_to_the_shorter_month(day, expected) -> None:
    assert add_months(day, 1) == expected == Interval.months(1).after(day)


def test_adding_months_past_the_calendar_end_raises_overflow_like_timedelta() -> None:
    with pytest.raises(OverflowError):
        add_months(dt.date(9999, 12, 1), 1)


@given(days, st.integers(min_value=1, max_value=12))
def test_an_interval_of_weeks_fits_the_ceiling_exactly_when_it_never_ends_later_than_it(day, weeks) -> None:
    """`fits_within` is decided once for every start date: check it against real dates."""
    interval = Interval.weeks(weeks)
    assert interval.fits_within(FUNDING_CEILING)
    assert interval.after(day) <= FUNDING_CEILING.after(day)


def test_thirteen_weeks_can_pass_three_calendar_months_so_they_do_not_fit() -> None:
    start = dt.date(2026, 2, 1)  # 1 February to 1 May is 89 days; 13 weeks are 91
    assert Interval.weeks(13).after(start) > FUNDING_CEILING.after(start)
    assert not Interval.weeks(13).fits_within(FUNDING_CEILING)
    assert Interval.months(3).fits_within(FUNDING_CEILING) and not Interval.months(4).fits_within(FUNDING_CEILING)
    assert not Interval.months(1).fits_within(Interval.weeks(4))  # 31 days can be longer than 28
    assert Interval.months(1).fits_within(Interval.weeks(5))


@pytest.mark.parametrize(("text", "expected"), [
    ("P8W", Interval.weeks(8)), ("P3M", Interval.months(3)), ("8 weeks", Interval.weeks(8)),
    ("every 2 months", Interval.months(2)), ("1 month", Interval.months(1)), ("6w", Interval.weeks(6)),
])
def test_intervals_read_as_stored_or_as_typed(text, expected) -> None:
    assert Interval.parse(text) == expected
    assert Interval.parse(expected.iso) == expected


@pytest.mark.parametrize("text", ["", "P0W", "8", "8 fortnights", "P3Y", "-1 weeks"])
def test_what_is_not_an_interval_is_refused_with_a_reason(text) -> None:
    with pytest.raises(ValueError, match="weeks or months"):
        Interval.parse(text)


def test_intervals_in_words() -> None:
    assert [str(i) for i in (Interval.weeks(1), Interval.weeks(8), Interval.months(1), Interval.months(3))] == [
        "1 week", "8 weeks", "1 month", "3 months"]
    assert Interval(2, "months").unit is IntervalUnit.MONTHS
    assert (Interval.months(3).in_full, Interval.months(1).in_full, Interval.weeks(12).in_full) == (
        "3 calendar months", "1 calendar month", "12 weeks")


def test_the_funding_ceiling_is_three_calendar_months_not_twelve_weeks() -> None:
    rules = ScheduleRules(max_interval=Interval.months(3))  # refused under the twelve-week rule
    last = dt.date(2026, 11, 30)
    assert next_review_due(dt.date(2026, 1, 5), last, rules=rules) == dt.date(2027, 2, 28)  # clamped, not 2 March
    with pytest.raises(ValueError, match="no more than 3 calendar months apart"):
        ScheduleRules(max_interval=Interval.months(4))
    with pytest.raises(ValueError, match="first review must be no more than 3 calendar months after the start"):
        ScheduleRules(first_review=Interval.weeks(13))


def test_our_procedure_by_default_first_review_eight_weeks_after_the_start() -> None:
    assert ScheduleRules().first_review == Interval.weeks(8)
    assert next_review_due(dt.date(2026, 1, 5), None) == dt.date(2026, 3, 2)


def test_a_monthly_interval_is_proposed_in_calendar_months_and_said_so() -> None:
    rules = ScheduleRules(max_interval=Interval.months(2), short_interval=Interval.months(1))
    proposed = propose_next_review(dt.date(2026, 12, 31), rules=rules)  # 28 Feb 2027 is a Sunday
    assert proposed.date == dt.date(2027, 2, 26)
    assert proposed.reason == "2 months (standard interval); moved earlier to a weekday"
    assert propose_next_review(dt.date(2027, 1, 29), rules=rules, welfare_rag="red").date == dt.date(2027, 2, 26)


def test_fits_within_across_units_is_exactly_never_ending_later_on_any_day() -> None:
    """Checked day by day over four years from a leap year (every pattern of month lengths), both ways round."""
    days_checked = [dt.date(2000, 1, 1) + dt.timedelta(days=n) for n in range(4 * 366)]
    for months in (1, 2, 3):
        for weeks in range(1, 15):
            m, w = Interval.months(months), Interval.weeks(weeks)
            assert w.fits_within(m) == all(w.after(day) <= m.after(day) for day in days_checked), (w, m)
            assert m.fits_within(w) == all(m.after(day) <= w.after(day) for day in days_checked), (m, w)
