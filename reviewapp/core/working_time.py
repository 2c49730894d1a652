"""Working time: how much of a span falls in working hours (Monday to Friday, 09:00 to 17:00 in London).

The one rule for "within 4 working hours" (issue 16: a safeguarding case nobody acknowledges in that time goes to a
deputy). Pure: no Qt, no SQL. Bank holidays are not known here: they count as working days (the deputy is told
sooner, never later).
"""

from __future__ import annotations

import datetime as dt

from .dates import LONDON

DAY_STARTS = dt.time(9, 0)
DAY_ENDS = dt.time(17, 0)


def working_time_between(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """The working time from `start` to `end` (timezone-aware; zero if `end` is not after `start`)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("working_time_between needs timezone-aware datetimes")
    if end <= start:
        return dt.timedelta()
    start, end = start.astimezone(LONDON), end.astimezone(LONDON)
    total = dt.timedelta()
    day = start.date()
    while day <= end.date():
        if day.weekday() < 5:
            opens = dt.datetime.combine(day, DAY_STARTS, LONDON)
            closes = dt.datetime.combine(day, DAY_ENDS, LONDON)
            begin, finish = max(opens, start), min(closes, end)
            if finish > begin:
                total += finish - begin
        day += dt.timedelta(days=1)
    return total
