"""The provider's settings on this laptop: the name and logo heading every copy, and the review schedule, each
either the laptop's own or (read-only here) what the office set for every laptop at the last sync."""

from __future__ import annotations

from dataclasses import dataclass, replace

from reviewapp.core.documents import ReportSettings
from reviewapp.core.scheduling import ScheduleRules
from reviewapp.operations.changes import Changes, Outcome
from reviewapp.operations.printing import report_settings
from reviewapp.store import settings as stored
from reviewapp.store.database import Store
from reviewapp.store.office_settings import office_settings

#: Settings change every row's due dates and every copy's heading: the caseload reloads.
_SETTINGS_CHANGED = Changes(settings=True, caseload=True)


@dataclass(frozen=True)
class ProviderSettings:
    report: ReportSettings
    rules: ScheduleRules
    #: Whether the office set the name and logo, or the schedule: those are shown read-only.
    report_from_office: bool = False
    rules_from_office: bool = False


def schedule_rules(store: Store) -> ScheduleRules:
    """The review schedule the caseload and the wizard follow: the office's when it set one, else the laptop's."""
    return stored.schedule_rules(store)


def provider_settings(store: Store) -> ProviderSettings:
    """The settings as the dialog shows them, marking those the office set."""
    office = office_settings(store)
    rules = schedule_rules(store)  # as the last sync left them
    return ProviderSettings(report_settings(store), rules,
                            report_from_office=office is not None and office.sets_report,
                            rules_from_office=office is not None and office.schedule is not None)


def save_provider_settings(store: Store, chosen: ProviderSettings) -> Outcome[None]:
    """Keep what the assessor chose, leaving alone whatever the office set."""
    if not chosen.report_from_office:
        stored.save_report_settings(store, chosen.report)
    if not chosen.rules_from_office:
        stored.save_schedule_rules(store, chosen.rules)
    return Outcome(None, _SETTINGS_CHANGED)


def name_provider(store: Store, name: str) -> Outcome[None]:
    """Head every copy with the provider's `name` (the first start asks for it when none is set)."""
    stored.save_report_settings(store, replace(report_settings(store), provider_name=name))
    return Outcome(None, _SETTINGS_CHANGED)
