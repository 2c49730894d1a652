"""Dismissing an alert, with the reason the assessor gives: it syncs, and hides the alert at the office too."""

from __future__ import annotations

from reviewapp.core.alerts import Alert
from reviewapp.operations.changes import Changes, Outcome
from reviewapp.store.alerts import dismiss_alert
from reviewapp.store.database import Store


def dismiss(store: Store, alert: Alert, reason: str) -> Outcome[str]:
    """Dismiss `alert` as the store's account (ValueError, for the user, when the reason is missing or the learner
    is gone); the dismissal's id."""
    dismissal_id = dismiss_alert(store, alert, reason, store.account)
    return Outcome(dismissal_id, Changes(learners=frozenset({alert.learner_id}), alerts=True, outbox=True))
