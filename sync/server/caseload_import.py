"""Importing a parsed caseload into the database, idempotently by ULN and through the change log.

A re-import updates learners and employers in place with fresh revs, so assessors' laptops receive the changes on
their next pull. An MIS export can hold tens of thousands of rows, and every writer of revs holds the write lock
until it commits (db.py), so the import never runs as one transaction: the whole file is checked first (bad rows
are reported with their lines and, unless skipped, nothing is written; a file read from disk has its good rows
spooled there, row_spool.py, so memory stays flat), then the rows are written in chunks of
about `CHUNK_SECONDS` each, each its own short write transaction, under one import run (`import_runs.py`) that
records what each chunk created or changed. Pushes and pulls wait at most about one chunk (on SQLite the import
leaves the lock free for a moment after each chunk, `db.let_waiters_in`, since waiters there poll rather than
queue). If a chunk fails, the chunks already committed are rolled back through the run; an admin can roll back a
finished run too.

Each chunk looks up its learners, employers, assessors and assignments with one query each and hands out its revs
as one block (`db.RevBlock`): the import used to run some fifteen statements and a flush per row (20,000 rows in
164 s), most of them `assign_learner` re-stamping a learner it had just created.

A re-import is safe (issue 14, item 5): a learner gets only the fields the file gives, so the same file twice hands
out no rev at all; an assignment made at the office is never moved by a file (models.Assignment.source), only
reported; a learner the file lacks is reported, never deleted; a row naming no assessor keeps the learner's. A
dry run decides every row with this same code and writes nothing (`_plan_only`), so its report is the commit's.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from sync.protocol import REVIEW_FREQUENCY_FIELDS, STARTING_LEVEL_FIELDS, LearnerData

from .caseload_csv import CaseloadRow, ParsedCaseload, RowProblem
from .db import RevBlock, let_waiters_in, new_id, take_write_lock, transaction, without_commit_wait
from .due_dates import REFRESH_CHUNK, refresh_learners
from .import_report import COMMIT_NAMED, MISSING_NAMED, FieldChange, ImportReport, KeptAssignment, LearnerOutcome
from .import_runs import ImportStopped, finish_run, record_chunk, rollback_run, run_goes_on, start_run
from .learner_match import find_learners, learner_key
from .models import (
    ASSIGNED_BY_MIS,
    ENTITY_NAMES,
    LEARNER_CHILD_MODELS,
    Assignment,
    CaseloadRemoval,
    Employer,
    ImportRunRecord,
    Learner,
    User,
    utcnow,
)
from .plan_templates import apply_plans_after_import
from .records import employer_name_key, learner_columns, set_columns
from .row_spool import RowSpool

IMPORTER = "caseload-import"
#: Learner fields an import never sets from a file: the assessor is the assignment's (the import assigns through
#: it, and assignments belong to the office), starting points are recorded at the office or on the laptop, and the
#: review frequency is agreed with the employer at a visit: none of them is the MIS's (nor are the English and maths
#: levels at the start, which come with the initial assessment, `import-starting-points`).
NOT_FROM_THE_FILE = ("assessor", "starting_points", *REVIEW_FREQUENCY_FIELDS, *STARTING_LEVEL_FIELDS)
#: Rows in the first chunk. Later chunks are sized so that each holds the write lock about `CHUNK_SECONDS`: a
#: push waits a fraction of a second however busy the machine is, and the per-transaction cost (a commit, the
#: look-ups) is still spread over many rows. Given a fixed `chunk_rows`, every chunk has that many rows.
CHUNK_ROWS = 200
CHUNK_SECONDS = 0.1
CHUNK_LIMITS = (20, 2000)
#: Most values in one SQL IN list (SQLite's limit on bound parameters is the tightest of the two back ends).
IN_LIST = 500
#: A new learner's fields the file does not give, in stored (JSON) form: the row was validated whole when parsed,
#: so it is not validated again (for 20,000 new learners that took longer than writing them).
LEARNER_DEFAULTS: dict[str, Any] = {
    name: value for name, value in LearnerData(uln="9276308686", first_name="-", last_name="-",
                                               start_date=dt.date(2000, 1, 1)).model_dump(mode="json").items()
    if not LearnerData.model_fields[name].is_required()}
#: Rows a dry run decides per (rolled back) transaction.
DRY_RUN_CHUNK = 1000


class ImportFailed(Exception):
    """A chunk could not be written: the run was rolled back (or, if even that failed, marked failed)."""


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    assigned: int = 0
    employers_created: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    imported: bool = False
    run_id: str | None = None
    #: Learner by learner, what it added and changed, the office's assignments it kept, who is not in the file.
    report: ImportReport = field(default_factory=ImportReport)
    #: True when nothing was written on purpose (`dry_run`): the counts and report say what an import would do.
    dry_run: bool = False
    #: Plan items copied from their standard's plan template into the plans of learners lacking them (after
    #: the run: plan_templates.apply_plans_after_import).
    plan_items: int = 0


def _in_lists(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = list(values)
    for start in range(0, len(items), IN_LIST):
        yield items[start : start + IN_LIST]


def _users(session: Session, usernames: Iterable[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    for names in _in_lists(set(usernames)):
        found |= {user.username: user for user in session.scalars(select(User).where(User.username.in_(names)))}
    return found


def assessor_problem(username: str, user: User | None) -> str | None:
    """Why the user a file names as assessor cannot hold learners (None when they can); shared with the
    assignments file (caseload_assignments.py)."""
    if user is None:
        return f"assessor {username!r} is not a user of this server"
    if user.role != "assessor":
        return f"{username!r} is a {user.role}, not an assessor"
    return None


def check_assessors(session: Session, parsed: ParsedCaseload) -> None:
    """Move rows naming an unknown user, or one who is not an assessor, to the problems (one query for all).

    Reads the rows once to find the assessors they name (a handful), and again only if one of them will not do:
    then the good rows are kept in a new list or spool, as the file's rows were."""
    named = {row.assessor for row in parsed.rows if row.assessor}
    users = _users(session, named)
    bad = {name for name in named if assessor_problem(name, users.get(name)) is not None}
    if not bad:
        return
    good: list[CaseloadRow] | RowSpool = RowSpool() if isinstance(parsed.rows, RowSpool) else []
    for row in parsed.rows:
        if row.assessor in bad:
            parsed.reject(row.line, assessor_problem(row.assessor, users.get(row.assessor)) or "",
                          row.learner["uln"])
        else:
            good.append(row)
    if isinstance(parsed.rows, RowSpool):
        parsed.rows.close()
    parsed.rows = good
    parsed.problems.sort(key=lambda p: p.line)


def _chunks(rows: Iterable[CaseloadRow]) -> Callable[[int], list[CaseloadRow]]:
    """The next `size` rows each call (fewer at the end, none once done): chunks of a size chosen as it goes."""
    remaining = iter(rows)
    return lambda size: list(islice(remaining, size))


def import_caseload(
    factory: sessionmaker[Session],
    parsed: ParsedCaseload,
    *,
    skip_bad_rows: bool = False,
    file_name: str = "",
    started_by: str = "",
    chunk_rows: int | None = None,
    after_chunk: Callable[[int], None] | None = None,
    dry_run: bool = False,
) -> ImportSummary:
    """Check every row, then import the good ones chunk by chunk under one import run; nothing at all if any row
    is bad and not skipping. `after_chunk(rows written so far)` runs after each commit (progress, and tests).
    With `dry_run`, write nothing: the summary says what the import would add, change, keep and reject.

    Raises ImportFailed when a chunk fails; the chunks already written are rolled back first.
    """
    if chunk_rows is not None and chunk_rows < 1:
        raise ValueError(f"chunk_rows must be at least 1, not {chunk_rows}")
    with transaction(factory) as session:
        check_assessors(session, parsed)
    summary = ImportSummary(problems=list(parsed.problems), dry_run=dry_run)
    if not parsed.readable:
        return summary
    if dry_run:
        _plan_only(factory, parsed, summary)
        return summary
    if parsed.problems and not skip_bad_rows:
        return summary
    summary.report.named = COMMIT_NAMED  # a commit's report is not the preview: counts, and the first few named
    with factory() as session:
        _note_missing(session, parsed, summary.report)
    run_id = start_run(factory, file_name, started_by, rows=len(parsed.rows), skipped=len(parsed.problems))
    summary.run_id = run_id
    recorded: dict[tuple[str, str], bool] = {}  # the employers this run has recorded already, across chunks
    done, size, total = 0, chunk_rows or CHUNK_ROWS, len(parsed.rows)
    next_chunk = _chunks(parsed.rows)
    try:
        while chunk := next_chunk(size):
            started = time.perf_counter()
            with transaction(factory) as session:
                without_commit_wait(session)  # hundreds of chunks: none waits for its WAL flush
                take_write_lock(session)
                if not run_goes_on(session, run_id):
                    raise ImportStopped("the run was rolled back while it ran")
                _write_chunk(session, run_id, chunk, summary, recorded)
            done += len(chunk)
            if chunk_rows is None:
                size = _next_size(size, time.perf_counter() - started)
            if after_chunk is not None:
                after_chunk(done)
            if done < total:
                let_waiters_in(factory)
    except Exception as error:
        reason = f"stopped after {done:,} of {total:,} rows: {error}"
        try:
            undone = rollback_run(factory, run_id, by=IMPORTER, error=reason)
        except Exception as second:
            finish_run(factory, run_id, "failed", f"{reason}; rolling back failed too: {second}")
            raise ImportFailed(f"{reason}. Rolling it back failed too ({second}): run "
                               f"`reviewapp-server import-rollback {run_id}` once the database is back.") from error
        raise ImportFailed(f"{reason}. What it had written was rolled back ({undone.describe()}).") from error
    finish_run(factory, run_id, "completed")
    summary.imported = True
    # A learner imported after their standard's plan gets it now (its own transaction: the run is complete).
    summary.plan_items = apply_plans_after_import(factory)[1]
    # Their start and status set when their next review is due: a chunk per short transaction, so memory stays
    # flat and pushes are not held up behind one long one.
    with factory() as session:
        imported = list(session.scalars(select(ImportRunRecord.record_id).where(
            ImportRunRecord.run_id == run_id, ImportRunRecord.entity == "learner")))
    for start in range(0, len(imported), REFRESH_CHUNK):
        with transaction(factory) as session:
            refresh_learners(session, imported[start:start + REFRESH_CHUNK])
    return summary


def _plan_only(factory: sessionmaker[Session], parsed: ParsedCaseload, summary: ImportSummary) -> None:
    """A dry run: every row decided by the import's own code, chunk by chunk in short transactions (on SQLite
    each holds the write lock, as every transaction there does), with nothing flushed and each rolled back.
    The employers an earlier chunk would create or change are carried to the next, as committing would."""
    with factory() as session:
        _note_missing(session, parsed, summary.report)
    carried: dict[str, Employer] = {}
    next_chunk = _chunks(parsed.rows)
    while chunk := next_chunk(DRY_RUN_CHUNK):
        with factory() as session, session.no_autoflush:
            try:
                _write_chunk_rows(session, "", chunk, summary, {}, write=False, carried=carried)
            except ImportStopped as error:  # an assessor named in the file changed while it ran
                raise ImportFailed(f"the dry run stopped: {error}") from error
            finally:
                session.expunge_all()  # detached as they are now: the next chunk reads the carried employers
                session.rollback()
        let_waiters_in(factory)


def _note_missing(session: Session, parsed: ParsedCaseload, report: ImportReport) -> None:
    """Report the live learners on the server that the file does not hold (never deleted: an export of one team,
    or a learner who left, is the admin's to judge; a withdrawn learner's status comes in the file).

    The server's ULNs are taken, and the file's struck off as its rows stream past: what is held is the server's
    caseload (ULNs only), never the file's rows."""
    live = set(session.scalars(select(Learner.uln).where(Learner.deleted.is_(False))))
    live -= parsed.rejected_ulns
    for row in parsed.rows:
        live.discard(row.learner["uln"])
    missing = sorted(live)
    report.missing = len(missing)
    named = {lr.uln: lr for lr in session.scalars(select(Learner).where(Learner.uln.in_(missing[:MISSING_NAMED])))}
    report.missing_named = [(uln, _name(named[uln].data)) for uln in missing[:MISSING_NAMED]]


def _name(data: dict[str, Any]) -> str:
    return f"{data.get('first_name', '')} {data.get('last_name', '')}".strip()


def _next_size(size: int, took: float) -> int:
    """The next chunk's rows: as many as fit in CHUNK_SECONDS at the pace of the last, at most twice as many."""
    low, high = CHUNK_LIMITS
    return max(low, min(high, 2 * size, int(size * CHUNK_SECONDS / max(took, 1e-3))))


@dataclass
class _NewLearner:
    """A learner the chunk creates: written with one many-row insert, not as an ORM object."""

    id: str
    data: dict[str, Any]
    rev: int = 0

    @property
    def employer_id(self) -> str | None:
        return self.data.get("employer_id")

    def values(self, now: dt.datetime) -> dict[str, Any]:
        return {"id": self.id, "rev": self.rev, "data": self.data, **learner_columns(self.data), "updated_at": now,
                "updated_by": IMPORTER, "deleted": False}


@dataclass
class _Learner:
    """What a chunk does to one learner, decided before any rev is handed out."""

    row: Learner | _NewLearner
    created: bool
    assessor: User | None  # the assessor it is newly assigned to, if any
    current: Assignment | None
    old_employer_id: str | None


def _write_chunk(session: Session, run_id: str, rows: Sequence[CaseloadRow], summary: ImportSummary,
                 recorded: dict[tuple[str, str], bool]) -> None:
    """Write one chunk of rows inside the caller's write transaction, with a handful of queries in all.

    New rows get their revs only once the chunk knows every rev it needs, so nothing may be flushed before:
    the chunk's one flush comes at its end."""
    with session.no_autoflush:
        _write_chunk_rows(session, run_id, rows, summary, recorded)


def _write_chunk_rows(session: Session, run_id: str, rows: Sequence[CaseloadRow], summary: ImportSummary,
                      recorded: dict[tuple[str, str], bool], *, write: bool = True,
                      carried: dict[str, Employer] | None = None) -> None:
    """Decide what each row does (counted and reported in `summary`), then, if `write`, write it.

    A dry run (`write` False) stops after deciding: the ORM objects it changed are never flushed (the caller's
    session has no autoflush and is rolled back), so the preview is this very code, not a copy of its rules."""
    now = utcnow()
    report = summary.report
    users = _users(session, (row.assessor for row in rows if row.assessor))
    for row in rows:  # checked before the run started, but a user can change meanwhile
        if row.assessor and (why := assessor_problem(row.assessor, users.get(row.assessor))) is not None:
            raise ImportStopped(f"line {row.line}: {why} (changed since the file was checked)")
    learners = find_learners(session, (row.learner for row in rows))
    employers: dict[str, Employer] = {}
    keys = {employer_name_key(row.employer["name"]) for row in rows if row.employer}
    for names in _in_lists(keys):
        query = select(Employer).where(Employer.name_key.in_(names), Employer.deleted.is_(False))
        for employer in session.scalars(query.order_by(Employer.rev)):
            employers.setdefault(employer.name_key, employer)  # the oldest of a name, as before
    if carried is not None:  # a dry run: what its earlier chunks would have written
        employers |= {key: carried[key] for key in keys if key in carried}
    assignments: dict[str, Assignment] = {}
    for ids in _in_lists(lr.id for lr in learners.values()):
        found = session.scalars(select(Assignment).where(Assignment.learner_id.in_(ids)))
        assignments |= {assignment.learner_id: assignment for assignment in found}

    items: list[dict[str, Any]] = []  # import_run_records rows: what a rollback would undo
    stamped_employers: dict[str, Employer] = {}  # employers needing a fresh rev in this chunk

    def note(entity: str, row: Any, action: str, before: dict[str, Any] | None = None,
             deleted_before: bool = False, assessor_before: str | None = None) -> None:
        if entity == "learner":
            # A learner is one row of the file (a ULN or reference given twice is refused when it is read), so the
            # run touches it once: only employers, shared by many rows, are remembered across chunks, which keeps
            # what a 100,000-learner run holds to its employers.
            items.append({"run_id": run_id, "entity": entity, "record_id": row.id, "action": action, "rev": 0,
                          "data_before": before, "deleted_before": deleted_before,
                          "assessor_before": assessor_before, "_row": row})
        elif (entity, row.id) not in recorded:
            recorded[(entity, row.id)] = True
            items.append({"run_id": run_id, "entity": entity, "record_id": row.id, "action": action, "rev": 0,
                          "data_before": before, "deleted_before": deleted_before,
                          "assessor_before": assessor_before, "_row": row})

    for row in rows:
        if not row.employer:
            continue
        key = employer_name_key(row.employer["name"])
        employer = employers.get(key)
        if employer is None:
            employer = Employer(id=new_id(), data=row.employer, updated_at=now, updated_by=IMPORTER, deleted=False)
            set_columns(employer, row.employer)
            session.add(employer)
            employers[key] = employer
            summary.employers_created += 1
            report.employers_added.append(employer.data["name"])
            note("employer", employer, "created")
            stamped_employers[employer.id] = employer
            continue
        # Contact details from the MIS replace the server's, but an empty cell never blanks a known value.
        merged = {**employer.data, **{k: v for k, v in row.employer.items() if v and k != "name"}}
        if merged != employer.data:
            changes = ", ".join(str(FieldChange(k, employer.data.get(k), v)) for k, v in merged.items()
                                if employer.data.get(k) != v)
            report.employers_changed.append(f"{employer.data['name']}: {changes}")
            note("employer", employer, "updated", before=employer.data)
            employer.data, employer.updated_at, employer.updated_by = merged, now, IMPORTER
            stamped_employers[employer.id] = employer

    plans: list[_Learner] = []
    employers_by_id = {employer.id: employer for employer in employers.values()}
    for row in rows:
        employer = employers[employer_name_key(row.employer["name"])] if row.employer else None
        wanted = {**row.learner, "employer_id": employer.id if employer else None} if row.has_employer \
            else dict(row.learner)
        assessor = users.get(row.assessor) if row.assessor else None
        learner = learners.get(learner_key(row.learner))
        if learner is None:
            new = _NewLearner(new_id(), {**LEARNER_DEFAULTS, **wanted,
                                         "assessor": assessor.username if assessor else ""})
            note("learner", new, "created")
            summary.created += 1
            report.add("added", LearnerOutcome(row.line, row.learner["uln"], _name(new.data),
                                               assessor=assessor.username if assessor else ""))
            plan = _Learner(new, True, assessor, None, None)
        else:
            current = assignments.get(learner.id)
            if assessor is not None and current is not None and current.assessor_id != assessor.id \
                    and current.source != ASSIGNED_BY_MIS:
                holder = session.get(User, current.assessor_id)
                report.add("kept_assignments", KeptAssignment(row.line, learner.uln, holder.username if holder
                                                              else current.assessor_id, assessor.username))
                assessor = None  # the office's since: kept, and reported
            if assessor is not None and current is not None and current.assessor_id == assessor.id:
                assessor = None  # already theirs
            # Only the fields the file gives: the rest (starting points, the assessor, a column the file lacks)
            # are kept as they are.
            merged = {**learner.data, **{k: v for k, v in wanted.items() if k not in NOT_FROM_THE_FILE}}
            changed = merged != learner.data or learner.deleted
            if not changed and assessor is None:
                summary.unchanged += 1
                continue
            changes = _field_changes(session, learner, merged, employers_by_id)
            if changed:
                summary.updated += 1
            else:
                summary.unchanged += 1  # as before: unchanged fields, only a new assessor (counted as assigned)
            if assessor is not None:
                merged["assessor"] = assessor.username
            report.add("changed", LearnerOutcome(row.line, learner.uln, _name(merged), changes,
                                                 assessor=assessor.username if assessor else ""))
            note("learner", learner, "updated", before=learner.data, deleted_before=learner.deleted,
                 assessor_before=None if assessor is None else (current.assessor_id if current else ""))
            old_employer_id = learner.employer_id
            learner.data, learner.deleted, learner.updated_at, learner.updated_by = merged, False, now, IMPORTER
            set_columns(learner, merged)
            plan = _Learner(learner, False, assessor, current, old_employer_id)
        if plan.assessor is not None:
            summary.assigned += 1
        if employer is not None and (plan.created or plan.assessor is not None
                                     or plan.old_employer_id != employer.id):
            # A learner newly linked to an employer, or newly held by an assessor, makes its holder pull the
            # employer: the employer needs a rev after their cursor (as accounts.touch_employer gives it).
            stamped_employers[employer.id] = employer
        plans.append(plan)
    if not write:
        if carried is not None:
            carried |= employers
        return

    revs = RevBlock(session, IMPORTER)
    # Parents first: an employer's rev comes before its learners', so no page shows a learner before its employer.
    for employer in stamped_employers.values():
        employer.rev = revs.next("employer", employer.id, "import")
    moving = [p for p in plans if p.assessor is not None and not p.created]
    new_assignments: list[dict[str, Any]] = []
    for plan in plans:
        learner = plan.row
        if plan.assessor is not None:
            if plan.current is not None:
                rev = revs.next("learner", learner.id, "removed")
                session.add(CaseloadRemoval(rev=rev, learner_id=learner.id, assessor_id=plan.current.assessor_id))
                plan.current.assessor_id, plan.current.rev, plan.current.assigned_at = plan.assessor.id, rev, now
                plan.current.source = ASSIGNED_BY_MIS
            else:
                rev = revs.next("learner", learner.id, "assigned")
                new_assignments.append({"learner_id": learner.id, "assessor_id": plan.assessor.id, "rev": rev,
                                        "assigned_at": now, "source": ASSIGNED_BY_MIS})
        learner.rev = revs.next("learner", learner.id, "import")
    if moving:  # a learner already on the server changes hands: its new holder must pull all that hangs off it
        _restamp_children(session, revs, [p.row.id for p in moving])
    session.flush()
    # New learners and their assignments, most of a first import, as many-row inserts: no ORM object per row.
    created = [p.row.values(now) for p in plans if isinstance(p.row, _NewLearner)]
    if created:
        session.execute(Learner.__table__.insert(), created)  # Core: no per-row ORM work
    if new_assignments:
        session.execute(Assignment.__table__.insert(), new_assignments)
    revs.close()
    for item in items:
        item["rev"] = item.pop("_row").rev
    record_chunk(session, run_id, items, [("employer", e.id, e.rev) for e in stamped_employers.values()],
                 recorded, summary)


def _field_changes(session: Session, learner: Learner, merged: dict[str, Any],
                   employers: dict[str, Employer]) -> tuple[FieldChange, ...]:
    """What the import changes of a learner, field by field, for the report; the employer by name, not by id.

    `employers` by id are the chunk's, a new one included (not in the session's identity map until flushed)."""
    order = list(LearnerData.model_fields)  # the fields' own order: stored JSON (JSONB above all) keeps none
    changes = [FieldChange(k, learner.data.get(k), merged[k])
               for k in sorted(merged, key=lambda k: order.index(k) if k in order else len(order))
               if learner.data.get(k) != merged[k] and k != "employer_id"]
    if merged.get("employer_id") != learner.data.get("employer_id"):
        def name(employer_id: str | None) -> str | None:
            employer = employers.get(employer_id) or session.get(Employer, employer_id) if employer_id else None
            return employer.data.get("name") if employer is not None else None

        changes.append(FieldChange("employer", name(learner.data.get("employer_id")), name(merged["employer_id"])))
    if learner.deleted:
        changes.append(FieldChange("deleted", True, False))
    return tuple(changes)


def _restamp_children(session: Session, revs: RevBlock, learner_ids: list[str]) -> None:
    for model in LEARNER_CHILD_MODELS:
        for ids in _in_lists(learner_ids):
            found = session.scalars(select(model.id).where(model.learner_id.in_(ids)).order_by(model.rev)).all()
            if found:
                session.execute(update(model), [{"id": record_id, "rev": revs.next(ENTITY_NAMES[model], record_id,
                                                                                     "upsert")}
                                                for record_id in found])
