"""Server load: N simulated assessors pulling and pushing at once against `reviewapp-server serve --workers 2`.

    python benchmarks/server_load.py [--quick] [--assessors N] [--seconds S] [--learners-each L]

The server runs as a real process on 127.0.0.1 (a free port) on PostgreSQL: a throw-away database on the
machine's cluster (REVIEWAPP_BENCH_POSTGRES, default postgresql+psycopg://postgres@127.0.0.1:5432/postgres, as
scripts/postgres.sh sets up), dropped afterwards. When PostgreSQL cannot be reached it falls back to an SQLite
file with one worker, and says so. The schema and caseload go in through the server's own command line
(`init-db`, `import-caseload` of an MIS CSV giving each assessor their own learners); the accounts through its
accounts API (`sync.server.accounts.create_user`, what `create-user` runs, without a process per user).

Each assessor (asyncio + httpx, one connection each) signs in, pulls their whole caseload, then until time is up
pushes a small batch (an off-the-job entry and a target for one of their learners) and pulls what changed since
their cursor, without pause. Every sync request is timed (signing in, deliberately slow argon2, is not). An
error is any non-2xx answer, a failed request, or a pushed change not `applied`. Target: errors = 0.
Reported: requests/s, median and p95 latency.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import random
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from benchlib import (
    drop_postgres_database,
    free_port,
    postgres_database,
    run_cli,
    start_server,
    stop_server,
)

PASSWORD = "bench horse battery staple"


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    pulls: int = 0
    pushes: int = 0

    def error(self, text: str) -> None:
        if len(self.errors) < 5:
            print(f"  ERROR: {text}", flush=True)
        self.errors.append(text)


def valid_uln(rng: random.Random) -> str:
    """A random ULN with a correct check digit (see docs/server.md)."""
    while True:
        head = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(8))
        remainder = sum(int(d) * w for d, w in zip(head, range(10, 1, -1), strict=True)) % 11
        if remainder:
            return head + str(10 - remainder)


def write_caseload_csv(path: Path, assessors: list[str], each: int, rng: random.Random) -> None:
    columns = ["uln", "first_name", "last_name", "date_of_birth", "email", "phone", "employer_name",
               "employer_contact", "employer_email", "employer_phone", "employer_address", "programme", "level",
               "start_date", "planned_end_date", "planned_otj_hours", "assessor", "support_needs"]
    ulns: set[str] = set()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for assessor in assessors:
            for number in range(each):
                uln = valid_uln(rng)
                while uln in ulns:
                    uln = valid_uln(rng)
                ulns.add(uln)
                writer.writerow({
                    "uln": uln, "first_name": f"Learner{number}", "last_name": assessor.title(),
                    "date_of_birth": "2004-05-01", "email": "", "phone": "",
                    "employer_name": f"Employer {number % 7}", "employer_contact": "", "employer_email": "",
                    "employer_phone": "", "employer_address": "", "programme": "Business Administrator",
                    "level": "3", "start_date": "2026-01-12", "planned_end_date": "2027-07-12",
                    "planned_otj_hours": "400", "assessor": assessor, "support_needs": "",
                })


def create_users(url: str, usernames: list[str]) -> None:
    from sync.server.accounts import create_user
    from sync.server.db import make_engine, make_session_factory, transaction

    engine = make_engine(url)
    try:
        with transaction(make_session_factory(engine)) as session:
            for username in usernames:
                create_user(session, username, PASSWORD, "assessor")
    finally:
        engine.dispose()


async def assessor(base: str, username: str, deadline: float, results: Results, rng: random.Random) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=60) as client:

        async def call(method: str, path: str, timed: bool = True, **kwargs: object) -> dict | None:
            started = time.perf_counter()
            try:
                response = await client.request(method, path, **kwargs)
            except httpx.HTTPError as exc:
                results.error(f"{username} {method} {path}: {type(exc).__name__}: {exc}")
                return None
            finally:
                if timed:
                    results.latencies.append(time.perf_counter() - started)
            if response.status_code >= 300:
                results.error(f"{username} {method} {path}: HTTP {response.status_code} {response.text[:200]}")
                return None
            return response.json()

        token = await call("POST", "/api/v1/auth/token", timed=False,  # argon2 by design: not a sync cost
                           json={"username": username, "password": PASSWORD, "device_name": "bench laptop"})
        if token is None:
            return
        client.headers["Authorization"] = f"Bearer {token['token']}"
        cursor, learners = 0, []
        while True:  # the first sync: the whole caseload, page by page
            page = await call("GET", "/api/v1/sync/pull", params={"since": cursor, "limit": 500})
            if page is None:
                return
            results.pulls += 1
            learners += [c["id"] for c in page["changes"] if c["entity"] == "learner" and c["op"] == "upsert"]
            cursor = page["cursor"]
            if not page["more"]:
                break
        if not learners:
            results.error(f"{username}: pulled no learners")
            return
        device = str(uuid.uuid4())
        while time.monotonic() < deadline:
            learner = rng.choice(learners)
            changes = [
                {"change_id": str(uuid.uuid4()), "entity": "otj_entry", "op": "create", "id": str(uuid.uuid4()),
                 "fields": {"learner_id": learner, "date": "2026-11-20", "hours": 2.5, "activity": "Workshop"}},
                {"change_id": str(uuid.uuid4()), "entity": "target", "op": "create", "id": str(uuid.uuid4()),
                 "fields": {"learner_id": learner, "text": "Draft the monthly stock report for the manager",
                            "due_date": "2026-12-18"}},
            ]
            pushed = await call("POST", "/api/v1/sync/push",
                                json={"batch_id": str(uuid.uuid4()), "device_id": device, "changes": changes})
            if pushed is not None:
                results.pushes += 1
                for result in pushed["results"]:
                    if result["status"] != "applied":
                        results.error(f"{username}: change {result['status']}: {result.get('error')}")
            page = await call("GET", "/api/v1/sync/pull", params={"since": cursor, "limit": 500})
            if page is not None:
                results.pulls += 1
                cursor = page["cursor"]


async def load(base: str, usernames: list[str], seconds: float, results: Results) -> float:
    deadline = time.monotonic() + seconds
    started = time.perf_counter()
    await asyncio.gather(*(assessor(base, name, deadline, results, random.Random(number))
                           for number, name in enumerate(usernames)))
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 assessors for 20 s instead of 25 for 60 s")
    parser.add_argument("--assessors", type=int)
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--learners-each", type=int)
    args = parser.parse_args(argv)
    count = args.assessors or (10 if args.quick else 25)
    seconds = args.seconds or (20 if args.quick else 60)
    each = args.learners_each or (20 if args.quick else 40)

    from benchlib import EXIT_MEASURED, EXIT_TARGET_MISSED, could_not_run, median, ms, p95, scratch, verdict

    with scratch("server") as root:
        url, why_not = postgres_database()
        workers = 2
        if url is None:
            url, workers = f"sqlite:///{root / 'server.sqlite3'}", 1
            print(f"NOTE: PostgreSQL is not reachable ({why_not}); using SQLite with one worker instead")
        backend = url.split(":", 1)[0].split("+")[0]
        try:
            run_cli("init-db", "--database", url)
            usernames = [f"assessor{n:03d}" for n in range(count)]
            create_users(url, usernames)
            csv_path = root / "caseload.csv"
            write_caseload_csv(csv_path, usernames, each, random.Random(1))
            print(run_cli("import-caseload", str(csv_path), "--database", url))
            port = free_port()
            server = start_server(url, port, workers)
            try:
                results = Results()
                elapsed = asyncio.run(load(f"http://127.0.0.1:{port}", usernames, seconds, results))
            finally:
                stop_server(server)
        finally:
            if backend == "postgresql":
                drop_postgres_database(url)
    requests = len(results.latencies)
    if not (results.pushes and results.pulls):  # every assessor failed before syncing: no load was measured
        return could_not_run("server_load", f"no push or pull succeeded ({len(results.errors)} errors; first: "
                             f"{results.errors[0][:300] if results.errors else '?'})")
    print(f"{count} assessors x {each} learners, {workers} worker(s) on {backend}, {elapsed:.1f} s: "
          f"{requests} sync requests ({results.pushes} pushes, {results.pulls} pulls); "
          f"latency median {ms(median(results.latencies))}, "
          f"p95 {ms(p95(results.latencies))}, max {ms(max(results.latencies))}")
    print(f"server_load: {requests / elapsed:.0f} sync requests/s, p95 {ms(p95(results.latencies))}, "
          f"errors {len(results.errors)} ({count} assessors, {workers} workers, {backend}; "
          f"target errors = 0: {verdict(not results.errors)})")
    return EXIT_TARGET_MISSED if results.errors else EXIT_MEASURED  # an error is a request the server failed


if __name__ == "__main__":
    sys.exit(main())
