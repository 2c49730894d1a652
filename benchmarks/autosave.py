"""Autosave: the latency of saving one answer through `reviews.save_answers` (outbox included), encrypted vs plain.

    python benchmarks/autosave.py [--quick] [--saves N]

Two stores with the same demo caseload, one encrypted (SQLCipher) and one a plain SQLite file, each with a draft
review. A save is one call of `save_answers` with the answer typed so far, exactly what the wizard's autosave does
(a write transaction: the draft's answers and the coalesced outbox entry). The two stores alternate in blocks so
machine noise hits both alike. Target: encrypted median and p95 <= 5 ms; the ratio shows what encryption costs.
"""

from __future__ import annotations

import argparse
import sys
import time

TARGET_MS = 5.0
BLOCK = 25
TEXT = "Shadowed the finance officer for two days and reconciled the petty cash with her; next month: payroll. "


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 saves per store instead of 3,000")
    parser.add_argument("--saves", type=int)
    parser.add_argument("--learners", type=int, default=200)
    args = parser.parse_args(argv)
    saves = args.saves or (300 if args.quick else 3000)

    from benchlib import BENCH_TODAY, make_caseload, median, ms, p95, scratch, verdict
    from sqlalchemy import select

    from reviewapp.core.templates import load_template
    from reviewapp.store import reviews
    from reviewapp.store.database import Store
    from reviewapp.store.models import Learner

    template = load_template("apprenticeship-progress-review")
    with scratch("autosave") as root:
        stores: dict[str, Store] = {}
        drafts: dict[str, str] = {}
        for kind, encrypted in (("encrypted", True), ("plain", False)):
            make_caseload(root / kind, args.learners, encrypted=encrypted)
            store = Store.open(root / kind, "demo", encrypted=encrypted)
            with store.read() as session:
                learner_id = session.scalars(select(Learner.id).where(Learner.status == "active")).first()
            stores[kind] = store
            drafts[kind] = reviews.start_draft(store, learner_id, template, BENCH_TODAY)
        times: dict[str, list[float]] = {kind: [] for kind in stores}
        cpu: dict[str, list[float]] = {kind: [] for kind in stores}  # the work itself, without waits for a core
        typed = {kind: 0 for kind in stores}

        def save_block(kind: str, count: int) -> None:
            store, review_id = stores[kind], drafts[kind]
            for _ in range(count):
                typed[kind] += 1
                n = typed[kind]
                answer = (TEXT * (1 + n // len(TEXT)))[:n % 400 + 1]  # a long answer growing as typed
                started, started_cpu = time.perf_counter(), time.thread_time()
                reviews.save_answers(store, review_id, {"otj_examples": answer})
                times[kind].append(time.perf_counter() - started)
                cpu[kind].append(time.thread_time() - started_cpu)

        for kind in stores:  # warm-up: connections, statement caches
            save_block(kind, 20)
            times[kind].clear()
            cpu[kind].clear()
        while len(times["plain"]) < saves:
            for kind in stores:
                save_block(kind, min(BLOCK, saves - len(times[kind])))
        for store in stores.values():
            store.close()

    enc, plain = times["encrypted"], times["plain"]
    print(f"{saves} saves per store, in alternating blocks of {BLOCK}")
    print(f"  encrypted (SQLCipher): median {ms(median(enc))}, p95 {ms(p95(enc))}, max {ms(max(enc))}")
    print(f"  plain SQLite:          median {ms(median(plain))}, p95 {ms(p95(plain))}, max {ms(max(plain))}")
    print(f"  CPU per save: encrypted median {ms(median(cpu['encrypted']))}, p95 {ms(p95(cpu['encrypted']))}; "
          f"plain median {ms(median(cpu['plain']))}, p95 {ms(p95(cpu['plain']))}")
    met = median(enc) * 1000 <= TARGET_MS and p95(enc) * 1000 <= TARGET_MS
    print(f"autosave: encrypted median {ms(median(enc))}, p95 {ms(p95(enc))} per save; "
          f"{median(enc) / median(plain):.2f}x plain SQLite (target <= {TARGET_MS:.0f} ms: {verdict(met)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
