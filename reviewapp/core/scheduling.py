"""When a learner's next progress review is due, and whether it is overdue.

The 2025-26 apprenticeship funding rules ask for a progress review at least every three calendar months
(`FUNDING_CEILING`, no longer twelve weeks). Within that, the provider sets its own procedure (by default the first
review 8 weeks after the start, then at most 8 weeks apart), reviews sooner when a learner is struggling, and books
nothing in its holiday periods. A learner may have their own frequency, agreed with the employer and recorded with
the reason: that is the only way the gap between reviews may be longer than the provider's, and it too stops at the
funding ceiling. Due, due-soon and overdue are always derived from these rules and the dates on record, never
stored, so a change of rule or of today's date is reflected everywhere at once.

Intervals are counted in weeks or in calendar months. A calendar month is counted as the funding rules count it: to
the same day of the month, or to the month's last day when it has no such day (31 January + 1 month = 28 or
29 February), so three months from a visit is never read as a fixed number of days.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache

from dateutil.relativedelta import relativedelta


class IntervalUnit(StrEnum):
    WEEKS = "weeks"
    MONTHS = "months"


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole calendar months, clamped to the end of a shorter month (31 Jan + 1 = 28/29 Feb).

    Raises OverflowError past the calendar's ends, as adding a `timedelta` does, so callers handle one error.
    """
    try:
        return day + relativedelta(months=months)
    except (ValueError, OverflowError) as error:  # relativedelta says "year 10000 is out of range"
        raise OverflowError(f"date value out of range: {error}") from None


_ISO_INTERVAL = re.compile(r"P([1-9][0-9]?)([WM])")
_WORDED_INTERVAL = re.compile(r"(?:every\s+)?([1-9][0-9]?)\s*(weeks?|wk?s?|months?|m|mths?)", re.IGNORECASE)


@dataclass(frozen=True)
class Interval:
    """A gap between reviews: a whole number of weeks or of calendar months.

    Stored and sent as an ISO 8601 duration (`P8W`, `P3M`), shown in words ("8 weeks", "1 month").
    """

    count: int
    unit: IntervalUnit = IntervalUnit.WEEKS

    def __post_init__(self) -> None:
        if not isinstance(self.count, int) or isinstance(self.count, bool) or not 1 <= self.count <= 99:
            raise ValueError(f"An interval is a whole number of weeks or months from 1 to 99, not {self.count!r}.")
        object.__setattr__(self, "unit", IntervalUnit(self.unit))

    @classmethod
    def weeks(cls, count: int) -> Interval:
        return cls(count, IntervalUnit.WEEKS)

    @classmethod
    def months(cls, count: int) -> Interval:
        return cls(count, IntervalUnit.MONTHS)

    @classmethod
    def parse(cls, text: str) -> Interval:
        """`P8W` / `P3M` (as stored), or words as a person types them: "8 weeks", "every 2 months", "1 month"."""
        cleaned = text.strip()
        if match := _ISO_INTERVAL.fullmatch(cleaned):
            return cls(int(match[1]), IntervalUnit.WEEKS if match[2] == "W" else IntervalUnit.MONTHS)
        if match := _WORDED_INTERVAL.fullmatch(cleaned):
            unit = IntervalUnit.MONTHS if match[2].lower().startswith("m") else IntervalUnit.WEEKS
            return cls(int(match[1]), unit)
        raise ValueError(f"{text!r} is not an interval: give weeks or months, such as '8 weeks' or '3 months'.")

    @property
    def iso(self) -> str:
        return f"P{self.count}{'W' if self.unit is IntervalUnit.WEEKS else 'M'}"

    @property
    def words(self) -> str:
        noun = "week" if self.unit is IntervalUnit.WEEKS else "month"
        return f"{self.count} {noun}{'' if self.count == 1 else 's'}"

    @property
    def in_full(self) -> str:
        """Words that leave no doubt how months are counted: "3 calendar months", "8 weeks"."""
        if self.unit is IntervalUnit.WEEKS:
            return self.words
        return f"{self.count} calendar month{'' if self.count == 1 else 's'}"

    def after(self, day: dt.date) -> dt.date:
        """The date this interval after `day` (OverflowError past the calendar's end)."""
        if self.unit is IntervalUnit.WEEKS:
            return day + dt.timedelta(weeks=self.count)
        return add_months(day, self.count)

    def fits_within(self, other: Interval) -> bool:
        """True when, from any day, this interval never ends later than `other` does.

        Weeks against months is decided on the calendar's shortest and longest spans of months (three months span
        89 to 92 days), so 12 weeks (84 days) fits within 3 months from every start, and 13 weeks (91) does not.
        """
        if self.unit is other.unit:
            return self.count <= other.count
        if self.unit is IntervalUnit.WEEKS:
            return self.count * 7 <= _month_span_days(other.count)[0]
        return _month_span_days(self.count)[1] <= other.count * 7

    def __str__(self) -> str:
        return self.words


def stored_interval(text: str | None) -> Interval | None:
    """A learner's own interval as the record holds it (`"P10W"`), or None for none or one that cannot be read
    (which then follows the provider's schedule, never a longer one)."""
    if not text:
        return None
    try:
        return Interval.parse(text)
    except ValueError:
        return None


@cache
def _month_span_days(months: int) -> tuple[int, int]:
    """The fewest and most days `months` calendar months can span, over every start day.

    Four years from a leap year hold every pattern of month lengths (a century's missing leap day only repeats a
    common year's February), so their starts give the exact bounds.
    """
    start = dt.date(2000, 1, 1)
    spans = [(add_months(day, months) - day).days
             for day in (start + dt.timedelta(days=n) for n in range(4 * 366))]
    return min(spans), max(spans)


#: The funding rules' longest gap between progress reviews (2025-26: at least every three calendar months), whatever
#: the provider's procedure or a learner's agreed frequency.
FUNDING_CEILING = Interval.months(3)
#: Our procedure's defaults: the first review 8 weeks after the start, then every 8 weeks, 4 when at risk.
_EIGHT_WEEKS, _FOUR_WEEKS = Interval.weeks(8), Interval.weeks(4)


#: The longest "due soon" warning (the provider settings window offers up to this).
MAX_DUE_SOON_DAYS = 28


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
    name: str = ""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("A holiday period cannot end before it starts.")

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class ScheduleRules:
    """The provider's review procedure, each interval within the funding ceiling (`FUNDING_CEILING`).

    Constructing rules the funding rules forbid raises ValueError with a message worded for the person setting them.
    """

    first_review: Interval = _EIGHT_WEEKS
    max_interval: Interval = _EIGHT_WEEKS
    short_interval: Interval = _FOUR_WEEKS
    due_soon_days: int = 7
    holidays: tuple[HolidayPeriod, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", tuple(sorted(self.holidays, key=lambda p: (p.start, p.end))))
        ceiling = FUNDING_CEILING.in_full
        if not self.first_review.fits_within(FUNDING_CEILING):
            raise ValueError(f"The first review must be no more than {ceiling} after the start under the funding "
                             f"rules, not {self.first_review}.")
        if not self.max_interval.fits_within(FUNDING_CEILING):
            raise ValueError(f"Reviews must be no more than {ceiling} apart under the funding rules, "
                             f"not {self.max_interval}.")
        if not self.short_interval.fits_within(self.max_interval):
            raise ValueError("The sooner interval cannot be longer than the usual one.")
        if self.due_soon_days < 0:
            raise ValueError("'Due soon' cannot be a negative number of days.")
        if self.due_soon_days > MAX_DUE_SOON_DAYS:
            raise ValueError(f"'Due soon' is at most {MAX_DUE_SOON_DAYS} days, so the caseload still tells due "
                             "from not yet due.")

    def for_learner(self, own_interval: Interval | None) -> ScheduleRules:
        """These rules for a learner with their own agreed frequency (None: the provider's rules as they are).

        The learner's interval replaces the usual one, longer or shorter, but never beyond the funding ceiling (a
        longer value from elsewhere is held to it). The first review and the sooner interval keep the provider's
        values unless the learner's own interval is shorter still: an agreement never delays a struggling learner.
        """
        if own_interval is None:
            return self
        own = own_interval if own_interval.fits_within(FUNDING_CEILING) else FUNDING_CEILING
        return replace(
            self,
            max_interval=own,
            first_review=self.first_review if self.first_review.fits_within(own) else own,
            short_interval=self.short_interval if self.short_interval.fits_within(own) else own,
        )


DEFAULT_RULES = ScheduleRules()


def next_review_due(
    start_date: dt.date,
    last_review_date: dt.date | None,
    agreed_next_review_date: dt.date | None = None,
    rules: ScheduleRules = DEFAULT_RULES,
    *,
    learner_interval: Interval | None = None,
) -> dt.date:
    """The date the next review is due.

    The date agreed at the last review wins when it is set, but never later than the rule allows: an agreed date
    that slipped beyond the maximum interval does not hide an overdue review. A latest date that falls in a holiday
    period is brought forward to the working day before it, since no review can be held then.
    """
    rules = rules.for_learner(learner_interval)
    base = start_date if last_review_date is None else last_review_date
    latest_allowed = (rules.first_review if last_review_date is None else rules.max_interval).after(base)
    if any(period.contains(latest_allowed) for period in rules.holidays):
        latest_allowed = _avoid_holidays(latest_allowed, rules.holidays, earliest=base)
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
    learner_interval: Interval | None = None,
) -> ProposedReviewDate:
    """The next review date the rules propose at the end of a review, with the reason in plain words.

    A red or amber rating, or additional support in place, brings the review forward to the short interval; a
    learner's agreed frequency (`learner_interval`) takes the place of the usual one. A date falling in a holiday
    period or at a weekend moves to the working day before it, so the interval never grows.
    """
    rules = rules.for_learner(learner_interval)
    reasons: list[str] = []
    if progress_rag in ("red", "amber"):
        reasons.append(f"progress rated {progress_rag}")
    if welfare_rag in ("red", "amber"):
        reasons.append(f"welfare rated {welfare_rag}")
    if has_support_needs:
        reasons.append("additional support in place")
    interval = rules.short_interval if reasons else rules.max_interval
    unmoved = interval.after(visit_date)
    proposed = _avoid_holidays(unmoved, rules.holidays, earliest=visit_date)
    if reasons:
        reason = f"{interval} (shorter interval: {', '.join(reasons)})"
    elif learner_interval is not None:
        reason = f"{interval} (this learner's agreed frequency)"
    else:
        reason = f"{interval} (standard interval)"
    if proposed != unmoved:
        reason += "; moved earlier to avoid a holiday period" if any(
            p.contains(unmoved) for p in rules.holidays) else "; moved earlier to a weekday"
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


#: The keys of a schedule written out as data (`schedule_to_document`): the office's settings, a rules file.
SCHEDULE_DOCUMENT_KEYS = ("first_review", "max_interval", "short_interval", "due_soon_days", "holidays")


def schedule_to_document(rules: ScheduleRules) -> dict[str, object]:
    """The rules as JSON data: intervals as ISO 8601 durations, holiday periods with ISO dates."""
    return {
        "first_review": rules.first_review.iso,
        "max_interval": rules.max_interval.iso,
        "short_interval": rules.short_interval.iso,
        "due_soon_days": rules.due_soon_days,
        "holidays": [{"start": p.start.isoformat(), "end": p.end.isoformat(), "name": p.name} for p in rules.holidays],
    }


def schedule_from_document(document: object) -> ScheduleRules:
    """Rules from JSON data (`schedule_to_document`'s shape; a key left out keeps the default), checked by the same
    rules as a schedule set on a laptop (`ScheduleRules`, the funding ceiling). Raises ValueError naming the key at
    fault, worded for the admin who wrote it; intervals may be in words ("3 months") as well as ISO."""
    if not isinstance(document, dict):
        raise ValueError("A schedule is a JSON object with first_review, max_interval, short_interval, "
                         "due_soon_days and holidays.")
    unknown = sorted(set(document) - set(SCHEDULE_DOCUMENT_KEYS))
    if unknown:
        raise ValueError(f"Unknown schedule setting {', '.join(map(repr, unknown))}: use "
                         f"{', '.join(SCHEDULE_DOCUMENT_KEYS)}.")
    values: dict[str, object] = {}
    for name in SCHEDULE_DOCUMENT_KEYS[:3]:
        if name in document:
            if not isinstance(document[name], str):
                raise ValueError(f"{name}: give weeks or months as text, such as '8 weeks' or 'P3M'.")
            try:
                values[name] = Interval.parse(document[name])
            except ValueError as error:
                raise ValueError(f"{name}: {error}") from None
    if "due_soon_days" in document:
        days = document["due_soon_days"]
        if not isinstance(days, int) or isinstance(days, bool):
            raise ValueError(f"due_soon_days: a whole number of days, not {days!r}.")
        values["due_soon_days"] = days
    periods = []
    raw_periods = document.get("holidays", [])
    if not isinstance(raw_periods, list):
        raise ValueError("holidays: a list of periods, each with start, end (ISO dates) and a name.")
    for number, item in enumerate(raw_periods, start=1):
        try:
            periods.append(HolidayPeriod(dt.date.fromisoformat(item["start"]), dt.date.fromisoformat(item["end"]),
                                         str(item.get("name", ""))))
        except (TypeError, KeyError, AttributeError):
            raise ValueError(f"holidays, period {number}: give start and end as ISO dates (YYYY-MM-DD), and a "
                             "name.") from None
        except ValueError as error:
            raise ValueError(f"holidays, period {number}: {error}") from None
    values["holidays"] = tuple(periods)
    return replace(DEFAULT_RULES, **values)  # type: ignore[arg-type]
