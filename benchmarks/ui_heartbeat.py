"""UI heartbeat: the longest the UI thread is blocked while the main window syncs, prints and exports.

    python benchmarks/ui_heartbeat.py [--quick] [--learners N]

A QTimer beats every 10 ms on the UI thread and the time of each beat is kept; the longest gap between two beats
during an action, less the 10 ms interval, is how long the window could not answer the user. The real MainWindow
(offscreen), with its SyncController as the app attaches it, runs three actions as the user starts them:
(1) "Sync now" against a real `reviewapp-server serve` on 127.0.0.1 (SQLite), seeded with N demo learners
through `seed_demo_server`, into an empty laptop store: sign-in, pull and the table refreshed; (2) printing the
three signed copies of a finalised review to a PDF file (`print_review`, the print dialog answered with a file
printer); (3) exporting one of those saved copies as a PDF file (`export_saved_copy`). Each runs to its end (the
sync's finished signal; the call returning), then the beats go on 0.5 s so work queued behind it counts too.
Baseline: the same heartbeat with the window idle. Target: no gap over 50 ms in any of the three.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TARGET_MS = 50.0
BEAT_MS = 10


class Heartbeat:
    """Beats of a 10 ms QTimer on the UI thread; `longest_gap` over the beats since `mark`."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.beats: list[float] = []
        self.timer = QTimer()
        self.timer.setInterval(BEAT_MS)
        self.timer.timeout.connect(lambda: self.beats.append(time.perf_counter()))
        self.timer.start()
        self._from = 0

    def mark(self) -> None:
        self._from = len(self.beats)
        self.beats.append(time.perf_counter())

    def longest_gap(self) -> float:
        """The longest wait between beats since `mark`, beyond the timer's own interval (seconds)."""
        beats = [*self.beats[self._from:], time.perf_counter()]
        gaps = [b - a for a, b in itertools.pairwise(beats)]
        return max(0.0, max(gaps, default=0.0) - BEAT_MS / 1000)


def pump(app: Any, seconds: float, until: Callable[[], bool] = lambda: False) -> bool:
    """Run the event loop for `seconds`, or until `until()` holds; whether it held."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        if until():
            return True
        time.sleep(0.001)
    return until()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="30 learners on the server instead of 500")
    parser.add_argument("--learners", type=int)
    args = parser.parse_args(argv)
    learners = args.learners or (30 if args.quick else 500)

    from benchlib import BENCH_TODAY, could_not_run, free_port, ms, scratch, start_server, stop_server, verdict
    from wizard import give_past_reviews

    with scratch("heartbeat") as root:
        from reviewapp.sync_client.demo_server import DEMO_PASSWORD, DEMO_USERNAME, seed_demo_server

        url = f"sqlite:///{root / 'server.sqlite3'}"
        seed_demo_server(url, learners=learners, seed=5, today=BENCH_TODAY)
        port = free_port()
        try:
            server = start_server(url, port)
        except SystemExit as exc:
            return could_not_run("ui_heartbeat", f"the server did not start: {exc}")
        try:
            return run(root, f"http://127.0.0.1:{port}", learners, DEMO_USERNAME, DEMO_PASSWORD, BENCH_TODAY,
                       give_past_reviews, could_not_run, ms, verdict)
        finally:
            stop_server(server)


def run(root: Path, server_url: str, learners: int, username: str, password: str, today: Any,
        give_past_reviews: Any, could_not_run: Any, ms: Any, verdict: Any) -> int:
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import func, select

    from reviewapp.store.database import Store
    from reviewapp.store.models import Learner
    from reviewapp.ui.main_window import MainWindow
    from reviewapp.ui.print_options import PrintOptions
    from reviewapp.ui.sync_controller import SyncController

    app = QApplication.instance() or QApplication(sys.argv[:1])
    store = Store.open(root / "laptop", username)
    window = MainWindow(store, today=lambda: today)
    window.offer_resume_drafts = lambda: None  # type: ignore[method-assign]
    errors: list[str] = []
    window.show_error = lambda title, text: errors.append(f"{title}: {text}")  # type: ignore[method-assign]
    window.show_info = lambda title, text: errors.append(f"{title}: {text}")  # type: ignore[method-assign]
    controller = SyncController(window, store)
    controller.ask_password = lambda message="": (username, password)  # type: ignore[method-assign]
    controller.save_settings(server_url, username, 0)
    window.show()
    beat = Heartbeat()
    pump(app, 0.3)

    results: dict[str, float] = {}
    beat.mark()
    pump(app, 1.0)
    results["idle"] = beat.longest_gap()

    finished: list[object] = []
    controller.sync_finished.connect(finished.append)
    failures: list[str] = []  # the first "not signed in" is one: the controller then asks and syncs again
    controller.sync_failed.connect(failures.append)
    beat.mark()
    controller.sync_action.trigger()
    if not pump(app, 300, lambda: bool(finished) or bool(errors)) or errors:
        return could_not_run("ui_heartbeat", f"the sync did not finish: {(errors + failures)[-1:]}")
    pump(app, 0.5)
    results["sync"] = beat.longest_gap()
    with store.read() as session:
        pulled = session.scalar(select(func.count()).select_from(Learner)) or 0
        learner_id = session.scalars(select(Learner.id).where(Learner.status == "active")).first()
    if pulled == 0 or learner_id is None:
        return could_not_run("ui_heartbeat", "the sync pulled no learner")

    try:
        give_past_reviews(store, learner_id, 1, today)
    except Exception as exc:  # no signed review, nothing to print
        return could_not_run("ui_heartbeat", f"could not finalise a review to print: {exc!r}")
    from reviewapp.store import reviews

    with store.read() as session:
        review_id = reviews.finalised_review_ids(session, learner_id)[-1]
    printed_to = root / "printed.pdf"

    def to_file(dialog: Any) -> bool:
        from PySide6.QtPrintSupport import QPrinter

        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(printed_to))
        return True

    window.choose_print_options = lambda name, parent: PrintOptions(  # type: ignore[method-assign]
        copies=("learner", "employer", "provider"))
    window.run_print_dialog = to_file  # type: ignore[method-assign]
    pump(app, 0.3)
    beat.mark()
    ids = window.print_review(review_id)
    pump(app, 0.5)
    results["print"] = beat.longest_gap()
    if not ids or not printed_to.exists() or errors:
        return could_not_run("ui_heartbeat", f"printing kept no copy or wrote no file: {errors[:1]}")

    exported_to = root / "exported.pdf"
    window.panel.selected_copy_id = lambda: ids[0]  # type: ignore[method-assign]
    window.choose_export_path = lambda file_name: exported_to  # type: ignore[method-assign]
    beat.mark()
    window.export_saved_copy()
    pump(app, 0.5)
    results["export"] = beat.longest_gap()
    if not exported_to.exists() or errors:
        return could_not_run("ui_heartbeat", f"the export wrote no file: {errors[:1]}")
    beat.timer.stop()
    window.runner.wait()
    window.close()
    store.close()

    print(f"sync of {pulled} learners from a real server, printing 3 signed copies to a PDF file, exporting one; "
          f"heartbeat every {BEAT_MS} ms")
    for name in ("idle", "sync", "print", "export"):
        print(f"  {name}: longest UI-thread block {ms(results[name])}")
    worst = max(("sync", "print", "export"), key=results.__getitem__)
    met = results[worst] * 1000 <= TARGET_MS
    print(f"ui_heartbeat: longest block sync {ms(results['sync'])}, print {ms(results['print'])}, export "
          f"{ms(results['export'])} (idle {ms(results['idle'])}; target <= {TARGET_MS:.0f} ms: {verdict(met)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
