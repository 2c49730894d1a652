"""MIS import: an ILR file of 100,000 learners into PostgreSQL, its memory, and sync while it runs.

    python benchmarks/mis_import.py [--learners N] [--backend postgresql|sqlite|auto] [--idle-pushes N]

The file is made by tests/server/ilr_builder.py (valid against the 2025-26 XSD: the import validates every
learner against it, and must report no problem), written piece by piece.
(a) Memory of the streamed reader: `sync.server.mis.ilr.iter_ilr` over the whole file and over a tenth of it, each
    in a process of its own, rows counted and dropped; the peak resident memory of each, and so what each further
    learner costs. A reader that held the document would grow by several times a learner's bytes in the file per
    learner (lxml's tree is several times the text); the streamed one keeps only what finds a learner given twice
    (its ULN and reference, with their lines), a small fraction of that.
(b) The import and sync during it: `reviewapp-server serve` as a real process and `reviewapp-server
    import-caseload FILE` as another on the same database, an assessor pushing one off-the-job entry at a time
    without pause, first with no import (the baseline), then for as long as the import runs. Every push must be
    answered 200 and applied; the import's wall time (reading, validating and writing, as an admin waits for it)
    and the importing process's peak memory are reported, and the learners in the database counted after.
(c) The import's own memory: the same `import-caseload` process over the tenth, into a database of its own, before
    (b); the peak of (b) over it. The import checks the whole file before it writes, and spools the checked rows to
    disk (sync/server/row_spool.py) rather than holding them, so ten times the learners must not cost ten times the
    memory: when it held every row, 100,000 learners peaked at 256 MiB against about 130 at 10,000 (1.9x).
Last line: import seconds [target <= 60 s on PostgreSQL], the reader's memory per further learner [at most half
the learner's bytes in the file: streamed, not held], the import's peak over the tenth's [at most
TARGET_IMPORT_MEMORY_RATIO], push p95 during the import and its ratio to the idle p95, errors [every push
answered], and the machine's load average (2 shared cores: a loaded machine is slower, and says so).
Exit 2 (could not run) when any part cannot be measured: no PostgreSQL, a failing import or reader, a wrong count.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from benchlib import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "tests" / "server"))  # the ILR builder the tests use

from ilr_builder import sample_learner, write_ilr

TARGET_IMPORT_S = 60.0
#: Streamed: each further learner may cost the reader at most this share of its bytes in the file. A tree of the
#: document costs several times them; what the reader keeps (a ULN and a reference, with their line, to find a
#: learner given twice) is about a quarter.
TARGET_MEMORY_SHARE = 0.5
#: The importing process's peak over the whole file, at most this many times its peak over a tenth of it: the
#: interpreter, lxml, the schema and SQLAlchemy are most of it, and the same for both; rows held would make it ~2x.
TARGET_IMPORT_MEMORY_RATIO = 1.3
PASSWORD = "benchmark password 1"
ASSESSOR = "assessor000"

#: `reviewapp-server ARGS`, reporting its own peak memory (KiB) on its last line of standard error.
MEASURED_CLI = """
import resource, sys
from sync.server.cli import main
status = main(sys.argv[1:])
print("PEAK", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
sys.exit(status)
"""
READER = """
import resource, sys
from pathlib import Path
from sync.server.mis.ilr import iter_ilr
from sync.server.mis.parsed_ilr import ParsedIlr
parsed = ParsedIlr()
with Path(sys.argv[1]).open("rb") as source:
    rows = sum(1 for _ in iter_ilr(source, parsed))
print(rows, len(parsed.problems), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def read_streamed(path: Path) -> tuple[int, int, int]:
    """Rows, problems and peak memory (KiB) of the streamed reader over the file, in a process of its own."""
    from benchlib import child_env

    done = subprocess.run([sys.executable, "-c", READER, str(path)], capture_output=True, text=True,
                          env=child_env(), timeout=900, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the reader failed on {path.name}: {done.stderr[-800:]}")
    rows, problems, peak = (int(v) for v in done.stdout.split())
    return rows, problems, peak


def prepare_database(root: Path, backend: str) -> str:
    """A database with one assessor holding one learner (from a one-learner ILR and an assignments file)."""
    from benchlib import SERVER, child_env, run_cli, server_database

    url = server_database(root, "mis", backend)
    run_cli("init-db", "--database", url)
    subprocess.run([*SERVER, "create-user", ASSESSOR, "--role", "assessor", "--email", "assessor@example.org",
                    "--database", url],
                   input=PASSWORD + "\n", text=True, capture_output=True, check=True, env=child_env())
    own = write_ilr(root / "own.xml", [sample_learner(0)])
    run_cli("import-caseload", str(own), "--database", url)
    assignments = root / "assignments.csv"
    assignments.write_text(f"uln,assessor\n{sample_learner(0).uln},{ASSESSOR}\n", encoding="utf-8")
    run_cli("assign-caseload", str(assignments), "--database", url)
    return url


def count_learners(url: str) -> int:
    from sqlalchemy import func, select

    from sync.server.db import make_engine
    from sync.server.models import Learner

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(Learner)).scalar_one())
    finally:
        engine.dispose()


def measured_import(url: str, ilr: Path) -> tuple[int, float, int, str, str]:
    """`reviewapp-server import-caseload FILE` as a process of its own: status, seconds, peak KiB, out, err."""
    from benchlib import child_env

    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", MEASURED_CLI, "import-caseload", str(ilr), "--database", url],
                          capture_output=True, text=True, env=child_env(), timeout=3600, check=False)
    return (done.returncode, time.perf_counter() - started, _peak(done.stderr), done.stdout, done.stderr)


def _peak(stderr: str) -> int:
    return int(stderr.strip().rsplit("PEAK ", 1)[1]) if "PEAK " in stderr else 0


def import_peak_over(root: Path, ilr: Path, backend: str) -> tuple[int, float]:
    """The importing process's peak (KiB) and seconds over `ilr`, into an empty database of its own (dropped)."""
    from benchlib import drop_postgres_database, run_cli, server_database

    url = server_database(root, "mis-tenth", backend)
    try:
        run_cli("init-db", "--database", url)
        status, seconds, peak, _, err = measured_import(url, ilr)
    finally:
        if url.startswith("postgresql"):
            drop_postgres_database(url)
    if status != 0 or not peak:
        raise SystemExit(f"the import of {ilr.name} failed ({status}): {err[-600:]}")
    return peak, seconds


def pushes_during_import(url: str, ilr: Path, idle_pushes: int) -> dict[str, object]:
    """Idle push latencies, then push latencies while a real import process runs; any non-200 is an error."""
    import httpx
    from benchlib import child_env, free_port, start_server, stop_server

    port = free_port()
    server = start_server(url, port)
    idle: list[float] = []
    during: list[float] = []
    errors: list[str] = []
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            token = client.post("/api/v1/auth/token", json={"username": ASSESSOR, "password": PASSWORD,
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
            importer = subprocess.Popen([sys.executable, "-c", MEASURED_CLI, "import-caseload", str(ilr),
                                         "--database", url],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env())
            while importer.poll() is None:
                during.append(push())
            import_s = time.perf_counter() - started
            out, err = importer.communicate()
            peak_kib = _peak(err)
            print(f"  import process: {out.strip()[-300:]}", flush=True)
    finally:
        stop_server(server)
    return {"idle": idle, "during": during, "errors": errors, "import_s": import_s, "status": importer.returncode,
            "stderr": err, "peak_kib": peak_kib}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--backend", choices=("auto", "postgresql", "sqlite"), default="postgresql",
                        help="the target is for PostgreSQL; auto falls back to SQLite when it is not reachable")
    parser.add_argument("--idle-pushes", type=int, default=20)
    args = parser.parse_args(argv)
    if args.learners < 10:
        parser.error("--learners must be at least 10 (a tenth of the file is measured too)")

    from benchlib import (
        EXIT_MEASURED,
        EXIT_TARGET_MISSED,
        could_not_run,
        drop_postgres_database,
        median,
        ms,
        p95,
        scratch,
        verdict,
    )

    load_before = " ".join(f"{value:.1f}" for value in os.getloadavg())
    with scratch("mis") as root:
        started = time.perf_counter()
        ilr = write_ilr(root / "ILR-10012345-2526-20251105-093000-01.XML",
                        (sample_learner(n) for n in range(1, args.learners + 1)))
        tenth = write_ilr(root / "tenth.xml", (sample_learner(n) for n in range(1, args.learners // 10 + 1)))
        size = ilr.stat().st_size
        print(f"  wrote {args.learners:,} learners ({size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s",
              flush=True)

        try:
            rows, problems, peak_full = read_streamed(ilr)
            _, _, peak_tenth = read_streamed(tenth)
        except SystemExit as error:
            return could_not_run("mis_import", str(error))
        if problems or rows != args.learners:
            return could_not_run("mis_import", f"the reader took {rows:,} of {args.learners:,} learners with "
                                               f"{problems} problem(s): the generated file is not what it should be")
        further = args.learners - args.learners // 10
        per_learner = max(peak_full - peak_tenth, 0) * 1024 / further  # bytes
        file_per_learner = size / args.learners
        print(f"  streamed reader: peak {peak_full / 1024:.0f} MiB over the file, {peak_tenth / 1024:.0f} MiB over a "
              f"tenth: {per_learner:,.0f} B per further learner, whose bytes in the file are {file_per_learner:,.0f} "
              f"(the file is {size / 2**20:.0f} MiB)", flush=True)

        try:
            peak_tenth_import, tenth_s = import_peak_over(root, tenth, args.backend)
            url = prepare_database(root, args.backend)
        except SystemExit as error:
            return could_not_run("mis_import", str(error))
        print(f"  import of the tenth ({args.learners // 10:,} learners): {tenth_s:.1f} s, importing process peak "
              f"{peak_tenth_import / 1024:.0f} MiB", flush=True)
        backend = url.split(":", 1)[0].split("+")[0]
        try:
            during = pushes_during_import(url, ilr, args.idle_pushes)
            stored = count_learners(url) if during["status"] == 0 else 0
        finally:
            if url.startswith("postgresql"):
                drop_postgres_database(url)
    if during["status"] != 0:
        return could_not_run("mis_import", f"the import process failed ({during['status']}): "
                                           f"{str(during['stderr'])[-600:]}")
    if stored != args.learners + 1:
        return could_not_run("mis_import", f"the database holds {stored:,} learners, not {args.learners + 1:,}")
    idle, busy, errors = during["idle"], during["during"], during["errors"]
    assert isinstance(idle, list) and isinstance(busy, list) and isinstance(errors, list)
    if not busy:
        return could_not_run("mis_import", "no push was sent while the import ran (it ended first)")
    import_s = float(during["import_s"])  # type: ignore[arg-type]
    peak_import = int(during["peak_kib"])  # type: ignore[call-overload]
    if not peak_import:
        return could_not_run("mis_import", "the import process did not report its peak memory")
    memory_ratio = peak_import / peak_tenth_import
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"import of {args.learners:,} ILR learners ({backend}): {import_s:.1f} s "
          f"({args.learners / import_s:,.0f} learners/s), importing process peak {peak_import / 1024:.0f} MiB; "
          f"{len(busy)} pushes meanwhile, median {ms(median(busy))}, p95 {ms(p95(busy))}, max {ms(max(busy))} "
          f"(idle: median {ms(median(idle))}, p95 {ms(p95(idle))})")
    for error in errors[:5]:
        print(f"  ERROR: {error}")
    fast = import_s <= TARGET_IMPORT_S and backend == "postgresql"
    streamed = per_learner <= TARGET_MEMORY_SHARE * file_per_learner
    flat = memory_ratio <= TARGET_IMPORT_MEMORY_RATIO
    print(f"mis_import: {args.learners:,} learners in {import_s:.1f} s on {backend} (target <= "
          f"{TARGET_IMPORT_S:.0f} s on PostgreSQL: {verdict(fast)}); reader peak {peak_full / 1024:.0f} MiB, "
          f"{per_learner:,.0f} B per further learner vs {file_per_learner:,.0f} B of file (target <= "
          f"{TARGET_MEMORY_SHARE:.0%}: {verdict(streamed)}); importing process peak {peak_import / 1024:.0f} MiB, "
          f"{memory_ratio:.2f}x its peak over a tenth (target <= {TARGET_IMPORT_MEMORY_RATIO}x: {verdict(flat)}); "
          f"push during the import p95 {ms(p95(busy))} ({p95(busy) / p95(idle):.1f}x idle p95), errors "
          f"{len(errors)}; load average {load} (at the end; {load_before} at the start)")
    return EXIT_TARGET_MISSED if errors else EXIT_MEASURED


if __name__ == "__main__":
    sys.exit(main())
