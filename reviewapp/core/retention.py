"""How long a review's archival copy is kept: six years after the end of the apprenticeship agreement.

The funding rules ask providers to keep evidence of an apprenticeship for six years after the agreement ends. The
learner's record holds its planned end date (the ILR's LearnPlanEndDate; no actual end date is carried yet), so the
agreement's end is that date, or the review's own date when the review was held after it (an agreement that ran
on past its planned end lasted at least that long). A learner with no end date recorded keeps every copy: nothing
is deleted on a guess.
"""

from __future__ import annotations

import datetime as dt

RETENTION_YEARS = 6


def years_after(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February in a year that has none."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def agreement_end(planned_end_date: dt.date | None, review_date: dt.date | None) -> dt.date | None:
    """The end of the apprenticeship agreement as the records show it (see the module's docstring)."""
    if planned_end_date is None:
        return None
    return max(planned_end_date, review_date) if review_date else planned_end_date


def archive_kept_until(planned_end_date: dt.date | None, review_date: dt.date | None) -> dt.date | None:
    """The last day a review's archival copy is kept; None (kept) while the agreement's end is not recorded."""
    end = agreement_end(planned_end_date, review_date)
    return years_after(end, RETENTION_YEARS) if end else None


def archive_expired(kept_until: dt.date | None, today: dt.date) -> bool:
    """Whether a copy kept until `kept_until` may be deleted on `today`."""
    return kept_until is not None and today > kept_until
