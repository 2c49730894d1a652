"""The off-the-job log from a spreadsheet: `reviewapp-server import-otj FILE`, all or nothing, safe to run again.

A provider's MIS or e-portfolio keeps the hours its apprentices log; this takes its CSV export. The file is read as
every CSV the server takes is (`spreadsheet.py`: encodings, separators, day-first and Excel dates), columns by name
in any order and case; each learner is found as the caseload import finds them (`learner_match.py`: by ULN, or by
`learner_ref` while the ULN is still to follow). Hours are read by the laptop's own rule (`core.otj.parse_hours`).
Every problem is reported with its line, and only a file with none is written, in one transaction.

Re-import safe: an entry's id is derived from what names it (learner, date, hours, activity; `entry_id`), so the
same row imported again finds its entry, even after an assessor has edited it on the laptop or deleted it (the
tombstone keeps the id, so a deletion is not undone by the next import). A row matching an entry already in the
log by those four values (one the assessor typed in) is not added again either.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reviewapp.core.otj import MAX_ACTIVITY_CHARS, parse_hours
from sync.protocol import TEMPORARY_ULN

from .caseload_csv import RowProblem, uln_is_valid
from .db import RevBlock, take_write_lock, transaction
from .learner_match import IN_LIST, find_learners, learner_key
from .models import OtjEntry, utcnow
from .records import Rejected, validate_fields
from .spreadsheet import SEPARATOR_NAMES, SpreadsheetError, choose_separator, decode_spreadsheet, read_date

IMPORTER = "otj-import"
#: The namespace of entry ids derived from an entry's identity (uuid5): fixed for ever, or re-imports would add
#: every entry again.
ENTRY_NAMESPACE = uuid.UUID("6f0c3a57-3f8e-4d0b-9a55-1c5e0b7e2a41")

#: Each column's name in the file (after `column_name`) → the field it fills. "what was learnt" is also taken as
#: "learnt" or "description", the name of the field on the wire.
COLUMNS: dict[str, str] = {
    "uln": "uln", "learner_ref": "learner_ref", "learnrefnumber": "learner_ref", "date": "date", "hours": "hours",
    "activity": "activity", "what_was_learnt": "learnt", "what_was_learned": "learnt", "learnt": "learnt",
    "description": "learnt", "evidence": "evidence",
}
REQUIRED = ("date", "hours", "activity")
FORMAT = "uln (or learner_ref), date, hours, activity, what was learnt, evidence"


def column_name(header: str) -> str:
    """A header cell as a column name: any case, spaces or underscores ("What was learnt", "Learner_Ref")."""
    return "_".join(header.strip().casefold().replace("_", " ").split())


def entry_id(learner_id: str, date: dt.date, hours: float, activity: str) -> str:
    """The id of the entry a row names: the same learner, date, hours and activity always give the same id."""
    return str(uuid.uuid5(ENTRY_NAMESPACE, f"{learner_id}|{date.isoformat()}|{hours:g}|{activity.casefold()}"))


@dataclass(frozen=True)
class OtjRow:
    line: int
    uln: str
    learner_ref: str
    date: dt.date
    hours: float
    activity: str
    learnt: str
    evidence: str

    @property
    def learner(self) -> str:
        return learner_key({"uln": self.uln, "learner_ref": self.learner_ref})

    @property
    def named(self) -> str:
        return f"learner {self.learner_ref} (ULN to follow)" if self.uln == TEMPORARY_ULN else f"ULN {self.uln}"

    @property
    def same_entry(self) -> tuple[str, dt.date, float, str]:
        return self.learner, self.date, self.hours, self.activity.casefold()


@dataclass
class ParsedOtj:
    rows: list[OtjRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    #: How the file was read, for --dry-run: encoding, separator, columns.
    reading: list[str] = field(default_factory=list)


@dataclass
class OtjImportSummary:
    #: The lines whose entries were (or, in a dry run, would be) added.
    added: list[int] = field(default_factory=list)
    #: The lines whose entries the log already holds (imported before, or typed in on a laptop).
    already: list[int] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    learners: int = 0
    hours_added: float = 0.0
    written: bool = False


def parse_otj(data: bytes, *, today: dt.date | None = None) -> ParsedOtj:
    """Every row and every problem (with its line) of an off-the-job CSV's bytes; no database."""
    today = today or dt.date.today()
    parsed = ParsedOtj()
    try:
        decoded = decode_spreadsheet(data)
    except SpreadsheetError as error:
        parsed.problems.append(RowProblem(error.line, error.reason))
        return parsed
    text = decoded.text
    separator = choose_separator(text, lambda cells: sum(column_name(c) in COLUMNS for c in cells))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        header = next(reader, [])
    except csv.Error as error:
        parsed.problems.append(RowProblem(1, f"the header row cannot be read: {error}"))
        return parsed
    where: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = COLUMNS.get(column_name(cell))
        if name is None:
            if cell.strip():
                parsed.problems.append(RowProblem(1, f"the column {cell.strip()!r} is not one an off-the-job file "
                                                  f"has ({FORMAT})"))
            continue
        if name in where:
            parsed.problems.append(RowProblem(1, f"two columns give the {name.replace('_', ' ')}: "
                                              f"{header[where[name]].strip()!r} and {cell.strip()!r}"))
            continue
        where[name] = index
    missing = [name for name in REQUIRED if name not in where]
    if "uln" not in where and "learner_ref" not in where:
        missing.insert(0, "uln (or learner_ref)")
    if missing:
        parsed.problems.append(RowProblem(1, f"the header row lacks the column(s): {', '.join(missing)} (an "
                                          f"off-the-job file has the columns {FORMAT})"))
    if parsed.problems:
        return parsed
    parsed.reading = [f"Read as {decoded.encoding}, {SEPARATOR_NAMES[separator]} separated.",
                      "Columns: " + ", ".join(f"{header[i].strip()!r} → {name.replace('_', ' ')}"
                                              for name, i in where.items())]
    seen: dict[tuple[str, dt.date, float, str], int] = {}
    start = reader.line_num + 1
    try:
        for values in reader:
            line, start = start, reader.line_num + 1
            if not any(v.strip() for v in values):
                continue
            cell = {name: values[i].strip() if i < len(values) else "" for name, i in where.items()}
            row_or_why = _row(line, cell, today)
            if isinstance(row_or_why, str):
                parsed.problems.append(RowProblem(line, row_or_why))
                continue
            if row_or_why.same_entry in seen:
                parsed.problems.append(RowProblem(line, f"the same entry as line {seen[row_or_why.same_entry]} "
                                                  "(learner, date, hours and activity): give it once, or tell "
                                                  "the two apart in the activity"))
                continue
            seen[row_or_why.same_entry] = line
            parsed.rows.append(row_or_why)
    except csv.Error as error:
        parsed.problems.append(RowProblem(start, f"the CSV cannot be read here: {error}"))
    return parsed


def _row(line: int, cell: dict[str, str], today: dt.date) -> OtjRow | str:
    """The row, or why it is not one."""
    uln, ref = cell.get("uln", ""), cell.get("learner_ref", "")
    if not uln and ref:
        uln = TEMPORARY_ULN  # a learner named by reference alone: one whose ULN is still to follow
    if not uln:
        return "the ULN is empty (give it, or the learner_ref of a learner whose ULN is to follow)"
    if uln == TEMPORARY_ULN:
        if not ref:
            return (f"ULN {TEMPORARY_ULN} (ULN to follow) names no one learner: give the learner's LearnRefNumber "
                    "in a learner_ref column")
    elif not uln_is_valid(uln):
        return f"ULN {uln!r} is not a valid ULN (10 digits with a correct check digit)"
    if not cell["date"]:
        return "the date is empty"
    try:
        day = read_date(cell["date"])
    except ValueError as error:
        return f"date: {error}"
    if day > today:
        return f"date: {day:%d/%m/%Y} is in the future: the log records training done"
    try:
        hours = parse_hours(cell["hours"])
    except ValueError as error:
        return f"hours: {error}"
    activity = cell["activity"]
    if not activity:
        return "the activity is empty: say what it was (for example: Training course, Shadowing)"
    if len(activity) > MAX_ACTIVITY_CHARS:
        return f"the activity is longer than {MAX_ACTIVITY_CHARS} characters: put the detail under what was learnt"
    return OtjRow(line, uln, ref, day, hours, activity, cell.get("learnt", ""), cell.get("evidence", ""))


def _existing(session: Session, learner_ids: Iterable[str]) -> tuple[set[str], set[tuple[str, str, float, str]]]:
    """The ids of every entry of these learners (tombstones included), and what names each live one."""
    ids: set[str] = set()
    live: set[tuple[str, str, float, str]] = set()
    wanted = sorted(set(learner_ids))
    for start in range(0, len(wanted), IN_LIST):
        query = select(OtjEntry).where(OtjEntry.learner_id.in_(wanted[start : start + IN_LIST]))
        for entry in session.scalars(query):
            ids.add(entry.id)
            if not entry.deleted:
                data = entry.data
                live.add((entry.learner_id, str(data.get("date")), float(data.get("hours", 0)),
                          str(data.get("activity", "")).casefold()))
    return ids, live


def import_otj(factory: sessionmaker[Session], parsed: ParsedOtj, *, dry_run: bool = False) -> OtjImportSummary:
    """Add the file's new entries in one transaction, or none if any row is bad (the problems say which and why).

    With `dry_run`, everything is checked and counted as for the import, and nothing is written."""
    summary = OtjImportSummary(problems=list(parsed.problems))
    if parsed.problems:
        return summary
    with transaction(factory) as session:
        if not dry_run:
            take_write_lock(session)
        learners = find_learners(session, ({"uln": r.uln, "learner_ref": r.learner_ref} for r in parsed.rows))
        for row in parsed.rows:
            if row.learner not in learners or learners[row.learner].deleted:
                summary.problems.append(RowProblem(row.line, f"no learner on the server has the {row.named}; "
                                                   "import the caseload first"))
        if summary.problems:
            return summary
        ids, live = _existing(session, (learner.id for learner in learners.values()))
        new: list[OtjEntry] = []
        now = utcnow()
        for row in parsed.rows:
            learner = learners[row.learner]
            record_id = entry_id(learner.id, row.date, row.hours, row.activity)
            if record_id in ids or (learner.id, row.date.isoformat(), row.hours, row.activity.casefold()) in live:
                summary.already.append(row.line)
                continue
            try:
                data = validate_fields("otj_entry", {
                    "learner_id": learner.id, "date": row.date, "hours": row.hours, "activity": row.activity,
                    "description": row.learnt, "evidence": row.evidence})
            except Rejected as error:
                summary.problems.append(RowProblem(row.line, str(error)))
                continue
            new.append(OtjEntry(id=record_id, learner_id=learner.id, data=data, updated_at=now, updated_by=IMPORTER,
                                deleted=False))
            summary.added.append(row.line)
            summary.hours_added += row.hours
        summary.learners = len({e.learner_id for e in new})
        summary.hours_added = round(summary.hours_added, 2)
        if summary.problems or dry_run or not new:
            summary.added = [] if summary.problems else summary.added
            return summary  # nothing written: the transaction ends with nothing to commit
        revs = RevBlock(session, IMPORTER)
        for entry in new:
            entry.rev = revs.next("otj_entry", entry.id, "upsert")
        session.add_all(new)
        revs.close()
    summary.written = True
    return summary
