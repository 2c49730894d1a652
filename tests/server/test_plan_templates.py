"""Learning plans per standard (issue 14 item 3): `import-plans` reads a standard's plan once and copies it into
each learner's plan on that standard, never over a learner's own adjustments, and into learners imported later;
`import-starting-points` records the initial assessment. Real files, real databases (SQLite and PostgreSQL), and
the command line run as a process as an admin would."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from server_testkit import Server, change
from sqlalchemy import func, select
from test_server_caseload import csv_bytes, row
from test_server_cli import run

from sync.protocol import PROTOCOL_HEADER
from sync.server.caseload_csv import parse_caseload
from sync.server.caseload_import import import_caseload
from sync.server.import_runs import rollback_run
from sync.server.models import ChangeLog, Learner, PlanItem, PlanTemplateItem
from sync.server.plan_templates import import_plans, parse_plans
from sync.server.starting_points import import_starting_points, parse_starting_points

#: Two standards: Data technician by its ILR code (374) and Business administrator by name; semicolons, day-first
#: dates, a byte-order mark and headers in the spreadsheet's own words, as Excel saves them.
PLANS = ("\ufeffStandard;Kind;Code;Title;Planned date\n"
         "374;K;K1;Data sources and their uses;30/11/2025\n"
         "374;skill;S1;Clean and join data sets;31/01/2026\n"
         "374;Behaviour;B1;Works securely;\n"
         "Business administrator;unit;U1;Managing records;2026-03-01\n").encode("utf-8")


def plan_items(server: Server, learner_id: str) -> list[dict]:
    with server.factory() as session:
        query = select(PlanItem).where(PlanItem.learner_id == learner_id).order_by(PlanItem.id)
        found = [{**item.data, "id": item.id, "deleted": item.deleted, "rev": item.rev}
                 for item in session.scalars(query)]
    return sorted(found, key=lambda item: item["position"])  # the plan's own order


def test_plans_file_rows_are_checked_with_their_lines() -> None:
    parsed = parse_plans(b"standard,kind,code,title,planned date\n"
                         b"374,K,K1,Data sources,\n"
                         b"374,knowledge,k1,Again,\n"  # line 3: the same code, any case
                         b"374,idea,K2,Thinking,\n"  # line 4: no such kind
                         b"374,K,K3,,\n"  # line 5: no title
                         b"374,K,K4,Dates,31/02/2026\n"  # line 6: no such day
                         b"0,K,K5,Nought,\n")  # line 7: no standard 0
    reasons = {p.line: p.reason for p in parsed.problems}
    assert sorted(reasons) == [3, 4, 5, 6, 7]
    assert "already on line 2" in reasons[3] and "idea" in reasons[4] and "title is empty" in reasons[5]
    assert "February 2026 has 28 days" in reasons[6] and "standard code" in reasons[7]
    missing = parse_plans(b"standard,title\n374,Data\n")
    assert [(p.line, "kind, code" in p.reason) for p in missing.problems] == [(1, True)]


def test_a_template_is_copied_into_each_learners_plan_and_never_over_their_own(server: Server) -> None:
    server.add_user("alice")
    coded = server.add_learner("alice", standard_code=374, programme="Data technician (L3)")
    named = server.add_learner("alice", programme="Business  Administrator")  # by name, any case and spacing
    other = server.add_learner("alice", programme="Plumbing")

    bad = PLANS + b"374;K;K1;Twice;\n"
    summary = import_plans(server.factory, parse_plans(bad))
    assert not summary.applied and [p.line for p in summary.problems] == [6]
    with server.factory() as session:  # all or nothing: not even the good rows' templates
        assert session.scalar(select(func.count()).select_from(PlanTemplateItem)) == 0

    summary = import_plans(server.factory, parse_plans(PLANS), dry_run=True)
    assert (summary.standards, summary.template_items, summary.learners, summary.plan_items) == (2, 4, 2, 4)
    assert plan_items(server, coded) == [] and not summary.applied

    summary = import_plans(server.factory, parse_plans(PLANS))
    assert summary.applied and (summary.learners, summary.plan_items) == (2, 4)
    items = plan_items(server, coded)
    assert [(i["kind"], i["code"], i["title"], i["planned_date"], i["position"]) for i in items] == [
        ("knowledge", "K1", "Data sources and their uses", "2025-11-30", 1),
        ("skill", "S1", "Clean and join data sets", "2026-01-31", 2),
        ("behaviour", "B1", "Works securely", None, 3)]
    assert [i["code"] for i in plan_items(server, named)] == ["U1"] and plan_items(server, other) == []

    # The learner's plan is adjusted on the laptop (an item retitled, one removed), then the template changes.
    alice = server.login("alice")
    k1, s1 = items[:2]
    results = server.push(alice, change("plan_item", "update", k1["id"], base_rev=k1["rev"],
                                        base={"title": k1["title"], "progress": 0},
                                        fields={"title": "Data sources (as agreed with the employer)", "progress": 30}),
                          change("plan_item", "delete", s1["id"], base_rev=s1["rev"]))
    assert [r["status"] for r in results] == ["applied", "applied"], results
    with server.factory() as session:
        revs = session.scalar(select(func.count()).select_from(ChangeLog))
    again = import_plans(server.factory, parse_plans(PLANS.replace(b"Data sources and their uses", b"Sources")
                                                     + b"374;S;S2;Present findings;\n"))
    assert (again.learners, again.plan_items) == (1, 1)  # only the new S2, for the one learner on 374
    items = plan_items(server, coded)
    assert [(i["code"], i["title"], i["deleted"]) for i in items] == [
        ("K1", "Data sources (as agreed with the employer)", False), ("S1", "Clean and join data sets", True),
        ("B1", "Works securely", False), ("S2", "Present findings", False)]
    with server.factory() as session:
        assert session.scalar(select(func.count()).select_from(ChangeLog)) == revs + 1
    assert import_plans(server.factory, parse_plans(PLANS)).plan_items == 0  # the same file again: nothing


def test_learners_imported_later_get_their_standards_plan_and_pull_it(server: Server) -> None:
    server.add_user("alice")
    assert import_plans(server.factory, parse_plans(PLANS)).applied  # before anyone is on the standard
    summary = import_caseload(server.factory, parse_caseload(csv_bytes(row(programme="Business administrator"))))
    assert summary.imported and summary.plan_items == 1
    headers = {**server.login("alice"), PROTOCOL_HEADER: "3"}
    changes, _ = server.pull_all(headers)
    pulled = [c["data"] for c in changes if c["entity"] == "plan_item"]
    assert [(p["code"], p["planned_date"], p["starting_value"]) for p in pulled] == [("U1", "2026-03-01", None)]
    old, _ = server.pull_all(server.login("alice"))  # a protocol-1 laptop: the item, without the newer fields
    assert [sorted(c["data"]) for c in old if c["entity"] == "plan_item"] == [
        ["code", "kind", "learner_id", "notes", "position", "progress", "title"]]


def test_rolling_back_an_import_takes_the_copied_plan_with_its_learners(server: Server) -> None:
    """The plan copied into a learner an import created goes with them when the import is rolled back; a learner
    whose copied plan was worked on since keeps it, and is kept."""
    server.add_user("alice")
    import_plans(server.factory, parse_plans(PLANS))
    summary = import_caseload(server.factory, parse_caseload(csv_bytes(
        row(programme="Business administrator"), row(uln="1000000035", programme="Business administrator"))))
    assert summary.plan_items == 2
    with server.factory() as session:
        kept = session.scalar(select(Learner.id).where(Learner.uln == "1000000035"))
    [item] = plan_items(server, kept)
    pushed = server.push(server.login("alice"), change("plan_item", "update", item["id"], base_rev=item["rev"],
                                                       base={"progress": 0}, fields={"progress": 20}))
    assert pushed[0]["status"] == "applied", pushed
    undone = rollback_run(server.factory, summary.run_id, by="admin")
    assert undone.learners_removed == 1
    assert [why.split(": ", 1)[1] for why in undone.kept_named] == ["has records of its own",  # and its employer:
                                                                    "a learner still points at it"]
    with server.factory() as session:
        gone = session.scalar(select(Learner).where(Learner.uln == "9276308686"))
    assert gone.deleted and [i["deleted"] for i in plan_items(server, gone.id)] == [True]
    assert [i["deleted"] for i in plan_items(server, kept)] == [False]


def test_starting_points_are_recorded_all_or_nothing(server: Server) -> None:
    server.add_user("alice")
    learner = server.add_learner("alice", standard_code=374)
    with server.factory() as session:
        uln = session.get(Learner, learner).uln
    import_plans(server.factory, parse_plans(PLANS))
    good = (f"ULN;Plan item code;Starting value;Note;English level;Maths level\n"
            f"{uln};K1;40%;Knew the sources from a previous job;Level 2;Level 1\n"
            f"{uln};s1;10;;;\n").encode()
    bad = good + (f"{uln};K9;5;;;\n"  # line 4: no such item in the plan
                  "9276308686;K1;10;;;\n"  # line 5: no such learner on the server
                  f"{uln};B1;140;;;\n"  # line 6: not a percentage
                  f"{uln};;;;Entry 3;\n").encode()  # line 7: a different English level from line 2's
    parsed = parse_starting_points(bad)
    assert [(p.line, p.reason.split()[0]) for p in parsed.problems] == [(6, "starting"), (7, "the")]
    summary = import_starting_points(server.factory, parse_starting_points(bad.replace(b"140", b"14").replace(
        b"Entry 3", b"Level 2")))
    assert not summary.applied and [p.line for p in summary.problems] == [4, 5]
    assert "import the plans first" in summary.problems[0].reason
    assert all(i["starting_value"] is None for i in plan_items(server, learner))

    preview = import_starting_points(server.factory, parse_starting_points(good), dry_run=True)
    assert (preview.plan_items_updated, preview.learners_updated) == (2, 1) and not preview.applied
    assert all(i["starting_value"] is None for i in plan_items(server, learner))
    summary = import_starting_points(server.factory, parse_starting_points(good))
    assert summary.applied and (summary.plan_items_updated, summary.learners_updated) == (2, 1)
    items = {i["code"]: i for i in plan_items(server, learner)}
    assert (items["K1"]["starting_value"], items["K1"]["starting_note"]) == (40, "Knew the sources from a previous job")
    assert items["S1"]["starting_value"] == 10 and items["B1"]["starting_value"] is None
    assert (items["K1"]["progress"], items["B1"]["progress"]) == (40, 0)  # as far along as the assessment found
    with server.factory() as session:
        data = session.get(Learner, learner).data
    assert (data["english_level_at_start"], data["maths_level_at_start"]) == ("Level 2", "Level 1")
    again = import_starting_points(server.factory, parse_starting_points(good))  # the same file: no rev at all
    assert (again.plan_items_updated, again.learners_updated, again.unchanged) == (0, 0, 3)


def test_import_plans_and_starting_points_on_the_command_line(server: Server, database_url: str,
                                                                tmp_path: Path) -> None:
    server.add_user("alice")
    learner = server.add_learner("alice", standard_code=374)
    with server.factory() as session:
        uln = session.get(Learner, learner).uln
    plans = tmp_path / "plans.csv"
    plans.write_bytes(PLANS)
    shown = run("import-plans", str(plans), "--dry-run", database=database_url)
    assert shown.returncode == 0 and "3 item(s) would be copied into the plans of 1 learner(s)" in shown.stdout
    assert plan_items(server, learner) == []
    done = run("import-plans", str(plans), database=database_url)
    assert done.returncode == 0 and "Imported 4 plan item(s) for 2 standard(s)" in done.stdout
    assert len(plan_items(server, learner)) == 3

    points = tmp_path / "start.csv"
    points.write_bytes(f"uln,code,starting value\n{uln},K1,25\n{uln},K7,5\n".encode())
    refused = run("import-starting-points", str(points), database=database_url)
    assert refused.returncode == 1 and "start.csv: line 3: the learner's plan has no item K7" in refused.stderr
    points.write_bytes(f"uln,code,starting value\n{uln},K1,25\n".encode())
    done = run("import-starting-points", str(points), database=database_url)
    assert done.returncode == 0 and "starting points for 1 plan item(s)" in done.stdout
    assert {i["code"]: i["starting_value"] for i in plan_items(server, learner)}["K1"] == 25
    assert dt.date.fromisoformat(plan_items(server, learner)[0]["planned_date"]) == dt.date(2025, 11, 30)
