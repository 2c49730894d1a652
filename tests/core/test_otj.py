"""Off-the-job hours: pro-rata planned hours, logged hours in a window, and the shortfall."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewapp.core.otj import logged_hours, otj_position, planned_hours_to_date, shortfall
from sync.protocol import LearnerData, OtjEntryData

START, END = dt.date(2025, 9, 1), dt.date(2026, 9, 1)  # 365 days


def test_planned_hours_are_pro_rata_between_start_and_planned_end() -> None:
    assert planned_hours_to_date(365, START, END, dt.date(2025, 12, 1)) == 91.0
    assert planned_hours_to_date(365, START, END, START) == 0
    assert planned_hours_to_date(365, START, END, dt.date(2025, 8, 1)) == 0
    assert planned_hours_to_date(365, START, END, dt.date(2027, 1, 1)) == 365


def test_no_plan_means_no_figure() -> None:
    assert planned_hours_to_date(365, START, None, dt.date(2026, 1, 1)) is None
    assert planned_hours_to_date(0, START, END, dt.date(2026, 1, 1)) is None


def test_shortfall_is_never_negative() -> None:
    assert shortfall(100, 80) == 20
    assert shortfall(100, 120) == 0
    assert shortfall(None, 10) is None


def test_logged_hours_since_last_review_exclude_its_day() -> None:
    entries = [OtjEntryData(learner_id="l", date=dt.date(2026, 1, d), hours=h) for d, h in ((5, 3), (6, 2.5), (20, 4))]
    assert logged_hours(entries) == 9.5
    assert logged_hours(entries, since=dt.date(2026, 1, 5)) == 6.5
    assert logged_hours(entries, since=dt.date(2026, 1, 5), until=dt.date(2026, 1, 19)) == 2.5


def test_position_of_a_learner_behind_plan() -> None:
    learner = LearnerData(uln="1234567890", first_name="A", last_name="B", start_date=START, planned_end_date=END,
                          planned_otj_hours=365)
    entries = [OtjEntryData(learner_id="l", date=dt.date(2025, 10, 1), hours=20)]
    position = otj_position(learner, entries, dt.date(2025, 12, 1))
    assert (position.planned_to_date, position.logged_to_date, position.shortfall) == (91.0, 20, 71.0)
    assert position.behind


@given(total=st.floats(min_value=1, max_value=2000), days=st.integers(min_value=-100, max_value=1000),
       logged=st.floats(min_value=0, max_value=3000))
def test_planned_hours_stay_within_the_plan(total: float, days: int, logged: float) -> None:
    planned = planned_hours_to_date(total, START, END, START + dt.timedelta(days=days))
    assert planned is not None and 0 <= planned <= round(total, 1) + 0.05
    gap = shortfall(planned, logged)
    assert gap == pytest.approx(max(planned - logged, 0), abs=0.051)


@given(a=st.integers(min_value=0, max_value=400), b=st.integers(min_value=0, max_value=400))
def test_planned_hours_never_go_down_over_time(a: int, b: int) -> None:
    early, late = sorted((a, b))
    assert planned_hours_to_date(500, START, END, START + dt.timedelta(days=early)) <= planned_hours_to_date(
        500, START, END, START + dt.timedelta(days=late))


@pytest.mark.parametrize(("written", "hours"), [("2", 2.0), ("1.5", 1.5), ("1,5", 1.5), ("1:30", 1.5),
                                                (" 0:15 ", 0.25), ("24", 24.0), ("7.25", 7.25)])
def test_hours_are_read_as_assessors_and_spreadsheets_write_them(written: str, hours: float) -> None:
    from reviewapp.core.otj import parse_hours

    assert parse_hours(written) == hours


@pytest.mark.parametrize(("written", "why"), [
    ("", "Enter the hours"), ("two", "'two' is not a number of hours"), ("-1", "is not a number of hours"),
    ("0", "more than nought"), ("0:00", "more than nought"), ("25", "more than a day's hours"),
    ("1:75", "is not a number of hours"), ("1e3", "is not a number of hours"), ("1,000.5", "not a number"),
])
def test_hours_that_are_not_an_entry_say_why(written: str, why: str) -> None:
    from reviewapp.core.otj import parse_hours

    with pytest.raises(ValueError, match=why):
        parse_hours(written)
