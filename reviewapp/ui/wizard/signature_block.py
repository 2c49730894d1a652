"""One party's signature on the wizard's signing step: drawn on the pad with their name, or why they could not sign."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from reviewapp.core.dates import format_datetime
from reviewapp.core.templates import Question
from reviewapp.ui.read_only import show_read_only
from reviewapp.ui.signature_pad import SignaturePad
from sync.protocol import SignatureData

ROLE_TITLES = {"learner": "Learner", "employer": "Employer's representative", "assessor": "Assessor"}


class SignatureBlock(QWidget):
    """One party's signature: drawn on the pad with their name, or the reason they could not sign."""

    changed = Signal(str)

    def __init__(self, question: Question) -> None:
        super().__init__()
        self.role = question.role or "learner"
        self.question = question
        self.pad = SignaturePad()
        self.pad.setAccessibleName(f"Signature pad: {ROLE_TITLES[self.role]}")
        self.name = QLineEdit()
        self.name.setAccessibleName(f"{ROLE_TITLES[self.role]}: name")
        self.name.setPlaceholderText("Full name")
        self.clear_button = QPushButton("Clear signature")
        self.clear_button.setAccessibleName(f"Clear the {ROLE_TITLES[self.role].lower()}'s signature")
        self.absent = QCheckBox("Could not sign")
        self.absent.setAccessibleName(f"{ROLE_TITLES[self.role]} could not sign")
        self.absent.setVisible(question.allow_absence)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Why, e.g. the employer left before the end; copy to be signed later")
        self.reason.setAccessibleName(f"{ROLE_TITLES[self.role]}: reason for not signing")
        self.reason.setVisible(False)
        self.signed_label = QLabel()
        row = QHBoxLayout()
        # No mnemonic: three "&Name"s on one step took Alt+N from Next (Qt cycles focus between clashing
        # mnemonics instead of clicking), so Next never reached the summary from the keyboard.
        name_label = QLabel("Name")
        name_label.setBuddy(self.name)
        row.addWidget(name_label)
        row.addWidget(self.name, 1)
        row.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.pad)
        layout.addWidget(self.signed_label)
        layout.addWidget(self.absent)
        layout.addWidget(self.reason)
        self.pad.signed.connect(lambda: self.changed.emit(self.role))
        self.clear_button.clicked.connect(self._clear)
        self.name.editingFinished.connect(lambda: self.changed.emit(self.role))
        self.reason.editingFinished.connect(lambda: self.changed.emit(self.role))
        self.absent.toggled.connect(self._absent_toggled)

    def _clear(self) -> None:
        self.pad.clear()
        self.changed.emit(self.role)

    def _absent_toggled(self, on: bool) -> None:
        # Nothing is saved (and no drawn signature replaced) until a reason is given.
        self.reason.setVisible(on)
        self.pad.setEnabled(not on)
        if on:
            self.reason.setFocus()
        else:
            self.changed.emit(self.role)

    def show_signature(self, signature: SignatureData | None) -> None:
        for widget in (self.absent, self.name):
            widget.blockSignals(True)
        self.name.setText(signature.name if signature else "")
        self.pad.set_strokes(signature.strokes if signature else [])
        absent = bool(signature and signature.absent_reason)
        self.absent.setChecked(absent)
        self.reason.setVisible(absent)
        self.reason.setText(signature.absent_reason if signature else "")
        self.pad.setEnabled(not absent)
        self.signed_label.setText(f"Signed {format_datetime(signature.signed_at)}"
                                  if signature and signature.signed_at else "")
        for widget in (self.absent, self.name):
            widget.blockSignals(False)

    def set_read_only(self, read_only: bool) -> None:
        """The signed name and reason stay in normal text, readable and reachable (reviewapp.ui.read_only)."""
        self.pad.set_read_only(read_only)
        show_read_only(self, read_only)
