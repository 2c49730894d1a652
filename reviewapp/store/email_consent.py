"""Recording on the laptop whether a learner, and their employer's contact, agreed to be e-mailed their copies of each
review (issue 17 item 1): asked at a visit, so set here, as a change that syncs like any other. The server e-mails a
copy only to someone recorded as agreeing (`LearnerData.email_consent`, `EmployerData.email_consent`: True agreed,
False refused, None not asked); an MIS re-import never sets it.
"""

from __future__ import annotations

from reviewapp.store.database import Store
from reviewapp.store.learner_frequency import UnknownLearnerError
from reviewapp.store.models import Employer, Learner
from reviewapp.store.records import to_record

#: Leave that person's answer as it is.
UNCHANGED = object()


def set_email_consent(store: Store, learner_id: str, *, learner: bool | object | None = UNCHANGED,
                      employer: bool | object | None = UNCHANGED) -> None:
    """Record the learner's answer and/or the employer contact's (True, False, or None: not asked)."""
    with store.write() as session:
        row = session.get(Learner, learner_id)
        if row is None or row.deleted:
            raise UnknownLearnerError("This learner is no longer in your caseload.")
        if learner is not UNCHANGED and row.email_consent != learner:
            row.email_consent = learner  # type: ignore[assignment]
            to_record(row)
        if employer is not UNCHANGED:
            contact = session.get(Employer, row.employer_id) if row.employer_id else None
            if contact is None or contact.deleted:
                raise UnknownLearnerError("This learner has no employer recorded.")
            if contact.email_consent != employer:
                contact.email_consent = employer  # type: ignore[assignment]
                to_record(contact)
