"""Changes to one learner made from the main window: their review frequency, whether they (and their employer's
contact) agreed to be e-mailed copies, and a concern raised without a review. Each is a change that syncs."""

from __future__ import annotations

from reviewapp.core.review_frequency import AgreedFrequency
from reviewapp.operations.changes import Changes, Outcome
from reviewapp.store import concerns, email_consent, learner_frequency
from reviewapp.store.database import Store
from reviewapp.store.learner_frequency import UnknownLearnerError

__all__ = ["UnknownLearnerError", "raise_concern", "set_email_consent", "set_review_frequency"]


def _learner_changed(learner_id: str) -> Changes:
    return Changes(learners=frozenset({learner_id}), outbox=True)


def set_review_frequency(store: Store, learner_id: str, frequency: AgreedFrequency | None) -> Outcome[None]:
    """The learner's own frequency agreed with the employer, or None for the provider's schedule; their due dates
    follow. UnknownLearnerError or ValueError say why it was not saved."""
    learner_frequency.set_review_frequency(store, learner_id, frequency)
    return Outcome(None, _learner_changed(learner_id) | Changes(alerts=True))


def set_email_consent(store: Store, learner_id: str, *, learner: bool | None,
                      employer: bool | object | None = email_consent.UNCHANGED) -> Outcome[None]:
    """The learner's answer, and their employer's contact's when they have an employer (else left unchanged)."""
    email_consent.set_email_consent(store, learner_id, learner=learner, employer=employer)
    return Outcome(None, _learner_changed(learner_id))


def raise_concern(store: Store, learner_id: str, route: str, urgency: str, text: str) -> Outcome[str]:
    """A safeguarding or learning support concern (it syncs first); its id. ValueError says what is wrong."""
    concern_id = concerns.raise_concern(store, learner_id, route, urgency, text)
    return Outcome(concern_id, _learner_changed(learner_id) | Changes(alerts=True))
