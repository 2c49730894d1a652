"""Off-the-job training: the hours a learner should have done by now, and any shortfall.

Funding rules require the planned off-the-job hours to be delivered over the planned duration, so a review checks
the hours logged against the plan spread evenly (pro rata) between the start and the planned end date. Kept apart
from the review rules because the caseload and reports need the same figures outside a review.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for hints only: the caseload imports this module, and the window paints before pydantic loads
    from sync.protocol import LearnerData, OtjEntryData


def planned_hours_to_date(
    planned_total: float, start: dt.date, planned_end: dt.date | None, as_of: dt.date
) -> float | None:
    """The hours the plan expects by `as_of`, pro rata by calendar day; None when the plan has no end or no hours.

    Before the start it is nought, after the planned end it is the whole plan: an overrunning learner still owes
    every planned hour, but no more than that.
    """
    if planned_end is None or planned_total <= 0 or planned_end <= start:
        return None
    elapsed = min(max((as_of - start).days, 0), (planned_end - start).days)
    return round(planned_total * elapsed / (planned_end - start).days, 1)


def logged_hours(entries: Iterable[OtjEntryData], since: dt.date | None = None, until: dt.date | None = None) -> float:
    """Hours logged in entries dated after `since` (exclusive: that day was covered by the last review) up to and
    including `until`."""
    total = sum(
        entry.hours
        for entry in entries
        if (since is None or entry.date > since) and (until is None or entry.date <= until)
    )
    return round(total, 2)


def shortfall(planned_to_date: float | None, logged_to_date: float | None) -> float | None:
    """Hours behind the plan (nought when on or ahead of it); None when either figure is unknown."""
    if planned_to_date is None or logged_to_date is None:
        return None
    return round(max(planned_to_date - logged_to_date, 0.0), 1)


@dataclass(frozen=True)
class OtjPosition:
    planned_to_date: float | None
    logged_to_date: float
    shortfall: float | None

    @property
    def behind(self) -> bool:
        return bool(self.shortfall)


def otj_position(learner: LearnerData, entries: Iterable[OtjEntryData], as_of: dt.date) -> OtjPosition:
    """Where a learner stands on off-the-job hours on a given day, from their plan and log."""
    logged = logged_hours(entries, until=as_of)
    planned = planned_hours_to_date(learner.planned_otj_hours, learner.start_date, learner.planned_end_date, as_of)
    return OtjPosition(planned, logged, shortfall(planned, logged))


#: The most hours one entry may hold: a day (the wire schema's limit too, `OtjEntryData.hours`).
MAX_ENTRY_HOURS = 24.0
#: The longest activity (the laptop's column holds 200 characters).
MAX_ACTIVITY_CHARS = 200
_HOURS_AND_MINUTES = re.compile(r"(\d{1,2}):([0-5]\d)")


def parse_hours(text: str) -> float:
    """Hours as an assessor or a spreadsheet writes them: "2", "1.5", "1,5" or "1:30" (hours and minutes).

    Shared by the laptop's entry dialog and the server's CSV import, so both take and refuse the same values; a
    ValueError says why, for the person who typed it.
    """
    written = text.strip()
    if not written:
        raise ValueError("Enter the hours, for example 1.5 or 1:30.")
    if match := _HOURS_AND_MINUTES.fullmatch(written):
        hours = int(match[1]) + int(match[2]) / 60
    elif re.fullmatch(r"\d{1,6}(?:[.,]\d+)?", written):
        hours = float(written.replace(",", "."))
    else:
        raise ValueError(f"{written!r} is not a number of hours: write it as 1.5 or 1:30.")
    if hours <= 0:
        raise ValueError("The hours must be more than nought.")
    if hours > MAX_ENTRY_HOURS:
        raise ValueError(f"{written!r} is more than a day's hours: an entry holds at most {MAX_ENTRY_HOURS:g} hours; "
                         "log a longer activity day by day.")
    return round(hours, 2)


def format_hours(hours: float) -> str:
    """Hours as the log shows them: 1.5, 2, 0.25."""
    return f"{hours:g}"


@dataclass(frozen=True)
class OtjLogEntry:
    """One entry of a learner's off-the-job log, as the learner panel lists it."""

    id: str
    date: dt.date
    hours: float
    activity: str
    learnt: str
    evidence: str
