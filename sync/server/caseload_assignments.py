"""The assignments file: which assessor holds which learner, as a CSV of `uln,assessor`, all or nothing.

The ILR names no assessor, so a provider hands over its assignments beside it (`reviewapp-server assign-caseload`).
Columns are matched by name in any order and case; `learner_ref` may be added for learners whose ULN is still to
follow (9999999999), who are found by their MIS reference as the import found them (learner_match.py). Every row
is checked first, each problem reported with its line; only a file with none is applied, in one transaction,
each row through `accounts.assign_learner` as an admin's single assignment is (audited, and the learner's tree
re-stamped for its new holder).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sync.protocol import TEMPORARY_ULN

from .accounts import assign_learner
from .caseload_csv import RowProblem, uln_is_valid
from .caseload_import import assessor_problem
from .db import take_write_lock
from .learner_match import find_learners, learner_key
from .models import User
from .spreadsheet import SpreadsheetError, choose_separator, decode_spreadsheet, text_lines

REQUIRED = ("uln", "assessor")
OPTIONAL = ("learner_ref",)


@dataclass(frozen=True)
class AssignmentRow:
    line: int
    uln: str
    learner_ref: str
    assessor: str

    @property
    def key(self) -> str:
        return learner_key({"uln": self.uln, "learner_ref": self.learner_ref})

    @property
    def named(self) -> str:
        return f"learner {self.learner_ref} (ULN to follow)" if self.uln == TEMPORARY_ULN else f"ULN {self.uln}"


@dataclass
class ParsedAssignments:
    rows: list[AssignmentRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


@dataclass
class AssignmentSummary:
    assigned: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    applied: bool = False


def parse_assignments(data: bytes) -> ParsedAssignments:
    """Every row and every problem (with its line) of an assignments file's bytes; no database."""
    parsed = ParsedAssignments()
    try:  # read as the caseload CSV is: UTF-8 (with or without a byte-order mark) or Windows-1252, , ; or tab
        text = decode_spreadsheet(data).text
    except SpreadsheetError as error:
        parsed.problems.append(RowProblem(error.line, error.reason))
        return parsed
    separator = choose_separator(text, lambda cells: sum(_column(c) in REQUIRED + OPTIONAL for c in cells))
    reader = csv.reader(text_lines(text), delimiter=separator)
    header = [_column(name) for name in next(reader, [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        parsed.problems.append(RowProblem(1, f"the header row lacks the column(s): {', '.join(missing)} (an "
                                          "assignments file has the columns uln,assessor)"))
        return parsed
    where = {name: header.index(name) for name in REQUIRED + OPTIONAL if name in header}
    seen: dict[str, int] = {}
    start = reader.line_num + 1
    try:
        for values in reader:
            line, start = start, reader.line_num + 1
            if not any(v.strip() for v in values):
                continue
            cell = {name: values[i].strip() if i < len(values) else "" for name, i in where.items()}
            row = AssignmentRow(line, cell["uln"], cell.get("learner_ref", ""), cell["assessor"])
            why = _row_problem(row)
            if why is None and row.key in seen:
                why = f"{row.named} already appears on line {seen[row.key]}"
            if why is not None:
                parsed.problems.append(RowProblem(line, why))
                continue
            seen[row.key] = line
            parsed.rows.append(row)
    except csv.Error as error:
        parsed.problems.append(RowProblem(start, f"the CSV cannot be read here: {error}"))
    return parsed


def _column(name: str) -> str:
    """A header cell as a column name: any case, spaces or underscores ("ULN", "Learner ref")."""
    return "_".join(name.strip().casefold().replace("_", " ").split())


def _row_problem(row: AssignmentRow) -> str | None:
    if row.uln == TEMPORARY_ULN:
        if not row.learner_ref:
            return (f"ULN {TEMPORARY_ULN} (ULN to follow) names no one learner: give the learner's LearnRefNumber "
                    "in a learner_ref column")
    elif not uln_is_valid(row.uln):
        return f"ULN {row.uln!r} is not a valid ULN (10 digits with a correct check digit)"
    if not row.assessor:
        return "the assessor is empty"
    return None


def assign_caseload(factory: sessionmaker[Session], parsed: ParsedAssignments, *, by: str,
                    dry_run: bool = False) -> AssignmentSummary:
    """Apply every row in one transaction, or none if any row is bad (the problems say which and why). With
    `dry_run`, the same work is done and rolled back, so the summary says what applying the file would do."""
    summary = AssignmentSummary(problems=list(parsed.problems))
    if parsed.problems:
        return summary
    with factory() as session:
        take_write_lock(session)
        learners = find_learners(session, ({"uln": r.uln, "learner_ref": r.learner_ref} for r in parsed.rows))
        names = {r.assessor for r in parsed.rows}
        users = {u.username: u for u in session.scalars(select(User).where(User.username.in_(names)))}
        for row in parsed.rows:
            if row.key not in learners:
                summary.problems.append(RowProblem(row.line, f"no learner on the server has the {row.named}; "
                                                   "import the caseload first"))
            elif (why := assessor_problem(row.assessor, users.get(row.assessor))) is not None:
                summary.problems.append(RowProblem(row.line, why))
        if summary.problems:
            return summary  # nothing written: the transaction ends with nothing to commit
        for row in parsed.rows:
            if assign_learner(session, learners[row.key], users[row.assessor], by=by):
                summary.assigned += 1
            else:
                summary.unchanged += 1
        if dry_run:
            session.rollback()
            return summary
        session.commit()  # (leaving the block without it rolls back: an error writes nothing)
    summary.applied = True
    return summary
