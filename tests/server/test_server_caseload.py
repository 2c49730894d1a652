"""The caseload CSV: row rules without a database, then imports (all or nothing, or skipping bad rows)."""

from __future__ import annotations

from server_testkit import Server
from sqlalchemy import func, select

from sync.server.caseload_csv import COLUMNS, parse_caseload, uln_is_valid
from sync.server.caseload_import import import_caseload
from sync.server.models import Employer, Learner

HEADER = ",".join(COLUMNS)


def row(uln: str = "9276308686", first: str = "Sam", start: str = "2025-09-01", assessor: str = "alice",
        employer: str = "Acme Ltd", **extra: str) -> str:
    values = {name: "" for name in COLUMNS}
    values.update(uln=uln, first_name=first, last_name="Smith", start_date=start, assessor=assessor,
                  employer_name=employer, programme="Data technician", level="3", planned_otj_hours="278.5",
                  date_of_birth="2004-02-29", planned_end_date="2027-03-01", employer_email="hr@acme.example")
    values.update(extra)
    return ",".join(f'"{values[name]}"' for name in COLUMNS)


def csv_bytes(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def test_uln_check_digit() -> None:
    assert uln_is_valid("9276308686")  # the published worked example
    assert not uln_is_valid("9276308685")  # wrong check digit
    assert not uln_is_valid("0276308686")  # leading zero
    assert not uln_is_valid("927630868")  # nine digits
    assert not uln_is_valid("92763O8686")  # a letter O
    assert not uln_is_valid("١٢٣٤٥٦٧٨٩٠")  # digits, but not ASCII ones


def test_good_file_parses_every_row() -> None:
    parsed = parse_caseload(b"\xef\xbb\xbf" + csv_bytes(row(), row(uln="1000000035", employer="", employer_email="")))
    assert parsed.problems == []
    assert [r.line for r in parsed.rows] == [2, 3]
    first = parsed.rows[0]
    assert first.learner["level"] == 3 and first.learner["planned_otj_hours"] == 278.5
    assert first.employer is not None and first.employer["contact_email"] == "hr@acme.example"
    assert parsed.rows[1].employer is None


def test_bad_rows_are_each_reported_with_line_and_reason() -> None:
    parsed = parse_caseload(csv_bytes(
        row(),
        row(uln="1234567890"),
        row(uln="1000000035", start="31/02/2026"),
        row(uln="1000000035", first=""),
        row(uln="9276308686"),
        row(uln="1000000019", level="three"),
        row(uln="1000000027", planned_end_date="2020-01-01"),
    ))
    reasons = {p.line: p.reason for p in parsed.problems}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8]
    assert "ULN" in reasons[3] and "February 2026 has 28 days" in reasons[4] and "first_name" in reasons[5]
    assert "line 2" in reasons[6] and "level" in reasons[7] and "before" in reasons[8]
    assert str(parsed.problems[0]).startswith("line 3: ")


def test_a_record_is_reported_on_the_line_where_it_starts() -> None:
    """A quoted address over three physical lines: the admin looks for the record where it starts, not ends."""
    address = "Unit 4\nHigh Street\nLeeds LS1 1AA"
    parsed = parse_caseload(csv_bytes(
        row(uln="1234567890", employer_address=address),  # lines 2-4, a bad ULN
        row(uln="1000000035", start="09/13/2025"),  # line 5: month first, so month 13
        "",  # line 6, blank
        row(employer_address=address),  # lines 7-9, good
        row(),  # line 10, the same ULN again
    ))
    assert [(p.line, p.reason.split()[0]) for p in parsed.problems] == [(2, "ULN"), (5, "start_date"), (10, "ULN")]
    assert "already appears on line 7" in parsed.problems[2].reason
    assert [r.line for r in parsed.rows] == [7]
    assert parsed.rows[0].employer is not None and parsed.rows[0].employer["address"] == address


def test_missing_columns_and_unreadable_bytes_are_reported() -> None:
    assert "uln" in parse_caseload(b"first_name,last_name\nA,B\n").problems[0].reason
    # 0x81 is neither UTF-8 nor Windows-1252 (one of the five bytes it leaves undefined).
    problem = parse_caseload(HEADER.encode() + b"\n\x81\n").problems[0]
    assert problem.line == 2 and "UTF-8 or Windows-1252" in problem.reason


def test_a_byte_that_is_not_utf8_is_reported_on_its_own_line() -> None:
    """A Latin-1 'é' deep in an otherwise UTF-8 export: the admin is sent to that line, not to line 1 (issue 12,
    item 13); a file wholly in Windows-1252 is read as such (issue 14, item 2)."""
    rows = [row(uln=uln) for uln in _ulns(3100)]
    rows[5] = rows[5].replace('"Sam"', '"Zoë"')  # UTF-8 early on: the file is UTF-8, the later byte a mistake
    rows[3040] = rows[3040].replace('"Smith"', '"Ren\xe9e"')  # record 3,041 is on line 3,042 (after the header)
    data = csv_bytes(*rows).replace("Ren\xe9e".encode(), b"Ren\xe9e")  # the one byte 0xe9 alone
    problems = parse_caseload(data).problems
    assert len(problems) == 1 and problems[0].line == 3042, problems
    assert "0xe9" in problems[0].reason and "UTF-8" in problems[0].reason
    column = rows[3040].index("Ren") + 4
    assert f"byte {column} of this line" in problems[0].reason

    # Windows line ends, a BOM and a quoted cell over three lines before it: still the physical line.
    crlf = b"\xef\xbb\xbf" + csv_bytes(row(employer_address="Unit 4\nHigh Street\nLeeds"), row(uln="1000000035"),
                                     "x,\xff").replace(b"\n", b"\r\n").replace("\xff".encode(), b"\xff")
    problem = parse_caseload(crlf).problems[0]
    assert problem.line == 6 and "byte 3 of this line" in problem.reason, problem


def _ulns(count: int) -> list[str]:
    """`count` distinct valid ULNs (the check digit made to fit, as in the module docstring)."""
    found: list[str] = []
    head = 100000000
    while len(found) < count:
        remainder = sum(int(d) * w for d, w in zip(str(head), range(10, 1, -1), strict=True)) % 11
        if remainder:
            found.append(f"{head}{10 - remainder}")
        head += 1
    return found


def test_import_is_all_or_nothing_then_idempotent_and_pulled(server: Server) -> None:
    server.add_user("alice")
    server.add_user("meg", role="manager")
    bad = csv_bytes(row(), row(uln="1000000035", assessor="nobody"), row(uln="1000000019", assessor="meg"))
    summary = import_caseload(server.factory, parse_caseload(bad))
    assert not summary.imported and [p.line for p in summary.problems] == [3, 4]
    with server.factory() as session:
        assert session.scalar(select(func.count()).select_from(Learner)) == 0

    summary = import_caseload(server.factory, parse_caseload(bad), skip_bad_rows=True)
    assert summary.imported and summary.created == 1 and summary.assigned == 1 and summary.employers_created == 1

    alice = server.login("alice")
    pulled, cursor = server.pull_all(alice)
    assert {c["entity"] for c in pulled} == {"learner", "employer"}
    learner = next(c for c in pulled if c["entity"] == "learner")["data"]
    assert learner["uln"] == "9276308686" and learner["assessor"] == "alice" and learner["employer_id"]

    good = csv_bytes(row(), row(uln="1000000035", employer="ACME  ltd"))
    summary = import_caseload(server.factory, parse_caseload(good))
    assert (summary.created, summary.updated, summary.unchanged) == (1, 0, 1)
    with server.factory() as session:
        assert session.scalar(select(func.count()).select_from(Employer)) == 1  # matched by name

    changed = csv_bytes(row(first="Samantha"), row(uln="1000000035", employer="ACME  ltd"))
    summary = import_caseload(server.factory, parse_caseload(changed))
    assert (summary.updated, summary.unchanged) == (1, 1)
    after, _ = server.pull_all(alice, since=cursor)
    updated = [c for c in after if c["entity"] == "learner" and c["data"]["uln"] == "9276308686"]
    assert updated and updated[-1]["data"]["first_name"] == "Samantha"
