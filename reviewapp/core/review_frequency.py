"""A learner's own review frequency, agreed with their employer, as the learner record holds it.

Why it is a record of an agreement and not just a number: the funding rules set the ceiling (three calendar
months) and the provider sets its procedure within it; a learner's reviews may be further apart than the
provider's interval only when that was agreed with the employer, for a reason, and the evidence of it (who agreed,
when) is what an auditor asks for. So an interval is never kept without its reason and agreement, and even an
agreed interval stops at the funding ceiling. How it changes the dates is `ScheduleRules.for_learner`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from reviewapp.core.dates import format_date
from reviewapp.core.scheduling import FUNDING_CEILING, Interval, stored_interval


@dataclass(frozen=True)
class AgreedFrequency:
    """The interval, why, and who at the employer agreed to it on which day."""

    interval: Interval
    reason: str
    agreed_by: str
    agreed_on: dt.date

    def __post_init__(self) -> None:
        problem = frequency_problem(self.interval, self.reason, self.agreed_by, self.agreed_on)
        if problem:
            raise ValueError(problem)

    @property
    def words(self) -> str:
        return (f"Every {self.interval}, agreed with {self.agreed_by} on {format_date(self.agreed_on)}: "
                f"{self.reason}")


def frequency_problem(interval: Interval, reason: str, agreed_by: str, agreed_on: dt.date | None,
                      today: dt.date | None = None) -> str:
    """Why these cannot be a learner's agreed frequency (worded for the assessor), or "" when they can."""
    if not interval.fits_within(FUNDING_CEILING):
        return (f"Reviews must still be no more than {FUNDING_CEILING.in_full} apart under the funding rules, "
                f"not {interval}.")
    if not reason.strip():
        return "Say why this learner has their own review frequency."
    if not agreed_by.strip():
        return "Say who at the employer agreed to this frequency."
    if agreed_on is None:
        return "Give the date the employer agreed to this frequency."
    if today is not None and agreed_on > today:
        return "The date the employer agreed cannot be in the future."
    return ""


def agreed_frequency(interval: str | None, reason: str, agreed_by: str,
                     agreed_on: dt.date | None) -> AgreedFrequency | None:
    """The agreed frequency stored fields hold, or None.

    A stored value that is incomplete or beyond the ceiling reads as none: the learner follows the provider's
    schedule rather than a gap nobody recorded agreeing.
    """
    parsed = stored_interval(interval)
    if parsed is None or agreed_on is None:
        return None
    try:
        return AgreedFrequency(parsed, reason or "", agreed_by or "", agreed_on)
    except ValueError:
        return None


def frequency_of(record: Any) -> AgreedFrequency | None:
    """The agreed frequency of a learner record (`LearnerData`, or the laptop's row), or None."""
    if record is None:
        return None
    return agreed_frequency(record.review_interval, record.review_interval_reason, record.review_interval_agreed_by,
                            record.review_interval_agreed_on)


def learner_interval(record: Any) -> Interval | None:
    """The interval the scheduling rules follow for this learner: their agreed one, or None for the provider's."""
    frequency = frequency_of(record)
    return frequency.interval if frequency is not None else None


def frequency_fields(frequency: AgreedFrequency | None) -> dict[str, Any]:
    """The learner record's fields for `frequency` (None: back to the provider's schedule, the agreement cleared)."""
    if frequency is None:
        return {"review_interval": "", "review_interval_reason": "", "review_interval_agreed_by": "",
                "review_interval_agreed_on": None}
    return {"review_interval": frequency.interval.iso, "review_interval_reason": frequency.reason.strip(),
            "review_interval_agreed_by": frequency.agreed_by.strip(),
            "review_interval_agreed_on": frequency.agreed_on}
