"""Per-account settings kept in the store (never secrets: those live only in the OS keyring).

Keys are dotted (`sync.server_url`, `schedule.max_interval`); values are JSON. The review schedule is kept here so a
provider whose rules differ from the defaults (first review after 8 weeks, then at most 8 weeks apart) can set them
once per laptop, and the caseload's overdue / due-soon and each review's proposed next date follow. Intervals are
kept as ISO 8601 durations (`"P8W"`, `"P3M"`), holiday periods as a list of `{"start", "end", "name"}` with ISO
dates. Laptops that saved their schedule before intervals could be months kept whole weeks under
`schedule.<name>_weeks`: those are still read when the newer key is absent.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import delete, select

from reviewapp.core.documents import ReportSettings
from reviewapp.core.scheduling import DEFAULT_RULES, HolidayPeriod, Interval, ScheduleRules
from reviewapp.store.database import Store
from reviewapp.store.models import Setting

#: The review schedule's intervals, one setting per field of `ScheduleRules` that a provider sets.
SCHEDULE_INTERVALS = ("first_review", "max_interval", "short_interval")
#: The settings that hold the schedule (the intervals, `due_soon_days` and the holiday periods).
SCHEDULE_KEYS = tuple(f"schedule.{name}" for name in (*SCHEDULE_INTERVALS, "due_soon_days", "holidays"))
#: Where an earlier version kept the intervals, in whole weeks.
LEGACY_WEEK_KEYS = tuple(f"schedule.{name}_weeks" for name in SCHEDULE_INTERVALS)


def get_setting(store: Store, key: str, default: Any = None) -> Any:
    with store.read() as session:
        row = session.get(Setting, key)
        return row.value if row is not None else default


def set_settings(store: Store, **values: Any) -> None:
    """Keys with dots are passed with underscores: `set_settings(store, sync_server_url=...)`."""
    store_values(store, {name.replace("_", ".", 1): value for name, value in values.items()})


def store_values(store: Store, values: dict[str, Any]) -> None:
    """Keep each setting by its full dotted key, in one transaction."""
    with store.write() as session:
        for key, value in values.items():
            row = session.get(Setting, key)
            if row is None:
                session.add(Setting(key=key, value=value))
            else:
                row.value = value


def schedule_rules(store: Store) -> ScheduleRules:
    """The account's review schedule: the office's when it set one (`office_settings`), else the laptop's own, with
    the default for any setting missing or no longer valid.

    A stored schedule that the rules now forbid as a whole (set by hand, or under an earlier funding rule) gives the
    defaults rather than no caseload at all; a single unreadable holiday period is left out, the others kept.
    """
    from reviewapp.store.office_settings import SCHEDULE as OFFICE_SCHEDULE
    from reviewapp.store.office_settings import office_schedule

    with store.read() as session:
        stored = {row.key: row.value for row in session.scalars(
            select(Setting).where(Setting.key.in_([*SCHEDULE_KEYS, *LEGACY_WEEK_KEYS, OFFICE_SCHEDULE]))
        )}
    office = office_schedule(stored.get(OFFICE_SCHEDULE))
    if office is not None:  # set at the office for every laptop: it wins over this laptop's own
        return office
    values: dict[str, Any] = {}
    for name in SCHEDULE_INTERVALS:
        interval = _interval(stored.get(f"schedule.{name}"), stored.get(f"schedule.{name}_weeks"))
        if interval is not None:
            values[name] = interval
    if isinstance(stored.get("schedule.due_soon_days"), int):
        values["due_soon_days"] = stored["schedule.due_soon_days"]
    values["holidays"] = _holidays(stored.get("schedule.holidays"))
    try:
        return dataclasses.replace(DEFAULT_RULES, **values)
    except ValueError:
        return DEFAULT_RULES


def save_schedule_rules(store: Store, rules: ScheduleRules) -> None:
    """Keep the whole schedule, holiday periods included, in the newer form (the older week keys are dropped)."""
    store_values(store, {
        **{f"schedule.{name}": getattr(rules, name).iso for name in SCHEDULE_INTERVALS},
        "schedule.due_soon_days": rules.due_soon_days,
        "schedule.holidays": [{"start": p.start.isoformat(), "end": p.end.isoformat(), "name": p.name}
                              for p in rules.holidays],
    })
    with store.write() as session:
        session.execute(delete(Setting).where(Setting.key.in_(LEGACY_WEEK_KEYS)))


def _interval(value: Any, legacy_weeks: Any) -> Interval | None:
    try:
        if isinstance(value, str):
            return Interval.parse(value)
        if isinstance(legacy_weeks, int) and not isinstance(legacy_weeks, bool):
            return Interval.weeks(legacy_weeks)
    except ValueError:
        pass
    return None


def _holidays(value: Any) -> tuple[HolidayPeriod, ...]:
    periods = []
    for item in value if isinstance(value, list) else []:
        try:
            periods.append(HolidayPeriod(dt.date.fromisoformat(item["start"]), dt.date.fromisoformat(item["end"]),
                                         str(item.get("name", ""))))
        except (TypeError, KeyError, ValueError, AttributeError):
            continue
    return tuple(periods)


def save_report_settings(store: Store, report: ReportSettings) -> None:
    """The provider name and logo printed on every copy (read back by `review_documents.report_settings`)."""
    from reviewapp.store.review_documents import PROVIDER_LOGO_SETTING, PROVIDER_NAME_SETTING

    store_values(store, {PROVIDER_NAME_SETTING: report.provider_name,
                          PROVIDER_LOGO_SETTING: str(report.logo_path) if report.logo_path else ""})
