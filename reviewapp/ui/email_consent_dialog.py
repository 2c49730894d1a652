"""Whether the learner, and their employer's contact, agreed to be e-mailed their copies of each review (issue 17).

Asked at a visit, so recorded from the learner's details; the server e-mails a copy only to someone recorded as
agreeing, to the address the provider holds (shown here, so the assessor can check it with them).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from reviewapp.ui.plain_label import plain_label
from reviewapp.ui.window_fit import fit_window

#: The answers offered, in order, with their stored values.
ANSWERS: tuple[tuple[str, bool | None], ...] = (("Not asked", None), ("Agreed", True), ("Refused", False))


@dataclass(frozen=True)
class ConsentChoice:
    learner: bool | None
    employer: bool | None


class EmailConsentDialog(QDialog):
    """`choice()` is what was chosen for the learner and for the employer's contact."""

    def __init__(self, learner_name: str, learner_email: str, learner: bool | None, *, employer_contact: str = "",
                 employer_email: str = "", employer: bool | None = None, has_employer: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Copies by e-mail: {learner_name}")
        intro = plain_label("After each review the provider e-mails the learner's copy to the learner and the "
                            "employer's copy to the employer's contact, but only to someone who agreed.")
        intro.setWordWrap(True)
        self.learner = self._answers(learner, "Learner agreed to e-mail")
        self.employer = self._answers(employer, "Employer's contact agreed to e-mail")
        self.employer.setEnabled(has_employer)
        form = QFormLayout()
        form.addRow(plain_label(f"{learner_name} ({learner_email or 'no e-mail address held'})"))
        label = QLabel("&Learner:")
        label.setBuddy(self.learner)
        form.addRow(label, self.learner)
        contact = employer_contact or "the employer's contact"
        form.addRow(plain_label(f"{contact} ({employer_email or 'no e-mail address held'})"))
        label = QLabel("&Employer's contact:")
        label.setBuddy(self.employer)
        form.addRow(label, self.employer)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        fit_window(self, "email_consent", self.sizeHint())  # fits the screen, comes back as it was left

    def _answers(self, current: bool | None, name: str) -> QComboBox:
        box = QComboBox()
        box.setAccessibleName(name)
        for words, value in ANSWERS:
            box.addItem(words, value)
        box.setCurrentIndex([value for _, value in ANSWERS].index(current))
        return box

    def choice(self) -> ConsentChoice:
        return ConsentChoice(self.learner.currentData(), self.employer.currentData())
