"""Reading the caseload CSV exported from the provider's MIS or saved from a spreadsheet, row by row, with no database.

Kept apart from the import so the rules can be tested (and reused by a future upload page) on their own. Every
problem is reported against its line number in the file, so an admin can fix the export and try again. How the
bytes, separators, dates and numbers are read is `spreadsheet.py`; what is here is the caseload's columns.

Columns are matched by name, in any order and case, ignoring spaces, punctuation and a note in brackets
("First name", "FIRST_NAME", "Start date (DD/MM/YYYY)"), and a few names MIS exports use instead ("Surname",
"DOB", "Employer"): `ALIASES`. Only `REQUIRED` columns must be there; a column that is absent leaves that field
as the server has it (a new learner gets the field's default). A column that matches none is an error naming it:
a misspelt "Asessor" silently ignored would leave every learner unassigned.

ULN check (as published for the HESA / Learning Records Service ULN field): ten digits, the first not zero;
multiply the digits by the weights 10, 9, ..., 1 and add them up; the total divided by 11 must leave 10.
Equivalently, with the first nine digits weighted 10..2 and their total's remainder r (mod 11), the check digit
is 10 - r, and r = 0 (which would need a check digit of 10) can never be valid.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from sync.protocol import EmployerData, LearnerData

from .spreadsheet import (
    SEPARATOR_NAMES,
    SpreadsheetError,
    choose_separator,
    column_letter,
    decode_spreadsheet,
    read_date,
    read_number,
    text_lines,
)

if TYPE_CHECKING:
    from .row_spool import RowSpool

COLUMNS: tuple[str, ...] = (
    "uln",
    "first_name",
    "last_name",
    "date_of_birth",
    "email",
    "phone",
    "employer_name",
    "employer_contact",
    "employer_email",
    "employer_phone",
    "employer_address",
    "programme",
    "level",
    "start_date",
    "planned_end_date",
    "planned_otj_hours",
    "assessor",
    "support_needs",
    "status",
)
REQUIRED: tuple[str, ...] = ("uln", "first_name", "last_name", "start_date")
EMPLOYER_COLUMNS: tuple[str, ...] = ("employer_name", "employer_contact", "employer_email", "employer_phone",
                                     "employer_address")
#: Columns that are learner fields of the same name (the rest are the employer's, and the assessor).
LEARNER_COLUMNS: tuple[str, ...] = tuple(c for c in COLUMNS if c not in EMPLOYER_COLUMNS and c != "assessor")
DATE_COLUMNS: tuple[str, ...] = ("date_of_birth", "start_date", "planned_end_date")

#: Other names for a column, squashed as `_squash` does ("Date of birth" → "dateofbirth").
ALIASES: dict[str, str] = {
    "uniquelearnernumber": "uln", "learneruln": "uln",
    "firstnames": "first_name", "forename": "first_name", "forenames": "first_name", "givenname": "first_name",
    "givennames": "first_name",
    "surname": "last_name", "familyname": "last_name", "lastnames": "last_name",
    "dob": "date_of_birth", "birthdate": "date_of_birth", "dateofbirth": "date_of_birth",
    "emailaddress": "email", "learneremail": "email",
    "telephone": "phone", "phonenumber": "phone", "telephonenumber": "phone", "mobile": "phone",
    "mobilenumber": "phone", "learnerphone": "phone",
    "employer": "employer_name", "employercontactname": "employer_contact",
    "employercontactemail": "employer_email", "employeremailaddress": "employer_email",
    "employertelephone": "employer_phone", "employercontactphone": "employer_phone",
    "program": "programme", "programmename": "programme", "apprenticeship": "programme", "standard": "programme",
    "programmelevel": "level",
    "start": "start_date", "learnstartdate": "start_date", "learningstartdate": "start_date",
    "plannedend": "planned_end_date", "enddate": "planned_end_date", "expectedenddate": "planned_end_date",
    "learnplanenddate": "planned_end_date",
    "otjhours": "planned_otj_hours", "plannedoffthejobhours": "planned_otj_hours",
    "offthejobhours": "planned_otj_hours", "plannedotj": "planned_otj_hours",
    "assessorusername": "assessor",
    "additionalsupportneeds": "support_needs", "learningsupport": "support_needs",
    "learnerstatus": "status", "completionstatus": "status",
} | {name.replace("_", ""): name for name in COLUMNS}

#: The words (squashed) a status cell may hold, and ILR `CompStatus` codes, for the learner's status.
STATUS_WORDS: dict[str, str] = {
    "active": "active", "continuing": "active", "onprogramme": "active", "1": "active",
    "breakinlearning": "break_in_learning", "break": "break_in_learning", "onabreak": "break_in_learning",
    "6": "break_in_learning",
    "withdrawn": "withdrawn", "withdrew": "withdrawn", "3": "withdrawn",
    "completed": "completed", "complete": "completed", "finished": "completed", "2": "completed",
}


def _squash(name: str) -> str:
    """A header or word with case, a note in brackets, spaces and punctuation taken out: what is compared."""
    return re.sub(r"[^0-9a-z]", "", re.sub(r"\(.*?\)", "", name.lower().replace("&", "and")))


def column_for(header: str) -> str | None:
    """The caseload column a header names, or None."""
    return ALIASES.get(_squash(header))


def uln_is_valid(uln: str) -> bool:
    """True for a ten-digit ULN whose check digit is right (see the module docstring)."""
    if len(uln) != 10 or not uln.isascii() or not uln.isdigit() or uln[0] == "0":
        return False
    total = sum(int(digit) * weight for digit, weight in zip(uln, range(10, 0, -1), strict=True))
    return total % 11 == 10


@dataclass(frozen=True)
class CaseloadRow:
    """One good row: the learner's fields the file gives, the employer's (None when the row names none), and the
    assessor (None when the file names none, as an ILR file never does: the import keeps the learner's assignment,
    or leaves a new one unassigned)."""

    line: int
    learner: dict[str, Any]
    employer: dict[str, Any] | None
    assessor: str | None
    #: False when the file has no employer column at all: the learner keeps the employer it has.
    has_employer: bool = True


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class ColumnMapping:
    """How one column of the file was read, for the preview: its letter, its header, and the field it fills."""

    letter: str
    header: str
    column: str

    def __str__(self) -> str:
        return f"{self.letter} {self.header!r} → {self.column}"


@dataclass
class ParsedCaseload:
    #: The good rows, in the file's order: a list, or for a file read from disk a `RowSpool` (row_spool.py), which
    #: is read by iterating, never by index.
    rows: list[CaseloadRow] | RowSpool = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    #: How the file was read (empty when it could not be): the preview an admin checks before committing.
    encoding: str = ""
    separator: str = ""
    mapping: list[ColumnMapping] = field(default_factory=list)
    #: False when the file as a whole cannot be read (its text, its header): no row of it can be imported.
    readable: bool = True
    #: The ULNs of rows refused: in the file, so not reported as learners the file lacks.
    rejected_ulns: set[str] = field(default_factory=set)

    def reject(self, line: int, reason: str, uln: str = "") -> None:
        self.problems.append(RowProblem(line, reason))
        if uln:
            self.rejected_ulns.add(uln)

    def fail(self, line: int, reason: str) -> ParsedCaseload:
        self.problems.append(RowProblem(line, reason))
        self.readable = False
        return self

    def describe_reading(self) -> list[str]:
        """The preview of how the file was read, line by line: encoding, separator, each column's field, and the
        columns it lacks (left as they are)."""
        if not self.encoding:
            return []
        lines = [f"read as {self.encoding} text, separated by {SEPARATOR_NAMES.get(self.separator, self.separator)}s; "
                 f"dates as YYYY-MM-DD, DD/MM/YYYY (day first) or Excel date numbers"]
        lines += [f"column {mapping}" for mapping in self.mapping]
        absent = [c for c in COLUMNS if c not in {m.column for m in self.mapping}]
        if absent and self.mapping:
            lines.append(f"not in the file (kept as the server has them; defaults for new learners): "
                         f"{', '.join(absent)}")
        return lines


def _date(value: str, column: str, required: bool) -> dt.date | None:
    if not value:
        if required:
            raise ValueError(f"{column} is missing")
        return None
    try:
        return read_date(value)
    except ValueError as error:
        raise ValueError(f"{column} {error}") from None


def _status(value: str) -> str:
    status = STATUS_WORDS.get(_squash(value))
    if status is None:
        raise ValueError(f"status {value!r} is not one of active, break in learning, withdrawn, completed")
    return status


def _parse_row(line: int, value: dict[str, str], decimal_comma: bool) -> CaseloadRow:
    """One row, `value` holding a stripped cell for each column the file has (and only those)."""
    if any("\x00" in v for v in value.values()):
        raise ValueError("the row holds a NUL character; export the file again as plain UTF-8 text")
    if not uln_is_valid(value["uln"]):
        raise ValueError(f"ULN {value['uln']!r} is not a valid ULN (10 digits with a correct check digit)")
    given: dict[str, Any] = {name: value[name] for name in LEARNER_COLUMNS if name in value}
    for name in DATE_COLUMNS:
        if name in given:
            given[name] = _date(value[name], name, required=name == "start_date")
    if given.get("start_date") and given.get("planned_end_date") and given["planned_end_date"] < given["start_date"]:
        raise ValueError("planned_end_date is before start_date")
    if "level" in given:
        try:
            given["level"] = int(value["level"]) if value["level"] else None
        except ValueError:
            raise ValueError(f"level {value['level']!r} is not a whole number") from None
    if "planned_otj_hours" in given:
        try:
            hours = value["planned_otj_hours"]
            given["planned_otj_hours"] = read_number(hours, decimal_comma=decimal_comma) if hours else 0.0
        except ValueError as error:
            raise ValueError(f"planned_otj_hours {error}") from None
    if "status" in given:
        if value["status"]:
            given["status"] = _status(value["status"])
        else:  # an empty cell says nothing: a status set at the office or on the laptop stays
            del given["status"]
    try:
        # Validated whole (absent fields at their defaults), kept only for the columns the file has.
        learner = LearnerData(**given).model_dump(mode="json")
        employer = None
        cells = {name: value.get(name, "") for name in EMPLOYER_COLUMNS}
        if cells["employer_name"]:
            employer = EmployerData(
                name=cells["employer_name"],
                contact_name=cells["employer_contact"],
                contact_email=cells["employer_email"],
                contact_phone=cells["employer_phone"],
                address=cells["employer_address"],
            ).model_dump(mode="json")
        elif any(cells[c] for c in EMPLOYER_COLUMNS[1:]):
            raise ValueError("employer details are given but employer_name is empty")
    except ValidationError as error:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc']))} {e['msg'].lower()}" for e in error.errors())
        raise ValueError(reasons) from None
    return CaseloadRow(line=line, learner={name: learner[name] for name in given}, employer=employer,
                       assessor=value.get("assessor") or None, has_employer="employer_name" in value)


def _known_columns(header: list[str]) -> int:
    return len({column for name in header if (column := column_for(name)) is not None})


def _map_header(parsed: ParsedCaseload, header: list[str]) -> dict[int, str] | None:
    """Each header cell's position → its column, filling the preview; None (with the problem) if the header will
    not do: a column we cannot map, one named twice, or a required one missing."""
    positions: dict[int, str] = {}
    for position, name in enumerate(header):
        if not name.strip():
            continue  # an empty header cell: a value under it is reported on its row
        column = column_for(name)
        letter = column_letter(position)
        if column is None:
            parsed.fail(1, f"column {letter}, {name.strip()!r}, is not a caseload column: rename it to one of "
                           f"{', '.join(COLUMNS)} (in any case, spaces allowed), or delete it")
            continue
        if column in positions.values():
            first = next(p for p, c in positions.items() if c == column)
            parsed.fail(1, f"columns {column_letter(first)}, {header[first].strip()!r}, and {letter}, "
                           f"{name.strip()!r}, both name {column}: keep one")
            continue
        positions[position] = column
        parsed.mapping.append(ColumnMapping(letter, name.strip(), column))
    missing = [name for name in REQUIRED if name not in positions.values()]
    if missing:
        parsed.fail(1, f"the header row lacks the column(s): {', '.join(missing)}")
    return positions if parsed.readable else None


def parse_caseload(data: bytes, *, spool: bool = False) -> ParsedCaseload:
    """Every good row and every problem (with its line number) of a caseload CSV file's bytes, and how it was read.
    With `spool`, the good rows go to a `RowSpool` on disk as they are read, not to a list (see row_spool.py)."""
    parsed = ParsedCaseload()
    if spool:
        from .row_spool import RowSpool  # it imports CaseloadRow from here

        parsed.rows = RowSpool()
    try:
        decoded = decode_spreadsheet(data)
    except SpreadsheetError as error:
        return parsed.fail(error.line, error.reason)
    text = decoded.text
    separator = choose_separator(text, _known_columns)
    parsed.encoding, parsed.separator = decoded.encoding, separator
    # A plain reader, not DictReader: DictReader skips blank lines unseen, and then the line after the previous
    # record is no longer where the next one starts. A quoted cell can run over several physical lines, and
    # `line_num` is the record's last line; the admin needs the first, where the record starts in their editor.
    reader = csv.reader(text_lines(text), delimiter=separator)
    try:
        header = next(reader, [])
    except csv.Error as error:
        return parsed.fail(1, f"the header row cannot be read: {error}")
    positions = _map_header(parsed, header)
    if positions is None:
        return parsed
    seen: dict[str, int] = {}
    start = reader.line_num + 1
    try:
        for values in reader:
            line, start = start, reader.line_num + 1
            if not any(v.strip() for v in values):
                continue  # a blank line
            if len(values) > len(header) and any(v.strip() for v in values[len(header):]):
                parsed.problems.append(RowProblem(line, "the row has more values than the header has columns"))
                continue
            cells = {column: (values[p] if p < len(values) else "").strip() for p, column in positions.items()}
            stray = [column_letter(p) for p, v in enumerate(values[: len(header)])
                     if v.strip() and p not in positions]
            if stray:
                parsed.reject(line, f"column(s) {', '.join(stray)} hold a value but have no name in the header row",
                              cells["uln"])
                continue
            try:
                row = _parse_row(line, cells, decimal_comma=separator == ";")
            except ValueError as error:
                parsed.reject(line, str(error), cells["uln"])
                continue
            uln = row.learner["uln"]
            if uln in seen:
                parsed.problems.append(RowProblem(line, f"ULN {uln} already appears on line {seen[uln]}"))
                continue
            seen[uln] = line
            parsed.rows.append(row)
    except csv.Error as error:
        parsed.problems.append(RowProblem(start, f"the CSV cannot be read here: {error}"))
    return parsed
