"""The laptop's alerts (issue 16 item 5): the core's rules (`reviewapp.core.alerts.alerts_for`) over the local
store, as the caseload sees it (`queries.caseload_facts`), the provider's schedule and the office's alert settings;
and dismissing one with a reason, a record that syncs (`AlertDismissal`) and is logged at the server."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewapp.core.alerts import (
    NOT_MET_STATUSES,
    Alert,
    AlertSettings,
    DraftFact,
    TargetFact,
    alerts_for,
    check_reason,
    without_dismissed,
)
from reviewapp.core.caseload import caseload_rows
from reviewapp.core.dates import utc_now
from reviewapp.core.scheduling import ScheduleRules
from reviewapp.store.database import Store
from reviewapp.store.models import AlertDismissal, Learner, Review, Target
from reviewapp.store.queries import caseload_facts
from reviewapp.store.records import to_record


def local_alerts(session: Session, today: dt.date, rules: ScheduleRules, settings: AlertSettings) -> list[Alert]:
    """The alerts over every learner on the laptop, dismissed ones left out."""
    rows = caseload_rows(caseload_facts(session), today, rules)
    targets = [TargetFact(t.learner_id, t.id, t.text, t.due_date, t.status) for t in session.scalars(
        select(Target).where(Target.deleted.is_(False), Target.due_date < today,
                             Target.status.in_(NOT_MET_STATUSES)))]
    drafts = [DraftFact(learner, review, visit) for learner, review, visit in session.execute(
        select(Review.learner_id, Review.id, Review.visit_date)
        .where(Review.deleted.is_(False), Review.status == "draft"))]
    dismissed = [(learner, key) for learner, key in session.execute(
        select(AlertDismissal.learner_id, AlertDismissal.alert_key).where(AlertDismissal.deleted.is_(False)))]
    return without_dismissed(alerts_for(rows, targets, drafts, today, settings), dismissed)


def store_alerts(store: Store, today: dt.date) -> list[Alert]:
    """The alerts as this account sees them today, by its schedule and the office's alert settings."""
    from reviewapp.store.office_settings import office_alert_settings
    from reviewapp.store.settings import schedule_rules

    rules, settings = schedule_rules(store), office_alert_settings(store)
    with store.read() as session:
        return local_alerts(session, today, rules, settings)


def dismiss_alert(store: Store, alert: Alert, reason: str, dismissed_by: str) -> str:
    """Dismiss `alert` with a reason (ValueError when it is missing); the dismissal's id. It syncs at the next
    sync, where the server logs it, and hides the alert at the office too."""
    cleaned = check_reason(reason)
    with store.write() as session:
        if session.get(Learner, alert.learner_id) is None:
            raise ValueError("This learner is no longer on this laptop.")
        row = AlertDismissal(learner_id=alert.learner_id, alert_key=alert.key, reason=cleaned,
                             dismissed_by=dismissed_by, dismissed_at=utc_now())
        session.add(row)
        session.flush()
        to_record(row)  # checked against the wire schema before it is committed
        return row.id
