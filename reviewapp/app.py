"""Starting the desktop app: arguments, opening the store (with a clear message when it cannot be opened), the
main window, and the demo caseload on first run."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import reviewapp
from reviewapp import APP_NAME, DATA_DIR_ENV, DEMO_ACCOUNT, OWN_ACCOUNT
from reviewapp.logs import setup_logging

if TYPE_CHECKING:
    from reviewapp.store.database import Store
    from reviewapp.store.errors import StoreOpenError

# Nothing here imports the store (SQLAlchemy, SQLCipher) or the main window at module level: the window is shown
# first and the store opened once it is on screen, so a start paints as soon as Qt itself can.

log = logging.getLogger(__name__)


class _VersionAction(argparse.Action):
    """`--version`, looking the version up only when asked (see `reviewapp.__getattr__`)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_args: object) -> None:
        parser.exit(message=f"{APP_NAME} {reviewapp.__version__}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reviewapp", description="ReviewApp: progress reviews, offline.")
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument(
        "--data-dir", type=Path, default=None,
        help=f"where the local caseload is kept (default: the user data directory, or ${DATA_DIR_ENV})",
    )
    parser.add_argument("--account", default=None,
                        help=f"the account whose caseload to open (default: your own, kept as {OWN_ACCOUNT!r}; the "
                             f"demo is kept apart, as {DEMO_ACCOUNT!r})")
    parser.add_argument("--demo", action="store_true", help="open the demo caseload, making it on first run")
    parser.add_argument(
        "--self-test", action="store_true",
        help="check this installation works (a scripted review, its PDF and printing, in a temporary folder, "
             "offscreen) and exit: 0 if it does",
    )
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


def ask_set_aside(exc: StoreOpenError) -> bool:
    """Whether to set a damaged caseload aside and start afresh: a dialog on a real screen (tests replace this);
    offscreen there is no one to ask, so nothing is done (the message says how to do it by command)."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    if QApplication.platformName() in ("offscreen", "minimal"):
        return False
    box = QMessageBox(QMessageBox.Icon.Critical, f"{APP_NAME}: your caseload is damaged", exc.message)
    box.setInformativeText(exc.advice)
    afresh = box.addButton("Set aside and start afresh", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is afresh


def open_caseload(data_dir: Path | None, account: str, *, demo: bool) -> tuple[Store, Path | None]:
    """The account's store for the window, and where a damaged caseload was set aside (None if it was not).

    A damaged file is never used or changed: the user is told what happened and asked (`ask_set_aside`) whether to
    move it aside, key and all, and start a fresh caseload that the next sync fills from the server. Raises
    `StoreOpenError` (already reported) when the store cannot be opened and the user did not choose that.
    """
    from reviewapp.store.database import Store
    from reviewapp.store.errors import DamagedStoreError

    try:
        return _open_store(data_dir, account, demo=demo), None
    except DamagedStoreError as exc:
        print(f"{APP_NAME}: {exc.message}\n{exc.advice}", file=sys.stderr)
        log.error("The caseload could not be read: %s", exc.message)
        if not ask_set_aside(exc):
            raise
    store, moved = Store.start_afresh(data_dir, account, demo=demo)
    note = (f"The damaged caseload was set aside, untouched, as {moved} (its key kept in your keyring). A fresh "
            "caseload was started: sync to download yours from the server.")
    print(f"{APP_NAME}: {note}", file=sys.stderr)
    log.warning("%s", note)
    return store, moved


def watch_for_damage(window) -> None:  # type: ignore[no-untyped-def]
    """Damage met after the caseload opened (opening reads only the schema; a damaged page shows when it is read):
    the user is asked, as at the start, and if they agree the window closes, the file is set aside and the app
    starts again on a fresh caseload (`run_gui`). Otherwise the error is shown as any failed load is."""
    from reviewapp.store.errors import DamagedStoreError

    shown = window._load_failed

    def load_failed(exc: Exception) -> None:
        if isinstance(exc, DamagedStoreError) and not getattr(window, "start_afresh", False):
            print(f"{APP_NAME}: {exc.message}\n{exc.advice}", file=sys.stderr)
            if ask_set_aside(exc):
                window.start_afresh = True
                window.close()
                return
        shown(exc)

    window._load_failed = load_failed


def run_gui(args: argparse.Namespace) -> int:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    from PySide6.QtGui import QIcon

    from reviewapp.core.resources import resource_path

    app.setWindowIcon(QIcon(str(resource_path("icons", "reviewapp.svg"))))
    connect_first = False
    own, args.demo = start_account(args.data_dir, args.account, args.demo)
    if not args.demo and _first_run(args.data_dir, own):
        from reviewapp.ui.sync_dialogs import FirstRunDialog

        choice = FirstRunDialog()
        choice.exec()
        args.demo = choice.choice == FirstRunDialog.DEMO
        connect_first = choice.choice == FirstRunDialog.CONNECT
    account = DEMO_ACCOUNT if args.demo else own
    from reviewapp.ui.main_window import MainWindow

    today = (lambda: args.today) if args.today else None
    window = MainWindow(None, **({"today": today} if today else {}),
                        server_label="Demo caseload — no server configured" if args.demo else "Offline")
    window.show()
    window.statusBar().showMessage("Opening your caseload…")
    app.processEvents()  # the window is on screen before the store (and SQLAlchemy) are even imported
    app.setApplicationVersion(reviewapp.__version__)
    log.info("%s %s, window shown", APP_NAME, reviewapp.__version__)

    from reviewapp.store.errors import DamagedStoreError, StoreOpenError
    from reviewapp.store.settings import schedule_rules

    try:
        store, set_aside = open_caseload(args.data_dir, account, demo=args.demo)
        set_aside = set_aside or vars(args).pop("set_aside", None)  # set aside by the run before this one
    except DamagedStoreError:  # told already, and the user chose not to start afresh
        window.hide()
        return 1
    except StoreOpenError as exc:
        window.hide()
        report_open_error(exc, gui=True)
        return 1
    window.statusBar().clearMessage()
    embedded = None
    if args.demo:
        try:
            store, embedded = _start_demo_server(store, args.data_dir, args.demo_learners, args.today)
        except Exception:  # the demo still works without its server: fill the store directly, as before
            log.exception("The demo sync server could not start; making the demo caseload locally instead.")
    watch_for_damage(window)
    window.attach_store(store, rules=schedule_rules(store))
    if args.demo:
        from reviewapp.demo import name_demo_provider

        name_demo_provider(store)
    if args.demo and keys_in_file(store):
        show_demo_key_file_note(window)
    from reviewapp.ui.sync_controller import SyncController

    window.sync = SyncController(window, store)  # type: ignore[attr-defined]
    window.review_finalised.connect(window.sync.after_finalise)  # type: ignore[attr-defined]
    if embedded is not None:
        window.sync.sync_now(quiet=True)  # type: ignore[attr-defined]
    elif args.demo:
        _fill_demo_if_empty(window, store, args.demo_learners, args.today)
    else:
        window.refresh()
        if set_aside is not None:
            window.show_info("A fresh caseload was started",
                             f"Your damaged caseload was set aside, untouched, as {set_aside}. Sync now downloads "
                             "everything you synced from the server.")
            window.sync.sync_now()  # type: ignore[attr-defined]
        if _on_a_real_screen():  # offscreen (tests, scripts) nobody could answer
            window.ask_provider_name_if_unset()
        if connect_first:
            window.sync.open_settings()  # type: ignore[attr-defined]
            if window.sync.server_url and window.sync.sign_in():  # type: ignore[attr-defined]
                window.sync.sync_now()  # type: ignore[attr-defined]
    # Offer unfinished drafts once the caseload is on screen. Asked at once, the drafts query (a scan of every
    # review) and its imports ran before the window's first paint and held it back by a third of a second on
    # 2,000 learners (benchmarks/startup.py); now the dialog also has the caseload behind it.
    window.caseload_loaded.connect(window.offer_resume_drafts, Qt.ConnectionType.SingleShotConnection)
    code = app.exec()
    window.runner.wait()
    store.close()
    if embedded is not None:
        embedded.stop()
    if getattr(window, "start_afresh", False):  # damage met while the caseload was open, and the user agreed
        from reviewapp.store.database import Store

        fresh, args.set_aside = Store.start_afresh(args.data_dir, account, demo=args.demo)
        fresh.close()
        return run_gui(args)
    return code


def _start_demo_server(store: Store, data_dir: Path | None, learners: int, today: dt.date | None):  # type: ignore[no-untyped-def]
    """Demo mode with real sync: an embedded server in the data directory, seeded once, the client signed in.

    A demo store filled before the demo had a server (never synced) is made again, so its records are the server's.
    Returns the (possibly new) store and the running server.
    """
    from reviewapp.operations.caseload import has_learners
    from reviewapp.operations.sync_settings import sync_settings
    from reviewapp.store.database import Store
    from reviewapp.store.settings import set_settings
    from reviewapp.store.sync.state import SERVER_ID, read_state
    from reviewapp.sync_client.demo_server import (
        DEMO_MANAGER,
        DEMO_PASSWORD,
        DEMO_SAFEGUARDING_LEAD,
        DEMO_USERNAME,
        seed_demo_server,
        server_url_for,
    )
    from reviewapp.sync_client.engine import SyncClient
    from sync.server.embedded import EmbeddedServer

    configured = sync_settings(store)
    if configured.server_url and not configured.embedded:
        raise RuntimeError("a real server is configured for the demo account; not starting the demo server")
    directory = Path(store.path).parent
    url = server_url_for(directory)
    seed_demo_server(url, learners=learners, today=today)
    if has_learners(store) and not read_state(store).get(SERVER_ID):
        account = store.account
        store.close()
        Store.discard(directory, account)
        store = Store.open(directory, account, demo=True)
    server = EmbeddedServer(url)
    server.start()
    # The office web app is served by the same embedded server: say where, and whom to sign in as.
    print(f"{APP_NAME}: the demo's office web app is at {server.url}/ (sign in as {DEMO_MANAGER!r}, the team's "
          f"manager, or {DEMO_SAFEGUARDING_LEAD!r}, the safeguarding lead; password {DEMO_PASSWORD!r})", flush=True)
    set_settings(store, sync_server_url=server.url, sync_username=DEMO_USERNAME, sync_embedded=True)
    with SyncClient(store, server.url, DEMO_USERNAME, device_name="ReviewApp demo") as client:
        if not client.signed_in():
            client.login(DEMO_PASSWORD)
    return store, server


def start_account(data_dir: Path | None, account: str | None, demo: bool) -> tuple[str, bool]:
    """(the account to open unless it is the demo, whether to open the demo) for a start with these arguments.

    A plain `reviewapp` opens the assessor's own caseload, never the demo's file: a real caseload signed in at the
    first start must not live under the demo's name (demo data is thrown away when its key is lost). Someone who
    chose the demo at the first start, and has no caseload of their own yet, gets the demo again.
    """
    from reviewapp.store.locations import default_account

    own = account or OWN_ACCOUNT
    if demo or account:
        return own, demo
    return own, default_account(data_dir) == DEMO_ACCOUNT


def _on_a_real_screen() -> bool:
    """Whether someone can answer a question at start: not on the offscreen or minimal platforms."""
    from PySide6.QtWidgets import QApplication

    return QApplication.platformName() not in ("offscreen", "minimal")


def _first_run(data_dir: Path | None, account: str) -> bool:
    """No local caseload for the account yet, on a real screen: offer a server or the demo."""
    if not _on_a_real_screen():
        return False
    from reviewapp.store.locations import database_path, default_data_dir

    return not database_path(data_dir or default_data_dir(), account).exists()


def _open_store(data_dir: Path | None, account: str, *, demo: bool) -> Store:
    """Open the account's store. A missing key is never answered with a fresh caseload over the file, not even
    for the demo (someone may have spent an hour trying a review in it): the user is told, and the file is kept.
    Where the keyring forgets keys at each restart, the demo's key is kept in a file beside it instead
    (`keys.key_file_path`), so this happens only when a key really is gone."""
    from reviewapp.store.database import Store
    from reviewapp.store.errors import MissingKeyError
    from reviewapp.store.locations import database_path, default_data_dir

    try:
        store = Store.open(data_dir, account, demo=demo)
    except MissingKeyError as exc:
        if not demo:
            raise
        path = database_path(data_dir or default_data_dir(), account)
        exc.advice += (f" This is the demo caseload: to start a fresh demo instead, move {path} aside (or delete "
                       "it) and start ReviewApp again.")
        raise
    if demo and keys_in_file(store):
        log.warning("%s", DEMO_KEY_FILE_NOTE)
    return store


#: Said in the window and the log when the demo's key is kept in a file (the keyring here forgets at each restart).
DEMO_KEY_FILE_NOTE = ("This computer's keyring forgets keys when it stops, so the demo caseload's key is kept in a "
                      "file beside it, marked NOT-SECURE (the demo only; a real caseload's key is never kept in a "
                      "file).")


def show_demo_key_file_note(window) -> None:  # type: ignore[no-untyped-def]
    """Say in the window, for as long as it is open, that the demo's key is in a file (the log says it too)."""
    from PySide6.QtWidgets import QLabel

    note = QLabel("Demo key kept in a file: not secure")
    note.setObjectName("demoKeyFileNote")
    note.setToolTip(DEMO_KEY_FILE_NOTE)
    note.setAccessibleName(DEMO_KEY_FILE_NOTE)
    window.statusBar().addPermanentWidget(note)


def keys_in_file(store: Store) -> bool:
    """Whether the store's key is kept in a demo key file rather than the keyring."""
    from reviewapp.store import keys

    return keys.key_file_path(Path(store.path)).exists()


def _fill_demo_if_empty(window, store: Store, learners: int, today: dt.date | None) -> None:
    from reviewapp import demo
    from reviewapp.operations.caseload import has_learners

    if has_learners(store):
        window.refresh()
        return
    window.statusBar().showMessage("Preparing the demo caseload…")
    window.runner.run(
        demo.generate, store, learners=learners, today=today,
        on_done=lambda _counts: (window.statusBar().clearMessage(), window.refresh()),
        on_error=lambda exc: window.show_error("Could not make the demo caseload", str(exc)),
    )


#: Commands for scripts and support staff: `reviewapp NAME ...` runs `main(argv)` of the module named here.
SUBCOMMANDS: dict[str, str] = {
    "export-pdf": "reviewapp.reports.cli",
    "sync": "reviewapp.sync_client.cli",
    "verify": "reviewapp.reports.verify_cli",
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    setup_logging()
    log.info("%s starting: %s", APP_NAME, " ".join(argv))  # the version is logged once the window is up
    if argv and argv[0] in SUBCOMMANDS:
        import importlib

        return int(importlib.import_module(SUBCOMMANDS[argv[0]]).main(argv[1:]) or 0)
    args = build_parser().parse_args(argv)
    if args.self_test:
        from reviewapp.selftest import run_self_test

        return run_self_test(today=args.today)
    return run_gui(args)
