"""Startup: process start → first paint of the main window on a 2,000-learner caseload, vs a bare QMainWindow.

    python benchmarks/startup.py [--quick] [--repeats N] [--learners N]

Each run is a separate process timed from just before `Popen` to the wall-clock time the child prints when its
window receives its first Paint (or Expose) event; the app and the bare window alternate so drift hits both alike.
Also reported: when the caseload has arrived in the table (the window paints first and loads off the UI thread).
Targets (issue 18): first paint <= 1.3x a bare window; the caseload in the table <= 4x.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

TARGET_RATIO = 1.3
SHOWN_TARGET_RATIO = 4.0


def child(kind: str, data_dir: str | None) -> int:
    """Run in the child process: show a window, print `PAINT <time.time()>` at its first paint, then quit.

    The app child goes through the real entry point (`reviewapp.app.main`), so it pays exactly the imports and
    the store opening a user's start does; an application-wide event filter spots the main window's first paint.
    """
    if kind == "app":
        from reviewapp import app as entry  # first, as `reviewapp` itself starts: the store before Qt
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

    app = QApplication(sys.argv[:1])

    class FirstPaint(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.seen = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if (not self.seen and event.type() in (QEvent.Type.Paint, QEvent.Type.Expose)
                    and isinstance(watched, QWidget) and isinstance(watched.window(), QMainWindow)):
                self.seen = True
                print(f"PAINT {time.time():.6f}", flush=True)
                window = watched.window()
                if kind == "bare":
                    QTimer.singleShot(0, app.quit)
                elif window.model.rowCount():
                    self.loaded(window)
                else:  # the table filled (the app's own slots on caseload_loaded, e.g. the drafts offer, come after)
                    window.model.modelReset.connect(lambda: window.model.rowCount() and self.loaded(window))
            return False

        def loaded(self, window: QMainWindow) -> None:
            print(f"LOADED {time.time():.6f} {window.model.rowCount()}", flush=True)
            QTimer.singleShot(0, app.quit)

    watcher = FirstPaint()
    app.installEventFilter(watcher)
    if kind == "bare":
        window = QMainWindow()
        window.resize(1280, 780)
        window.show()
        app.exec()
        return 0
    return entry.main(["--data-dir", str(data_dir), "--account", "demo", "--today", "2026-11-23"])


def run_once(kind: str, data_dir: Path) -> tuple[float, float | None]:
    """Seconds from just before Popen to first paint (and to the caseload shown, for the app)."""
    from benchlib import child_env

    command = [sys.executable, __file__, "--child", kind, "--data-dir", str(data_dir)]
    started = time.time()
    result = subprocess.run(command, capture_output=True, text=True, env=child_env(), timeout=120, check=False)
    stamps = dict(line.split(" ")[:2] for line in result.stdout.splitlines() if line.startswith(("PAINT", "LOADED")))
    if result.returncode != 0 or "PAINT" not in stamps:
        raise RuntimeError(f"{kind} child failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    loaded = float(stamps["LOADED"]) - started if "LOADED" in stamps else None
    return float(stamps["PAINT"]) - started, loaded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 repeats instead of 15")
    parser.add_argument("--repeats", type=int)
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--child", choices=("app", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.data_dir)

    from benchlib import make_caseload, median, scratch, verdict

    repeats = args.repeats or (5 if args.quick else 15)
    with scratch("startup") as root:
        data_dir = root / "data"
        made = time.perf_counter()
        make_caseload(data_dir, args.learners)
        print(f"caseload of {args.learners} learners made in {time.perf_counter() - made:.1f} s")
        run_once("bare", data_dir)  # warm the file cache for both kinds before timing
        run_once("app", data_dir)
        bare: list[float] = []
        app: list[float] = []
        loaded: list[float] = []
        for i in range(repeats):
            b, _ = run_once("bare", data_dir)
            a, shown = run_once("app", data_dir)
            bare.append(b)
            app.append(a)
            if shown is not None:
                loaded.append(shown)
            print(f"  run {i + 1}/{repeats}: bare {b * 1000:.0f} ms, app first paint {a * 1000:.0f} ms, "
                  f"caseload shown {shown * 1000 if shown else float('nan'):.0f} ms")
    ratio = median(app) / median(bare)
    shown_ratio = median(loaded) / median(bare)
    print(f"median: bare {median(bare) * 1000:.0f} ms, app first paint {median(app) * 1000:.0f} ms, "
          f"caseload shown {median(loaded) * 1000:.0f} ms ({shown_ratio:.2f}x bare)")
    print(f"startup: first paint {ratio:.2f}x a bare QMainWindow on {args.learners} learners "
          f"(target <= {TARGET_RATIO}x: {verdict(ratio <= TARGET_RATIO)}); caseload in the table {shown_ratio:.2f}x "
          f"(target <= {SHOWN_TARGET_RATIO:.0f}x: {verdict(shown_ratio <= SHOWN_TARGET_RATIO)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
