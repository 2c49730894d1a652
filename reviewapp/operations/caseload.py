"""The caseload as the main window shows it: the table's rows with the pending-change count and the alerts, and one
learner's details for the panel. Read in one session each, so a refresh is one consistent picture of the store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reviewapp.core.alerts import Alert
from reviewapp.core.caseload import CaseloadRow, LearnerDetail, caseload_rows
from reviewapp.core.scheduling import ScheduleRules
from reviewapp.store import queries
from reviewapp.store.alerts import local_alerts
from reviewapp.store.database import Store
from reviewapp.store.models import Learner
from reviewapp.store.office_settings import office_alert_settings


@dataclass(frozen=True)
class CaseloadSnapshot:
    rows: list[CaseloadRow]
    pending_changes: int
    #: The alerts over the caseload (reviewapp.core.alerts), dismissed ones left out.
    alerts: tuple[Alert, ...] = ()


def load_caseload(store: Store, today: dt.date, rules: ScheduleRules) -> CaseloadSnapshot:
    """Every learner's row as of `today` by `rules`, the changes not yet synced and the alerts not dismissed."""
    settings = office_alert_settings(store)
    with store.read() as session:
        facts = queries.caseload_facts(session)
        pending = queries.pending_change_count(session)
        alerts = local_alerts(session, today, rules, settings)
    return CaseloadSnapshot(caseload_rows(facts, today, rules), pending, tuple(alerts))


def learner_detail(store: Store, learner_id: str) -> LearnerDetail | None:
    """One learner's details for the panel as the store holds them now; None when they are no longer here."""
    with store.read() as session:
        return queries.learner_detail(session, learner_id)


def has_learners(store: Store) -> bool:
    """Whether the caseload holds any learner at all (an empty demo is filled at start)."""
    with store.read() as session:
        return session.query(Learner.id).first() is not None
