"""Sync in the main window: a Sync menu, status-bar facts (last sync, pending changes, conflicts), and the runs.

Why a controller rather than code in MainWindow: sync is one feature with its own state (the running client, the
log, the timer); installing it into an existing window keeps the window's code about the caseload. Every sync runs
through the window's `TaskRunner` with progress and can be cancelled; dialogs are opened through methods
(`ask_password`, `open_conflicts`, ...) that tests replace.
"""

from __future__ import annotations

import datetime as dt
import logging
import platform
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QLabel, QMenu

from reviewapp.core.dates import format_datetime
from reviewapp.operations import sync_settings
from reviewapp.store.database import Store
from reviewapp.store.errors import StoreError
from reviewapp.sync_client.engine import SyncClient
from reviewapp.sync_client.errors import (
    DeviceRevokedError,
    NotSignedInError,
    PasswordChangeRequiredError,
    ServerUnreachableError,
    SyncError,
)
from reviewapp.sync_client.server_address import InsecureServerError, check_server_url
from reviewapp.sync_client.summary import SyncSummary
from reviewapp.ui.sync_conflicts import ConflictsDialog
from reviewapp.ui.sync_dialogs import LoginDialog, NewPasswordDialog, SyncLogDialog, SyncSettingsDialog

log = logging.getLogger(__name__)


class SyncController(QObject):
    """Owns sync for one window and one store."""

    sync_finished = Signal(object)  # SyncSummary
    sync_failed = Signal(str)
    status_changed = Signal()

    def __init__(self, window: Any, store: Store, *, client_options: dict[str, Any] | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.store = store
        self.runner = window.runner
        self.client_options = client_options or {}
        #: The laptop's name typed at its first sign-in (the server keeps the first it is given).
        self.device_name: str | None = None
        self.client: SyncClient | None = None
        self.log: list[str] = []
        self.running = False
        #: Whether the server answered the last sync: None until one has been tried in this session.
        self.online: bool | None = None
        #: A sync the user did not ask for (periodic, after finalising): failures go to the log and status bar.
        self.quiet = False

        self.last_sync_label = QLabel()
        self.last_sync_label.setObjectName("lastSyncLabel")
        self.conflicts_label = QLabel()
        self.conflicts_label.setObjectName("conflictsLabel")
        window.statusBar().addPermanentWidget(self.last_sync_label)
        window.statusBar().addPermanentWidget(self.conflicts_label)

        menu = QMenu("S&ync", window)
        window.menuBar().insertMenu(window.help_menu.menuAction(), menu)
        self.sync_action = QAction("&Sync now", self)
        self.sync_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.sync_action.triggered.connect(self.sync_now)
        self.cancel_action = QAction("&Cancel sync", self)
        self.cancel_action.setEnabled(False)
        self.cancel_action.triggered.connect(self.cancel)
        conflicts = QAction("C&onflicts…", self)
        conflicts.triggered.connect(self.open_conflicts)
        log_action = QAction("Sync &log…", self)
        log_action.triggered.connect(self.open_log)
        settings = QAction("Sync s&ettings…", self)
        settings.triggered.connect(self.open_settings)
        sign_in = QAction("Sign &in…", self)
        sign_in.triggered.connect(self.sign_in)
        for action in (self.sync_action, self.cancel_action, conflicts, log_action, settings, sign_in):
            menu.addAction(action)
            window.addAction(action)

        self.timer = QTimer(self)
        self.timer.timeout.connect(self._periodic)
        self.apply_interval()
        self.update_status()

    # --- settings ------------------------------------------------------------------------------------------------

    @property
    def server_url(self) -> str:
        return sync_settings.sync_settings(self.store).server_url

    @property
    def username(self) -> str:
        return sync_settings.sync_settings(self.store).username

    def apply_interval(self) -> None:
        kept = sync_settings.sync_settings(self.store)
        if kept.interval_minutes > 0 and kept.server_url:
            self.timer.start(kept.interval_minutes * 60_000)
        else:
            self.timer.stop()

    def _periodic(self) -> None:
        if not self.running:
            self.sync_now(quiet=True)

    # --- status bar -------------------------------------------------------------------------------------------

    def update_status(self) -> None:
        status = sync_settings.sync_status(self.store)
        pending, conflicts, last = status.pending_changes, status.open_conflicts, status.last_sync
        self.last_sync_label.setText(f"Last sync: {format_datetime(last)}" if last else "Never synced")
        self.conflicts_label.setText(f"{conflicts} conflict{'s' if conflicts != 1 else ''}" if conflicts else "")
        self.window.pending_label.setText(
            "All changes synced" if pending == 0 else f"{pending} change{'s' if pending != 1 else ''} not yet synced"
        )
        kept = sync_settings.sync_settings(self.store)
        if kept.server_url:
            state = {True: "Online", False: "Offline (server not reachable)", None: "Server"}[self.online]
            where = "the demo server on this computer" if kept.embedded else kept.server_url
            self.window.connection_label.setText(f"{state}: {where}")
            self.window.connection_label.setAccessibleName(f"Connection: {state}")
        self.status_changed.emit()

    # --- running a sync --------------------------------------------------------------------------------------

    def after_finalise(self, _review_id: str = "") -> None:
        """Send a just-finalised review as soon as possible: connect `ReviewWizard.finalised` here."""
        self.sync_now(quiet=True)

    def sync_now(self, quiet: bool = False) -> bool:
        """Start a sync off the UI thread; False when there is no server set or one is already running."""
        if self.running:
            return False
        if not self.server_url:
            if not quiet:
                self.open_settings()
            return False
        if not self._usable_address(quiet=quiet):
            return False
        self.running = True
        self.quiet = quiet
        self.sync_action.setEnabled(False)
        self.cancel_action.setEnabled(True)
        self.client = SyncClient(self.store, self.server_url, self.username, **self.client_options)
        self.window.statusBar().showMessage("Syncing…")
        self.runner.run(self.client.sync, on_done=self._done, on_error=self._failed, on_progress=self._progress)
        return True

    def _usable_address(self, *, quiet: bool = False) -> bool:
        """Whether the stored server address may be used; one saved before plain HTTP was refused is reported (and,
        when the user asked, the settings opened to correct it) rather than sent the password or a caseload."""
        try:
            check_server_url(self.server_url, **self._insecure_option())
        except InsecureServerError as exc:
            self._stamp(exc.message)
            if quiet:
                self.window.statusBar().showMessage(f"Not synced: {exc.message}", 60_000)
            else:
                self.window.show_error("The server address is not safe to use", str(exc))
                self.open_settings()
            return False
        return True

    def _insecure_option(self) -> dict[str, Any]:
        allowed = self.client_options.get("allow_insecure_http")
        return {} if allowed is None else {"allow_insecure_http": allowed}

    def cancel(self) -> None:
        if self.client is not None:
            self.client.cancel()
            self.window.statusBar().showMessage("Cancelling the sync at the next safe point…")

    def _progress(self, _done: int, _total: int, text: str) -> None:
        self.window.statusBar().showMessage(text)

    def _finish(self) -> None:
        if self.client is not None:
            self.client.close()
        self.client = None
        self.running = False
        self.sync_action.setEnabled(True)
        self.cancel_action.setEnabled(False)
        self.window.statusBar().clearMessage()

    def _stamp(self, line: str) -> None:
        self.log.append(f"{format_datetime(dt.datetime.now(dt.UTC))}  {line}")
        log.info("sync: %s", line)  # also in the log file, so earlier sessions' syncs can be read by support

    def _done(self, summary: SyncSummary) -> None:
        self._finish()
        self.online = True
        for line in summary.log:
            self._stamp(line)
        self.update_status()
        self.window.reload_rules()  # the office's schedule may have come with this sync
        self.window.refresh()
        if summary.unapplied:  # the rest synced; these few are said, not buried in the log
            if self.quiet:
                self.window.statusBar().showMessage(f"Synced, but {summary.unapplied_text()}", 60_000)
            else:
                self.window.show_error("Some records from the server could not be applied",
                                       summary.unapplied_text()[:1].upper() + summary.unapplied_text()[1:])
        self.sync_finished.emit(summary)

    def _failed(self, exc: Exception) -> None:
        self._finish()
        if isinstance(exc, SyncError):  # it answered (refused, signed out …) unless it could not be reached
            self.online = not isinstance(exc, ServerUnreachableError)
        # The store's own errors (a damaged caseload met during the sync) say what to do, as sync errors do.
        message = str(exc) if isinstance(exc, SyncError | StoreError) else f"Sync failed unexpectedly: {exc}"
        self._stamp(message)
        if isinstance(exc, DeviceRevokedError):
            self.window.show_error("This laptop was signed out", message)
            self.sync_failed.emit(message)
            self.window.close()
            return
        self.update_status()
        if self.quiet:
            self.window.statusBar().showMessage(f"Not synced: {message.splitlines()[0]}", 60_000)
            self.sync_failed.emit(message)
            return
        if isinstance(exc, NotSignedInError):
            self.sync_failed.emit(message)
            if self.sign_in(message):
                self.sync_now()
            return
        self.window.show_error("Sync did not finish", message)
        self.sync_failed.emit(message)

    # --- dialogs (tests replace these) ------------------------------------------------------------------------

    def ask_password(self, message: str = "") -> tuple[str, str] | None:
        """(username, password), or None if the user cancelled."""
        offered = (f"ReviewApp on {platform.node() or 'this laptop'}" if sync_settings.first_sign_in(self.store)
                   else None)
        dialog = LoginDialog(self.server_url, self.username, message, self.window, device_name=offered)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        if dialog.device_name is not None and dialog.device_name.text().strip():
            self.device_name = dialog.device_name.text().strip()[:200]
        return dialog.username.text().strip(), dialog.password.text()

    def ask_new_password(self, message: str = "") -> str | None:
        """A new password typed twice alike, or None if the user cancelled."""
        dialog = NewPasswordDialog(message, self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.password.text()

    def sign_in(self, message: str = "") -> bool:
        answer = self.ask_password(message)
        if answer is None:
            return False
        username, password = answer
        options = {**self.client_options, **({"device_name": self.device_name} if self.device_name else {})}
        try:
            with SyncClient(self.store, self.server_url, username, **options) as client:
                try:
                    client.login(password)
                except PasswordChangeRequiredError as required:
                    # An admin reset the password: choose a new one here, then the client signs in with it.
                    new_password = self.ask_new_password(str(required))
                    if new_password is None:
                        return False
                    client.change_password(password, new_password)
        except (SyncError, InsecureServerError) as exc:
            self.window.show_error("Could not sign in", str(exc))
            return False
        self._stamp(f"Signed in to {self.server_url} as {username}.")
        return True

    def ask_settings(self, server_url: str, username: str, interval_minutes: int) -> tuple[str, str, int] | None:
        """(server address, username, minutes between syncs) from the settings dialog, or None if cancelled."""
        dialog = SyncSettingsDialog(server_url, username, interval_minutes, self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.server_url.text().strip(), dialog.username.text().strip(), dialog.interval.value()

    def open_settings(self) -> None:
        """The settings dialog (also the first start's Connect), asked again until the address is one ReviewApp may
        use or the user cancels."""
        kept = sync_settings.sync_settings(self.store)
        values = (kept.server_url, kept.username, kept.interval_minutes)
        while (answer := self.ask_settings(*values)) is not None:
            if self.save_settings(*answer):
                return
            values = answer

    def save_settings(self, server_url: str, username: str, interval_minutes: int) -> bool:
        """Keep the settings; False (nothing kept, the reason shown) for an address ReviewApp will not use."""
        try:  # an empty address turns sync off
            server_url = check_server_url(server_url, **self._insecure_option()) if server_url.strip() else ""
        except InsecureServerError as exc:
            self.window.show_error("The server address is not safe to use", str(exc))
            return False
        sync_settings.save_sync_settings(self.store, server_url, username, interval_minutes)
        self.apply_interval()
        self.update_status()
        return True

    def conflicts_dialog(self) -> ConflictsDialog:
        return ConflictsDialog(self.store, self.window, on_resolved=self._resolved)

    def open_conflicts(self) -> None:
        self.conflicts_dialog().exec()

    def _resolved(self) -> None:
        self.update_status()
        self.window.refresh()

    def open_log(self) -> None:
        SyncLogDialog(self.log, self.window).exec()
