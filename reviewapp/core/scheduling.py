"""When a learner's next progress review is due, and whether it is overdue.

Funding rules require reviews at most twelve weeks apart; providers usually set a tighter rule (eight weeks) and
review sooner when a learner is struggling. Due, due-soon and overdue are always derived from these rules and the
dates on record, never stored, so a change of rule or of today's date is reflected everywhere at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class ReviewTiming(StrEnum):
    """Where a learner stands against their next review date."""

    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    OK = "ok"
    PAUSED = "paused"  # on a break in learning, withdrawn or completed: no review is due

    @property
    def label(self) -> str:
        return {
            ReviewTiming.OVERDUE: "Overdue",
            ReviewTiming.DUE_SOON: "Due soon",
            ReviewTiming.OK: "OK",
            ReviewTiming.PAUSED: "Not due",
        }[self]


@dataclass(frozen=True)
class HolidayPeriod:
    """A period (inclusive) in which no review is booked, e.g. the provider's Christmas closure."""

    start: dt.date
    end: dt.date

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class ScheduleRules:
    """The provider's review rules. Funding rules allow intervals of up to 12 weeks."""

    first_review_weeks: int = 8
    max_interval_weeks: int = 8
    short_interval_weeks: int = 4
    due_soon_days: int = 7
    holidays: Sequence[HolidayPeriod] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        for name in ("first_review_weeks", "max_interval_weeks", "short_interval_weeks"):
            weeks = getattr(self, name)
            if not 1 <= weeks <= 12:
                raise ValueError(f"{name} must be between 1 and 12 weeks (funding rules), not {weeks}")
        if self.short_interval_weeks > self.max_interval_weeks:
            raise ValueError("the short interval cannot be longer than the normal interval")
        if self.due_soon_days < 0:
            raise ValueError("due_soon_days cannot be negative")


DEFAULT_RULES = ScheduleRules()


def next_review_due(
    start_date: dt.date,
    last_review_date: dt.date | None,
    agreed_next_review_date: dt.date | None = None,
    rules: ScheduleRules = DEFAULT_RULES,
) -> dt.date:
    """The date the next review is due.

    The date agreed at the last review wins when it is set, but never later than the rule allows: an agreed date
    that slipped beyond the maximum interval does not hide an overdue review.
    """
    if last_review_date is None:
        latest_allowed = start_date + dt.timedelta(weeks=rules.first_review_weeks)
    else:
        latest_allowed = last_review_date + dt.timedelta(weeks=rules.max_interval_weeks)
    if agreed_next_review_date is not None:
        return min(agreed_next_review_date, latest_allowed)
    return latest_allowed


def review_timing(
    due: dt.date | None,
    today: dt.date,
    *,
    learner_status: str = "active",
    rules: ScheduleRules = DEFAULT_RULES,
) -> ReviewTiming:
    """Overdue, due within `rules.due_soon_days`, OK, or paused for a learner not in active learning."""
    if learner_status != "active" or due is None:
        return ReviewTiming.PAUSED
    if due < today:
        return ReviewTiming.OVERDUE
    if (due - today).days <= rules.due_soon_days:
        return ReviewTiming.DUE_SOON
    return ReviewTiming.OK


@dataclass(frozen=True)
class ProposedReviewDate:
    date: dt.date
    reason: str


def propose_next_review(
    visit_date: dt.date,
    *,
    progress_rag: str | None = None,
    welfare_rag: str | None = None,
    has_support_needs: bool = False,
    rules: ScheduleRules = DEFAULT_RULES,
) -> ProposedReviewDate:
    """The next review date the rules propose at the end of a review, with the reason in plain words.

    A red or amber rating, or additional support in place, brings the review forward to the short interval.
    A date falling in a holiday period moves to the working day before it, so the interval never grows.
    """
    reasons: list[str] = []
    if progress_rag in ("red", "amber"):
        reasons.append(f"progress rated {progress_rag}")
    if welfare_rag in ("red", "amber"):
        reasons.append(f"welfare rated {welfare_rag}")
    if has_support_needs:
        reasons.append("additional support in place")
    weeks = rules.short_interval_weeks if reasons else rules.max_interval_weeks
    proposed = _avoid_holidays(visit_date + dt.timedelta(weeks=weeks), rules.holidays, earliest=visit_date)
    if reasons:
        reason = f"{weeks} weeks (shorter interval: {', '.join(reasons)})"
    else:
        reason = f"{weeks} weeks (standard interval)"
    if proposed != visit_date + dt.timedelta(weeks=weeks):
        reason += "; moved earlier to avoid a holiday period"
    return ProposedReviewDate(proposed, reason)


def _avoid_holidays(day: dt.date, holidays: Iterable[HolidayPeriod], earliest: dt.date) -> dt.date:
    """Move `day` earlier until it is a weekday outside every holiday period (not before `earliest`)."""
    periods = list(holidays)
    candidate = day
    while candidate > earliest:
        blocking = next((p for p in periods if p.contains(candidate)), None)
        if blocking is not None:
            candidate = blocking.start - dt.timedelta(days=1)
        elif candidate.weekday() >= 5:  # Saturday or Sunday
            candidate -= dt.timedelta(days=candidate.weekday() - 4)
        else:
            return candidate
    return day
