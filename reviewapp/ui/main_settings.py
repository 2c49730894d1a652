"""The main window's provider settings (name, logo, review schedule) and its Help menu.

A mixin of `MainWindow`; the settings are read and kept by `reviewapp.operations.settings`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog

if TYPE_CHECKING:
    from reviewapp.operations.settings import ProviderSettings

# Operations and dialogs are imported where first used, as in main_window.py: the window paints sooner.


class SettingsActions:
    """Part of `MainWindow` (see the module's docstring)."""

    def open_provider_settings(self) -> None:
        """Name and logo on printed copies, and the review schedule the caseload and the wizard follow."""
        from reviewapp.operations import settings

        current = settings.provider_settings(self.store)
        self.rules = current.rules  # as the last sync left them
        chosen = self.choose_provider_settings(current)
        if chosen is None:
            return
        settings.save_provider_settings(self.store, chosen)
        self.rules = chosen.rules
        self.refresh()

    def reload_rules(self) -> None:
        """Take the review schedule again from the store: a sync may have brought the office's."""
        from reviewapp.operations.settings import schedule_rules

        self.rules = schedule_rules(self.store)

    def ask_provider_name_if_unset(self) -> bool:
        """At a start with no provider name set, ask for it (every copy is headed by it); whether a name was saved.
        Declining leaves the placeholder, and the question comes again at the next start."""
        from reviewapp.operations.printing import report_settings
        from reviewapp.operations.settings import name_provider

        if report_settings(self.store).provider_named:
            return False
        name = self.choose_provider_name()
        if not name:
            return False
        name_provider(self.store, name)
        self.statusBar().showMessage(f"Copies will be headed “{name}”", 10000)
        return True

    def choose_provider_settings(self, current: ProviderSettings) -> ProviderSettings | None:
        from reviewapp.ui.provider_settings import ProviderSettingsDialog

        dialog = ProviderSettingsDialog(current, self)
        return dialog.settings() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def choose_provider_name(self) -> str | None:
        from reviewapp.ui.provider_name import ProviderNameDialog

        dialog = ProviderNameDialog(self)
        return dialog.chosen_name() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def open_log_folder(self) -> Path:
        """Show the folder of log files (for support staff helping on the phone)."""
        from reviewapp.logs import log_dir

        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        self.open_url(QUrl.fromLocalFile(str(folder)))
        return folder

    def show_getting_started(self) -> str:
        """A short guide to a first visit, from the Help menu; the text shown."""
        from reviewapp.ui.help_text import GETTING_STARTED, GETTING_STARTED_TITLE

        self.show_info(GETTING_STARTED_TITLE, GETTING_STARTED)
        return GETTING_STARTED

    def show_about(self) -> str:
        """The About box with the running version (the first thing support asks for); the text shown."""
        import reviewapp
        from reviewapp.ui.help_text import ABOUT_TITLE, about_text

        text = about_text(reviewapp.__version__)
        self.show_info(ABOUT_TITLE, text)
        return text

    def open_url(self, url: QUrl) -> None:
        QDesktopServices.openUrl(url)
