"""One entry of a learner's off-the-job log, added or edited: the date, the hours, the activity, what was learnt
and the evidence.

Save stays off, with the reason shown, until the entry is one the log accepts: a date that exists and is not in
the future (the log records training done), hours as the shared rule reads them (`core.otj.parse_hours`, the
server's CSV import reads them the same way) and an activity. Nothing is written here: the main window saves
`fields()` through the store, so the entry syncs.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from reviewapp.core.dates import format_date
from reviewapp.core.otj import MAX_ACTIVITY_CHARS, OtjLogEntry, format_hours, parse_hours
from reviewapp.store.otj_log import EntryFields
from reviewapp.ui.date_field import DateField
from reviewapp.ui.plain_label import plain_label
from reviewapp.ui.window_fit import fit_window


class OtjEntryDialog(QDialog):
    """`fields()` is the entry as entered; `exec()` is Accepted only with a valid one."""

    def __init__(self, learner_name: str, entry: OtjLogEntry | None = None, *, today: dt.date | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today = today or dt.date.today()
        self.setWindowTitle(f"{'Edit' if entry else 'Add'} off-the-job entry: {learner_name}")
        self.date = DateField()
        self.date.setAccessibleName("Date")
        self.date.set_date(entry.date if entry else self.today)
        self.hours = QLineEdit(format_hours(entry.hours) if entry else "")
        self.hours.setAccessibleName("Hours")
        self.hours.setPlaceholderText("e.g. 1.5 or 1:30")
        self.hours.setMaximumWidth(self.hours.fontMetrics().horizontalAdvance("00000000000") + 16)
        self.activity = QLineEdit(entry.activity if entry else "")
        self.activity.setAccessibleName("Activity")
        self.activity.setMaxLength(MAX_ACTIVITY_CHARS)
        self.activity.setPlaceholderText("e.g. Training course, Shadowing, Online module, Mentoring")
        self.learnt = QPlainTextEdit(entry.learnt if entry else "")
        self.learnt.setAccessibleName("What was learnt")
        self.learnt.setTabChangesFocus(True)
        self.learnt.setFixedHeight(self.learnt.fontMetrics().lineSpacing() * 4 + 12)
        self.evidence = QLineEdit(entry.evidence if entry else "")
        self.evidence.setAccessibleName("Evidence")
        self.evidence.setPlaceholderText("e.g. Portfolio item 12, certificate, witness statement")
        form = QFormLayout()
        form.addRow("&Date:", self.date)
        form.addRow("&Hours:", self.hours)
        form.addRow("&Activity:", self.activity)
        form.addRow("What was &learnt:", self.learnt)
        form.addRow("&Evidence:", self.evidence)
        for widget in (self.date, self.hours, self.activity, self.learnt, self.evidence):
            label = form.labelForField(widget)
            if isinstance(label, QLabel):
                label.setBuddy(widget)
        self.problem = plain_label(wrap=True)  # quotes what was typed
        self.problem.setStyleSheet("color: #a40000")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.date.edited.connect(self._check)
        self.hours.textChanged.connect(self._check)
        self.activity.textChanged.connect(self._check)
        self.setMinimumWidth(440)
        self._check()
        fit_window(self, "otj_entry", self.sizeHint().expandedTo(QSize(520, 0)))

    def problem_text(self) -> str:
        """Why the entry cannot be saved yet, or "" when it can."""
        if self.date.error():
            return self.date.error()
        day = self.date.date()
        if day is None:
            return "Enter the date of the training."
        if day > self.today:
            return (f"{format_date(day)} is in the future: the log records training done, so enter it on the day "
                    "or after.")
        try:
            parse_hours(self.hours.text())
        except ValueError as exc:
            return str(exc)
        if not self.activity.text().strip():
            return "Say what the activity was."
        return ""

    def fields(self) -> EntryFields:
        """The entry as entered; ValueError (the message for the assessor) when it cannot be saved."""
        problem = self.problem_text()
        if problem:
            raise ValueError(problem)
        day = self.date.date()
        assert day is not None  # problem_text says so otherwise
        return EntryFields(day, parse_hours(self.hours.text()), self.activity.text().strip(),
                           self.learnt.toPlainText().strip(), self.evidence.text().strip())

    def _check(self) -> bool:
        problem = self.problem_text()
        self.problem.setText(problem)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not problem)
        return not problem

    def _accept(self) -> None:
        if self._check():
            self.accept()
