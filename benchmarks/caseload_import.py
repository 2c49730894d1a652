"""Caseload import: how long an MIS import of 20,000 rows takes, and whether sync answers while one runs.

    python benchmarks/caseload_import.py [--quick] [--rows N] [--repeats R] [--backend sqlite|postgresql|auto]

(a) Import time: `sync.server.caseload_import.import_caseload` (what `reviewapp-server import-caseload` runs: the
    whole file checked, then chunks of 200 rows under one import run) on a fresh database, against a baseline
    measured in the same run, alternating: a raw bulk insert of the same learners, employers, assignments and
    change-log rows in one transaction (one executemany per table, no look-ups, no checks), what no import can
    beat. Both get the parsed file; parsing (the same for both) is not timed.
(b) Sync during an import: `reviewapp-server serve` as a real process and `reviewapp-server import-caseload` as
    another on the same database file (SQLite, where the trouble was: a push 5 s into an 8,000-row import got a
    500 after 30 s), an assessor pushing one off-the-job entry at a time without pause, first with no import
    (the baseline), then for as long as the import runs. Every push must be answered 200 and applied.
Last line: import seconds and ratio to the raw insert; push p95 and max during the import, and its ratio to the
idle p95; errors [target: every push answered, none slower than 1 s during the import].
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

from server_load import PASSWORD, create_users, write_caseload_csv

#: The slowest a push may be answered while an import runs (the old import made them wait 30 s, then 500).
TARGET_MAX_PUSH_S = 1.0
ASSESSORS = 20


def fresh_database(root: Path, name: str, backend: str) -> str:
    """An empty server database with the assessors' accounts. On SQLite a copy of one made once: argon2 hashes
    of the accounts, deliberately slow, would otherwise cost more than the imports being timed."""
    from benchlib import run_cli, server_database

    template = root / "template.sqlite3"
    if backend == "sqlite" and template.exists():
        target = root / f"{name}.sqlite3"
        shutil.copyfile(template, target)
        return f"sqlite:///{target}"
    url = server_database(root, "template" if backend == "sqlite" else name, backend)
    run_cli("init-db", "--database", url)
    create_users(url, [f"assessor{n:03d}" for n in range(ASSESSORS)])
    return fresh_database(root, name, backend) if backend == "sqlite" else url


def drop(url: str) -> None:
    from benchlib import drop_postgres_database

    if url.startswith("postgresql"):
        drop_postgres_database(url)


def time_import(url: str, data: bytes) -> float:
    from sync.server.caseload_csv import parse_caseload
    from sync.server.caseload_import import import_caseload
    from sync.server.db import make_engine, make_session_factory

    parsed = parse_caseload(data)
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        summary = import_caseload(make_session_factory(engine), parsed, file_name="bench.csv", started_by="bench")
        took = time.perf_counter() - started
    finally:
        engine.dispose()
    if not summary.imported or summary.created != len(parsed.rows):
        raise SystemExit(f"the import did not create every learner: {summary}")
    return took


def time_raw_insert(url: str, data: bytes) -> float:
    """The same rows as plain many-row inserts in one transaction: the floor for any import."""
    from sqlalchemy import insert, select

    from sync.server.caseload_csv import parse_caseload
    from sync.server.db import make_engine, make_session_factory, take_write_lock, transaction
    from sync.server.models import Assignment, ChangeLog, Employer, Learner, ServerState, User, utcnow
    from sync.server.records import employer_name_key

    parsed = parse_caseload(data)
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        with transaction(make_session_factory(engine)) as session:
            take_write_lock(session)
            users = dict(session.execute(select(User.username, User.id)).all())
            now, rev = utcnow(), session.scalar(select(ServerState.last_rev))
            employers: dict[str, dict] = {}
            learners, assignments, log = [], [], []
            for row in parsed.rows:
                employer_id = None
                if row.employer:
                    key = employer_name_key(row.employer["name"])
                    if key not in employers:
                        rev += 1
                        employers[key] = {"id": str(uuid.uuid4()), "rev": rev, "data": row.employer, "name_key": key,
                                          "updated_at": now, "updated_by": "raw", "deleted": False}
                    employer_id = employers[key]["id"]
                learner_id = str(uuid.uuid4())
                rev += 1
                learners.append({"id": learner_id, "rev": rev, "uln": row.learner["uln"], "employer_id": employer_id,
                                 "data": {**row.learner, "employer_id": employer_id, "assessor": row.assessor},
                                 "updated_at": now, "updated_by": "raw", "deleted": False})
                assignments.append({"learner_id": learner_id, "assessor_id": users[row.assessor], "rev": rev,
                                    "assigned_at": now})
                log.append({"rev": rev, "entity": "learner", "record_id": learner_id, "op": "import", "at": now})
            session.execute(insert(Employer), list(employers.values()))
            session.execute(insert(Learner), learners)
            session.execute(insert(Assignment), assignments)
            session.execute(insert(ChangeLog), log)
            session.execute(ServerState.__table__.update().values(last_rev=rev))
        return time.perf_counter() - started
    finally:
        engine.dispose()


def pushes_during_import(root: Path, csv_path: Path, backend: str, idle_pushes: int) -> dict[str, object]:
    """(b): idle push latencies, then push latencies while a real import process runs; any non-200 is an error."""
    import httpx
    from benchlib import SERVER, child_env, free_port, start_server, stop_server

    url = fresh_database(root, "during", backend)
    csv_path_one = root / "one.csv"
    write_caseload_csv(csv_path_one, ["assessor000"], 1, random.Random(99))
    subprocess.run([*SERVER, "import-caseload", str(csv_path_one), "--database", url], check=True,
                   capture_output=True, env=child_env())
    port = free_port()
    server = start_server(url, port)
    idle: list[float] = []
    during: list[float] = []
    errors: list[str] = []
    import_s = 0.0
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            token = client.post("/api/v1/auth/token", json={"username": "assessor000", "password": PASSWORD,
                                                             "device_name": "bench laptop"})
            if token.status_code != 200:
                raise SystemExit(f"could not sign in: {token.status_code} {token.text[:200]}")
            body = token.json()
            headers = {"Authorization": f"Bearer {body['token']}"}
            pulled = client.get("/api/v1/sync/pull", params={"since": 0}, headers=headers).json()
            learner = next(c["id"] for c in pulled["changes"] if c["entity"] == "learner")

            def push() -> float:
                started = time.perf_counter()
                try:
                    answer = client.post("/api/v1/sync/push", headers=headers, json={
                        "batch_id": str(uuid.uuid4()), "device_id": body["device_id"], "changes": [{
                            "change_id": str(uuid.uuid4()), "entity": "otj_entry", "op": "create",
                            "id": str(uuid.uuid4()), "fields": {"learner_id": learner, "date": "2026-11-20",
                                                                "hours": 1.0, "activity": "Workshop"}}]})
                    if answer.status_code != 200:
                        errors.append(f"HTTP {answer.status_code}: {answer.text[:200]}")
                    elif answer.json()["results"][0]["status"] != "applied":
                        errors.append(f"not applied: {answer.json()['results'][0]}")
                except httpx.HTTPError as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")
                return time.perf_counter() - started

            for _ in range(idle_pushes):
                idle.append(push())
            started = time.perf_counter()
            importer = subprocess.Popen([*SERVER, "import-caseload", str(csv_path), "--database", url],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env())
            while importer.poll() is None:
                during.append(push())
            import_s = time.perf_counter() - started
            out, err = importer.communicate()
            if importer.returncode != 0:
                raise SystemExit(f"the import process failed ({importer.returncode}): {err[-800:]}")
            print(f"  import process: {out.strip()[:160]}", flush=True)
    finally:
        stop_server(server)
        drop(url)
    return {"idle": idle, "during": during, "errors": errors, "import_s": import_s}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 rows, 2 repeats (instead of 20,000, 3)")
    parser.add_argument("--rows", type=int)
    parser.add_argument("--repeats", type=int, help="imports and raw inserts timed, alternating")
    parser.add_argument("--backend", choices=("auto", "postgresql", "sqlite"), default="sqlite")
    args = parser.parse_args(argv)
    rows = args.rows or (5000 if args.quick else 20000)
    repeats = args.repeats or (2 if args.quick else 3)

    from benchlib import EXIT_MEASURED, EXIT_TARGET_MISSED, could_not_run, median, ms, p95, scratch, verdict

    each = max(1, rows // ASSESSORS)
    rows = each * ASSESSORS
    with scratch("import") as root:
        csv_path = root / "caseload.csv"
        write_caseload_csv(csv_path, [f"assessor{n:03d}" for n in range(ASSESSORS)], each, random.Random(1))
        data = csv_path.read_bytes()
        imports: list[float] = []
        raws: list[float] = []
        for number in range(repeats):
            for kind in ("raw", "import"):
                url = fresh_database(root, f"{kind}{number}", args.backend)
                try:
                    took = time_raw_insert(url, data) if kind == "raw" else time_import(url, data)
                finally:
                    drop(url)
                (raws if kind == "raw" else imports).append(took)
            print(f"  repeat {number + 1}/{repeats}: import {imports[-1]:.2f} s, raw insert {raws[-1]:.2f} s",
                  flush=True)
        backend = "sqlite" if args.backend == "sqlite" else url.split(":", 1)[0].split("+")[0]
        during = pushes_during_import(root, csv_path, args.backend, idle_pushes=20)
    idle, busy, errors = during["idle"], during["during"], during["errors"]
    assert isinstance(idle, list) and isinstance(busy, list) and isinstance(errors, list)
    if not busy:
        return could_not_run("caseload_import", "no push was sent while the import ran (it ended first)")
    ratio = median(imports) / median(raws)
    print(f"import of {rows:,} rows ({backend}): median {median(imports):.2f} s ({rows / median(imports):,.0f} rows/s) "
          f"vs raw insert {median(raws):.2f} s; during a {during['import_s']:.1f} s import process: {len(busy)} "
          f"pushes, median {ms(median(busy))}, p95 {ms(p95(busy))}, max {ms(max(busy))} (idle: median "
          f"{ms(median(idle))}, p95 {ms(p95(idle))})")
    for error in errors[:5]:
        print(f"  ERROR: {error}")
    met = not errors and max(busy) <= TARGET_MAX_PUSH_S
    print(f"caseload_import: {rows:,} rows in {median(imports):.2f} s, {ratio:.1f}x a raw bulk insert; push during "
          f"the import p95 {ms(p95(busy))}, max {ms(max(busy))} ({p95(busy) / p95(idle):.1f}x idle p95), errors "
          f"{len(errors)} (target: every push answered, none over {TARGET_MAX_PUSH_S:.0f} s: {verdict(met)})")
    return EXIT_TARGET_MISSED if errors else EXIT_MEASURED


if __name__ == "__main__":
    sys.exit(main())
