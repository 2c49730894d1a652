"""The learner's off-the-job log on the laptop: entries added, edited and deleted as changes that sync.

Each write goes through a store unit of work, so the outbox records it (a deletion is a tombstone, `deleted`), and
the row is checked against the wire schema before it is committed: an entry the server would refuse is refused
here, while the assessor can still correct it. The review's off-the-job step reads the same rows
(`reviews.review_context`), so a new entry shows in the next draft's hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewapp.core.otj import MAX_ACTIVITY_CHARS, OtjLogEntry
from reviewapp.store.database import Store
from reviewapp.store.learner_frequency import UnknownLearnerError
from reviewapp.store.models import Learner, OtjEntry, new_id
from reviewapp.store.records import to_record


class UnknownEntryError(LookupError):
    """The entry is not (or no longer) in the log: deleted here or at the office since it was listed."""


@dataclass(frozen=True)
class EntryFields:
    """What the assessor enters for one entry (the dialog's result)."""

    date: dt.date
    hours: float
    activity: str
    learnt: str = ""
    evidence: str = ""


def log_entries(session: Session, learner_id: str) -> list[OtjLogEntry]:
    """The learner's entries, newest first (entries of one day in the order they were made)."""
    rows = session.scalars(
        select(OtjEntry)
        .where(OtjEntry.learner_id == learner_id, OtjEntry.deleted.is_(False))
        .order_by(OtjEntry.date.desc(), OtjEntry.updated_at.desc())
    ).all()
    return [OtjLogEntry(r.id, r.date, r.hours, r.activity, r.description, r.evidence) for r in rows]


def _set(row: OtjEntry, fields: EntryFields) -> None:
    activity = fields.activity.strip()
    if not activity:
        raise ValueError("Say what the activity was (for example: Training course, Shadowing, Online module).")
    if len(activity) > MAX_ACTIVITY_CHARS:
        raise ValueError(f"The activity is longer than {MAX_ACTIVITY_CHARS} characters: put the detail under what "
                         "was learnt.")
    values = {"date": fields.date, "hours": fields.hours, "activity": activity,
              "description": fields.learnt.strip(), "evidence": fields.evidence.strip()}
    for name, value in values.items():
        if getattr(row, name) != value:  # only what changed, so the outbox sends only that
            setattr(row, name, value)
    try:
        to_record(row)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError: the rule the server applies too
        raise ValueError(f"The entry cannot be saved: {exc}") from None


def add_entry(store: Store, learner_id: str, fields: EntryFields) -> str:
    """A new entry in the learner's log; its id."""
    with store.write() as session:
        learner = session.get(Learner, learner_id)
        if learner is None or learner.deleted:
            raise UnknownLearnerError("This learner is no longer in your caseload.")
        row = OtjEntry(id=new_id(), learner_id=learner_id, date=fields.date, hours=fields.hours)
        _set(row, fields)
        session.add(row)
        return row.id


def edit_entry(store: Store, entry_id: str, fields: EntryFields) -> None:
    with store.write() as session:
        _set(_entry(session, entry_id), fields)


def delete_entry(store: Store, entry_id: str) -> None:
    """A tombstone, so the deletion reaches the server and every other copy."""
    with store.write() as session:
        _entry(session, entry_id).deleted = True


def _entry(session: Session, entry_id: str) -> OtjEntry:
    row = session.get(OtjEntry, entry_id)
    if row is None or row.deleted:
        raise UnknownEntryError("This entry is no longer in the log: it may have been deleted since.")
    return row
