"""`reviewapp-server import-caseload FILE --dry-run` (issue 14, item 6, the command line): how the file is read,
then what the import will add, change, leave and reject, with line numbers, writing nothing; and the commit then
does exactly what the preview said. Run as a real process on a real database, as an admin would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from server_testkit import Server
from sqlalchemy import select
from test_caseload_reimport import ANN, BO, FIRST, SAM, caseload_file
from test_server_cli import run

from sync.server.models import Assignment, AuditEvent, ChangeLog, Employer, ImportRun, Learner

CY = "1000000027"


def everything(server: Server) -> dict[str, Any]:
    """Every row a dry run could touch, as plain values."""
    with server.factory() as session:
        return {
            "learners": sorted((lr.id, lr.rev, repr(lr.data), lr.deleted) for lr in session.scalars(select(Learner))),
            "employers": sorted((e.id, e.rev, repr(e.data)) for e in session.scalars(select(Employer))),
            "assignments": sorted((a.learner_id, a.assessor_id, a.rev, a.source)
                                  for a in session.scalars(select(Assignment))),
            "revs": len(session.scalars(select(ChangeLog.rev)).all()),
            "runs": len(session.scalars(select(ImportRun.id)).all()),
            "audit": len(session.scalars(select(AuditEvent.id)).all()),
        }


def test_a_dry_run_shows_what_the_import_will_do_and_writes_nothing(server: Server, database_url: str,
                                                                      tmp_path: Path) -> None:
    server.add_user("alice")
    server.add_user("bob")
    first = tmp_path / "first.csv"
    first.write_bytes(caseload_file(tmp_path, *FIRST))
    assert run("import-caseload", str(first), database=database_url).returncode == 0
    assert run("assign", SAM, "bob", database=database_url).returncode == 0  # at the office, since

    changed = tmp_path / "changed.csv"
    changed.write_bytes(caseload_file(
        tmp_path,
        f"{SAM};Samantha;Smith;01/09/2025;31/08/2027;Acme Ltd;alice;Active",  # line 2: renamed; the MIS says alice
        f"{ANN};Ann;Lee;01/09/2025;31/08/2027;Acme Ltd;alice;Withdrawn",  # line 3
        f"{CY};Cy;Fox;05/01/2026;;New Co;;",  # line 4: new, no assessor yet
        f"{BO[:-1]}8;Bo;Ray;31/02/2026;;Café Bolt;bob;",  # line 5: a bad ULN and a date that does not exist
    ))  # and Bo is no longer in the file
    before = everything(server)

    refused = run("import-caseload", str(changed), "--dry-run", database=database_url)
    assert everything(server) == before
    assert refused.returncode == 1 and "as it stands an import would write nothing" in refused.stderr
    out = refused.stdout.splitlines()
    assert out[0] == "Dry run of changed.csv: nothing has been written."
    assert out[1] == "  read as Windows-1252 text, separated by semicolons; dates as YYYY-MM-DD, DD/MM/YYYY (day " \
                     "first) or Excel date numbers"
    assert "  column A 'ULN' → uln" in out and "  column C 'Surname' → last_name" in out
    assert "  column G 'Assessor' → assessor" in out
    preview = out[out.index("Learners it will add (1):"):]
    assert preview == [
        "Learners it will add (1):",
        f"  line 4: {CY} Cy Fox",
        "Learners it will change (2):",
        f"  line 2: {SAM} Samantha Smith: first_name 'Sam' → 'Samantha'",
        f"  line 3: {ANN} Ann Lee: status 'active' → 'withdrawn'",
        "Assignments it will keep (made at the office) (1):",
        f"  line 2: {SAM} stays with bob, assigned at the office (the file says alice); reassign it with "
        "`reviewapp-server assign` if the file is right",
        "Employers it will add: New Co",
        "Learners on the server not in this file (1), left as they are (nothing is deleted; a withdrawn or "
        "completed learner needs its status in the file):",
        f"  {BO} Bo Ray",
        "Rows it will reject (1):",
        f"  line 5: ULN '{BO[:-1]}8' is not a valid ULN (10 digits with a correct check digit)",
        "Importing it would add 1 learner(s), change 2, leave 0 as they are, assign 0, add 1 employer(s) and reject "
        "1 row(s).",
    ]

    skipping = run("import-caseload", str(changed), "--dry-run", "--skip-bad-rows", database=database_url)
    assert skipping.returncode == 0 and everything(server) == before

    # The commit does what the preview said, line for line.
    done = run("import-caseload", str(changed), "--skip-bad-rows", database=database_url)
    assert done.returncode == 0, done.stderr
    said = skipping.stdout.splitlines()
    said = said[said.index("Learners it will add (1):"):said.index("Rows it will reject (1):")]
    told = done.stdout.splitlines()[:-1]
    assert told == [line.replace("it will add", "it added").replace("it will change", "it changed")
                    .replace("it will keep", "it kept") for line in said]
    assert "Imported changed.csv: 1 learner(s) created, 2 updated, 0 unchanged, 0 assigned, 1 new employer(s), " \
           "1 bad row(s) skipped" in done.stdout
    assert f"changed.csv: line 5: ULN '{BO[:-1]}8'" in done.stderr

    # And the same file again: nothing to add or change.
    after = everything(server)
    again = run("import-caseload", str(changed), "--dry-run", "--skip-bad-rows", database=database_url)
    assert again.returncode == 0 and everything(server) == after
    assert "Importing it would add 0 learner(s), change 0, leave 3 as they are, assign 0, add 0 employer(s) and " \
           "reject 1 row(s)." in again.stdout
    assert "Learners it will" not in again.stdout


def test_a_dry_run_of_a_file_we_cannot_map_names_the_column(server: Server, database_url: str,
                                                            tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(caseload_file(tmp_path, f"{SAM};Sam;Smith;01/09/2025;x",
                                   header="ULN;First name;Surname;Start date;Tutor notes"))
    for extra in ((), ("--skip-bad-rows",)):
        result = run("import-caseload", str(path), "--dry-run", *extra, database=database_url)
        assert result.returncode == 1 and "cannot be read as a caseload" in result.stderr
        assert "  line 1: column E, 'Tutor notes', is not a caseload column" in result.stdout
    real = run("import-caseload", str(path), "--skip-bad-rows", database=database_url)
    assert real.returncode == 1 and "odd.csv: line 1: column E, 'Tutor notes'" in real.stderr
    assert "nothing was imported" in real.stderr
