"""`reviewapp-server import-otj FILE` (issue 14 item 4): off-the-job entries from a spreadsheet's CSV, read with the
shared spreadsheet rules, every problem with its line, all or nothing, a dry run that writes nothing, and safe to
run again (the same file twice adds nothing, nor does it undo an assessor's edit or deletion on the laptop). The
entries reach the assessor's pull."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from server_testkit import Server, change
from sqlalchemy import func, select
from test_server_cli import run

from sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION, TEMPORARY_ULN
from sync.server.db import last_rev
from sync.server.models import AuditEvent, Learner, OtjEntry
from sync.server.otj_import import import_otj, parse_otj

SAM, ANN = "9276308686", "1000000035"
TODAY = dt.date(2026, 11, 23)


def otj_file(tmp_path: Path, *lines: str, header: str = "ULN;Date;Hours;Activity;What was learnt;Evidence",
             encoding: str = "cp1252") -> Path:
    """A semicolon-separated Windows-1252 file with day-first dates, as Excel saves it in many locales."""
    path = tmp_path / "otj.csv"
    path.write_bytes(("\r\n".join([header, *lines]) + "\r\n").encode(encoding))
    return path


ROWS = (f"{SAM};03/11/2026;3,5;Training course;Risk assessments for site work;Certificate",
        f"{SAM};46330;1:30;Shadowing;How a survey is planned – café site;Portfolio item 12",
        f"{ANN};2026-11-02;7;Online module;;")


def entries(server: Server) -> list[tuple[str, str, float, str, str, str, bool]]:
    with server.factory() as session:
        return sorted((e.learner_id, e.data["date"], e.data["hours"], e.data["activity"], e.data["description"],
                       e.data["evidence"], e.deleted) for e in session.scalars(select(OtjEntry)))


def revs(server: Server) -> int:
    with server.factory() as session:
        return last_rev(session)


def test_entries_are_read_as_spreadsheets_save_them_and_the_same_file_twice_adds_nothing(
        caseloads, server: Server, tmp_path: Path) -> None:
    sam = server.add_learner("alice", uln=SAM)
    ann = server.add_learner("bob", uln=ANN)
    data = otj_file(tmp_path, *ROWS).read_bytes()
    first = import_otj(server.factory, parse_otj(data, today=TODAY))
    assert first.written and first.problems == [] and first.added == [2, 3, 4] and first.hours_added == 12
    assert entries(server) == sorted([
        (sam, "2026-11-03", 3.5, "Training course", "Risk assessments for site work", "Certificate", False),
        (sam, "2026-11-04", 1.5, "Shadowing", "How a survey is planned – café site", "Portfolio item 12", False),
        (ann, "2026-11-02", 7.0, "Online module", "", "", False)])
    rev = revs(server)

    again = import_otj(server.factory, parse_otj(data, today=TODAY))
    assert again.added == [] and again.already == [2, 3, 4] and not again.written
    assert revs(server) == rev and len(entries(server)) == 3

    # Alice's pull brings Sam's two entries (not Ann's, who is Bob's), with their evidence; a client older than
    # protocol 3 is sent them without it (its models forbid fields they do not know).
    current = {**caseloads["alice"], PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
    pulled = [c for c in server.pull_all(current)[0] if c["entity"] == "otj_entry"]
    assert sorted((c["data"]["learner_id"], c["data"]["evidence"]) for c in pulled) == [
        (sam, "Certificate"), (sam, "Portfolio item 12")]
    older = [c for c in server.pull_all(caseloads["alice"])[0] if c["entity"] == "otj_entry"]
    assert len(older) == 2 and all("evidence" not in c["data"] for c in older)

    # On her laptop Alice corrects one entry's hours and deletes the other: a re-import restores neither.
    edited, deleted = sorted(pulled, key=lambda c: c["data"]["date"])
    results = server.push(caseloads["alice"],
                          change("otj_entry", "update", edited["id"], {"hours": 4}, base={"hours": 3.5},
                                 base_rev=edited["rev"]),
                          change("otj_entry", "delete", deleted["id"], base_rev=deleted["rev"]))
    assert [r["status"] for r in results] == ["applied", "applied"], results
    third = import_otj(server.factory, parse_otj(data, today=TODAY))
    assert third.added == [] and third.already == [2, 3, 4]
    assert [(e[2], e[6]) for e in entries(server) if e[0] == sam] == [(4.0, False), (1.5, True)]


def test_an_entry_typed_in_on_a_laptop_is_not_imported_again(caseloads, server: Server, tmp_path: Path) -> None:
    sam = server.add_learner("alice", uln=SAM)
    typed = change("otj_entry", "create", fields={"learner_id": sam, "date": "2026-11-03", "hours": 3.5,
                                                   "activity": "training course", "description": "", "evidence": ""})
    assert server.push(caseloads["alice"], typed)[0]["status"] == "applied"
    summary = import_otj(server.factory, parse_otj(otj_file(tmp_path, ROWS[0]).read_bytes(), today=TODAY))
    assert summary.already == [2] and summary.added == [] and len(entries(server)) == 1


def test_a_learner_whose_uln_is_to_follow_is_found_by_reference(server: Server, tmp_path: Path) -> None:
    waiting = server.add_learner(uln=TEMPORARY_ULN, learner_ref="REF0042")
    path = otj_file(tmp_path, ",REF0042,2026-11-03,2,Mentoring,,", f"{TEMPORARY_ULN},,2026-11-04,1,Mentoring,,",
                    header="uln,learner_ref,date,hours,activity,learnt,evidence", encoding="utf-8-sig")
    parsed = parse_otj(path.read_bytes(), today=TODAY)
    assert [str(p) for p in parsed.problems] == [
        f"line 3: ULN {TEMPORARY_ULN} (ULN to follow) names no one learner: give the learner's LearnRefNumber in a "
        "learner_ref column"]
    path = otj_file(tmp_path, "REF0042,2026-11-03,2,Mentoring,,", header="Learner_Ref,DATE,Hours,Activity,x,y")
    parsed = parse_otj(path.read_bytes(), today=TODAY)
    assert [str(p) for p in parsed.problems] == [
        "line 1: the column 'x' is not one an off-the-job file has (uln (or learner_ref), date, hours, activity, "
        "what was learnt, evidence)",
        "line 1: the column 'y' is not one an off-the-job file has (uln (or learner_ref), date, hours, activity, "
        "what was learnt, evidence)"]
    path = otj_file(tmp_path, "REF0042,2026-11-03,2,Mentoring", header="Learner_Ref,DATE,Hours,Activity",
                    encoding="utf-8")
    summary = import_otj(server.factory, parse_otj(path.read_bytes(), today=TODAY))
    assert summary.written and entries(server) == [(waiting, "2026-11-03", 2.0, "Mentoring", "", "", False)]


def test_every_problem_is_reported_with_its_line_and_nothing_is_written(server: Server, tmp_path: Path) -> None:
    server.add_learner(uln=SAM)
    path = otj_file(
        tmp_path,
        ROWS[0],
        f"{SAM};31/02/2026;2;Workshop;;",
        f"{SAM};01/11/2026;two;Workshop;;",
        f"{SAM};01/11/2026;30;Workshop;;",
        f"{SAM};24/11/2026;2;Workshop;;",
        f"{SAM};01/11/2026;2;;;",
        "1234567890;01/11/2026;2;Workshop;;",
        f"{SAM};03/11/2026;3.5;TRAINING COURSE;again;",
        f"{ANN};01/11/2026;2;Workshop;;",
    )
    parsed = parse_otj(path.read_bytes(), today=TODAY)
    assert [str(p) for p in parsed.problems] == [
        "line 3: date: '31/02/2026' is not a date: February 2026 has 28 days",
        "line 4: hours: 'two' is not a number of hours: write it as 1.5 or 1:30.",
        "line 5: hours: '30' is more than a day's hours: an entry holds at most 24 hours; log a longer activity day "
        "by day.",
        "line 6: date: 24/11/2026 is in the future: the log records training done",
        "line 7: the activity is empty: say what it was (for example: Training course, Shadowing)",
        "line 8: ULN '1234567890' is not a valid ULN (10 digits with a correct check digit)",
        "line 9: the same entry as line 2 (learner, date, hours and activity): give it once, or tell the two apart "
        "in the activity",
    ]
    summary = import_otj(server.factory, parsed)
    assert not summary.written and entries(server) == []

    # The rows that read well, but name a learner the server does not have (or has deleted, as the rollback of
    # the import that made them does): still nothing is written.
    gone = server.add_learner(uln="1000000019")
    with server.factory.begin() as session:
        session.get(Learner, gone).deleted = True
    path = otj_file(tmp_path, ROWS[0], f"{ANN};01/11/2026;2;Workshop;;", "1000000019;01/11/2026;2;Workshop;;")
    summary = import_otj(server.factory, parse_otj(path.read_bytes(), today=TODAY))
    assert [str(p) for p in summary.problems] == [
        f"line 3: no learner on the server has the ULN {ANN}; import the caseload first",
        "line 4: no learner on the server has the ULN 1000000019; import the caseload first"]
    assert not summary.written and entries(server) == []

    missing = parse_otj(b"uln,hours\r\n9276308686,2\r\n", today=TODAY)
    assert [str(p) for p in missing.problems] == [
        "line 1: the header row lacks the column(s): date, activity (an off-the-job file has the columns uln (or "
        "learner_ref), date, hours, activity, what was learnt, evidence)"]


def test_the_command_previews_with_a_dry_run_then_imports_and_is_audited(server: Server, database_url: str,
                                                                          tmp_path: Path) -> None:
    server.add_learner(uln=SAM)
    server.add_learner(uln=ANN)
    path = otj_file(tmp_path, f"{SAM};03/11/2026;3,5;Training course;Risk assessments at the café;Certificate",
                    f"{ANN};2026-11-02;7;Online module;;")
    dry = run("import-otj", str(path), "--dry-run", database=database_url)
    assert dry.returncode == 0, dry.stderr
    assert "Dry run of otj.csv: nothing has been written." in dry.stdout
    assert "Read as Windows-1252, semicolon separated." in dry.stdout
    assert "'What was learnt' → learnt" in dry.stdout
    assert "Importing it would add 2 entr(ies), 10.5 hours for 2 learner(s)." in dry.stdout
    assert entries(server) == []

    done = run("import-otj", str(path), database=database_url)
    assert done.returncode == 0, done.stderr
    assert "Imported otj.csv: 2 entr(ies) added, 10.5 hours for 2 learner(s)." in done.stdout
    again = run("import-otj", str(path), database=database_url)
    assert again.returncode == 0 and "0 entr(ies) added" in again.stdout
    assert "2 already in the log (lines 2, 3)" in again.stdout
    assert len(entries(server)) == 2
    with server.factory() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "otj_imported")) == 1

    bad = otj_file(tmp_path, f"{SAM};32/11/2026;1;Workshop;;")
    refused = run("import-otj", str(bad), database=database_url)
    assert refused.returncode == 1
    assert "otj.csv: line 2: date: '32/11/2026' is not a date" in refused.stderr
    assert "1 problem(s): no entry was added." in refused.stderr
