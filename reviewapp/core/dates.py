"""Dates as UK users read them: stored ISO, shown DD/MM/YYYY, times in Europe/London.

Kept in one place so that every widget and document formats a date the same way.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def utc_now() -> dt.datetime:
    """An aware UTC instant, as stored."""
    return dt.datetime.now(dt.UTC)


def london_today() -> dt.date:
    """Today's date where the assessor works (differs from UTC's around midnight in summer)."""
    return dt.datetime.now(LONDON).date()


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


def parse_uk_date(text: str) -> dt.date:
    """Parse DD/MM/YYYY (as typed by a UK user) or ISO YYYY-MM-DD; raises ValueError with a readable message."""
    text = text.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"“{text}” is not a date: use DD/MM/YYYY, for example 23/11/2026")
