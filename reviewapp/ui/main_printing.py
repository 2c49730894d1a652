"""The main window's printing: signed copies of a review, a draft's reading copy, a pre-visit pack, a blank form.

A mixin of `MainWindow`; the bytes to print come from `reviewapp.operations.printing`, and `ui/printing.py` shows
the print dialog and sends them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QWidget

if TYPE_CHECKING:
    from PySide6.QtPrintSupport import QPrintDialog

    from reviewapp.ui.print_options import PrintOptions

# Operations and dialogs are imported where first used, as in main_window.py: the window paints sooner.


class PrintActions:
    """Part of `MainWindow` (see the module's docstring)."""

    def print_selected_review(self) -> list[Path]:
        ids = self._chosen_review_ids("Print a review",
                                      "Select a finalised review in the learner's review history first.")
        return self.print_review(ids[0]) if ids else []

    def print_review(self, review_id: str, parent: QWidget | None = None) -> list[str]:
        """Keep the chosen signed copies (learner's, employer's, provider's) in the encrypted store, then print
        them; the ids of the copies kept. No file is written: a file is had by exporting a saved copy."""
        from reviewapp.operations.printing import review_document
        from reviewapp.reports.review_pdf import ReviewPdfError, verify_signed
        from reviewapp.ui.printing import print_review

        document, settings = review_document(self.store, review_id)
        try:
            verify_signed(document)  # before asking anything: a draft or altered review is never a signed copy
            options = self.choose_print_options(document.learner_name, parent or self)
            if options is None:
                return []
            ids, _pages = print_review(self.store, document, options.copies, parent or self, settings=settings,
                                       run_dialog=self.run_print_dialog)
        except ReviewPdfError as exc:
            self.show_error("This review cannot be printed as a signed copy", str(exc))
            return []
        self.statusBar().showMessage(f"Kept {len(ids)} copies, encrypted, in {document.learner_name}'s saved copies",
                                     10000)
        self.refresh_saved_copies()
        self.refresh()  # the review history lists the copies printed
        return ids

    def print_reading_copy(self, review_id: str, parent: QWidget | None = None) -> int:
        """Print a draft to read through (every page marked "DRAFT — not signed"); nothing is kept or written."""
        from reviewapp.operations.printing import reading_copy
        from reviewapp.ui.printing import READING_COPY_TITLE, print_with_dialog

        return print_with_dialog([reading_copy(self.store, review_id)], parent or self, title=READING_COPY_TITLE,
                                 run_dialog=self.run_print_dialog)

    def print_pre_visit_pack(self) -> str | None:
        """Keep the selected learner's pre-visit pack in their saved copies and print it, to read before the visit;
        the id of the copy kept."""
        from reviewapp.operations.printing import keep_pre_visit_pack
        from reviewapp.ui.printing import PRE_VISIT_TITLE, print_with_dialog

        if self._selected_learner is None:
            self.show_info("Pre-visit pack", "Select a learner in the caseload first.")
            return None
        kept = keep_pre_visit_pack(self.store, self._selected_learner, self.today()).value
        if kept is None:
            return None
        print_with_dialog([kept.pdf], self, title=PRE_VISIT_TITLE, run_dialog=self.run_print_dialog)
        self.statusBar().showMessage(f"Kept the pre-visit pack, encrypted, in {kept.learner_name}'s saved copies",
                                     10000)
        self.refresh_saved_copies()
        return kept.copy_id

    def print_blank_form(self) -> int:
        """Print the review template as a paper form, for a visit where the laptop cannot be used; the pages
        printed. It holds nobody's answers and can be made again at any time, so nothing is kept."""
        from reviewapp.operations.printing import blank_form
        from reviewapp.ui.printing import BLANK_FORM_TITLE, print_with_dialog

        return print_with_dialog([blank_form(self.store)], self, title=BLANK_FORM_TITLE,
                                 run_dialog=self.run_print_dialog)

    def run_print_dialog(self, dialog: QPrintDialog) -> bool:
        return dialog.exec() == dialog.DialogCode.Accepted

    def choose_print_options(self, learner_name: str, parent: QWidget) -> PrintOptions | None:
        from reviewapp.operations.printing import report_settings
        from reviewapp.ui.print_options import PrintOptionsDialog

        dialog = PrintOptionsDialog(learner_name, parent, settings=report_settings(self.store))
        return dialog.options() if dialog.exec() == QDialog.DialogCode.Accepted else None
