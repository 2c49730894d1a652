"""Starting the desktop app: arguments, opening the store (with a clear message when it cannot be opened), the
main window, and the demo caseload on first run."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from pathlib import Path

from reviewapp import APP_NAME, __version__
from reviewapp.store.database import DATA_DIR_ENV, DEMO_ACCOUNT, Store
from reviewapp.store.errors import MissingKeyError, StoreOpenError, WrongKeyError

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reviewapp", description="ReviewApp: progress reviews, offline.")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--data-dir", type=Path, default=None,
        help=f"where the local caseload is kept (default: the user data directory, or ${DATA_DIR_ENV})",
    )
    parser.add_argument("--account", default=DEMO_ACCOUNT, help="the account whose caseload to open")
    parser.add_argument("--demo", action="store_true", help="open the demo caseload, making it on first run")
    parser.add_argument("--demo-learners", type=int, default=40, help=argparse.SUPPRESS)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help=argparse.SUPPRESS)
    return parser


def report_open_error(exc: StoreOpenError, *, gui: bool) -> None:
    """Tell the user, on the command line and (where there is a screen) in a dialog, what went wrong and what to do."""
    print(f"{APP_NAME}: {exc.message}\n{exc.advice}", file=sys.stderr)
    if gui:
        from PySide6.QtWidgets import QApplication, QMessageBox

        if QApplication.platformName() not in ("offscreen", "minimal"):
            box = QMessageBox(QMessageBox.Icon.Critical, f"{APP_NAME} cannot open your caseload", exc.message)
            box.setInformativeText(exc.advice)
            box.exec()


def run_gui(args: argparse.Namespace) -> int:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from reviewapp.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    account = DEMO_ACCOUNT if args.demo else args.account
    try:
        store = _open_store(args.data_dir, account, demo=args.demo)
    except StoreOpenError as exc:
        report_open_error(exc, gui=True)
        return 1
    today = (lambda: args.today) if args.today else None
    window = MainWindow(store, **({"today": today} if today else {}),
                        server_label="Demo caseload — no server configured" if args.demo else "Offline")
    window.show()
    if args.demo:
        _fill_demo_if_empty(window, store, args.demo_learners, args.today)
    else:
        window.refresh()
    # Offer unfinished drafts once the caseload is on screen. Asked at once, the drafts query (a scan of every
    # review) and its imports ran before the window's first paint and held it back by a third of a second on
    # 2,000 learners (benchmarks/startup.py); now the dialog also has the caseload behind it.
    window.caseload_loaded.connect(window.offer_resume_drafts, Qt.ConnectionType.SingleShotConnection)
    code = app.exec()
    window.runner.wait()
    store.close()
    return code


def _open_store(data_dir: Path | None, account: str, *, demo: bool) -> Store:
    """Open the account's store. Demo data is made again when its key is gone (e.g. a session keyring that was
    closed): it holds nothing anyone typed, so starting afresh beats refusing to start."""
    try:
        return Store.open(data_dir, account)
    except (MissingKeyError, WrongKeyError):
        if not demo:
            raise
        log.warning("The demo caseload's key is no longer in the keyring; making a new demo caseload.")
        Store.discard(data_dir, account)
        return Store.open(data_dir, account)


def _fill_demo_if_empty(window, store: Store, learners: int, today: dt.date | None) -> None:
    from reviewapp import demo
    from reviewapp.store.models import Learner

    with store.read() as session:
        empty = session.query(Learner.id).first() is None
    if not empty:
        window.refresh()
        return
    window.statusBar().showMessage("Preparing the demo caseload…")
    window.runner.run(
        demo.generate, store, learners=learners, today=today,
        on_done=lambda _counts: (window.statusBar().clearMessage(), window.refresh()),
        on_error=lambda exc: window.show_error("Could not make the demo caseload", str(exc)),
    )


#: Commands for scripts and support staff: `reviewapp NAME ...` runs `main(argv)` of the module named here.
SUBCOMMANDS: dict[str, str] = {}


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in SUBCOMMANDS:
        import importlib

        return int(importlib.import_module(SUBCOMMANDS[argv[0]]).main(argv[1:]) or 0)
    args = build_parser().parse_args(argv)
    return run_gui(args)
