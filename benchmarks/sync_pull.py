"""Sync speed: a first pull vs a raw bulk insert of the same rows; no-change syncs; a push of finalised reviews.

    python benchmarks/sync_pull.py [--quick] [--learners N] [--small N] [--push N] [--repeats R] [--backend B]

The server is a real `reviewapp-server serve` process on 127.0.0.1 (a free port), on PostgreSQL by default (a
throw-away database on the machine's cluster, as server_load.py makes; `--backend sqlite` for a file, and the
fallback when PostgreSQL cannot be reached). It is seeded with the demo caseload through the server's own bulk path,
`reviewapp.sync_client.demo_server.seed_demo_server` (the server's models, revs handed out in order under its write
lock): the import CLI would only bring learners, not their reviews, and the push API refuses learners from an
assessor. Seeding is timed and reported on its own; it is not part of any figure.

(a) Initial pull: `SyncClient.sync()` on a fresh encrypted laptop store (sign-in, deliberately slow argon2, is
    not timed) vs the raw baseline: the very same rows (`demo.demo_rows`, same seed and day) inserted into a fresh
    encrypted store with Core bulk inserts in one remote-origin unit of work, as `reviewapp.demo.generate` does.
    Target: the pull reaches >= 25% of the raw insert's speed.
(b) No-change sync on the small caseload vs on the big one (two servers, each seeded alike), alternating, median
    of R each. Target: about equal, since what a sync costs should follow the changes, not the caseload.
(c) Push: finalised reviews with their three signatures each, made on the small laptop through the store API (so
    the outbox holds them, as the wizard leaves them), then one `sync()`: the time to the last push batch, and
    reviews/s.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

PASSWORD = "made-up caseload to try"  # the demo server's, see reviewapp/sync_client/demo_server.py
USERNAME = "demo"


def bulk_insert(store: Any, rows: dict[str, list[dict[str, Any]]]) -> None:
    """The raw baseline: what `reviewapp.demo.generate` does with rows it has made (made beforehand here, untimed)."""
    from sqlalchemy import insert

    from reviewapp.store.models import SYNCABLE_MODELS

    with store.apply_remote() as session:
        for entity, batch in rows.items():
            for start in range(0, len(batch), 5000):
                session.execute(insert(SYNCABLE_MODELS[entity]), batch[start : start + 5000])


def new_laptop(root: Path, name: str, url: str, **options: Any) -> tuple[Any, Any]:
    """A fresh encrypted laptop store for the demo account, signed in to the server at `url`."""
    from reviewapp.store.database import Store
    from reviewapp.sync_client.engine import SyncClient

    store = Store.open(root / name, USERNAME)
    client = SyncClient(store, url, USERNAME, device_name=name, timeout=300, **options)
    client.login(PASSWORD)
    return store, client


def finalised_reviews(store: Any, count: int, seed: int) -> int:
    """`count` finalised reviews (three signatures each) for the laptop's own learners, written through the store
    API so its outbox records them as the wizard's finalise does; returns how many outbox entries they made."""
    from benchlib import BENCH_TODAY

    from reviewapp import demo
    from reviewapp.store.models import Learner, OutboxEntry, Review, Signature
    from sync.protocol import ReviewData, SignatureData, review_content_hash

    with store.read() as session:
        learners = list(session.scalars(Learner.__table__.select().with_only_columns(Learner.__table__.c.id)))
        before = session.query(OutboxEntry).count()
    rows = demo.demo_rows(learners=max(1, count // 3), seed=seed, today=BENCH_TODAY)
    while len(rows["review"]) < count:  # ~4 reviews a learner; make more if a seed falls short
        seed += 1
        more = demo.demo_rows(learners=max(1, count // 3), seed=seed, today=BENCH_TODAY)
        rows["review"] += more["review"]
        rows["signature"] += more["signature"]
    signatures: dict[str, list[dict[str, Any]]] = {}
    for signature in rows["signature"]:
        signatures.setdefault(signature["review_id"], []).append(signature)
    with store.write() as session:
        for number, review in enumerate(rows["review"][:count]):
            review = review | {"learner_id": learners[number % len(learners)]}  # moved: the hash covers it
            signed = signatures[review["id"]]
            review["content_hash"] = review_content_hash(
                review["id"], ReviewData(**{k: review[k] for k in ReviewData.model_fields}),
                [SignatureData(**{k: s[k] for k in SignatureData.model_fields}) for s in signed],
            )
            session.add(Review(**{k: v for k, v in review.items() if k != "rev"}))
            session.add_all(Signature(**{k: v for k, v in s.items() if k != "rev"}) for s in signed)
    with store.read() as session:
        return session.query(OutboxEntry).count() - before


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 / 50 learners, push 100 (instead of 5,000 / 500, "
                                                            "push 1,000)")
    parser.add_argument("--learners", type=int, help="the big caseload (default 5,000)")
    parser.add_argument("--small", type=int, help="the small caseload of the no-change comparison (default 500)")
    parser.add_argument("--push", type=int, help="finalised reviews to push (default 1,000)")
    parser.add_argument("--repeats", type=int, help="no-change syncs on each caseload (default 15; quick 7)")
    parser.add_argument("--backend", choices=("auto", "postgresql", "sqlite"), default="auto")
    args = parser.parse_args(argv)
    big = args.learners or (500 if args.quick else 5000)
    small = args.small or (50 if args.quick else 500)
    push = args.push or (100 if args.quick else 1000)
    repeats = args.repeats or (7 if args.quick else 15)

    from benchlib import (
        BENCH_TODAY,
        drop_postgres_database,
        free_port,
        median,
        ms,
        scratch,
        server_database,
        start_server,
        stop_server,
        verdict,
    )

    from reviewapp import demo
    from reviewapp.store.database import Store
    from reviewapp.sync_client.demo_server import seed_demo_server

    with scratch("sync-pull") as root:
        urls = {"big": server_database(root, "big", args.backend), "small": server_database(root, "small",
                                                                                             args.backend)}
        backend = urls["big"].split(":", 1)[0].split("+")[0]
        servers: dict[str, Any] = {}
        opened: list[tuple[Any, Any]] = []
        try:
            started = time.perf_counter()
            seed_demo_server(urls["big"], learners=big, seed=7, today=BENCH_TODAY)
            seed_big = time.perf_counter() - started
            seed_demo_server(urls["small"], learners=small, seed=8, today=BENCH_TODAY)
            for name, url in urls.items():
                port = free_port()
                servers[name] = (start_server(url, port), f"http://127.0.0.1:{port}")

            # (a) the raw baseline, then the pull of the same rows
            started = time.perf_counter()
            rows = demo.demo_rows(learners=big, seed=7, today=BENCH_TODAY)
            generating = time.perf_counter() - started
            records = sum(len(batch) for batch in rows.values())
            reviews = len(rows["review"])
            with Store.open(root / "raw", USERNAME) as raw_store:
                started = time.perf_counter()
                bulk_insert(raw_store, rows)
                raw = time.perf_counter() - started
            del rows
            print(f"seeded the {big:,}-learner server ({backend}) in {seed_big:.1f} s (of which making the demo rows "
                  f"~{generating:.1f} s); {records:,} records, {reviews:,} reviews", flush=True)
            print(f"raw bulk insert into an encrypted store: {raw:.2f} s ({records / raw:,.0f} records/s)", flush=True)
            store, client = new_laptop(root, "laptop-big", servers["big"][1])
            opened.append((store, client))
            started = time.perf_counter()
            summary = client.sync()
            pull = time.perf_counter() - started
            assert summary.pulled >= records, summary.log
            print(f"initial pull: {pull:.2f} s ({summary.pulled / pull:,.0f} records/s; {summary.pulled:,} changes "
                  f"in {summary.pages} pages)", flush=True)
            share = raw / pull

            # (b) no-change syncs, alternating small and big
            small_store, small_client = new_laptop(root, "laptop-small", servers["small"][1])
            opened.append((small_store, small_client))
            small_client.sync()
            times: dict[str, list[float]] = {"small": [], "big": []}
            for _ in range(repeats):
                for name, syncing in (("small", small_client), ("big", client)):
                    started = time.perf_counter()
                    summary = syncing.sync()
                    times[name].append(time.perf_counter() - started)
                    assert summary.pulled == 0 and summary.pushed == 0, summary.log
            no_change = median(times["big"]) / median(times["small"])
            print(f"no-change sync: {small:,} learners median {ms(median(times['small']))}, {big:,} learners median "
                  f"{ms(median(times['big']))} ({repeats} each, alternating): ratio {no_change:.2f}", flush=True)

            # (c) push finalised reviews with their signatures
            entries = finalised_reviews(small_store, push, seed=99)
            last_sent = {"at": 0.0}

            def progress(_done: int, _total: int, text: str = "") -> None:
                if text.startswith("Sent"):
                    last_sent["at"] = time.perf_counter()

            started = time.perf_counter()
            summary = small_client.sync(progress=progress)
            whole = time.perf_counter() - started
            pushing = last_sent["at"] - started
            assert summary.applied == entries and summary.rejected == 0 and summary.conflicts == 0, summary.log
            print(f"push: {push:,} finalised reviews + signatures ({entries:,} changes) in {pushing:.2f} s "
                  f"({push / pushing:,.0f} reviews/s); the whole sync incl. its pull {whole:.2f} s", flush=True)
        finally:
            for store, client in opened:
                client.close()
                store.close()
            for process, _url in servers.values():
                stop_server(process)
            for url in urls.values():
                if url.startswith("postgresql"):
                    drop_postgres_database(url)
    met_equal = no_change <= 1.5
    print(f"sync_pull: initial pull {share:.0%} of raw insert speed ({pull:.1f} s vs {raw:.1f} s, {big:,} learners, "
          f"{reviews:,} reviews, {backend}; target >= 25%: {verdict(share >= 0.25)}); no-change sync "
          f"{big:,} vs {small:,} learners {no_change:.2f}x (target about equal, <= 1.5x: {verdict(met_equal)}); "
          f"push {push:,} finalised reviews {pushing:.1f} s, {push / pushing:,.0f} reviews/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
