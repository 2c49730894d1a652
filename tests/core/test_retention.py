"""How long an archival copy is kept: six years after the end of the apprenticeship agreement."""

from __future__ import annotations

import datetime as dt

from reviewapp.core.retention import agreement_end, archive_expired, archive_kept_until, years_after


def test_six_years_after_the_planned_end_or_the_review_held_after_it() -> None:
    assert archive_kept_until(dt.date(2027, 3, 31), dt.date(2025, 11, 20)) == dt.date(2033, 3, 31)
    # A review held after the planned end shows the agreement ran on at least to then.
    assert agreement_end(dt.date(2025, 7, 31), dt.date(2025, 9, 2)) == dt.date(2025, 9, 2)
    assert archive_kept_until(dt.date(2025, 7, 31), dt.date(2025, 9, 2)) == dt.date(2031, 9, 2)
    assert archive_kept_until(dt.date(2025, 7, 31), None) == dt.date(2031, 7, 31)


def test_no_end_date_keeps_the_copy() -> None:
    assert archive_kept_until(None, dt.date(2015, 1, 1)) is None
    assert not archive_expired(None, dt.date(2099, 1, 1))


def test_a_leap_day_and_the_last_day_kept() -> None:
    assert years_after(dt.date(2024, 2, 29), 6) == dt.date(2030, 2, 28)
    kept = dt.date(2030, 2, 28)
    assert not archive_expired(kept, kept) and archive_expired(kept, dt.date(2030, 3, 1))
