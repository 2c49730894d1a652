"""The caseload CSV as spreadsheets save it (issue 14, item 2): every encoding and separator Excel and LibreOffice
write, day-first and Excel serial dates, and headers matched by name; a column we cannot map, or a date that does
not exist, is an error naming it. Each file is written to disk in its encoding and read back, as the CLI reads it."""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.server.caseload_csv import parse_caseload
from sync.server.spreadsheet import read_date

#: A spreadsheet's own header: its order, its case, its words ("Surname", "Employer"), a note in brackets.
HEADER = ["First name", "Surname", "ULN", "Date of birth", "START DATE (DD/MM/YYYY)", "Planned end date",
          "Planned OTJ hours", "Employer", "Assessor", "Support needs"]
ROWS = [
    ["Zoë", "O’Brien", "9276308686", "29/02/2004", "03/04/2026", "2027-04-02", "278.5", "Café Ltd", "alice",
     "Dyslexia: 25% extra time, £0"],
    ["Siân", "Ng", "1000000035", "36525", "1.9.2025", "", "", "", "", ""],
]


def write(path: Path, rows: list[list[str]], encoding: str, separator: str, bom: bytes = b"") -> Path:
    """A CSV as a spreadsheet saves it: every cell quoted only when it must be, Windows line ends."""
    def cell(value: str) -> str:
        return f'"{value}"' if separator in value or '"' in value else value

    text = "".join(separator.join(cell(v) for v in row) + "\r\n" for row in rows)
    path.write_bytes(bom + text.encode(encoding))
    return path


@pytest.mark.parametrize(("encoding", "bom", "separator", "described"), [
    ("utf-8", b"", ",", "UTF-8"),
    ("utf-8", codecs.BOM_UTF8, ",", "UTF-8 with a byte-order mark"),
    ("utf-8", codecs.BOM_UTF8, ";", "UTF-8 with a byte-order mark"),  # LibreOffice where , is the decimal mark
    ("cp1252", b"", ",", "Windows-1252"),  # Excel's "CSV (Comma delimited)" on a UK Windows PC
    ("cp1252", b"", ";", "Windows-1252"),
    ("utf-16-le", codecs.BOM_UTF16_LE, "\t", "UTF-16"),  # Excel's "Unicode text"
])
def test_every_encoding_and_separator_reads_alike(tmp_path: Path, encoding: str, bom: bytes, separator: str,
                                                  described: str) -> None:
    rows = [[v.replace("278.5", "278,5") if separator == ";" else v for v in row] for row in ROWS]
    path = write(tmp_path / "caseload.csv", [HEADER, *rows], encoding, separator, bom)
    parsed = parse_caseload(path.read_bytes())
    assert parsed.problems == [] and parsed.readable
    assert (parsed.encoding, parsed.separator) == (described, separator)
    first, second = parsed.rows
    assert first.learner == {"uln": "9276308686", "first_name": "Zoë", "last_name": "O’Brien",
                             "date_of_birth": "2004-02-29", "start_date": "2026-04-03",  # 3 April, never 4 March
                             "planned_end_date": "2027-04-02", "planned_otj_hours": 278.5,
                             "support_needs": "Dyslexia: 25% extra time, £0"}
    assert first.employer is not None and first.employer["name"] == "Café Ltd" and first.assessor == "alice"
    assert second.learner["date_of_birth"] == "1999-12-31"  # Excel's serial 36525
    assert second.learner["start_date"] == "2025-09-01" and second.learner["planned_otj_hours"] == 0.0
    assert second.employer is None and second.assessor is None  # no assessor named: the import keeps or leaves
    preview = parsed.describe_reading()
    assert preview[0].startswith(f"read as {described} text")
    assert "column E 'START DATE (DD/MM/YYYY)' → start_date" in preview
    assert "column B 'Surname' → last_name" in preview
    assert any(line.startswith("not in the file") and "email" in line and "status" in line for line in preview)


def test_dates_are_read_day_first_and_as_excel_serials() -> None:
    april = dt.date(2026, 4, 3)
    for written in ("2026-04-03", "03/04/2026", "3/4/2026", "03-04-2026", "03.04.2026", "46115", "46115.0",
                    "2026-04-03 00:00:00", "03/04/2026 00:00"):
        assert read_date(written) == april, written
    assert read_date("29/02/2028") == dt.date(2028, 2, 29)
    for written, why in (("31/02/2026", "February 2026 has 28 days"), ("29/02/2025", "February 2025 has 28 days"),
                         ("31/04/2026", "April 2026 has 30 days"), ("04/13/2026", "no month 13"),
                         ("03/04/26", "write it in full"), ("2026-13-01", "no month 13"),
                         ("45", "outside 1 March 1900"), ("April 3rd", "not a date written as"),
                         ("2026-04-03 09:30", "not a date written as")):
        with pytest.raises(ValueError, match=why):
            read_date(written)


def test_a_date_that_does_not_exist_is_an_error_with_its_line(tmp_path: Path) -> None:
    rows = [HEADER, ROWS[0], [*ROWS[1][:4], "31/02/2026", *ROWS[1][5:]]]
    parsed = parse_caseload(write(tmp_path / "c.csv", rows, "utf-8", ",").read_bytes())
    assert [str(p) for p in parsed.problems] == [
        "line 3: start_date '31/02/2026' is not a date: February 2026 has 28 days"]
    assert [r.line for r in parsed.rows] == [2]


def test_a_column_we_cannot_map_is_named_and_nothing_is_read(tmp_path: Path) -> None:
    header = [*HEADER[:8], "Asessor", "Notes"]  # a misspelt assessor would leave everyone unassigned
    parsed = parse_caseload(write(tmp_path / "c.csv", [header, ROWS[0]], "utf-8", ",").read_bytes())
    assert not parsed.readable and parsed.rows == []
    reasons = [str(p) for p in parsed.problems]
    assert len(reasons) == 2 and all(r.startswith("line 1: column ") for r in reasons)
    assert "column I, 'Asessor', is not a caseload column" in reasons[0] and "assessor" in reasons[0]
    assert "column J, 'Notes', is not a caseload column" in reasons[1]


def test_a_column_named_twice_and_a_required_column_missing(tmp_path: Path) -> None:
    parsed = parse_caseload(write(tmp_path / "c.csv", [["ULN", "Forename", "First name", "Start date"]],
                                  "utf-8", ",").read_bytes())
    reasons = [p.reason for p in parsed.problems]
    assert "columns B, 'Forename', and C, 'First name', both name first_name" in reasons[0]
    assert "lacks the column(s): last_name" in reasons[1]


def test_status_words_and_a_value_under_an_unnamed_column(tmp_path: Path) -> None:
    header = ["uln", "first_name", "last_name", "start_date", "Status", ""]
    rows = [header, ["9276308686", "Sam", "Smith", "2025-09-01", "Withdrawn", ""],
            ["1000000035", "Ann", "Lee", "2025-09-01", "Break in learning", ""],
            ["1000000019", "Bo", "Ray", "2025-09-01", "2", "stray"],
            ["1000000027", "Cy", "Fox", "2025-09-01", "gone", ""]]
    parsed = parse_caseload(write(tmp_path / "c.csv", rows, "utf-8", ",").read_bytes())
    assert [r.learner["status"] for r in parsed.rows] == ["withdrawn", "break_in_learning"]
    assert [str(p) for p in parsed.problems] == [
        "line 4: column(s) F hold a value but have no name in the header row",
        "line 5: status 'gone' is not one of active, break in learning, withdrawn, completed"]


def test_a_file_of_utf8_with_a_stray_windows_byte_is_refused_at_that_byte(tmp_path: Path) -> None:
    """Two exports pasted together: reading it all as Windows-1252 would garble every 'ë' of the UTF-8 part."""
    path = tmp_path / "c.csv"
    path.write_bytes(",".join(HEADER).encode() + b"\r\n" + ",".join([*ROWS[0][:-1], ""]).encode("utf-8") + b"\r\n"
                     + ",".join(ROWS[1]).replace("Siân", "Si\xe2n").encode("cp1252") + b"\r\n")
    [problem] = parse_caseload(path.read_bytes()).problems
    assert problem.line == 3 and "byte 3 of this line (0xe2" in problem.reason
    assert "the rest of the file is UTF-8" in problem.reason


_CELLS = st.one_of(st.sampled_from(["", "9276308686", "Sam", "31/02/2026", "03/04/2026", "46115", "1e400", "nan",
                                    "278,5", '"', "\x00", "é", "alice", "Withdrawn", "99"]),
                   st.text(max_size=12))


@settings(max_examples=300, deadline=None)
@given(header=st.lists(st.sampled_from([*HEADER, "uln", "Notes", "", "first_name", "last_name", "start_date",
                                        "Status", "level", "planned_otj_hours"]), max_size=12),
       rows=st.lists(st.lists(_CELLS, max_size=13), max_size=4),
       separator=st.sampled_from([",", ";", "\t"]), encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]),
       noise=st.binary(max_size=20))
def test_no_file_makes_the_reader_fail(header: list[str], rows: list[list[str]], separator: str, encoding: str,
                                       noise: bytes) -> None:
    """Whatever an admin hands over is rows and problems with lines, never an exception."""
    text = "\r\n".join(separator.join(row) for row in [header, *rows])
    data = text.encode(encoding, errors="replace")
    for candidate in (data, noise + data, data + noise, noise, b"uln," + b"x" * 200_000 + b"\n" + data):
        parsed = parse_caseload(candidate)
        assert all(problem.line >= 1 and problem.reason for problem in parsed.problems)
        assert parsed.readable or not parsed.rows
