"""Importing a parsed caseload into the database, idempotently by ULN and through the change log.

A re-import updates learners and employers in place with fresh revs, so assessors' laptops receive the changes on
their next pull; assigning an assessor goes through `accounts.assign_learner` like any other assignment.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from .accounts import assign_learner, find_user, touch_employer
from .caseload_csv import CaseloadRow, ParsedCaseload, RowProblem
from .db import new_id, next_rev, take_write_lock
from .models import Employer, Learner, utcnow
from .records import employer_name_key, set_columns

IMPORTER = "caseload-import"


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    assigned: int = 0
    employers_created: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    imported: bool = False


def check_assessors(session: Session, parsed: ParsedCaseload) -> None:
    """Move rows naming an unknown user, or one who is not an assessor, to the problems."""
    good: list[CaseloadRow] = []
    for row in parsed.rows:
        if row.assessor:
            user = find_user(session, row.assessor)
            if user is None:
                parsed.problems.append(RowProblem(row.line, f"assessor {row.assessor!r} is not a user of this server"))
                continue
            if user.role != "assessor":
                parsed.problems.append(RowProblem(row.line, f"{row.assessor!r} is a {user.role}, not an assessor"))
                continue
        good.append(row)
    parsed.rows = good
    parsed.problems.sort(key=lambda p: p.line)


def import_caseload(session: Session, parsed: ParsedCaseload, skip_bad_rows: bool = False) -> ImportSummary:
    """Import the good rows, inside the caller's transaction; nothing at all if any row is bad and not skipping."""
    check_assessors(session, parsed)
    summary = ImportSummary(problems=list(parsed.problems))
    if parsed.problems and not skip_bad_rows:
        return summary
    take_write_lock(session)
    for row in parsed.rows:
        employer_id = _upsert_employer(session, row, summary) if row.employer else None
        learner = session.execute(select(Learner).where(Learner.uln == row.learner["uln"])).scalar_one_or_none()
        wanted = {**row.learner, "employer_id": employer_id}
        if learner is None:
            learner = Learner(id=new_id(), data={}, updated_at=utcnow(), updated_by=IMPORTER)
            learner.rev = next_rev(session, "learner", learner.id, "import", None)
            learner.data = {**wanted, "assessor": ""}
            set_columns(learner, learner.data)
            session.add(learner)
            session.flush()
            summary.created += 1
        else:
            # Fields the MIS does not hold (starting points, status, the assessor) are kept as they are.
            merged = {**learner.data, **{k: v for k, v in wanted.items() if k != "assessor"}}
            if merged != learner.data or learner.deleted:
                moved_employer = learner.employer_id != employer_id
                learner.rev = next_rev(session, "learner", learner.id, "import", None)
                learner.data, learner.deleted = merged, False
                learner.updated_at, learner.updated_by = utcnow(), IMPORTER
                set_columns(learner, merged)
                if moved_employer:
                    touch_employer(session, employer_id, IMPORTER)
                summary.updated += 1
            else:
                summary.unchanged += 1
        if row.assessor:
            assessor = find_user(session, row.assessor)
            if assessor is not None and assign_learner(session, learner, assessor, by=IMPORTER):
                summary.assigned += 1
    summary.imported = True
    return summary


def _upsert_employer(session: Session, row: CaseloadRow, summary: ImportSummary) -> str:
    assert row.employer is not None
    key = employer_name_key(row.employer["name"])
    employer = session.execute(
        select(Employer).where(Employer.name_key == key, Employer.deleted.is_(False)).order_by(Employer.rev)
    ).scalars().first()
    if employer is None:
        employer = Employer(id=new_id(), data=row.employer, updated_at=utcnow(), updated_by=IMPORTER)
        employer.rev = next_rev(session, "employer", employer.id, "import", None)
        set_columns(employer, row.employer)
        session.add(employer)
        session.flush()
        summary.employers_created += 1
        return employer.id
    # Contact details from the MIS replace the server's, but an empty cell never blanks a known value.
    merged = {**employer.data, **{k: v for k, v in row.employer.items() if v and k != "name"}}
    if merged != employer.data:
        employer.rev = next_rev(session, "employer", employer.id, "import", None)
        employer.data, employer.updated_at, employer.updated_by = merged, utcnow(), IMPORTER
    return employer.id
