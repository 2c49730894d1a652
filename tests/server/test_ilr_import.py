"""ILR XML caseload files: built to validate against the 2025-26 XSD, read by content, mapped, refused when bad
(with the line, nothing half-imported), imported through the same import as the CSV; and the assignments file."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from ilr_builder import (
    NAMESPACE_2526,
    Delivery,
    Employment,
    Fam,
    ilr_bytes,
    line_of,
    sample_learner,
    write_ilr,
)
from lxml import etree
from server_testkit import Server, change
from sqlalchemy import func, select
from test_server_caseload import csv_bytes, row
from test_server_cli import run

from sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION, TEMPORARY_ULN
from sync.server.caseload_assignments import assign_caseload, parse_assignments
from sync.server.caseload_import import import_caseload
from sync.server.mis.caseload_file import read_caseload_file
from sync.server.mis.ilr import SCHEMAS, parse_ilr
from sync.server.models import Assignment, Learner

REPO = Path(__file__).resolve().parents[2]
#: The schema as the project keeps it, beside the repository (CI copies shared/ there).
SHARED_XSD = REPO.parent / "shared" / "ilr" / "schemafile25.xsd"


def shared_schema() -> etree.XMLSchema:
    if not SHARED_XSD.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{SHARED_XSD} is missing: CI copies shared/ beside the clone")
        pytest.skip(f"{SHARED_XSD} is not beside the repository")
    return etree.XMLSchema(etree.parse(str(SHARED_XSD)))


def parsed(data: bytes):  # type: ignore[no-untyped-def]
    return parse_ilr(io.BytesIO(data))


def test_built_files_validate_against_the_shared_schema_and_the_shipped_copy_is_the_same() -> None:
    schema = shared_schema()
    data = ilr_bytes([
        sample_learner(1, lldd_health_prob=1, lldd_categories=[(12, False), (4, True)], learner_fams=[("EHC", 1)]),
        sample_learner(2, uln=TEMPORARY_ULN, employment=[Employment(), Employment(emp_id=None, emp_stat=11)],
                       deliveries=[Delivery(comp_status=6, act_end=dt.date(2025, 12, 1),
                                            fams=[Fam("LSF", "1", dt.date(2025, 9, 1), dt.date(2026, 2, 28))]),
                                   Delivery(aim_type=3, aim_seq=2, learn_aim_ref="60012345", std_code=None)]),
    ])
    document = etree.fromstring(data)
    assert schema.validate(document), schema.error_log
    assert (SCHEMAS / "schemafile25.xsd").read_bytes() == SHARED_XSD.read_bytes()


def test_apprentices_are_mapped_and_other_learners_left_out() -> None:
    data = ilr_bytes([
        sample_learner(1, lldd_health_prob=1, lldd_categories=[(12, False), (4, True)], learner_fams=[("EHC", 1)],
                       deliveries=[Delivery(phours=312, std_code=294,
                                            fams=[Fam("LSF", "1", dt.date(2025, 9, 1), dt.date(2026, 2, 28))])]),
        sample_learner(2, deliveries=[Delivery(fund_model=35, prog_type=None, std_code=None)]),  # adult skills
        sample_learner(3, deliveries=[Delivery(aim_type=3, learn_aim_ref="60012345")]),  # a component aim only
        sample_learner(4, deliveries=[Delivery(comp_status=3, act_end=dt.date(2026, 1, 9), withdraw_reason=40)],
                       employment=[Employment(emp_id=111111111, date=dt.date(2025, 8, 1)),
                                   Employment(emp_id=222222222, date=dt.date(2025, 11, 3))]),
        sample_learner(5, deliveries=[Delivery(comp_status=2, act_end=dt.date(2026, 3, 1))],
                       employment=[Employment(emp_id=999999999)]),
    ])
    result = parsed(data)
    assert result.problems == [] and result.year == "2025-26"
    assert (result.learners, result.not_apprentices, len(result.rows)) == (5, 2, 3)
    first, withdrawn, completed = result.rows
    assert first.line == line_of(data, "<Learner>", 1) and first.assessor is None
    learner = first.learner
    assert (learner["uln"], learner["learner_ref"]) == (sample_learner(1).uln, "L0000001")
    assert (learner["first_name"], learner["last_name"], learner["date_of_birth"]) == ("Samb", "Smith-B",
                                                                                        "2004-02-29")
    assert (learner["email"], learner["phone"]) == ("learner1@example.org", "07700000001")
    assert (learner["start_date"], learner["planned_end_date"]) == ("2025-09-01", "2027-03-01")
    assert learner["standard_code"] == 294 and learner["programme"] == "Apprenticeship standard 294"
    assert learner["planned_otj_hours"] == 312 and learner["status"] == "active"
    assert learner["support_needs"] == (
        "Has a learning difficulty, disability or health problem: visual impairment (primary); also dyslexia. "
        "The learner has an education, health and care (EHC) plan. "
        "Learning support funded (LSF) from 01/09/2025 to 28/02/2026.")
    assert first.employer is not None and first.employer["name"] == "ERN 123456789"
    assert withdrawn.learner["status"] == "withdrawn"
    assert withdrawn.employer is not None and withdrawn.employer["name"] == "ERN 222222222"  # the latest status
    assert completed.learner["status"] == "completed" and completed.employer is None  # ERN to follow


def test_a_return_from_a_break_is_read_from_the_latest_programme_aim() -> None:
    on_break = Delivery(start=dt.date(2024, 9, 2), comp_status=6, act_end=dt.date(2025, 3, 31), phours=400)
    back = Delivery(start=dt.date(2025, 10, 6), plan_end=dt.date(2027, 1, 29), aim_seq=2, phours=250)
    only_break = parsed(ilr_bytes([sample_learner(1, deliveries=[on_break])])).rows[0].learner
    assert only_break["status"] == "break_in_learning"
    returned = parsed(ilr_bytes([sample_learner(1, deliveries=[on_break, back])])).rows[0].learner
    assert (returned["status"], returned["start_date"], returned["planned_otj_hours"]) == ("active", "2025-10-06",
                                                                                           250)


def test_an_ilr_is_told_from_a_csv_by_content_not_by_name(tmp_path: Path) -> None:
    ilr = write_ilr(tmp_path / "caseload.csv", [sample_learner(1)])
    assert [r.learner["learner_ref"] for r in read_caseload_file(ilr).rows] == ["L0000001"]
    csv_named_xml = tmp_path / "export.xml"
    csv_named_xml.write_bytes(b"\xef\xbb\xbf" + csv_bytes(row()))
    assert [r.learner["uln"] for r in read_caseload_file(csv_named_xml).rows] == ["9276308686"]
    with_bom = tmp_path / "ilr-with-bom"
    with_bom.write_bytes(b"\xef\xbb\xbf\n  " + ilr_bytes([sample_learner(1)]).replace(b'<?xml version="1.0" '
                                                                                        b'encoding="utf-8"?>\n', b""))
    assert len(read_caseload_file(with_bom).rows) == 1


# --- bad input: a clear error with its line ------------------------------------------------------------------


def test_malformed_xml_is_reported_on_its_line() -> None:
    data = ilr_bytes([sample_learner(1), sample_learner(2)])
    broken = data.replace(b"<GivenNames>Samc</GivenNames>", b"<GivenNames>Samc</GivenName>")
    result = parsed(broken)
    assert result.rows == [] and len(result.problems) == 1  # not even learner 1, before the break
    problem = result.problems[0]
    assert problem.line == line_of(data, "Samc") and "not well-formed XML" in problem.reason, problem
    assert "GivenName" in problem.reason


def test_an_ilr_year_we_do_not_map_is_refused_as_a_whole() -> None:
    data = ilr_bytes([sample_learner(1)], namespace="ESFA/ILR/2026-27", year="2627")
    result = parsed(data)
    assert result.rows == [] and len(result.problems) == 1
    assert "ESFA/ILR/2026-27" in result.problems[0].reason and "2025-26" in result.problems[0].reason
    other = parsed(b'<?xml version="1.0"?>\n<Invoice xmlns="urn:x"><Total>3</Total></Invoice>\n')
    assert "not an ILR file" in other.problems[0].reason


def test_a_doctype_is_refused_before_any_entity_is_looked_at() -> None:
    """An ILR file has no DOCTYPE; one with entities once made the schema validation fail inside libxml2."""
    data = ilr_bytes([sample_learner(1)]).replace(
        b"<Message", b'<!DOCTYPE Message [<!ENTITY x SYSTEM "file:///etc/hostname"><!ENTITY y "Lee">]>\n<Message',
        1).replace(b"<GivenNames>Samb</GivenNames>", b"<GivenNames>&x;</GivenNames>").replace(
        b"<FamilyName>Smith-B</FamilyName>", b"<FamilyName>&y;</FamilyName>")
    result = parsed(data)
    assert result.rows == [] and [p.line for p in result.problems] == [1]
    assert "DOCTYPE" in result.problems[0].reason


def test_a_wrong_uln_check_digit_is_reported_on_the_uln_line() -> None:
    good = sample_learner(2).uln
    wrong = good[:9] + str((int(good[9]) + 1) % 10)
    data = ilr_bytes([sample_learner(1), sample_learner(2, uln=wrong)])
    result = parsed(data)
    assert [r.learner["learner_ref"] for r in result.rows] == ["L0000001"]
    assert [p.line for p in result.problems] == [line_of(data, f"<ULN>{wrong}</ULN>")]
    assert "check digit" in result.problems[0].reason and TEMPORARY_ULN in result.problems[0].reason


def test_a_learner_twice_is_reported_by_uln_and_by_reference() -> None:
    first = sample_learner(1)
    data = ilr_bytes([first, sample_learner(2, uln=first.uln), sample_learner(3, learn_ref=first.learn_ref)])
    result = parsed(data)
    assert len(result.rows) == 1
    assert [(p.line, p.reason.split()[0]) for p in result.problems] == [
        (line_of(data, f"<ULN>{first.uln}</ULN>", 2), "ULN"), (line_of(data, "<Learner>", 3), "LearnRefNumber")]
    assert all(f"line {line_of(data, '<Learner>', 1)}" in p.reason for p in result.problems)


def test_dates_that_do_not_exist_are_reported_on_their_lines() -> None:
    data = ilr_bytes([sample_learner(1, date_of_birth="2005-02-29"),
                      sample_learner(2, deliveries=[Delivery(start="2025-09-31")])])
    result = parsed(data)
    assert result.rows == []
    assert [p.line for p in result.problems] == [line_of(data, "2005-02-29"), line_of(data, "2025-09-31")]
    assert all("xs:date" in p.reason and "days that exist" in p.reason for p in result.problems)


def test_schema_errors_name_the_element_and_the_message_order_is_checked() -> None:
    data = ilr_bytes([sample_learner(1, given_names="R2D2", tel_no="not a number")])
    result = parsed(data)
    assert [p.line for p in result.problems] == [line_of(data, "R2D2"), line_of(data, "not a number")]
    assert "Element 'GivenNames'" in result.problems[0].reason
    header_after = data.replace(b"\t<Learner>", b"\t<LearningProvider>\n\t\t<UKPRN>10012345</UKPRN>\n"
                                                b"\t</LearningProvider>\n\t<Learner>")
    assert any("more than one LearningProvider" in p.reason for p in parsed(header_after).problems)
    stray = data.replace(b"\t<Learner>", b"\t<!-- written by the MIS -->\n\t<Stray/>\n\t<Learner>").replace(
        b"</Message>", b"\t<Tail>1</Tail>\n</Message>")
    assert [(p.line, p.reason) for p in parsed(stray).problems if "Element 'GivenNames'" not in p.reason
            and "Element 'TelNo'" not in p.reason] == [
        (line_of(stray, "<Stray/>"), "'Stray' is not an element of an ILR Message"),
        (line_of(stray, "<Tail>"), "'Tail' is not an element of an ILR Message")]


def test_a_bad_file_imports_nothing_and_a_good_one_goes_through_the_shared_import(server: Server) -> None:
    learners = [sample_learner(n) for n in range(1, 6)]
    bad = ilr_bytes([*learners[:4], sample_learner(9, date_of_birth="2005-02-30")])
    summary = import_caseload(server.factory, parsed(bad))
    assert not summary.imported and [p.line for p in summary.problems] == [line_of(bad, "2005-02-30")]
    with server.factory() as session:
        assert session.scalar(select(func.count()).select_from(Learner)) == 0

    good = ilr_bytes(learners)
    summary = import_caseload(server.factory, parsed(good), file_name="ilr.xml")
    assert summary.imported and (summary.created, summary.employers_created, summary.assigned) == (5, 1, 0)
    again = import_caseload(server.factory, parsed(good))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    with server.factory() as session:
        stored = session.scalars(select(Learner).order_by(Learner.uln)).all()
        assert [lr.learner_ref for lr in stored] == [f"L000000{n}" for n in range(1, 6)]
        assert session.scalar(select(func.count()).select_from(Assignment)) == 0  # the ILR names no assessor


def test_uln_to_follow_repeats_and_is_found_again_by_reference_when_the_uln_arrives(server: Server) -> None:
    waiting = [sample_learner(1, uln=TEMPORARY_ULN), sample_learner(2, uln=TEMPORARY_ULN)]
    summary = import_caseload(server.factory, parsed(ilr_bytes(waiting)))
    assert summary.imported and summary.created == 2
    assert import_caseload(server.factory, parsed(ilr_bytes(waiting))).unchanged == 2

    arrived = [sample_learner(1), waiting[1]]  # learner 1's real ULN has come from the Learning Records Service
    summary = import_caseload(server.factory, parsed(ilr_bytes(arrived)))
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 1)
    with server.factory() as session:
        stored = {lr.learner_ref: lr.uln for lr in session.scalars(select(Learner))}
    assert stored == {"L0000001": sample_learner(1).uln, "L0000002": TEMPORARY_ULN}


def test_an_admin_can_push_a_second_learner_whose_uln_is_to_follow(server: Server) -> None:
    """The server refuses a pushed learner with another's ULN, but not the ULN many learners hold at once."""
    server.add_user("ada", role="admin")
    server.add_learner(uln=TEMPORARY_ULN, learner_ref="A1")
    taken = server.add_learner()
    with server.factory() as session:
        taken_uln = session.get(Learner, taken).uln
    ada = server.login("ada")
    fields = {"uln": TEMPORARY_ULN, "learner_ref": "A2", "first_name": "A", "last_name": "B",
              "start_date": "2025-01-01"}
    results = server.push(ada, change("learner", "create", fields=fields),
                          change("learner", "create", fields={**fields, "uln": taken_uln, "learner_ref": ""}))
    assert [r["status"] for r in results] == ["applied", "rejected"], results
    assert "ULN" in results[1]["error"]


# --- the assignments file ------------------------------------------------------------------------------------


def test_assignments_file_is_all_or_nothing_with_lines(server: Server) -> None:
    server.add_user("alice")
    server.add_user("bob")
    server.add_user("meg", role="manager")
    people = [sample_learner(1), sample_learner(2, uln=TEMPORARY_ULN)]
    assert import_caseload(server.factory, parsed(ilr_bytes(people))).imported
    one, unknown = people[0].uln, sample_learner(7).uln
    bad = (f"Assessor,ULN,learner_ref\nalice,{one},\nmeg,{TEMPORARY_ULN},L0000002\nbob,{unknown},\n"
           f"bob,{TEMPORARY_ULN},\nbob,1234567890,\nbob,{one},\n").encode()
    early = parse_assignments(bad)
    assert [(p.line, p.reason.split()[0]) for p in early.problems] == [(5, "ULN"), (6, "ULN"), (7, "ULN")]
    assert "learner_ref" in early.problems[0].reason and "line 2" in early.problems[2].reason
    late = assign_caseload(server.factory, parse_assignments(b"\n".join(bad.split(b"\n")[:4]) + b"\n"), by="test")
    assert not late.applied and [p.line for p in late.problems] == [3, 4]
    assert "not an assessor" in late.problems[0].reason and "import the caseload" in late.problems[1].reason
    with server.factory() as session:
        assert session.scalar(select(func.count()).select_from(Assignment)) == 0  # not even line 2's

    good = f"uln,assessor,learner_ref\n{one},alice,\n{TEMPORARY_ULN},bob,L0000002\n".encode()
    summary = assign_caseload(server.factory, parse_assignments(good), by="test")
    assert summary.applied and (summary.assigned, summary.unchanged) == (2, 0)
    assert assign_caseload(server.factory, parse_assignments(good), by="test").unchanged == 2
    current = {**server.login("bob"), PROTOCOL_HEADER: str(PROTOCOL_VERSION)}  # learner_ref is protocol 3's
    assert {c["data"]["learner_ref"] for c in server.pull_all(current)[0]
            if c["entity"] == "learner"} == {"L0000002"}


def test_command_line_imports_an_ilr_then_its_assignments(database_url: str, tmp_path: Path) -> None:
    assert run("create-user", "alice", "--role", "assessor", "--email", "x@example.org", database=database_url,
               stdin="a long password\n").returncode == 0
    ilr = write_ilr(tmp_path / "ILR-10012345-2526-20251105-093000-01.XML",
                    [sample_learner(1), sample_learner(2, deliveries=[Delivery(fund_model=35, prog_type=None)])])
    imported = run("import-caseload", str(ilr), database=database_url)
    assert imported.returncode == 0, imported.stderr
    assert "ILR file for 2025-26 holding 2 learner(s), 1 of them not apprentices" in imported.stdout
    assert "1 learner(s) created" in imported.stdout

    bad_ilr = tmp_path / "bad.xml"
    bad_ilr.write_bytes(ilr_bytes([sample_learner(3, date_of_birth="2001-13-01")]))
    refused = run("import-caseload", str(bad_ilr), database=database_url)
    assert refused.returncode == 1 and "nothing was imported" in refused.stderr
    assert f"bad.xml: line {line_of(bad_ilr.read_bytes(), '2001-13-01')}: not valid against the ILR schema" in (
        refused.stderr)

    assignments = tmp_path / "assignments.csv"
    assignments.write_text(f"uln,assessor\n{sample_learner(1).uln},alice\n{sample_learner(2).uln},alice\n")
    failed = run("assign-caseload", str(assignments), database=database_url)
    assert failed.returncode == 1 and "assignments.csv: line 3: no learner on the server" in failed.stderr
    assert "no assignment was changed" in failed.stderr
    assignments.write_text(f"uln,assessor\n{sample_learner(1).uln},alice\n")
    dry = run("assign-caseload", str(assignments), "--dry-run", database=database_url)
    assert dry.returncode == 0 and "nothing was written): 1 learner(s) would be assigned" in dry.stdout, dry.stderr
    done = run("assign-caseload", str(assignments), database=database_url)
    assert done.returncode == 0 and "1 learner(s) assigned" in done.stdout, done.stderr


def test_namespace_constant_matches_the_schema() -> None:
    assert etree.parse(str(SCHEMAS / "schemafile25.xsd")).getroot().get("targetNamespace") == NAMESPACE_2526


def test_the_example_in_the_server_guide_validates_and_imports() -> None:
    """docs/server.md shows an ILR file: it must stay one the schema and the reader accept."""
    guide = (REPO / "docs" / "server.md").read_text(encoding="utf-8")
    example = guide.split("```xml\n", 1)[1].split("```", 1)[0].encode()
    schema = shared_schema()
    assert schema.validate(etree.fromstring(example)), schema.error_log
    result = parsed(example)
    assert result.problems == [] and [r.learner["uln"] for r in result.rows] == ["9276308686"]


def test_the_2026_27_mapping_differs_from_2025_26_only_where_the_year_does() -> None:
    """Not registered until its schema is published (ilr_2026_27.py): its rules are held here on a hand-made
    learner, so the second year stays a second mapping of the shared rules."""
    from sync.server.mis.ilr_2025_26 import Ilr2025To26
    from sync.server.mis.ilr_2026_27 import Ilr2026To27
    from sync.server.mis.ilr_mapping import Node

    namespace = "ESFA/ILR/2026-27"
    xml = (f'<Learner xmlns="{namespace}"><LearnRefNumber>U1</LearnRefNumber><ULN>{sample_learner(1).uln}</ULN>'
           "<FamilyName>Smith</FamilyName><GivenNames>Sam</GivenNames><LLDDHealthProb>2</LLDDHealthProb>"
           "<LearningDelivery><AimType>1</AimType><AimSeqNumber>1</AimSeqNumber>"
           "<LearnStartDate>2026-09-01</LearnStartDate><LearnPlanEndDate>2027-06-30</LearnPlanEndDate>"
           "<FundModel>39</FundModel><ProgType>34</ProgType><StdCode>801</StdCode><CompStatus>1</CompStatus>"
           "<HRSRecord><HRSType>PHR</HRSType><HRSHours>120</HRSHours></HRSRecord>"
           "<HRSRecord><HRSType>RPL</HRSType><HRSHours>20</HRSHours></HRSRecord>"
           "</LearningDelivery></Learner>")
    learner = Node(etree.fromstring(xml), namespace)
    row = Ilr2026To27().row(learner)
    assert row is not None and row.learner["planned_otj_hours"] == 100 and row.learner["standard_code"] == 801
    assert Ilr2025To26().programme_aim(learner) is None  # funding model 39 and units are not 2025-26 apprentices


def test_migration_0005_lets_uln_to_follow_repeat_keeps_learners_and_undoes(database_url: str) -> None:
    from alembic import command
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from sync.server.db import make_engine
    from sync.server.migrate import alembic_config, upgrade_database

    engine = make_engine(database_url)

    def migrate(to: str, down: bool = False) -> None:
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            (command.downgrade if down else command.upgrade)(config, to)

    def add(learner_id: str, uln: str) -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO learners (id, rev, data, updated_at, updated_by, deleted, uln) "
                                    "VALUES (:id, 1, '{}', CURRENT_TIMESTAMP, '', false, :uln)"),
                               {"id": learner_id, "uln": uln})

    try:
        migrate("0004")
        add("before", "9276308686")
        upgrade_database(engine)
        add("ref1", TEMPORARY_ULN)
        add("ref2", TEMPORARY_ULN)  # "ULN to follow" repeats
        with pytest.raises(IntegrityError):
            add("again", "9276308686")  # a real ULN still may not
        with engine.connect() as connection:
            assert connection.execute(text("SELECT uln FROM learners WHERE id = 'before'")).scalar() == "9276308686"
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM learners WHERE id = 'ref2'"))
        migrate("0004", down=True)
        with pytest.raises(IntegrityError):
            add("again", "9276308686")
        upgrade_database(engine)  # and forward again, from the constraint the downgrade made
        add("ref2", TEMPORARY_ULN)
    finally:
        engine.dispose()
