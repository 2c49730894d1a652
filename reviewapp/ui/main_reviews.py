"""The main window's reviews: start or resume one, open, compare, add an addendum, discard a draft, and the
unfinished drafts offered at start.

A mixin of `MainWindow`; drafts are started and discarded by `reviewapp.operations.drafts`, compared by
`reviewapp.operations.comparison`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from reviewapp.core.dates import format_date, format_datetime
from reviewapp.ui.rows_model import KEY_ROLE

if TYPE_CHECKING:
    from reviewapp.store.reviews import DraftSummary
    from reviewapp.ui.review_compare import ReviewComparison
    from reviewapp.ui.wizard.review_wizard import ReviewWizard

# Operations and dialogs are imported where first used, as in main_window.py: the window paints sooner.


class ReviewActions:
    """Part of `MainWindow` (see the module's docstring)."""

    def start_review(self) -> ReviewWizard | None:
        """Resume the selected learner's draft if there is one, else start a new review for them."""
        from reviewapp.operations import drafts

        learner_id = self._selected_learner
        if learner_id is None:
            self.show_info("Start a review", "Select a learner in the caseload first.")
            return None
        started = drafts.start_or_resume(self.store, learner_id, self.today(), self.rules)
        if started.changes:  # a new draft, not the one resumed
            self.refresh()
        return self.open_review(started.value)

    def open_review(self, review_id: str) -> ReviewWizard:
        """Show a review: a draft to carry on with, or a finalised one read-only."""
        from reviewapp.ui.wizard.review_wizard import ReviewWizard

        wizard = self.wizards.get(review_id)
        if wizard is None:
            wizard = ReviewWizard(self.store, review_id, rules=self.rules)
            wizard.setWindowFlag(Qt.WindowType.Window)
            wizard.finalised.connect(self._on_finalised)
            wizard.print_requested.connect(lambda rid, w=wizard: self.print_review(rid, w))
            wizard.print_reading_requested.connect(lambda rid, w=wizard: self.print_reading_copy(rid, w))
            wizard.destroyed.connect(lambda *_: self.wizards.pop(review_id, None))
            wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.wizards[review_id] = wizard
        wizard.show()
        wizard.raise_()
        wizard.activateWindow()
        self.review_opened.emit(wizard)
        return wizard

    def _on_finalised(self, review_id: str) -> None:
        self.refresh()
        self.review_finalised.emit(review_id)

    def _selected_history_ids(self) -> list[str]:
        view = self.panel.reviews_view
        rows = sorted({i.row() for i in view.selectionModel().selectedRows()}) or (
            [view.currentIndex().row()] if view.currentIndex().isValid() else [])
        return [self.panel.reviews_model.index(r, 0).data(KEY_ROLE) for r in rows]

    def _chosen_review_ids(self, title: str, hint: str) -> list[str]:
        """The reviews a history action (open, print) works on, or [] after saying what to select.

        With no learner selected the history is empty, so asking for "a review in the learner's review history"
        pointed at nothing: say to select a learner first. A learner with a single review needs no second choice."""
        if self._selected_learner is None:
            self.show_info(title, "Select a learner in the caseload first.")
            return []
        ids = self._selected_history_ids()
        if not ids and self.panel.reviews_model.rowCount() == 1:
            ids = [self.panel.reviews_model.index(0, 0).data(KEY_ROLE)]
        if not ids:
            self.show_info(title, hint)
        return ids

    def open_selected_review(self) -> ReviewWizard | None:
        ids = self._chosen_review_ids("Open a review", "Select a review in the learner's review history first.")
        return self.open_review(ids[0]) if ids else None

    def compare_reviews(self) -> ReviewComparison | None:
        """Compare the two reviews selected in the history, or else the learner's two latest finalised ones."""
        from reviewapp.operations.comparison import compare
        from reviewapp.ui.review_compare import ReviewComparison

        learner_id = self._selected_learner
        if learner_id is None:
            self.show_info("Compare reviews", "Select a learner in the caseload first.")
            return None
        compared = compare(self.store, learner_id, self._selected_history_ids())
        if compared is None:
            self.show_info("Compare reviews", "This learner needs at least two reviews to compare.")
            return None
        dialog = ReviewComparison(self.panel.learner_name or "", compared.earlier, compared.later, compared.rows,
                                  self)
        dialog.show()
        return dialog

    def add_addendum(self) -> ReviewWizard | None:
        """A correction to a finalised review: a short signed record linked to it (what was wrong, what is right,
        why), since the signed review never changes. It sets no targets and moves no review dates."""
        from reviewapp.operations import drafts

        ids = self._selected_history_ids()
        if not ids or self._selected_learner is None:
            self.show_info("Add an addendum", "Select a finalised review in the learner's review history first.")
            return None
        review_id = drafts.start_addendum(self.store, self._selected_learner, ids[0], self.today(), self.rules).value
        if review_id is None:
            self.show_info("Add an addendum", "Only a finalised review takes an addendum; a draft can be edited.")
            return None
        self.refresh()
        return self.open_review(review_id)

    def discard_selected_draft(self) -> bool:
        """Discard the draft selected in the review history (started for the wrong learner, an addendum opened by
        mistake), after asking. It is voided with the reason "Discarded draft" and the void syncs, so the office
        sees what happened; a finalised review is never discarded. Returns True when the draft was discarded."""
        from reviewapp.operations import drafts

        ids = self._selected_history_ids()
        if not ids:
            self.show_info("Discard a draft", "Select the draft in the learner's review history first.")
            return False
        review = drafts.review(self.store, ids[0])
        if review.status != "draft":
            self.show_info("Discard a draft", "Only a draft can be discarded. A finalised review stays as it was "
                                              "signed: add an addendum to correct it.")
            return False
        kind = "addendum" if review.addendum_to_id else "review"
        if not self.confirm("Discard this draft?",
                            f"Discard the draft {kind} of {format_date(review.visit_date) or 'no date'}? Its answers "
                            "and any signatures will no longer be offered or printed. It is kept on record as a "
                            "discarded draft (also on the server after the next sync). This cannot be undone."):
            return False
        wizard = self.wizards.pop(ids[0], None)
        if wizard is not None:
            wizard.close()  # saves what was typed first, so no save lands on the discarded draft
        try:
            drafts.discard(self.store, ids[0], review.learner_id)
        except drafts.NotADraftError as exc:
            self.show_info("Discard a draft", str(exc))
            return False
        self.statusBar().showMessage("The draft was discarded", 10000)
        self.refresh()
        return True

    def offer_resume_drafts(self) -> ReviewWizard | None:
        """On start, offer to carry on with a review that was left unfinished (after a crash or a flat battery)."""
        from reviewapp.operations.drafts import unfinished_drafts

        drafts = unfinished_drafts(self.store)
        if not drafts:
            return None
        chosen = self.choose_draft(drafts)
        return self.open_review(chosen.review_id) if chosen else None

    def choose_draft(self, drafts: list[DraftSummary]) -> DraftSummary | None:
        labels = [f"{d.learner_name} — {'addendum' if d.is_addendum else 'visit'} {format_date(d.visit_date)}, "
                  f"last saved {format_datetime(d.updated_at)}" for d in drafts]
        choice, ok = QInputDialog.getItem(self, "Unfinished reviews",
                                          "These reviews are not finalised yet. Carry on with one now?",
                                          labels, 0, False)
        return drafts[labels.index(choice)] if ok and choice in labels else None
