"""The main window's saved copies: the selected learner's list, and opening, printing again or exporting one.

A mixin of `MainWindow` (the methods and the dialogs tests replace stay the window's); every read and write is an
operation (`reviewapp.operations.saved_copies`, `.printing`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

if TYPE_CHECKING:
    from reviewapp.store.saved_copies import SavedCopyInfo

# Operations and dialogs are imported where first used, as in main_window.py: the window paints sooner.


class SavedCopyActions:
    """Part of `MainWindow` (see the module's docstring)."""

    def refresh_saved_copies(self) -> None:
        """List the selected learner's saved copies (kept in the store) in the panel, off the UI thread."""
        if self._selected_learner is not None:
            self._copies_asked += 1
            self.runner.run(self._load_saved_copies, self._selected_learner, self._copies_asked,
                            on_done=self._show_saved_copies, on_error=self._load_failed)

    def _load_saved_copies(self, learner_id: str, asked: int) -> tuple[str, int, list[SavedCopyInfo]]:
        from reviewapp.operations import saved_copies

        return learner_id, asked, saved_copies.copies_of_learner(self.store, learner_id)

    def _show_saved_copies(self, loaded: tuple[str, int, list[SavedCopyInfo]]) -> None:
        learner_id, asked, copies = loaded
        if learner_id != self._selected_learner or asked != self._copies_asked:
            return  # an older list, overtaken by one asked for since (after a print, say)
        self.panel.show_saved_copies(copies)
        self.saved_copies_shown.emit(learner_id)

    def _selected_copy(self) -> tuple[SavedCopyInfo, bytes] | None:
        from reviewapp.operations import saved_copies

        copy_id = self.panel.selected_copy_id()
        if copy_id is None:
            self.show_info("Saved copies", "Select a saved copy under the learner's review history first.")
            return None
        found = saved_copies.saved_copy(self.store, copy_id)
        if found is None:
            self.show_info("Saved copies", "That copy is no longer on this laptop.")
            self.refresh_saved_copies()
        return found

    def open_saved_copy(self) -> QDialog | None:
        """Show the selected saved copy in a viewer, from memory: no file is written to open it."""
        from reviewapp.ui.saved_copy_view import SavedCopyViewer

        found = self._selected_copy()
        if found is None:
            return None
        info, pdf = found
        viewer = SavedCopyViewer(f"{info.words} — {info.file_name}", pdf, self)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.show()
        return viewer

    def print_saved_copy(self) -> int:
        """Print the selected saved copy again (an employer who lost theirs): the kept bytes, as handed out."""
        from reviewapp.operations.printing import record_delivery
        from reviewapp.ui.printing import SAVED_COPY_TITLE, print_with_dialog

        found = self._selected_copy()
        if found is None:
            return 0
        info = found[0]

        def delivered(channel: str) -> None:  # a review's copy printed again is handed over again
            if info.review_id is not None:
                record_delivery(self.store, review_id=info.review_id, learner_id=info.learner_id,
                                copies=[info.kind], channel=channel)

        return print_with_dialog([found[1]], self, title=SAVED_COPY_TITLE, run_dialog=self.run_print_dialog,
                                 printed=delivered)

    def export_saved_copy(self) -> Path | None:
        """Write the selected saved copy as a plain file where the assessor chooses, after saying it will then be
        unprotected. The only way a copy leaves the store as a file."""
        from reviewapp.operations import saved_copies

        found = self._selected_copy()
        if found is None:
            return None
        info, _pdf = found
        path = self.choose_export_path(info.file_name)
        if path is None:
            return None
        try:
            saved_copies.export(self.store, info, path)  # a review's copy saved to hand over is a delivery
        except OSError as exc:
            self.show_error("The copy could not be exported", f"{path}: {exc.strerror or exc}")
            return None
        self.refresh_saved_copies()
        self.statusBar().showMessage(f"Exported to {path} — this file is not protected", 15000)
        return path

    def choose_export_path(self, file_name: str) -> Path | None:
        """Say that an exported file is unprotected, then ask where to write it; None if the assessor stops."""
        from PySide6.QtWidgets import QFileDialog

        from reviewapp.store.saved_copies import EXPORT_WARNING

        answer = QMessageBox.warning(self, "Export a saved copy as a file", EXPORT_WARNING,
                                     QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel,
                                     QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Ok:
            return None
        chosen, _filter = QFileDialog.getSaveFileName(self, "Export the copy to", str(Path.home() / file_name),
                                                      "PDF files (*.pdf)")
        return Path(chosen) if chosen else None
