"""The record of each MIS import run, and rolling a run back.

An import commits in chunks (caseload_import.py), so it can stop midway: the run record holds what each committed
chunk created or changed (`import_run_records`, with the data it replaced), and a rollback undoes it, chunk by
chunk like the import itself, so sync goes on meanwhile too.

What a rollback means, record by record (nothing is ever erased: laptops learn of every undo on their next pull):
- a learner or employer the run **created** is deleted (a tombstone with a fresh rev), if nobody has touched it
  since (its rev is still the one the run gave it) and, for a learner, nothing hangs off it (reviews, targets,
  plan items, off-the-job entries; but the standard's plan copied into it, untouched since, goes with it); for
  an employer, if no learner still points at it;
- a learner or employer the run **updated** gets back the fields it had before the run, and a learner the run
  gave to another assessor goes back to the one it had (or to none), if nobody has touched it since.

What it cannot undo: a record changed since the import (by a laptop's push, an admin's `assign`, a later import:
it is kept as it is now and named in the report), a learner that already has records of its own, and the revs the
run handed out (the change log is append-only; laptops pull the undone records again).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from .accounts import assign_learner
from .db import RevBlock, new_id, next_rev, take_write_lock, transaction
from .models import (
    ASSIGNED_BY_MIS,
    LEARNER_CHILD_MODELS,
    Assignment,
    CaseloadRemoval,
    Employer,
    ImportRun,
    ImportRunRecord,
    Learner,
    PlanItem,
    User,
    utcnow,
)
from .plan_templates import PLAN_COPIER
from .records import set_columns

#: Records undone per transaction, as the import's chunks.
ROLLBACK_CHUNK = 200
#: How many kept records a rollback names one by one (the rest are counted).
KEPT_NAMED = 20


class ImportStopped(Exception):
    """A chunk found it must not go on (its run was rolled back meanwhile, or an assessor changed)."""


class ImportRunError(Exception):
    """An admin asked for something about a run that cannot be done (unknown id, already rolled back)."""


class _Counts(Protocol):
    created: int
    updated: int
    unchanged: int
    assigned: int
    employers_created: int


def start_run(factory: sessionmaker[Session], file_name: str, started_by: str, *, rows: int, skipped: int) -> str:
    """Open a run record (status running) in its own transaction, before the first chunk; its id."""
    run_id = new_id()
    with transaction(factory) as session:
        session.add(ImportRun(id=run_id, file_name=file_name[:255], started_by=started_by[:150], status="running",
                              rows=rows, skipped=skipped, created=0, updated=0, unchanged=0, assigned=0,
                              employers_created=0, undone=0, kept=0, error=""))
    return run_id


def run_goes_on(session: Session, run_id: str) -> bool:
    """True while the run may write its next chunk (a rollback started meanwhile stops it)."""
    return session.scalar(select(ImportRun.status).where(ImportRun.id == run_id)) == "running"


def finish_run(factory: sessionmaker[Session], run_id: str, status: str, error: str = "") -> None:
    with transaction(factory) as session:
        run = session.get(ImportRun, run_id)
        if run is not None:
            run.status, run.finished_at = status, utcnow()
            if error:
                run.error = error


def record_chunk(session: Session, run_id: str, items: Sequence[dict[str, Any]],
                 stamped: Sequence[tuple[str, str, int]], recorded: dict[tuple[str, str], bool],
                 counts: _Counts) -> None:
    """Inside a chunk's transaction: what it created or changed, the newer revs of records an earlier chunk of
    the run recorded, and the run's counts so far (so the record always matches what is committed)."""
    if items:
        session.execute(ImportRunRecord.__table__.insert(), list(items))
    fresh = {(item["entity"], item["record_id"]) for item in items}
    later = [{"run_id": run_id, "entity": entity, "record_id": record_id, "rev": rev}
             for entity, record_id, rev in stamped
             if (entity, record_id) in recorded and (entity, record_id) not in fresh]
    if later:
        session.execute(update(ImportRunRecord), later)
    session.execute(update(ImportRun).where(ImportRun.id == run_id).values(
        created=counts.created, updated=counts.updated, unchanged=counts.unchanged, assigned=counts.assigned,
        employers_created=counts.employers_created))


@dataclass
class RollbackSummary:
    learners_removed: int = 0
    learners_restored: int = 0
    employers_removed: int = 0
    employers_restored: int = 0
    kept: int = 0
    kept_named: list[str] = field(default_factory=list)

    @property
    def undone(self) -> int:
        return self.learners_removed + self.learners_restored + self.employers_removed + self.employers_restored

    def keep(self, why: str) -> None:
        self.kept += 1
        if len(self.kept_named) < KEPT_NAMED:
            self.kept_named.append(why)

    def describe(self) -> str:
        return (f"{self.learners_removed} learner(s) removed, {self.learners_restored} restored, "
                f"{self.employers_removed} employer(s) removed, {self.employers_restored} restored, "
                f"{self.kept} kept as they are now")


def rollback_run(factory: sessionmaker[Session], run_id: str, *, by: str, error: str = "") -> RollbackSummary:
    """Undo what run `run_id` did (see the module docstring), chunk by chunk; then mark it rolled back.

    Safe to run again after it stopped midway: each chunk forgets the records it has dealt with.
    """
    with transaction(factory) as session:
        take_write_lock(session)  # after any chunk of the run in flight: its next chunk sees the status and stops
        run = session.get(ImportRun, run_id)
        if run is None:
            raise ImportRunError(f"No import run has the id {run_id}; list-imports shows them.")
        if run.status == "rolled back":
            raise ImportRunError(f"Import run {run_id} ({run.file_name}) has already been rolled back.")
        run.status = "failed"  # until every record is dealt with
        if error:
            run.error = error
    summary = RollbackSummary()
    for entity in ("learner", "employer"):  # learners first: an employer goes only once no learner points at it
        while _rollback_chunk(factory, run_id, entity, by, summary):
            pass
    with transaction(factory) as session:
        run = session.get(ImportRun, run_id)
        assert run is not None
        run.status, run.finished_at = "rolled back", utcnow()
        run.undone, run.kept = run.undone + summary.undone, run.kept + summary.kept
    return summary


def _rollback_chunk(factory: sessionmaker[Session], run_id: str, entity: str, by: str,
                    summary: RollbackSummary) -> bool:
    """Undo up to ROLLBACK_CHUNK records of one kind in one write transaction; False when none were left."""
    model = Learner if entity == "learner" else Employer
    with transaction(factory) as session:
        take_write_lock(session)
        items = session.scalars(select(ImportRunRecord).where(
            ImportRunRecord.run_id == run_id, ImportRunRecord.entity == entity
        ).order_by(ImportRunRecord.record_id).limit(ROLLBACK_CHUNK)).all()
        if not items:
            return False
        ids = [item.record_id for item in items]
        rows = {row.id: row for row in session.scalars(select(model).where(model.id.in_(ids)))}
        copies: dict[str, list[PlanItem]] = {}
        if entity == "learner":
            in_use = set()
            for child in LEARNER_CHILD_MODELS:
                query = select(child.learner_id).where(child.learner_id.in_(ids))
                if child is PlanItem:  # a copy of the standard's plan, untouched since, goes with its learner
                    query = query.where(PlanItem.updated_by != PLAN_COPIER)
                in_use |= set(session.scalars(query.distinct()))
            for item in session.scalars(select(PlanItem).where(
                    PlanItem.learner_id.in_(ids), PlanItem.updated_by == PLAN_COPIER, PlanItem.deleted.is_(False))):
                copies.setdefault(item.learner_id, []).append(item)
        else:
            in_use = set(session.scalars(select(Learner.employer_id).where(
                Learner.employer_id.in_(ids), Learner.deleted.is_(False)).distinct()))
        revs = RevBlock(session, by)
        reassign: list[tuple[Learner, str]] = []
        now = utcnow()
        for item in items:
            row = rows.get(item.record_id)
            name = f"{entity} {_label(row) if row is not None else item.record_id}"
            if row is None or row.rev != item.rev:
                summary.keep(f"{name}: changed since the import")
            elif item.action == "created":
                if item.record_id in in_use:
                    summary.keep(f"{name}: " + ("has records of its own" if entity == "learner"
                                                else "a learner still points at it"))
                    continue
                for copy in copies.get(row.id, ()):  # before the learner: no page shows them orphaned
                    copy.deleted, copy.updated_at, copy.updated_by = True, now, by
                    copy.rev = revs.next("plan_item", copy.id, "delete")
                row.deleted, row.updated_at, row.updated_by = True, now, by
                row.rev = revs.next(entity, row.id, "delete")
                if entity == "learner":
                    summary.learners_removed += 1
                else:
                    summary.employers_removed += 1
            else:
                before = dict(item.data_before or {})
                row.data, row.deleted, row.updated_at, row.updated_by = before, item.deleted_before, now, by
                set_columns(row, before)
                row.rev = revs.next(entity, row.id, "upsert")
                if entity == "learner":
                    summary.learners_restored += 1
                    if item.assessor_before is not None:
                        reassign.append((row, item.assessor_before))  # type: ignore[arg-type]
                else:
                    summary.employers_restored += 1
        session.flush()
        revs.close()
        for learner, assessor_id in reassign:  # few: only learners the run moved between assessors
            _give_back(session, run_id, learner, assessor_id, by, summary)
        session.execute(delete(ImportRunRecord).where(
            ImportRunRecord.run_id == run_id, ImportRunRecord.entity == entity, ImportRunRecord.record_id.in_(ids)))
    return True


def _give_back(session: Session, run_id: str, learner: Learner, assessor_id: str, by: str,
               summary: RollbackSummary) -> None:
    """Put a learner back with the assessor it had before the run ("" for none).

    Giving it back re-stamps its employer (the assessor must pull it): if the run also created or changed that
    employer, the record of it moves to the new rev, so the employer's own undo does not take the rollback's
    stamp for someone else's change."""
    current = session.get(Assignment, learner.id)
    if not assessor_id:
        if current is not None:
            rev = next_rev(session, "learner", learner.id, "removed", by)
            session.add(CaseloadRemoval(rev=rev, learner_id=learner.id, assessor_id=current.assessor_id))
            session.delete(current)
        return
    previous = session.get(User, assessor_id)
    if previous is None or previous.role != "assessor":
        summary.keep(f"learner {learner.uln}: its assessor before the import is no longer an assessor")
        return
    employer = session.get(Employer, learner.employer_id) if learner.employer_id else None
    item = session.get(ImportRunRecord, (run_id, "employer", employer.id)) if employer is not None else None
    untouched = employer is not None and item is not None and employer.rev == item.rev
    assign_learner(session, learner, previous, by=by, source=ASSIGNED_BY_MIS)  # the run moved only the MIS's
    if untouched:
        assert employer is not None and item is not None
        item.rev = employer.rev


def _label(row: Any) -> str:
    if isinstance(row, Learner):
        return f"{row.uln} ({row.data.get('first_name', '')} {row.data.get('last_name', '')})".strip()
    return repr(row.data.get("name", row.id))


def list_runs(session: Session, limit: int = 20) -> list[ImportRun]:
    return list(session.scalars(select(ImportRun).order_by(ImportRun.started_at.desc()).limit(limit)))
