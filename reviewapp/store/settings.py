"""Per-account settings kept in the store (never secrets: those live only in the OS keyring).

Keys are dotted (`sync.server_url`, `schedule.max_interval_weeks`); values are JSON. The review schedule is kept
here so a provider whose rules differ from the defaults (first review after 8 weeks, then at most 8 weeks apart)
can set them once per laptop, and the caseload's overdue / due-soon and each review's proposed next date follow.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import select

from reviewapp.core.documents import ReportSettings
from reviewapp.core.scheduling import DEFAULT_RULES, ScheduleRules
from reviewapp.store.database import Store
from reviewapp.store.models import Setting

#: The review schedule's settings, one per field of `ScheduleRules` that a provider sets.
SCHEDULE_FIELDS = ("first_review_weeks", "max_interval_weeks", "short_interval_weeks", "due_soon_days")


def get_setting(store: Store, key: str, default: Any = None) -> Any:
    with store.read() as session:
        row = session.get(Setting, key)
        return row.value if row is not None else default


def set_settings(store: Store, **values: Any) -> None:
    """Keys with dots are passed with underscores: `set_settings(store, sync_server_url=...)`."""
    _store_values(store, {name.replace("_", ".", 1): value for name, value in values.items()})


def _store_values(store: Store, values: dict[str, Any]) -> None:
    with store.write() as session:
        for key, value in values.items():
            row = session.get(Setting, key)
            if row is None:
                session.add(Setting(key=key, value=value))
            else:
                row.value = value


def schedule_rules(store: Store) -> ScheduleRules:
    """The account's review schedule; the defaults for any setting missing or no longer valid."""
    with store.read() as session:
        stored = {row.key: row.value for row in session.scalars(
            select(Setting).where(Setting.key.in_([f"schedule.{name}" for name in SCHEDULE_FIELDS]))
        )}
    values = {name: stored[f"schedule.{name}"] for name in SCHEDULE_FIELDS
              if isinstance(stored.get(f"schedule.{name}"), int)}
    try:
        return dataclasses.replace(DEFAULT_RULES, **values)
    except ValueError:  # an impossible combination stored by hand: the defaults, rather than no caseload at all
        return DEFAULT_RULES


def save_schedule_rules(store: Store, rules: ScheduleRules) -> None:
    set_settings(store, **{f"schedule_{name}": getattr(rules, name) for name in SCHEDULE_FIELDS})


def save_report_settings(store: Store, report: ReportSettings) -> None:
    """The provider name and logo printed on every copy (read back by `review_documents.report_settings`)."""
    from reviewapp.store.review_documents import PROVIDER_LOGO_SETTING, PROVIDER_NAME_SETTING

    _store_values(store, {PROVIDER_NAME_SETTING: report.provider_name,
                          PROVIDER_LOGO_SETTING: str(report.logo_path) if report.logo_path else ""})
