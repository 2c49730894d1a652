"""Crash trials: kill -9 the app while a review is typed and while one is finalised; count what was lost or broken.

    python benchmarks/crash_trials.py [--trials 200] [--quick] [--seed S]

Each of `--trials` rounds runs two trials, side by side, each kind on its own encrypted caseload:
- entry: a real review wizard (benchmarks/drivers/entry_driver.py) types into a draft at a person's pace and is
  killed with SIGKILL after a random 0.2-3 s. Every answer typed more than the save window (SAVE_WITHIN_MS plus
  a write allowance) before the kill must be in the store afterwards, as typed or continued.
- finalise: a complete, signed review (benchmarks/drivers/finalise_driver.py) is finalised and the process killed
  at a random moment within about twice the time finalising takes. Afterwards the review is either still a
  draft holding every answer, with no target or plan item touched, or finalised with a content hash that matches
  `sync.protocol.review_content_hash`, its targets set and followed up and its plan progress written: never
  anything in between.
After every kill the store is opened again, as the app does on restart, and `PRAGMA integrity_check` run on it.
Last line: answers lost, integrity failures, half-finalised reviews [targets 0, 0, 0].
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DRIVERS = Path(__file__).resolve().parent / "drivers"
WRITE_ALLOWANCE_S = 0.15  # as tests/ui/test_autosave_kill.py: time for the write itself after the window closes


@dataclass
class Tally:
    entry_trials: int = 0
    finalise_trials: int = 0
    answers_checked: int = 0
    answers_lost: int = 0
    integrity_failures: int = 0
    half_finalised: int = 0
    killed_before_commit: int = 0
    killed_after_commit: int = 0
    not_run: int = 0  # trials the harness could not carry out: no figure, so the run as a whole is no figure
    problems: list[str] = field(default_factory=list)

    def merged(self, other: Tally) -> Tally:
        return Tally(**{name: getattr(self, name) + getattr(other, name) for name in self.__dataclass_fields__})

    def problem(self, text: str) -> None:
        self.problems.append(text)
        print(f"  PROBLEM: {text}", flush=True)

    def could_not_run(self, text: str) -> None:
        """A trial that never tested anything (its driver did not start or died by itself): never a pass."""
        self.not_run += 1
        self.problem(text)


class LineReader:
    """Reads a child's output on a thread, so the parent can sleep until the moment it kills."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if not line.endswith("\n"):
                break  # cut short by the kill: the child never finished saying it
            self.lines.append(line.rstrip("\n"))
            if line.startswith("READY"):
                self._ready.set()
        self._ready.set()

    def wait_ready(self, timeout: float) -> bool:
        return self._ready.wait(timeout) and any(line.startswith("READY") for line in self.lines)

    def join(self) -> None:
        self._thread.join(10)


def _spawn(args: list[str], *, stdin: bool = False) -> subprocess.Popen[str]:
    from benchlib import child_env

    return subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL, text=True, env=child_env())


def _kill(process: subprocess.Popen[str]) -> int | None:
    """SIGKILL the driver; returns its exit status if it had already ended by itself (None if the kill ended it)."""
    ended = process.poll()
    if ended is None:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    return ended


def _died_by_itself(process: subprocess.Popen[str], ended: int | None) -> str | None:
    """Why a driver that ended before its kill failed (a traceback, an import error), or None if it did not."""
    if ended is None or ended == 0:
        return None
    assert process.stderr is not None
    return f"the driver exited by itself with status {ended}: {process.stderr.read()[-800:]}"


def _check_integrity(data_dir: Path, tally: Tally, label: str) -> None:
    from reviewapp.store.database import Store

    try:
        with Store.open(data_dir) as store, store.engine.connect() as conn:
            result = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check")]
    except Exception as exc:  # a store that will not open after a crash is the worst integrity failure
        tally.integrity_failures += 1
        tally.problem(f"{label}: the store would not open after the kill: {exc}")
        return
    if result != ["ok"]:
        tally.integrity_failures += 1
        tally.problem(f"{label}: integrity_check says {result[:3]}")


def entry_trial(data_dir: Path, review_id: str, rng: random.Random, tally: Tally, label: str) -> None:
    from reviewapp.store.database import Store
    from reviewapp.store.models import Review
    from reviewapp.ui.wizard.review_wizard import SAVE_WITHIN_MS

    process = _spawn([str(DRIVERS / "entry_driver.py"), str(data_dir), review_id, str(rng.randrange(10**6))])
    reader = LineReader(process)
    if not reader.wait_ready(60):
        _kill(process)
        tally.could_not_run(f"{label}: the entry driver did not start: {process.stderr.read()[-800:]}")
        return
    time.sleep(rng.uniform(0.2, 3.0))
    killed_at = time.monotonic()
    ended = _kill(process)
    reader.join()
    if (why := _died_by_itself(process, ended)) is not None:
        tally.could_not_run(f"{label}: {why}")
        return
    tally.entry_trials += 1
    errors = [line for line in reader.lines if line.startswith("ERROR")]
    if errors:
        tally.problem(f"{label}: the wizard reported {errors[0]}")
    window = SAVE_WITHIN_MS / 1000 + WRITE_ALLOWANCE_S
    expected: dict[str, str] = {}
    for line in reader.lines:
        if line.startswith("TYPED"):
            parts = line.split(" ")
            at = float(parts[-1])
            if at <= killed_at - window:
                expected[parts[1]] = json.loads(" ".join(parts[2:-1]))
    _check_integrity(data_dir, tally, label)
    with Store.open(data_dir) as store, store.read() as session:
        answers = dict(session.get(Review, review_id).answers or {})
    for question_id, value in expected.items():
        tally.answers_checked += 1
        saved = answers.get(question_id)
        if value and not (isinstance(saved, str) and saved.startswith(value)):
            tally.answers_lost += 1
            tally.problem(f"{label}: {question_id} typed as {value!r} more than {window:.2f} s before the kill, "
                          f"saved as {saved!r}")


def finalise_trial(data_dir: Path, review_id: str, rng: random.Random, tally: Tally, label: str,
                   finalise_s: float | None) -> float | None:
    """One trial, killed within 2 x `finalise_s` of GO; returns how long finalising took when it finished first.

    With `finalise_s` None (calibration) it waits for the end instead and returns the time from GO to the
    FINALISED line as seen here, pipe included: the span a kill must fall in to land inside the transaction."""
    process = _spawn([str(DRIVERS / "finalise_driver.py"), str(data_dir), review_id], stdin=True)
    reader = LineReader(process)
    if not reader.wait_ready(60):
        _kill(process)
        tally.could_not_run(f"{label}: the finalise driver did not get ready: {process.stderr.read()[-800:]}")
        return None
    expect = json.loads(next(line for line in reader.lines if line.startswith("EXPECT")).split(" ", 1)[1])
    assert process.stdin is not None
    process.stdin.write("GO\n")
    process.stdin.flush()
    go = time.monotonic()
    if finalise_s is None:  # calibration: let it finish, and time it as seen from here
        while not any(line.startswith("FINALISED") for line in reader.lines) and time.monotonic() - go < 60:
            time.sleep(0.001)
        seen = time.monotonic() - go
    else:
        time.sleep(rng.uniform(0, 2 * finalise_s))
    ended = _kill(process)
    reader.join()
    if (why := _died_by_itself(process, ended)) is not None:  # e.g. finalising raised: no kill was tested
        tally.could_not_run(f"{label}: {why}")
        return None
    tally.finalise_trials += 1
    done = [line for line in reader.lines if line.startswith("FINALISED")]
    _check_integrity(data_dir, tally, label)
    _check_finalisation(data_dir, review_id, expect, tally, label)
    if finalise_s is None:
        return seen if done else None
    try:
        return float(done[0].split(" ")[1]) if done else None
    except (IndexError, ValueError):  # the kill cut the line short: finalising had finished, its time is unknown
        return None


def _check_finalisation(data_dir: Path, review_id: str, expect: dict[str, Any], tally: Tally, label: str) -> None:
    from sqlalchemy import select

    from reviewapp.store import reviews
    from reviewapp.store.database import Store
    from reviewapp.store.models import PlanItem, Review, Target
    from sync.protocol import review_content_hash

    with Store.open(data_dir) as store, store.read() as session:
        row = session.get(Review, review_id)
        review, signatures = reviews.load_review(session, review_id)
        created = session.scalars(select(Target).where(Target.set_in_review_id == review_id)).all()
        followed = session.scalars(select(Target).where(Target.followed_up_in_review_id == review_id)).all()
        plan = {p.id: p.progress for p in session.scalars(select(PlanItem).where(PlanItem.learner_id ==
                                                                                  row.learner_id))}
    wrong: list[str] = []
    if review.status == "finalised":
        tally.killed_after_commit += 1
        if review.content_hash != review_content_hash(review_id, review, signatures):
            wrong.append("content hash does not match")
        if len(created) != expect["new_targets"]:
            wrong.append(f"{len(created)} targets set, expected {expect['new_targets']}")
        if sorted(t.id for t in followed) != expect["followed_up"] or any(t.status == "open" for t in followed):
            wrong.append("previous targets not all followed up")
        if any(plan.get(pid) != progress for pid, progress in expect["plan_after"].items()):
            wrong.append("plan progress not written")
    else:
        tally.killed_before_commit += 1
        if review.status != "draft":
            wrong.append(f"status {review.status}")
        if created or followed:
            wrong.append("targets changed by a review that is not finalised")
        if plan != expect["plan_before"]:
            wrong.append("plan progress changed by a review that is not finalised")
        lost = [q for q, v in expect["answers"].items() if review.answers.get(q) != v]
        tally.answers_checked += len(expect["answers"])
        if lost:
            tally.answers_lost += len(lost)
            tally.problem(f"{label}: answers saved before finalising are gone: {lost[:5]}")
    if wrong:
        tally.half_finalised += 1
        tally.problem(f"{label}: half-finalised review {review_id}: {'; '.join(wrong)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, help="rounds of (entry, finalise) trials (default 200; quick 10)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    trials = args.trials or (10 if args.quick else 200)

    from benchlib import (
        BENCH_TODAY,
        EXIT_MEASURED,
        EXIT_TARGET_MISSED,
        could_not_run,
        make_caseload,
        median,
        scratch,
    )
    from sqlalchemy import select

    from reviewapp.core.templates import load_template
    from reviewapp.store import reviews
    from reviewapp.store.database import Store
    from reviewapp.store.models import Learner

    entry_rng, finalise_rng = random.Random(args.seed), random.Random(args.seed + 1)
    template = load_template("apprenticeship-progress-review")
    started = time.monotonic()
    with scratch("crash") as root:
        # Two caseloads, so the two kinds of trial run side by side (each mostly waits on its child process).
        dirs = {kind: root / kind for kind in ("entry", "finalise")}
        for data_dir in dirs.values():
            make_caseload(data_dir, max(40, trials))
        with Store.open(dirs["entry"]) as store, store.read() as session:
            learners = list(session.scalars(select(Learner.id).where(Learner.status == "active")))

        def new_draft(kind: str, number: int) -> str:
            with Store.open(dirs[kind]) as store:
                return reviews.start_draft(store, learners[number % len(learners)], template, BENCH_TODAY)

        # Calibrate: how long one finalise takes here, so kills are spread over it (and just beyond). The median
        # of three: one finalise timed while the machine was busy once gave 479 ms against a median of 69 ms, and
        # then 174 of 200 kills fell after the commit.
        calibration = Tally()
        timings = [finalise_trial(dirs["finalise"], new_draft("finalise", -n), finalise_rng, calibration,
                                  f"calibration {n + 1}", finalise_s=None) for n in range(3)]
        if None in timings or calibration.problems:  # finalising never finished: no kill could be timed against it
            return could_not_run("crash_trials", "the calibration finalise did not finish: "
                                 + "; ".join(calibration.problems or ["no FINALISED line within 60 s"])[-1500:])
        finalise_s = median([t for t in timings if t is not None])
        print(f"{trials} rounds on {len(learners)} active learners; finalising takes ~{finalise_s * 1000:.0f} ms",
              flush=True)
        entry_tally, finalise_tally = Tally(), Tally()
        durations: list[float] = []

        def entries() -> None:
            for number in range(1, trials + 1):
                try:
                    entry_trial(dirs["entry"], new_draft("entry", number), entry_rng, entry_tally,
                                f"entry trial {number}")
                except Exception as exc:  # a fault of the harness, not of the app: say so and carry on
                    entry_tally.could_not_run(f"entry trial {number}: the trial itself failed: {exc!r}")

        def finalisations() -> None:
            for number in range(1, trials + 1):
                try:
                    took = finalise_trial(dirs["finalise"], new_draft("finalise", number), finalise_rng,
                                          finalise_tally, f"finalise trial {number}", finalise_s)
                except Exception as exc:  # as for entries: the harness failed, no kill was tested
                    finalise_tally.could_not_run(f"finalise trial {number}: the trial itself failed: {exc!r}")
                    took = None
                if took is not None:
                    durations.append(took)
                if number % 10 == 0 or number == trials:
                    print(f"  {number}/{trials} rounds ({time.monotonic() - started:.0f} s)", flush=True)

        entry_thread = threading.Thread(target=entries)
        entry_thread.start()
        try:
            finalisations()
        finally:
            entry_thread.join()  # before the scratch directory goes
    tally = entry_tally.merged(finalise_tally)
    print(f"entry trials {tally.entry_trials}, finalise trials {tally.finalise_trials} "
          f"(killed before commit {tally.killed_before_commit}, after {tally.killed_after_commit}); "
          f"{tally.answers_checked} answers checked"
          + (f"; finalise took median {median(durations) * 1000:.0f} ms" if durations else ""))
    if tally.not_run or tally.entry_trials < trials or tally.finalise_trials < trials:
        return could_not_run("crash_trials", f"{tally.not_run} of {2 * trials} trials did not run (entry "
                             f"{tally.entry_trials}/{trials}, finalise {tally.finalise_trials}/{trials} ran); "
                             f"first: {tally.problems[0][:300] if tally.problems else '?'}")
    ok = tally.answers_lost == tally.integrity_failures == tally.half_finalised == 0 and not tally.problems
    print(f"crash_trials: {tally.entry_trials + tally.finalise_trials} kills: answers lost {tally.answers_lost}, "
          f"integrity failures {tally.integrity_failures}, half-finalised {tally.half_finalised} "
          f"(target 0, 0, 0: {'met' if ok else 'MISSED'})")
    return EXIT_MEASURED if ok else EXIT_TARGET_MISSED


if __name__ == "__main__":
    sys.exit(main())
