"""Setting a learner's own review frequency on the laptop, as a change that syncs like any other.

The learner's record comes from the provider's MIS, but their review frequency is agreed at a visit, with the
employer, so it is set here: the change goes through the outbox to the server and from there to every laptop and
the office, and a later MIS re-import leaves it alone (the import updates only the fields the MIS holds).
"""

from __future__ import annotations

from reviewapp.core.review_frequency import AgreedFrequency, frequency_fields
from reviewapp.store.database import Store
from reviewapp.store.models import Learner
from reviewapp.store.records import to_record


class UnknownLearnerError(LookupError):
    """The learner is not (or no longer) in this caseload."""


def set_review_frequency(store: Store, learner_id: str, frequency: AgreedFrequency | None) -> None:
    """Record the learner's agreed frequency, or clear it (None) to follow the provider's schedule again.

    The row is checked against the wire schema before it is committed, so a record the server would refuse is
    refused here, while the assessor can still correct it.
    """
    with store.write() as session:
        learner = session.get(Learner, learner_id)
        if learner is None or learner.deleted:
            raise UnknownLearnerError("This learner is no longer in your caseload.")
        for name, value in frequency_fields(frequency).items():
            if getattr(learner, name) != value:
                setattr(learner, name, value)
        to_record(learner)
