"""Re-importing the caseload is safe (issue 14, item 5): the same file twice changes nothing; a changed file changes
only what changed, reported learner by learner and field by field; an assignment made at the office since is never
overridden; a learner the file lacks is reported, not deleted; a withdrawn or completed learner changes status; a
file naming no assessor keeps the learner's, and leaves a new learner unassigned (and out of every caseload)."""

from __future__ import annotations

from pathlib import Path

from server_testkit import Server, change
from sqlalchemy import func, select

from sync.server.caseload_csv import parse_caseload
from sync.server.caseload_import import import_caseload
from sync.server.db import last_rev
from sync.server.models import ASSIGNED_AT_OFFICE, ASSIGNED_BY_MIS, Assignment, ChangeLog, Learner, User

HEADER = "ULN;First name;Surname;Start date;Planned end date;Employer;Assessor;Status"
SAM, ANN, BO = "9276308686", "1000000035", "1000000019"


def caseload_file(tmp_path: Path, *lines: str, header: str = HEADER) -> bytes:
    """A semicolon-separated Windows-1252 file, as Excel saves it where the comma is the decimal mark."""
    path = tmp_path / "caseload.csv"
    path.write_bytes(("\r\n".join([header, *lines]) + "\r\n").encode("cp1252"))
    return path.read_bytes()


FIRST = (f"{SAM};Sam;Smith;01/09/2025;31/08/2027;Acme Ltd;alice;Active",
         f"{ANN};Ann;Lee;01/09/2025;31/08/2027;Acme Ltd;alice;",
         f"{BO};Bo;Ray;02/09/2025;;Café Bolt;bob;")


def state(server: Server) -> dict[str, tuple[dict, str | None, str | None]]:
    """Each live learner by ULN: its fields, its assessor's username and where the assignment came from."""
    with server.factory() as session:
        names = {u.id: u.username for u in session.scalars(select(User))}
        held = {a.learner_id: a for a in session.scalars(select(Assignment))}
        return {lr.uln: (lr.data, names.get(held[lr.id].assessor_id) if lr.id in held else None,
                         held[lr.id].source if lr.id in held else None)
                for lr in session.scalars(select(Learner).where(Learner.deleted.is_(False)))}


def learner_ids(server: Server) -> dict[str, str]:
    with server.factory() as session:
        return {lr.uln: lr.id for lr in session.scalars(select(Learner))}


def revs(server: Server) -> int:
    with server.factory() as session:
        return last_rev(session)


def test_the_same_file_twice_changes_nothing_and_keeps_what_the_laptop_recorded(server: Server,
                                                                                 tmp_path: Path) -> None:
    server.add_user("alice")
    server.add_user("bob")
    data = caseload_file(tmp_path, *FIRST)
    first = import_caseload(server.factory, parse_caseload(data))
    assert first.imported and first.created == 3 and first.assigned == 3
    assert [o.line for o in first.report.added] == [2, 3, 4] and first.report.added[0].assessor == "alice"
    alice = server.login("alice")
    # On her laptop, alice records Sam's starting points (which the MIS does not hold) and Ann's break in learning
    # (the file's status cell for Ann is empty: it says nothing).
    pushed = server.push(alice, change("learner", "update", learner_ids(server)[SAM],
                                       {"starting_points": "Level 2 maths; new to data work"},
                                       base={"starting_points": ""}),
                         change("learner", "update", learner_ids(server)[ANN], {"status": "break_in_learning"},
                                base={"status": "active"}))
    assert [p["status"] for p in pushed] == ["applied", "applied"], pushed
    _, cursor = server.pull_all(alice)
    before, rev = state(server), revs(server)

    again = import_caseload(server.factory, parse_caseload(data))
    assert again.imported and (again.created, again.updated, again.unchanged, again.assigned) == (0, 0, 3, 0)
    assert again.report.added == [] and again.report.changed == [] and again.report.missing == 0
    assert state(server) == before and revs(server) == rev  # not a rev handed out: no laptop pulls anything
    assert before[SAM][0]["starting_points"] == "Level 2 maths; new to data work"
    assert before[ANN][0]["status"] == "break_in_learning"
    assert server.pull_all(alice, since=cursor)[0] == []


def test_a_changed_file_changes_only_what_changed_and_says_so_per_field(server: Server, tmp_path: Path) -> None:
    server.add_user("alice")
    server.add_user("bob")
    import_caseload(server.factory, parse_caseload(caseload_file(tmp_path, *FIRST)))
    before = state(server)
    changed = caseload_file(tmp_path,
                            f"{SAM};Samantha;Smith;01/09/2025;30/11/2027;Acme Ltd;alice;Active",
                            FIRST[1],
                            f"{BO};Bo;Ray;02/09/2025;;Acme Ltd;bob;Withdrawn")
    summary = import_caseload(server.factory, parse_caseload(changed))
    assert (summary.created, summary.updated, summary.unchanged) == (0, 2, 1)
    by_uln = {o.uln: o for o in summary.report.changed}
    assert sorted(by_uln) == [BO, SAM]
    assert str(by_uln[SAM]) == (f"line 2: {SAM} Samantha Smith: first_name 'Sam' → 'Samantha'; planned_end_date "
                                "'2027-08-31' → '2027-11-30'")
    assert str(by_uln[BO]) == f"line 4: {BO} Bo Ray: status 'active' → 'withdrawn'; employer 'Café Bolt' → 'Acme Ltd'"
    after = state(server)
    assert after[ANN] == before[ANN]
    assert after[SAM][0] == {**before[SAM][0], "first_name": "Samantha", "planned_end_date": "2027-11-30"}
    assert after[BO][0]["status"] == "withdrawn" and after[BO][1] == "bob"  # withdrawn: still bob's, not deleted


def test_an_assignment_made_at_the_office_is_never_overridden(server: Server, tmp_path: Path) -> None:
    """The issue's own report: an MIS re-import silently reverted an admin's reassignment."""
    server.add_user("alice")
    server.add_user("bob")
    server.add_user("carol")
    server.add_user("root", role="admin")
    data = caseload_file(tmp_path, *FIRST)
    import_caseload(server.factory, parse_caseload(data))
    assert {uln: s[2] for uln, s in state(server).items()} == dict.fromkeys((SAM, ANN, BO), ASSIGNED_BY_MIS)
    admin = server.login("root")
    moved = server.client.post("/api/v1/admin/assignments", json={"uln": SAM, "username": "bob"}, headers=admin)
    assert moved.status_code == 200 and moved.json()["changed"], moved.text
    # An admin confirming the MIS's choice makes it the office's too.
    confirmed = server.client.post("/api/v1/admin/assignments", json={"uln": ANN, "username": "alice"},
                                   headers=admin)
    assert confirmed.status_code == 200 and not confirmed.json()["changed"]

    # The MIS still says alice for Sam and Ann, and now carol for Bo (whom only the MIS ever assigned).
    summary = import_caseload(server.factory, parse_caseload(caseload_file(
        tmp_path, FIRST[0], f"{ANN};Ann;Lee;01/09/2025;31/08/2027;Acme Ltd;carol;", f"{BO};Bo;Ray;02/09/2025;;"
        "Café Bolt;carol;")))
    after = state(server)
    assert (after[SAM][1], after[SAM][2]) == ("bob", ASSIGNED_AT_OFFICE)
    assert (after[ANN][1], after[ANN][2]) == ("alice", ASSIGNED_AT_OFFICE)
    assert (after[BO][1], after[BO][2]) == ("carol", ASSIGNED_BY_MIS)
    assert summary.assigned == 1 and [str(k) for k in summary.report.kept_assignments] == [
        f"line 2: {SAM} stays with bob, assigned at the office (the file says alice); reassign it with "
        "`reviewapp-server assign` if the file is right",
        f"line 3: {ANN} stays with alice, assigned at the office (the file says carol); reassign it with "
        "`reviewapp-server assign` if the file is right"]
    assert [str(o) for o in summary.report.changed] == [f"line 4: {BO} Bo Ray: assigned to carol"]
    # And bob's laptop still holds Sam after its next sync.
    assert any(c["entity"] == "learner" and c["data"]["uln"] == SAM for c in server.pull_all(server.login("bob"))[0])


def test_no_assessor_keeps_the_assignment_and_a_new_learner_waits_unassigned(server: Server,
                                                                              tmp_path: Path) -> None:
    server.add_user("alice")
    server.add_user("bob")
    server.add_user("meg", role="manager")
    import_caseload(server.factory, parse_caseload(caseload_file(tmp_path, FIRST[0])))
    # An export without the assessor column at all (the ILR has none), and one new learner.
    no_column = caseload_file(tmp_path, f"{SAM};Sam;Smith;01/09/2025;31/08/2027;Acme Ltd",
                              f"{ANN};Ann;Lee;01/09/2025;31/08/2027;Acme Ltd",
                              header="ULN;First name;Surname;Start date;Planned end date;Employer")
    parsed = parse_caseload(no_column)
    assert [row.assessor for row in parsed.rows] == [None, None]
    summary = import_caseload(server.factory, parsed)
    assert summary.imported and (summary.created, summary.unchanged, summary.assigned) == (1, 1, 0)
    after = state(server)
    assert after[SAM][1] == "alice" and after[ANN][1] is None and after[ANN][0]["assessor"] == ""
    with server.factory() as session:
        assert session.scalar(select(func.count()).select_from(Assignment)) == 1

    # The unassigned learner is in nobody's caseload: managers see it, assessors neither see nor reach it.
    ann_id = learner_ids(server)[ANN]
    seen = {who: {c["data"]["uln"] for c in server.pull_all(server.login(who))[0] if c["entity"] == "learner"}
            for who in ("alice", "bob", "meg")}
    assert seen == {"alice": {SAM}, "bob": set(), "meg": {SAM, ANN}}
    [refused] = server.push(server.login("bob"), change("otj_entry", "create", fields={
        "learner_id": ann_id, "date": "2026-01-20", "hours": 2.0, "activity": "Workshop"}))
    assert refused["status"] == "rejected"
    # The next file that names an assessor assigns it.
    named = import_caseload(server.factory, parse_caseload(caseload_file(
        tmp_path, f"{ANN};Ann;Lee;01/09/2025;31/08/2027;Acme Ltd;bob;")))
    assert named.assigned == 1 and state(server)[ANN][1:] == ("bob", ASSIGNED_BY_MIS)


def test_a_learner_missing_from_the_file_is_reported_not_deleted(server: Server, tmp_path: Path) -> None:
    server.add_user("alice")
    server.add_user("bob")
    import_caseload(server.factory, parse_caseload(caseload_file(tmp_path, *FIRST)))
    with server.factory() as session:
        logged = session.scalar(select(func.count()).select_from(ChangeLog))
    # Ann is gone from the export; Bo's row is bad (a date that does not exist), so he is in the file all the same.
    summary = import_caseload(server.factory, parse_caseload(caseload_file(
        tmp_path, f"{SAM};Sam;Smith;01/09/2025;31/08/2027;Acme Ltd;alice;Completed",
        f"{BO};Bo;Ray;31/02/2025;;Café Bolt;bob;")), skip_bad_rows=True)
    assert summary.imported and [str(p) for p in summary.problems] == [
        "line 3: start_date '31/02/2025' is not a date: February 2025 has 28 days"]
    assert (summary.report.missing, summary.report.missing_named) == (1, [(ANN, "Ann Lee")])
    after = state(server)
    assert set(after) == {SAM, ANN, BO} and after[SAM][0]["status"] == "completed"
    with server.factory() as session:  # Sam's status only: one learner rev (its employer unchanged)
        assert session.scalar(select(func.count()).select_from(ChangeLog)) == logged + 1
