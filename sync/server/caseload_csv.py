"""Reading the caseload CSV exported from the provider's MIS, row by row, with no database.

Kept apart from the import so the rules can be tested (and reused by a future upload page) on their own. Every
problem is reported against its line number in the file, so an admin can fix the export and try again.

ULN check (as published for the HESA / Learning Records Service ULN field): ten digits, the first not zero;
multiply the digits by the weights 10, 9, ..., 1 and add them up; the total divided by 11 must leave 10.
Equivalently, with the first nine digits weighted 10..2 and their total's remainder r (mod 11), the check digit
is 10 - r, and r = 0 (which would need a check digit of 10) can never be valid.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from sync.protocol import EmployerData, LearnerData

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
)


def uln_is_valid(uln: str) -> bool:
    """True for a ten-digit ULN whose check digit is right (see the module docstring)."""
    if len(uln) != 10 or not uln.isascii() or not uln.isdigit() or uln[0] == "0":
        return False
    total = sum(int(digit) * weight for digit, weight in zip(uln, range(10, 0, -1), strict=True))
    return total % 11 == 10


@dataclass(frozen=True)
class CaseloadRow:
    """One good row: the learner's fields, the employer's (None when the row names none), and the assessor
    (None when the file names none at all, as an ILR file never does; "" when its assessor cell is empty)."""

    line: int
    learner: dict[str, Any]
    employer: dict[str, Any] | None
    assessor: str | None


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ParsedCaseload:
    rows: list[CaseloadRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def _date(value: str, column: str, required: bool) -> dt.date | None:
    if not value:
        if required:
            raise ValueError(f"{column} is missing")
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{column} {value!r} is not a date written as YYYY-MM-DD") from None


def _parse_row(line: int, raw: dict[str, str]) -> CaseloadRow:
    value = {name: (raw.get(name) or "").strip() for name in COLUMNS}
    if any("\x00" in v for v in value.values()):
        raise ValueError("the row holds a NUL character; export the file again as plain UTF-8 text")
    if not uln_is_valid(value["uln"]):
        raise ValueError(f"ULN {value['uln']!r} is not a valid ULN (10 digits with a correct check digit)")
    start = _date(value["start_date"], "start_date", required=True)
    end = _date(value["planned_end_date"], "planned_end_date", required=False)
    if start and end and end < start:
        raise ValueError("planned_end_date is before start_date")
    level: int | None = None
    if value["level"]:
        try:
            level = int(value["level"])
        except ValueError:
            raise ValueError(f"level {value['level']!r} is not a whole number") from None
    hours = 0.0
    if value["planned_otj_hours"]:
        try:
            hours = float(value["planned_otj_hours"])
        except ValueError:
            raise ValueError(f"planned_otj_hours {value['planned_otj_hours']!r} is not a number") from None
    try:
        learner = LearnerData(
            uln=value["uln"],
            first_name=value["first_name"],
            last_name=value["last_name"],
            date_of_birth=_date(value["date_of_birth"], "date_of_birth", required=False),
            email=value["email"],
            phone=value["phone"],
            programme=value["programme"],
            level=level,
            start_date=start,  # type: ignore[arg-type]
            planned_end_date=end,
            planned_otj_hours=hours,
            support_needs=value["support_needs"],
        ).model_dump(mode="json")
        employer = None
        if value["employer_name"]:
            employer = EmployerData(
                name=value["employer_name"],
                contact_name=value["employer_contact"],
                contact_email=value["employer_email"],
                contact_phone=value["employer_phone"],
                address=value["employer_address"],
            ).model_dump(mode="json")
        elif any(value[c] for c in ("employer_contact", "employer_email", "employer_phone", "employer_address")):
            raise ValueError("employer details are given but employer_name is empty")
    except ValidationError as error:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc']))} {e['msg'].lower()}" for e in error.errors())
        raise ValueError(reasons) from None
    return CaseloadRow(line=line, learner=learner, employer=employer, assessor=value["assessor"])


#: What ends a line, for the line an editor shows: the same set `csv.reader` over a `newline=""` stream splits on.
_LINE_END = re.compile(rb"\r\n|\r|\n")


def _encoding_problem(data: bytes, error: UnicodeDecodeError) -> RowProblem:
    """The problem of a file that is not UTF-8, reported on the line (and column) holding the first bad byte.

    The file cannot be decoded, so there are no CSV records to count: the line is the physical line of the bytes,
    counted up to the bad byte, which is what the admin's editor shows (a quoted cell over several lines included).
    """
    at = error.start + (len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0)  # "-sig" skipped the BOM
    ends = list(_LINE_END.finditer(data, 0, at))
    line = len(ends) + 1
    column = at - (ends[-1].end() if ends else 0) + 1
    bad = data[at : at + error.end - error.start].hex(" ")
    return RowProblem(line, f"the file is not UTF-8 text: byte {column} of this line (0x{bad}, byte {at + 1:,} of "
                            "the file) is not UTF-8; save the file as UTF-8 CSV")


def parse_caseload(data: bytes) -> ParsedCaseload:
    """Every good row and every problem (with its line number) of a caseload CSV file's bytes."""
    parsed = ParsedCaseload()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        parsed.problems.append(_encoding_problem(data, error))
        return parsed
    # A plain reader, not DictReader: DictReader skips blank lines unseen, and then the line after the previous
    # record is no longer where the next one starts. A quoted cell can run over several physical lines, and
    # `line_num` is the record's last line; the admin needs the first, where the record starts in their editor.
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip() for name in next(reader, [])]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        parsed.problems.append(RowProblem(1, f"the header row lacks the column(s): {', '.join(missing)}"))
        return parsed
    seen: dict[str, int] = {}
    start = reader.line_num + 1
    try:
        for values in reader:
            line, start = start, reader.line_num + 1
            if not any(v.strip() for v in values[: len(header)]):
                continue  # a blank line
            if len(values) > len(header):
                parsed.problems.append(RowProblem(line, "the row has more values than the header has columns"))
                continue
            try:
                row = _parse_row(line, dict(zip(header, values, strict=False)))
            except ValueError as error:
                parsed.problems.append(RowProblem(line, str(error)))
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
