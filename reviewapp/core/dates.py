"""Dates as UK users read them: stored ISO, shown DD/MM/YYYY, times in Europe/London.

Kept in one place so that every widget and document formats a date the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def utc_now() -> dt.datetime:
    """An aware UTC instant, as stored."""
    return dt.datetime.now(dt.UTC)


def london_today() -> dt.date:
    """Today's date where the assessor works (differs from UTC's around midnight in summer)."""
    return dt.datetime.now(LONDON).date()


def parse_time(text: object) -> dt.time | None:
    """An "HH:MM" answer (24-hour, UK time) as a time; None for anything else."""
    if not isinstance(text, str) or not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", text.strip()):
        return None
    return dt.time(int(text.strip()[:2]), int(text.strip()[3:]))


def format_date(value: dt.date | None) -> str:
    """DD/MM/YYYY, or an empty string for no date."""
    return value.strftime("%d/%m/%Y") if value else ""


def format_datetime(value: dt.datetime | None) -> str:
    """DD/MM/YYYY HH:MM in London time; a naive value is taken as UTC."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(LONDON).strftime("%d/%m/%Y %H:%M")


#: What a date field shows while it is empty, and what every "not a date" message gives as the form to use.
DATE_PLACEHOLDER = "DD/MM/YYYY"

_TYPED_DATE = re.compile(r"^(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{1,4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def _not_a_date(text: str, why: str) -> ValueError:
    return ValueError(f"“{text}” is not a date: {why}. Type it as {DATE_PLACEHOLDER}, for example 16/01/2027")


def parse_typed_date(text: str) -> dt.date | None:
    """A date as a UK user types it, or None for a blank field; raises ValueError saying what is wrong.

    Day first, always (16/01/2027, 16/1/27, 16-1-2027, 16.1.2027, 16 1 2027), or ISO (2027-01-16) as pasted from
    another system; eight digits run together are DDMMYYYY and six are DDMMYY. A two-digit year is this century's
    (27 is 2027): the dates an assessor types (due dates, next reviews) are never in the 1900s, so no pivot year
    can surprise anyone. One- and three-digit years are refused rather than guessed, so half-typed text is never
    taken for a date nobody meant.
    """
    text = text.strip()
    if not text:
        return None
    digits_only = text.isdigit()
    if digits_only and len(text) in (6, 8):
        day, month, year = text[:2], text[2:4], text[4:]
    elif match := _ISO_DATE.match(text):
        year, month, day = match.groups()
    elif match := _TYPED_DATE.match(text):
        day, month, year = match.groups()
    else:
        raise _not_a_date(text, "give the day, the month and the year")
    if len(year) not in (2, 4):
        raise _not_a_date(text, "give the year as four digits (or two, such as 27 for 2027)")
    whole_year = int(year) + (2000 if len(year) == 2 else 0)
    month_number, day_number = int(month), int(day)
    if not 1 <= month_number <= 12:
        raise _not_a_date(text, f"there is no month {month_number}")
    if whole_year < 1900:
        raise _not_a_date(text, f"the year {whole_year} is too long ago")
    try:
        return dt.date(whole_year, month_number, day_number)
    except ValueError:
        raise _not_a_date(text, f"{_MONTHS[month_number - 1]} {whole_year} has no day {day_number}") from None


def parse_uk_date(text: str) -> dt.date:
    """Like `parse_typed_date`, for text that must hold a date: a blank one is refused with the same message."""
    day = parse_typed_date(text)
    if day is None:
        raise _not_a_date(text, "nothing was typed")
    return day
