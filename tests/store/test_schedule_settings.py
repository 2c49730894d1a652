"""The laptop's review schedule kept in the encrypted store: intervals in weeks or months, and holiday periods.

Holiday periods were part of the rules but never saved (issue 14 item 8): each test here reopens the store file, so
what is read back is what was written to disk, not what a session remembered.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reviewapp.core.scheduling import DEFAULT_RULES, HolidayPeriod, Interval, ScheduleRules
from reviewapp.store.database import Store
from reviewapp.store.settings import get_setting, save_schedule_rules, schedule_rules, store_values

CHRISTMAS = HolidayPeriod(dt.date(2026, 12, 21), dt.date(2027, 1, 1), "Christmas closure")
EASTER = HolidayPeriod(dt.date(2027, 3, 29), dt.date(2027, 4, 2))


def _reopened(path: Path, account: str) -> Store:
    return Store.open(path, account)


def test_holidays_and_monthly_intervals_survive_closing_and_reopening(tmp_path: Path) -> None:
    rules = ScheduleRules(first_review=Interval.weeks(6), max_interval=Interval.months(2),
                          short_interval=Interval.weeks(4), due_soon_days=10, holidays=(EASTER, CHRISTMAS))
    with Store.open(tmp_path / "data", "assessor1") as store:
        save_schedule_rules(store, rules)
    with _reopened(tmp_path / "data", "assessor1") as store:
        read = schedule_rules(store)
        assert read == rules
        assert read.holidays == (CHRISTMAS, EASTER)  # earliest first, names kept
        assert get_setting(store, "schedule.max_interval") == "P2M"


def test_a_schedule_saved_in_whole_weeks_by_an_earlier_version_is_still_read(store: Store) -> None:
    store_values(store, {"schedule.first_review_weeks": 6, "schedule.max_interval_weeks": 10,
                          "schedule.short_interval_weeks": 5})
    assert schedule_rules(store) == ScheduleRules(first_review=Interval.weeks(6), max_interval=Interval.weeks(10),
                                                  short_interval=Interval.weeks(5))
    save_schedule_rules(store, schedule_rules(store))  # saved again: in the newer keys only
    assert get_setting(store, "schedule.max_interval_weeks") is None
    assert get_setting(store, "schedule.max_interval") == "P10W"


def test_an_unreadable_holiday_is_left_out_and_a_forbidden_schedule_gives_the_defaults(store: Store) -> None:
    store_values(store, {"schedule.holidays": [
        {"start": "2026-12-21", "end": "2027-01-01", "name": "Christmas closure"},
        {"start": "2027-02-30", "end": "2027-03-01"}, {"start": "2027-05-02", "end": "2027-05-01"}, "nonsense"]})
    assert schedule_rules(store).holidays == (CHRISTMAS,)
    store_values(store, {"schedule.max_interval": "P4M"})  # beyond the funding ceiling: never followed
    assert schedule_rules(store) == DEFAULT_RULES


def test_saved_holidays_are_used_for_the_caseloads_due_dates(store: Store) -> None:
    """Saved, and followed: a due date inside the closure comes forward to the working day before it."""
    from reviewapp.core.scheduling import next_review_due

    save_schedule_rules(store, ScheduleRules(holidays=(CHRISTMAS,)))
    last_review = dt.date(2026, 11, 2)  # + 8 weeks = 28 December, in the closure
    assert next_review_due(dt.date(2026, 1, 5), last_review, rules=schedule_rules(store)) == dt.date(2026, 12, 18)
    assert next_review_due(dt.date(2026, 1, 5), last_review) == dt.date(2026, 12, 28)
