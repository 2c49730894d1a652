"""Working time (reviewapp/core/working_time.py): Monday to Friday, 09:00 to 17:00 in London."""

from __future__ import annotations

import datetime as dt

import pytest

from reviewapp.core.dates import LONDON
from reviewapp.core.working_time import working_time_between


def at(day: int, hour: int, minute: int = 0, month: int = 12) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def test_hours_within_a_working_day() -> None:
    assert working_time_between(at(1, 10), at(1, 14, 30)) == dt.timedelta(hours=4, minutes=30)


def test_evenings_and_nights_do_not_count() -> None:
    assert working_time_between(at(1, 16), at(2, 11)) == dt.timedelta(hours=3)  # Tue 16:00 to Wed 11:00
    assert working_time_between(at(1, 19), at(2, 8, 59)) == dt.timedelta()


def test_a_weekend_does_not_count() -> None:
    assert working_time_between(at(4, 15), at(7, 11)) == dt.timedelta(hours=4)  # Fri 15:00 to Mon 11:00
    assert working_time_between(at(5, 9), at(6, 17)) == dt.timedelta()  # Saturday and Sunday


def test_utc_times_are_read_in_london_time_in_summer() -> None:
    start = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)  # 09:00 in London (BST)
    assert working_time_between(start, start + dt.timedelta(hours=10)) == dt.timedelta(hours=8)


def test_nothing_when_the_end_is_not_after_the_start_and_naive_times_are_refused() -> None:
    assert working_time_between(at(1, 12), at(1, 10)) == dt.timedelta()
    with pytest.raises(ValueError):
        working_time_between(dt.datetime(2026, 12, 1, 10), at(1, 12))
