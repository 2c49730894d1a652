"""A learner's review frequency: the provider's schedule, or their own, agreed with the employer.

Why a dialog of its own, from the learner's details: the agreement is made at a visit with the employer, for one
learner, and it is the only way their reviews may be further apart than the provider's interval, so the reason and
who agreed (and when) are asked for with the interval and Save stays off until all are given. The interval's
field stops at the funding ceiling (3 calendar months, or 12 weeks).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from reviewapp.core.review_frequency import AgreedFrequency, frequency_problem
from reviewapp.core.scheduling import FUNDING_CEILING, Interval, ScheduleRules
from reviewapp.ui.date_field import DateField
from reviewapp.ui.interval_field import IntervalField
from reviewapp.ui.plain_label import plain_label


@dataclass(frozen=True)
class FrequencyChoice:
    """What the assessor chose: their own agreed frequency, or None to follow the provider's schedule."""

    frequency: AgreedFrequency | None


class ReviewFrequencyDialog(QDialog):
    """`frequency()` is the choice: None for the provider's schedule, else the agreed frequency."""

    def __init__(self, learner_name: str, current: AgreedFrequency | None, rules: ScheduleRules, *,
                 employer_contact: str = "", today: dt.date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Review frequency: {learner_name}")
        self.today = today or dt.date.today()
        self.provider = QRadioButton(f"Follow the &provider's schedule (every {rules.max_interval}, "
                                     f"{rules.short_interval} when at risk)")
        self.own = QRadioButton("Their &own frequency, agreed with the employer:")
        choice = QButtonGroup(self)
        choice.addButton(self.provider)
        choice.addButton(self.own)
        self.interval = IntervalField(current.interval if current else rules.max_interval, "Every")
        self.reason = QLineEdit(current.reason if current else "")
        self.reason.setAccessibleName("Reason")
        self.reason.setPlaceholderText("e.g. Shift pattern: the employer can release them only monthly")
        self.agreed_by = QLineEdit(current.agreed_by if current else employer_contact)
        self.agreed_by.setAccessibleName("Agreed by, at the employer")
        self.agreed_on = DateField()
        self.agreed_on.setAccessibleName("Agreed on")
        self.agreed_on.set_date(current.agreed_on if current else self.today)
        self.form = QWidget()
        form = QFormLayout(self.form)
        form.addRow("&Every:", self.interval)
        form.addRow("&Reason:", self.reason)
        form.addRow("Agreed &by (employer):", self.agreed_by)
        form.addRow("Agreed o&n:", self.agreed_on)
        for widget in (self.interval, self.reason, self.agreed_by, self.agreed_on):
            label = form.labelForField(widget)
            if isinstance(label, QLabel):
                label.setBuddy(widget)
        note = QLabel(f"This is the only way a learner's reviews may be further apart than the provider's "
                      f"interval. The funding rules still ask for a review at least every {FUNDING_CEILING.count} "
                      "calendar months; being at risk still brings a review forward.")
        note.setWordWrap(True)
        self.problem = plain_label(wrap=True)  # a date field's message quotes what was typed
        self.problem.setStyleSheet("color: #a40000")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.provider)
        layout.addWidget(self.own)
        layout.addWidget(self.form)
        layout.addWidget(note)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        (self.own if current else self.provider).setChecked(True)
        self.own.toggled.connect(self._check)
        self.interval.changed.connect(self._check)
        self.reason.textChanged.connect(self._check)
        self.agreed_by.textChanged.connect(self._check)
        self.agreed_on.edited.connect(self._check)
        self._check()

    def frequency(self) -> AgreedFrequency | None:
        """The choice; raises ValueError (a message for the assessor) for an agreement not fully recorded."""
        if not self.own.isChecked():
            return None
        problem = self._problem()
        if problem:
            raise ValueError(problem)
        agreed_on = self.agreed_on.date()
        assert agreed_on is not None  # _problem says so otherwise
        return AgreedFrequency(self.interval.interval(), self.reason.text().strip(), self.agreed_by.text().strip(),
                               agreed_on)

    def _problem(self) -> str:
        interval: Interval = self.interval.interval()
        return self.agreed_on.error() or frequency_problem(interval, self.reason.text(), self.agreed_by.text(),
                                                           self.agreed_on.date(), today=self.today)

    def _check(self) -> bool:
        self.form.setEnabled(self.own.isChecked())
        problem = self._problem() if self.own.isChecked() else ""
        self.problem.setText(problem)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not problem)
        return not problem

    def _accept(self) -> None:
        if self._check():
            self.accept()
