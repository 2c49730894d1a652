"""The main window's changes to the selected learner: review frequency, e-mail consent, a concern, and the
off-the-job log.

A mixin of `MainWindow`; each change is an operation (`reviewapp.operations.learners`, `.otj_log`) and the dialogs
asking for it are methods tests replace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog

from reviewapp.core.caseload import LearnerDetail
from reviewapp.core.dates import format_date

if TYPE_CHECKING:
    from reviewapp.core.otj import OtjLogEntry
    from reviewapp.store.otj_log import EntryFields
    from reviewapp.ui.email_consent_dialog import ConsentChoice
    from reviewapp.ui.review_frequency_dialog import FrequencyChoice

# Operations and dialogs are imported where first used, as in main_window.py: the window paints sooner.


class LearnerActions:
    """Part of `MainWindow` (see the module's docstring)."""

    def set_review_frequency(self) -> bool:
        """The selected learner's review frequency: the provider's schedule, or their own agreed with the employer.

        Saved as a change to the learner (it syncs), and the caseload's due dates follow at once. True when saved.
        """
        from reviewapp.operations.learners import UnknownLearnerError, set_review_frequency

        detail = self._selected_detail()
        if detail is None:
            return False
        learner_id = detail.learner_id
        chosen = self.choose_review_frequency(detail)
        if chosen is None:
            return False
        try:
            set_review_frequency(self.store, learner_id, chosen.frequency)
        except (UnknownLearnerError, ValueError) as exc:
            self.show_error("The review frequency could not be saved", str(exc))
            return False
        self.refresh()
        return True

    def set_email_consent(self) -> bool:
        """Whether the selected learner and their employer's contact agreed to be e-mailed their copies (issue 17):
        saved as a change to the learner and the employer (it syncs). True when saved."""
        from reviewapp.operations.learners import UnknownLearnerError, set_email_consent

        detail = self._selected_detail()
        if detail is None:
            return False
        learner_id = detail.learner_id
        chosen = self.choose_email_consent(detail)
        if chosen is None:
            return False
        try:
            if detail.employer_name:
                set_email_consent(self.store, learner_id, learner=chosen.learner, employer=chosen.employer)
            else:
                set_email_consent(self.store, learner_id, learner=chosen.learner)
        except UnknownLearnerError as exc:
            self.show_error("The answers could not be saved", str(exc))
            return False
        self.refresh()
        return True

    def choose_email_consent(self, detail: LearnerDetail) -> ConsentChoice | None:
        """The answers chosen, or None for Cancel."""
        from reviewapp.ui.email_consent_dialog import EmailConsentDialog

        dialog = EmailConsentDialog(detail.name, detail.email, detail.email_consent,
                                    employer_contact=detail.employer_contact, employer_email=detail.employer_email,
                                    employer=detail.employer_email_consent, has_employer=bool(detail.employer_name),
                                    parent=self)
        return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _selected_detail(self) -> LearnerDetail | None:
        """The selected learner's details as the store holds them now; None when none is selected (or it is gone)."""
        return None if self._selected_learner is None else self._load_detail(self._selected_learner)

    def choose_concern(self, detail: LearnerDetail):  # type: ignore[no-untyped-def]
        """Ask for a concern (the dialog); None when cancelled. Tests replace this."""
        from reviewapp.ui.concern_dialog import ConcernDialog

        dialog = ConcernDialog(detail.name, self)
        return dialog.fields() if dialog.exec() == ConcernDialog.DialogCode.Accepted else None

    def raise_concern(self) -> bool:
        """A safeguarding or learning support concern about the selected learner, without a review (it syncs first,
        offline too); True when saved."""
        from reviewapp.operations.learners import UnknownLearnerError, raise_concern

        detail = self._selected_detail()
        if detail is None:
            return False
        fields = self.choose_concern(detail)
        if fields is None:
            return False
        try:
            raise_concern(self.store, detail.learner_id, fields.route, fields.urgency, fields.text)
        except (UnknownLearnerError, ValueError) as exc:
            self.show_error("The concern could not be saved", str(exc))
            return False
        self.statusBar().showMessage("Concern saved: it goes to the office first at the next sync.", 10_000)
        self.refresh()
        return True

    def add_otj_entry(self) -> bool:
        """A new entry in the selected learner's off-the-job log (it syncs); True when saved."""
        from reviewapp.operations.learners import UnknownLearnerError
        from reviewapp.operations.otj_log import add_entry

        detail = self._selected_detail()
        if detail is None:
            return False
        fields = self.choose_otj_entry(detail, None)
        if fields is None:
            return False
        try:
            add_entry(self.store, detail.learner_id, fields)
        except (UnknownLearnerError, ValueError) as exc:
            self.show_error("The off-the-job entry could not be saved", str(exc))
            return False
        self.refresh()
        return True

    def edit_otj_entry(self) -> bool:
        """The selected off-the-job entry, changed; True when saved."""
        from reviewapp.operations.otj_log import UnknownEntryError, edit_entry

        detail, entry = self._selected_otj_entry()
        if detail is None or entry is None:
            return False
        fields = self.choose_otj_entry(detail, entry)
        if fields is None:
            return False
        try:
            edit_entry(self.store, detail.learner_id, entry.id, fields)
        except (UnknownEntryError, ValueError) as exc:
            self.show_error("The off-the-job entry could not be saved", str(exc))
            return False
        self.refresh()
        return True

    def delete_otj_entry(self) -> bool:
        """The selected off-the-job entry deleted, once confirmed (the deletion syncs); True when deleted."""
        from reviewapp.core.otj import format_hours
        from reviewapp.operations.otj_log import UnknownEntryError, delete_entry

        detail, entry = self._selected_otj_entry()
        if detail is None or entry is None:
            return False
        if not self.confirm("Delete the off-the-job entry?",
                            f"Delete {format_hours(entry.hours)} hours of {entry.activity} on "
                            f"{format_date(entry.date)} from {detail.name}'s log? The office and your other "
                            "devices lose it too at the next sync."):
            return False
        try:
            delete_entry(self.store, detail.learner_id, entry.id)
        except UnknownEntryError as exc:
            self.show_error("The off-the-job entry could not be deleted", str(exc))
            return False
        self.refresh()
        return True

    def _selected_otj_entry(self) -> tuple[LearnerDetail | None, OtjLogEntry | None]:
        entry_id = self.panel.selected_otj_entry_id()
        detail = self._selected_detail() if entry_id else None
        entry = next((e for e in detail.otj_log if e.id == entry_id), None) if detail else None
        return detail, entry

    def choose_review_frequency(self, detail: LearnerDetail) -> FrequencyChoice | None:
        """The frequency chosen (its `frequency` None for the provider's schedule), or None for Cancel."""
        from reviewapp.ui.review_frequency_dialog import FrequencyChoice, ReviewFrequencyDialog

        dialog = ReviewFrequencyDialog(detail.name, detail.review_frequency, self.rules,
                                       employer_contact=detail.employer_contact, today=self.today(), parent=self)
        return FrequencyChoice(dialog.frequency()) if dialog.exec() == QDialog.DialogCode.Accepted else None

    def choose_otj_entry(self, detail: LearnerDetail, entry: OtjLogEntry | None) -> EntryFields | None:
        """The entry as entered (a new one when `entry` is None), or None for Cancel."""
        from reviewapp.ui.otj_entry_dialog import OtjEntryDialog

        dialog = OtjEntryDialog(detail.name, entry, today=self.today(), parent=self)
        return dialog.fields() if dialog.exec() == QDialog.DialogCode.Accepted else None
