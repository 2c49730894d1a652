"""A first pull that resumes: SIGKILL the client part-way through a first pull, sync again, count what came twice.

    python benchmarks/sync_resume.py [--quick] [--learners N] [--kills K] [--page-size P] [--backend B]

The server is a real `reviewapp-server serve` process on 127.0.0.1 (PostgreSQL by default, as sync_pull.py),
seeded with the demo caseload (`seed_demo_server`). The laptop signs in once; then the first pull runs in a real
subprocess (`SyncClient.sync()` on an encrypted store) that logs every page it receives, record keys and all, to a
file (flushed per page), and is killed with SIGKILL K times at spread-out points (after a page is received, plus a
random delay, so the kill lands during a fetch, an apply or a commit). Each time the next run resumes on the same
laptop, and the last run is let finish.

Measured: records downloaded more than once (the same entity, id and revision received by two runs), against
the target: at most one page per kill (plus any parents it still lacks: a page whose records name one on the next
page is applied together with it). Checked: the laptop ends with every record the server holds (no loss).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PASSWORD = "made-up caseload to try"  # the demo server's, see reviewapp/sync_client/demo_server.py
USERNAME = "demo"

#: The child: one sync of the laptop, every page received appended to LOG as one JSON line before it is applied.
CHILD = """
import json, os, sys
from reviewapp.store.database import Store
from reviewapp.sync_client.engine import SyncClient

data_dir, url, log_path, page_size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
log = open(log_path, "a", encoding="utf-8")
store = Store.open(data_dir, "demo")
client = SyncClient(store, url, "demo", timeout=300, page_size=page_size)
fetch = client._fetch_page

def logged(since, *more):
    page = fetch(since, *more)
    keys = [f"{c.entity}:{c.id}:{c.rev}" for c in page[0].changes]
    log.write(json.dumps({"since": since, "cursor": page[0].cursor, "keys": keys}) + "\\n")
    log.flush()
    os.fsync(log.fileno())
    return page

client._fetch_page = logged
summary = client.sync()
print(json.dumps({"pulled": summary.pulled, "pages": summary.pages}))
"""


def read_log(path: Path) -> list[dict[str, Any]]:
    """The pages a run received (a line cut short by the kill is not a page it received)."""
    pages = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(ValueError):
                pages.append(json.loads(line))
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 learners, 2 kills (instead of 5,000 and 4)")
    parser.add_argument("--learners", type=int, help="the caseload (default 5,000)")
    parser.add_argument("--kills", type=int, help="SIGKILLs during the first pull (default 4; quick 2)")
    parser.add_argument("--page-size", type=int, default=500, help="records per pull page (the client's default)")
    parser.add_argument("--seed", type=int, default=1, help="for the kill delays")
    parser.add_argument("--backend", choices=("auto", "postgresql", "sqlite"), default="auto")
    args = parser.parse_args(argv)
    learners = args.learners or (300 if args.quick else 5000)
    kills = args.kills if args.kills is not None else (2 if args.quick else 4)
    rng = random.Random(args.seed)

    from benchlib import (
        BENCH_TODAY,
        child_env,
        drop_postgres_database,
        free_port,
        scratch,
        server_database,
        start_server,
        stop_server,
        verdict,
    )

    from reviewapp.store.database import Store
    from reviewapp.store.models import SYNCABLE_MODELS
    from reviewapp.sync_client.demo_server import seed_demo_server
    from reviewapp.sync_client.engine import SyncClient

    with scratch("sync-resume") as root:
        url = server_database(root, "server", args.backend)
        backend = url.split(":", 1)[0].split("+")[0]
        server = None
        try:
            seed_demo_server(url, learners=learners, seed=7, today=BENCH_TODAY)
            port = free_port()
            server = start_server(url, port)
            address = f"http://127.0.0.1:{port}"
            data_dir = root / "laptop"
            with Store.open(data_dir, USERNAME) as store, SyncClient(store, address, USERNAME) as client:
                client.login(PASSWORD)  # sign-in (slow argon2) is not part of the pull
            # A dry run to learn how many pages the first pull takes, so the kills spread across it.
            probe_dir = root / "probe"
            with Store.open(probe_dir, USERNAME) as store, SyncClient(store, address, USERNAME) as client:
                client.login(PASSWORD)
            probe_log = root / "probe.jsonl"
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", CHILD, str(probe_dir), address, str(probe_log),
                            str(args.page_size)], env=child_env(), check=True, capture_output=True, timeout=3600)
            whole = time.perf_counter() - started
            total_pages = len(read_log(probe_log))
            total_records = sum(len(page["keys"]) for page in read_log(probe_log))

            runs: list[list[dict[str, Any]]] = []
            killed_at: list[int] = []
            for run in range(kills + 1):
                log_path = root / f"run{run}.jsonl"
                child = subprocess.Popen([sys.executable, "-c", CHILD, str(data_dir), address, str(log_path),
                                          str(args.page_size)], env=child_env(), stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, start_new_session=True)
                if run < kills:
                    # Kill once this run has received its share of the remaining pages (and a random moment more).
                    received_before = sum(len(r) for r in runs)
                    share = max(1, (total_pages - received_before) // (kills + 1 - run))
                    while child.poll() is None and len(read_log(log_path)) < share:
                        time.sleep(0.02)
                    time.sleep(rng.uniform(0, 0.4))
                    if child.poll() is None:
                        child.send_signal(signal.SIGKILL)
                        killed_at.append(len(read_log(log_path)))
                child.communicate(timeout=3600)
                if run == kills and child.returncode != 0:
                    raise SystemExit(f"the last sync failed (status {child.returncode})")
                runs.append(read_log(log_path))
        finally:
            if server is not None:
                stop_server(server)
        seen: dict[str, int] = {}
        twice = 0
        for pages in runs:
            this_run = {key for page in pages for key in page["keys"]}
            twice += sum(1 for key in this_run if key in seen)
            for key in this_run:
                seen[key] = seen.get(key, 0) + 1
        with Store.open(data_dir, USERNAME) as store, store.read() as session:
            from sqlalchemy import func, select

            held = sum(session.scalar(select(func.count()).select_from(model.__table__)) or 0
                       for model in SYNCABLE_MODELS.values())
        if url.startswith("postgresql"):
            drop_postgres_database(url)
    allowed = len(killed_at) * args.page_size
    complete = len(seen) == total_records
    print(f"first pull of {learners:,} learners ({total_records:,} records, {total_pages} pages of "
          f"{args.page_size}, {whole:.1f} s uninterrupted, {backend}); killed after {killed_at} pages of each run; "
          f"laptop holds {held:,} rows", flush=True)
    print(f"sync_resume: {len(killed_at)} SIGKILLs during a first pull: {twice:,} records downloaded twice "
          f"(target <= one page per kill, {allowed:,}: {verdict(twice <= allowed)}); every record received: "
          f"{verdict(complete)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
