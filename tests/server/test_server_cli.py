"""The `reviewapp-server` command line, run as a real process as an admin would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from test_server_caseload import csv_bytes, row

from sync.server.core.config import DATABASE_URL_ENV


def run(*args: str, database: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, DATABASE_URL_ENV: database}
    return subprocess.run(
        [sys.executable, "-m", "sync.server", *args], input=stdin, capture_output=True, text=True, env=env, timeout=60
    )


def test_admin_commands_end_to_end(database_url: str, tmp_path: Path) -> None:
    assert "Database ready" in run("init-db", database=database_url).stdout

    made = run("create-user", "alice", "--role", "assessor", "--email", "x@example.org", "--display-name", "Alice A",
               database=database_url,
               stdin="a long password\n")
    assert made.returncode == 0 and "Created assessor 'alice'" in made.stdout
    again = run("create-user", "alice", "--role", "assessor", "--email", "x@example.org",
                database=database_url, stdin="a long password\n")
    assert again.returncode == 1 and "already a user" in again.stderr
    short = run("create-user", "bob", "--role", "assessor", "--email", "x@example.org",
                database=database_url, stdin="short\n")
    assert short.returncode == 1 and "at least 12" in short.stderr
    bob = run("create-user", "bob", "--role", "assessor", "--email", "x@example.org",
              database=database_url, stdin="another password\n")
    assert bob.returncode == 0

    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(row(), row(uln="1234567890")))
    refused = run("import-caseload", str(bad), database=database_url)
    assert refused.returncode == 1
    assert "bad.csv: line 3: ULN '1234567890'" in refused.stderr and "nothing was imported" in refused.stderr
    skipped = run("import-caseload", str(bad), "--skip-bad-rows", database=database_url)
    assert skipped.returncode == 0
    assert "1 learner(s) created" in skipped.stdout and "1 bad row(s) skipped" in skipped.stdout

    assert "Assigned learner 9276308686 to bob" in run("assign", "9276308686", "bob", database=database_url).stdout
    missing = run("assign", "1000000035", "bob", database=database_url)
    assert missing.returncode == 1 and "No learner has the ULN" in missing.stderr

    assert "No device has signed in yet" in run("list-devices", database=database_url).stdout
    unknown = run("revoke-device", "nope", database=database_url)
    assert unknown.returncode == 1 and "list-devices" in unknown.stderr


def test_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    result = run("init-db", database="postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert result.returncode == 2 and "cannot use the database" in result.stderr
    assert "Traceback" not in result.stderr


def test_new_server_id_gives_the_database_a_fresh_identity(database_url: str) -> None:
    from sqlalchemy import create_engine, select

    from sync.server.models import ServerState

    def current() -> str:
        engine = create_engine(database_url)
        try:
            with engine.connect() as conn:
                return conn.execute(select(ServerState.server_id)).scalar_one()
        finally:
            engine.dispose()

    assert run("init-db", database=database_url).returncode == 0
    before = current()
    renewed = run("new-server-id", database=database_url)
    assert renewed.returncode == 0, renewed.stderr
    after = current()
    assert after != before and before in renewed.stdout and after in renewed.stdout
    assert run("new-server-id", database=database_url).returncode == 0 and current() not in (before, after)
    helped = " ".join(run("--help", database=database_url).stdout.split())
    assert "new-server-id" in helped and "after restoring a backup, before serving" in helped
    assert "after restoring a backup" in " ".join(run("new-server-id", "--help", database=database_url).stdout.split())
