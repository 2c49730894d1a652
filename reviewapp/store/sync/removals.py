"""A learner leaving the caseload: purged from the laptop, or held while work done here for them is unsent.

The store removes rows only; folders of saved copies are returned as names for the caller to delete once the
transaction is committed (`reviewapp.core.file_names.remove_saved_copy_folders`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from reviewapp.core.dates import utc_now
from reviewapp.core.file_names import learner_folder_name
from reviewapp.store.models import (
    AlertDismissal,
    CaseStatus,
    Concern,
    Delivery,
    Employer,
    Learner,
    OtjEntry,
    OutboxEntry,
    PlanItem,
    PortalNote,
    Review,
    ReviewSample,
    SavedCopy,
    Signature,
    SyncConflict,
    Target,
)
from reviewapp.store.sync.kinds import ConflictKind
from reviewapp.store.sync.rows import id_chunks, outbox_entry, select_in_chunks


def _learner_record_ids(session: Session, learner_id: str) -> set[str]:
    """The ids of a learner and of every record that hangs off them (reviews, their signatures, targets …)."""
    record_ids: set[str] = {learner_id}
    signatures = Signature.__table__
    signed = select(signatures.c.id).where(signatures.c.review_id.in_(_reviews_of(learner_id)))
    record_ids.update(session.scalars(signed))
    for model in (Target, PlanItem, OtjEntry, ReviewSample, AlertDismissal, Delivery, Concern, CaseStatus, PortalNote,
                  Review):
        table = model.__table__
        record_ids.update(session.scalars(select(table.c.id).where(table.c.learner_id == learner_id)))
    return record_ids


def _reviews_of(learner_id: str) -> Any:
    return select(Review.__table__.c.id).where(Review.__table__.c.learner_id == learner_id)


def unsent_changes(session: Session, learner_id: str) -> int:
    """How many of the laptop's changes to this learner's records have not reached the server."""
    ids = list(_learner_record_ids(session, learner_id))
    return len(select_in_chunks(session, select(OutboxEntry.seq), OutboxEntry.record_id, ids))


def hold_learner(session: Session, learner_id: str, unsent: int) -> None:
    """A learner left the caseload, but work done here for them never reached the server: keep it and say so.

    Purging would destroy it silently (the server refuses it, the learner being no longer the assessor's). The
    assessor decides in the conflicts dialog: discard it (Keep theirs: the learner is then removed from this
    laptop) or, once an admin has assigned the learner back, send it (Keep mine).
    """
    if _open_removal(session, learner_id) is not None:
        return
    learner = session.get(Learner, learner_id)
    name = learner.full_name if learner is not None else "This learner"
    session.add(SyncConflict(
        kind=ConflictKind.REMOVED, entity="learner", record_id=learner_id, field="",
        my_value=unsent,
        reason=f"{name} has left your caseload on the server, but changes made on this laptop to their records "
               "never reached it. They are kept here: ask an admin to assign the learner back to you and choose "
               "Keep mine to send them, or choose Keep theirs to discard them and remove the learner from this "
               "laptop.",
    ))


def _open_removal(session: Session, learner_id: str) -> SyncConflict | None:
    return session.scalars(select(SyncConflict).where(
        SyncConflict.kind == ConflictKind.REMOVED, SyncConflict.record_id == learner_id,
        SyncConflict.resolved_at.is_(None),
    )).first()


def release_returned_learners(session: Session, back: set[str]) -> None:
    """Held learners the server sent again (assigned back): held no longer, their refused changes go up again.

    A held learner is never purged here, even once nothing of theirs waits: the assessor's Keep mine may have just
    sent it to a server that has assigned the learner back, whose pages are still to come. Only the assessor's
    Keep theirs removes a held learner.
    """
    held = session.scalars(
        select(SyncConflict).where(SyncConflict.kind == ConflictKind.REMOVED, SyncConflict.resolved_at.is_(None))
    ).all()
    for removal in held:
        if removal.record_id in back:
            removal.resolved_at, removal.resolution = utc_now(), "retried"
            retry_refused(session, removal.record_id)


def retry_refused(session: Session, learner_id: str) -> None:
    """Refused changes to a learner's records go up again on the next sync (they were refused as out of scope)."""
    for chunk in id_chunks(list(_learner_record_ids(session, learner_id))):
        session.execute(
            update(SyncConflict).where(
                SyncConflict.kind == ConflictKind.REJECTED, SyncConflict.resolved_at.is_(None),
                SyncConflict.record_id.in_(chunk),
            ).values(resolved_at=utc_now(), resolution="retried")
        )


def discard_held_learner(session: Session, learner_id: str) -> str:
    """The assessor chose to drop the unsent work of a learner who left the caseload: remove it all."""
    for chunk in id_chunks(list(_learner_record_ids(session, learner_id))):
        session.execute(delete(OutboxEntry.__table__).where(OutboxEntry.__table__.c.record_id.in_(chunk)))
    session.flush()
    return purge_learner(session, learner_id)


def purge_learner(session: Session, learner_id: str) -> str:
    """Remove a learner and everything of theirs from the laptop (privacy): records, saved copies, pending changes,
    conflicts.

    Returns the name of the learner's folder of plain saved copies (older versions), for the caller to remove once
    this is committed.
    """
    record_ids = _learner_record_ids(session, learner_id)
    folder = next(iter(learner_folder_names(session, learner_id)), "")
    signatures = Signature.__table__
    session.execute(delete(signatures).where(signatures.c.review_id.in_(_reviews_of(learner_id))))
    # Saved copies: the PDFs handed out; deliveries: the copies handed over.
    for model in (SavedCopy, Target, PlanItem, OtjEntry, ReviewSample, AlertDismissal, Delivery, Review):
        table = model.__table__
        session.execute(delete(table).where(table.c.learner_id == learner_id))
    employer_id = session.scalar(select(Learner.__table__.c.employer_id).where(Learner.__table__.c.id == learner_id))
    session.execute(delete(Learner.__table__).where(Learner.__table__.c.id == learner_id))
    for chunk in id_chunks(list(record_ids)):
        session.execute(delete(OutboxEntry.__table__).where(OutboxEntry.__table__.c.record_id.in_(chunk)))
        session.execute(delete(SyncConflict.__table__).where(SyncConflict.__table__.c.record_id.in_(chunk)))
    if employer_id is not None:
        _purge_orphan_employer(session, employer_id)
    return folder


def _purge_orphan_employer(session: Session, employer_id: str) -> None:
    """An employer no learner on the laptop works for any longer is the server's business, not the laptop's."""
    learners = Learner.__table__
    still_used = session.scalar(select(func.count()).select_from(learners).where(learners.c.employer_id == employer_id))
    pending = outbox_entry(session, "employer", employer_id)
    if not still_used and pending is None:
        session.execute(delete(Employer.__table__).where(Employer.__table__.c.id == employer_id))
        session.execute(delete(SyncConflict.__table__).where(SyncConflict.__table__.c.record_id == employer_id))


def learner_folder_names(session: Session, learner_id: str | None = None) -> list[str]:
    """The saved-copies folder of one learner, or of every learner on this laptop (removed with them)."""
    learners = Learner.__table__
    query = select(learners.c.first_name, learners.c.last_name, learners.c.uln)
    if learner_id is not None:
        query = query.where(learners.c.id == learner_id)
    return [learner_folder_name(f"{first} {last}", uln) for first, last, uln in session.execute(query)]
