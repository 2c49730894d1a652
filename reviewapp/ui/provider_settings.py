"""Provider settings on this laptop: the name and logo printed on every copy, and the review schedule.

Providers differ: one reviews every 6 weeks, another every 2 calendar months (the funding rules allow up to 3 calendar
months), each closes for its own holidays, and each prints its own name on the signed copies. Set once here; the
caseload's overdue / due-soon, each review's proposed next date and every PDF follow.

What the provider's office set for every laptop (taken at sync, `reviewapp.store.office_settings`) is shown here
read-only, with a note saying so: the office's setting is the one used, so a value typed here could only disagree
with it silently.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from reviewapp.core.documents import ReportSettings
from reviewapp.core.scheduling import FUNDING_CEILING, MAX_DUE_SOON_DAYS
from reviewapp.operations.settings import ProviderSettings
from reviewapp.ui.field_width import LONG_FILE_PATH, LONG_PROVIDER_NAME, fit_field_to
from reviewapp.ui.holiday_periods import HolidayPeriodsEditor
from reviewapp.ui.interval_field import IntervalField
from reviewapp.ui.window_fit import fit_window

#: The note beside settings the office set; they are changed there, for every laptop at once.
FROM_OFFICE = ("Set by your provider's office for every laptop (taken at the last sync), so it cannot be changed "
               "here: ask your office's administrator.")


def _office_note(name: str) -> QLabel:
    note = QLabel(FROM_OFFICE)
    note.setObjectName(name)
    note.setWordWrap(True)
    note.setStyleSheet("color: #204a87")
    return note


def _spin(value: int, low: int, high: int, suffix: str, name: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(value)
    spin.setSuffix(suffix)
    spin.setAccessibleName(name)
    return spin


class ProviderSettingsDialog(QDialog):
    """Name, logo and review schedule; OK is refused (with the reason shown) for a schedule the rules forbid."""

    def __init__(self, current: ProviderSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Provider settings")
        self.current = current
        self.name = QLineEdit(current.report.provider_name)
        self.name.setAccessibleName("Provider name")
        self.logo = QLineEdit(str(current.report.logo_path or ""))
        self.logo.setAccessibleName("Logo file")
        self.logo.setPlaceholderText("No logo")
        fit_field_to(self.name, LONG_PROVIDER_NAME)  # the whole name shows, as it will be printed
        fit_field_to(self.logo, LONG_FILE_PATH)
        choose_logo = QPushButton("C&hoose…")
        choose_logo.clicked.connect(self._choose_logo)
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo, 1)
        logo_row.addWidget(choose_logo)
        printed = QGroupBox("On printed copies")
        printed_form = QFormLayout(printed)
        printed_form.addRow("Provider &name:", self.name)
        logo_label = QLabel("&Logo (PNG or JPEG):")
        logo_label.setBuddy(self.logo)
        printed_form.addRow(logo_label, logo_row)
        if current.report_from_office:
            for field in (self.name, self.logo):
                field.setReadOnly(True)
            choose_logo.setEnabled(False)
            printed_form.insertRow(0, _office_note("report_from_office"))

        rules = current.rules
        self.first = IntervalField(rules.first_review, "First review after the start")
        self.interval = IntervalField(rules.max_interval, "Then at most")
        self.short = IntervalField(rules.short_interval,
                                   "When progress or welfare is red or amber, or support is in place")
        self.due_soon = _spin(rules.due_soon_days, 0, MAX_DUE_SOON_DAYS, " days", "Due soon within, in days")
        schedule = QGroupBox("Review schedule")
        schedule_form = QFormLayout(schedule)
        schedule_form.addRow("&First review after the start:", self.first)
        schedule_form.addRow("&Then at most:", self.interval)
        schedule_form.addRow("&Sooner when red / amber or supported:", self.short)
        schedule_form.addRow("Shown as &due soon within:", self.due_soon)
        for widget in (self.first, self.interval, self.short, self.due_soon):
            label = schedule_form.labelForField(widget)
            if isinstance(label, QLabel):
                label.setBuddy(widget)
        ceiling = QLabel(f"The funding rules ask for a review at least every {FUNDING_CEILING.count} calendar "
                         "months. A learner's own frequency, agreed with the employer, is set from the learner's "
                         "details (Review frequency…).")
        ceiling.setWordWrap(True)
        schedule_form.addRow(ceiling)
        self.holidays = HolidayPeriodsEditor(rules.holidays)
        holidays = QGroupBox("Holiday periods (no reviews booked)")
        QVBoxLayout(holidays).addWidget(self.holidays)
        if current.rules_from_office:
            for widget in (self.first, self.interval, self.short, self.due_soon, self.holidays):
                widget.setEnabled(False)
            schedule_form.insertRow(0, _office_note("rules_from_office"))
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #a40000")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        # The settings scroll and Save / Cancel do not: with the holiday periods the form is taller than a
        # 1366x768 screen at 150 % (910x512), and the buttons must stay on screen.
        form = QWidget()
        form_layout = QVBoxLayout(form)
        form_layout.setContentsMargins(0, 0, 0, 0)
        form_layout.addWidget(printed)
        form_layout.addWidget(schedule)
        form_layout.addWidget(holidays, 1)
        scroll = QScrollArea()
        scroll.setWidget(form)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMinimumHeight(160)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(form.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width())
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        for field in (self.first, self.interval, self.short):
            field.changed.connect(self._check)
        self.due_soon.valueChanged.connect(self._check)
        self._check()
        # As tall as the whole form would like (the screen's height caps it, and the form then scrolls).
        margins = layout.contentsMargins()
        wanted = QSize(scroll.minimumWidth() + margins.left() + margins.right(),
                       form.sizeHint().height() + self.problem.sizeHint().height() + self.buttons.sizeHint().height()
                       + 2 * layout.spacing() + margins.top() + margins.bottom())
        fit_window(self, "provider_settings", wanted)

    def settings(self) -> ProviderSettings:
        """The settings as entered; raises ValueError (a message for the user) for a schedule that cannot be.
        Those the office set are returned as they were."""
        if self.current.rules_from_office:
            rules = self.current.rules
        else:
                rules = replace(self.current.rules, first_review=self.first.interval(),
                            max_interval=self.interval.interval(), short_interval=self.short.interval(),
                            due_soon_days=self.due_soon.value(), holidays=self.holidays.periods())
        logo = self.logo.text().strip()
        report = self.current.report if self.current.report_from_office else ReportSettings(
            self.name.text().strip() or self.current.report.provider_name, Path(logo) if logo else None)
        return replace(self.current, report=report, rules=rules)

    def _check(self) -> bool:
        try:
            self.settings()
        except ValueError as error:  # the rules' own message, worded for the person setting them
            self.problem.setText(str(error))
            self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)
            return False
        self.problem.setText("")
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(True)
        return True

    def _accept(self) -> None:
        if self._check():
            self.accept()

    def _choose_logo(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, "Provider logo", self.logo.text() or str(Path.home()),
                                                "Images (*.png *.jpg *.jpeg)")
        if chosen:
            self.logo.setText(chosen)
