"""Starting points from the initial assessment (issue 14 item 3): where each learner started on each plan item, and
their English and maths levels at the start, imported from a CSV (`reviewapp-server import-starting-points`).

Columns by name: uln (and learner_ref for a learner whose ULN is still to follow), code (the plan item's), starting
value (a percentage, on the scale of the item's progress, "40" or "40%"), note, english level and maths level. A
row gives an item's starting value, or the learner's levels, or both; an empty cell leaves what is recorded as it
is. An item's progress below its starting point is raised to it: the assessment found the learner that far
along already, so their learning gain starts at nothing rather than at minus what they knew. The file is taken
all or nothing: every row is checked, against the file and then against the server (the
learner and their plan item must exist: import the caseload and the plans first), and each problem is reported
with its line. Only what differs gets a fresh rev, so the same file twice changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sync.protocol import TEMPORARY_ULN

from .caseload_csv import RowProblem, uln_is_valid
from .csv_table import read_table
from .db import RevBlock, take_write_lock
from .learner_match import find_learners, learner_key
from .models import Learner, PlanItem, utcnow
from .records import Rejected, stored_fields, validate_fields

IMPORTER = "starting-points-import"
STARTING_COLUMNS: dict[str, tuple[str, ...]] = {
    "uln": (),
    "learner_ref": ("learnrefnumber", "learner reference"),
    "code": ("plan item code", "plan item", "item code", "ksb", "unit code"),
    "starting_value": ("starting percentage", "start", "starting point", "initial assessment", "start %"),
    "starting_note": ("note", "notes", "starting point note", "assessment note"),
    "english_level": ("english", "english level at start", "english at start"),
    "maths_level": ("maths", "math", "maths level at start", "maths at start"),
}
_PERCENT = re.compile(r"(\d{1,3})(?:\.0+)?\s*%?")


@dataclass(frozen=True)
class StartingRow:
    line: int
    uln: str
    learner_ref: str
    code: str
    starting_value: int | None
    starting_note: str
    english_level: str
    maths_level: str

    @property
    def key(self) -> str:
        return learner_key({"uln": self.uln, "learner_ref": self.learner_ref})


@dataclass
class ParsedStartingPoints:
    rows: list[StartingRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


@dataclass
class StartingSummary:
    plan_items_updated: int = 0
    learners_updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    applied: bool = False
    dry_run: bool = False


def parse_starting_points(data: bytes) -> ParsedStartingPoints:
    """Every row and every problem (with its line) of a starting points file's bytes; no database."""
    table = read_table(data, STARTING_COLUMNS, ("uln",), "a starting points file")
    parsed = ParsedStartingPoints(problems=list(table.problems))
    items: dict[tuple[str, str], int] = {}
    levels: dict[tuple[str, str], tuple[str, int]] = {}
    for cells in table.rows:
        cell = cells.cells
        why, value = None, None
        if cell["starting_value"]:
            match = _PERCENT.fullmatch(cell["starting_value"])
            value = int(match.group(1)) if match else None
            if value is None or value > 100:
                why = f"starting value {cell['starting_value']!r} is not a percentage from 0 to 100"
        row = StartingRow(cells.line, cell["uln"], cell["learner_ref"], cell["code"], value, cell["starting_note"],
                          cell["english_level"], cell["maths_level"])
        why = why or _row_problem(row)
        if why is None and row.code and (row.key, row.code.casefold()) in items:
            why = (f"the plan item {row.code} of this learner already appears on line "
                   f"{items[row.key, row.code.casefold()]}")
        for subject, level in (("english", row.english_level), ("maths", row.maths_level)):
            earlier = levels.get((row.key, subject))
            if why is None and level and earlier and earlier[0] != level:
                why = f"the {subject} level {level!r} differs from {earlier[0]!r} on line {earlier[1]}"
        if why is not None:
            parsed.problems.append(RowProblem(row.line, why))
            continue
        if row.code:
            items[row.key, row.code.casefold()] = row.line
        for subject, level in (("english", row.english_level), ("maths", row.maths_level)):
            if level:
                levels.setdefault((row.key, subject), (level, row.line))
        parsed.rows.append(row)
    return parsed


def _row_problem(row: StartingRow) -> str | None:
    if row.uln == TEMPORARY_ULN:
        if not row.learner_ref:
            return (f"ULN {TEMPORARY_ULN} (ULN to follow) names no one learner: give the learner's LearnRefNumber "
                    "in a learner_ref column")
    elif not uln_is_valid(row.uln):
        return f"ULN {row.uln!r} is not a valid ULN (10 digits with a correct check digit)"
    if row.code and row.starting_value is None:
        return f"the plan item {row.code} has no starting value"
    if not row.code and (row.starting_value is not None or row.starting_note):
        return "a starting value or note needs the plan item's code"
    if not (row.code or row.english_level or row.maths_level):
        return "the row gives no plan item's starting value and no English or maths level"
    if max(len(row.english_level), len(row.maths_level)) > 50:
        return "a level is longer than 50 characters"
    return None


def import_starting_points(factory: sessionmaker[Session], parsed: ParsedStartingPoints, *,
                           dry_run: bool = False) -> StartingSummary:
    """Record every row's starting points in one transaction, or none if any row is bad; with `dry_run`, decide
    every row the same way and write nothing."""
    summary = StartingSummary(problems=list(parsed.problems), dry_run=dry_run)
    if parsed.problems:
        return summary
    with factory() as session:
        take_write_lock(session)
        _apply(session, parsed, summary)
        if summary.problems or dry_run:
            session.rollback()
            return summary
        session.commit()
    summary.applied = True
    return summary


def _apply(session: Session, parsed: ParsedStartingPoints, summary: StartingSummary) -> None:
    learners = find_learners(session, ({"uln": r.uln, "learner_ref": r.learner_ref} for r in parsed.rows))
    ids = sorted({lr.id for lr in learners.values()})
    items: dict[tuple[str, str], PlanItem] = {}
    for start in range(0, len(ids), 500):
        query = select(PlanItem).where(PlanItem.learner_id.in_(ids[start : start + 500]),
                                       PlanItem.deleted.is_(False)).order_by(PlanItem.rev)
        for item in session.scalars(query):
            items.setdefault((item.learner_id, str(item.data.get("code", "")).casefold()), item)
    changed: dict[str, tuple[str, Learner | PlanItem, dict]] = {}  # record id → (entity, row, new data)
    for row in parsed.rows:
        learner = learners.get(row.key)
        if learner is None or learner.deleted:
            named = f"learner {row.learner_ref} (ULN to follow)" if row.uln == TEMPORARY_ULN else f"ULN {row.uln}"
            summary.problems.append(RowProblem(row.line, f"no learner on the server has the {named}; import the "
                                               "caseload first"))
            continue
        if row.code:
            item = items.get((learner.id, row.code.casefold()))
            if item is None:
                summary.problems.append(RowProblem(row.line, f"the learner's plan has no item {row.code}; import "
                                                   "the plans first (import-plans)"))
                continue
            progress = int(item.data.get("progress") or 0)
            wanted = {"starting_value": row.starting_value, "progress": max(progress, row.starting_value or 0)} | (
                {"starting_note": row.starting_note} if row.starting_note else {})
            _change(changed, "plan_item", item, wanted, row, summary)
        levels = {k: v for k, v in (("english_level_at_start", row.english_level),
                                    ("maths_level_at_start", row.maths_level)) if v}
        if levels:
            _change(changed, "learner", learner, levels, row, summary)
    if summary.problems:
        return
    revs = RevBlock(session, None)
    now = utcnow()
    for entity, record, data in sorted(changed.values(), key=lambda c: c[0] != "learner"):  # parents first
        if data == stored_fields(entity, record.data):
            summary.unchanged += 1
            continue
        record.data, record.updated_at, record.updated_by = data, now, IMPORTER
        record.rev = revs.next(entity, record.id, "upsert")
        if entity == "learner":
            summary.learners_updated += 1
        else:
            summary.plan_items_updated += 1
    session.flush()
    revs.close()


def _change(changed: dict, entity: str, record: Learner | PlanItem, wanted: dict, row: StartingRow,
            summary: StartingSummary) -> None:
    """Note the record's fields with `wanted` set (validated as the wire schema validates them)."""
    current = changed[record.id][2] if record.id in changed else stored_fields(entity, record.data)
    try:
        data = validate_fields(entity, {**current, **wanted})
    except Rejected as error:
        summary.problems.append(RowProblem(row.line, str(error)))
        return
    changed[record.id] = (entity, record, data)
