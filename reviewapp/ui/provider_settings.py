"""Provider settings on this laptop: the name and logo printed on every copy, and the review schedule.

Providers differ: one reviews every 6 weeks, another every 10 (funding rules allow up to 12), and each prints its own
name on the signed copies. Set once here; the caseload's overdue / due-soon, each review's proposed next date and
every PDF follow.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from reviewapp.core.documents import ReportSettings
from reviewapp.core.scheduling import ScheduleRules
from reviewapp.ui.field_width import LONG_FILE_PATH, LONG_PROVIDER_NAME, fit_field_to
from reviewapp.ui.window_fit import fit_window


@dataclass(frozen=True)
class ProviderSettings:
    report: ReportSettings
    rules: ScheduleRules


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

        rules = current.rules
        self.first = _spin(rules.first_review_weeks, 1, 12, " weeks", "First review after, in weeks")
        self.interval = _spin(rules.max_interval_weeks, 1, 12, " weeks", "Then at most, in weeks")
        self.short = _spin(rules.short_interval_weeks, 1, 12, " weeks",
                           "When progress or welfare is red or amber, or support is in place, in weeks")
        self.due_soon = _spin(rules.due_soon_days, 0, 28, " days", "Due soon within, in days")
        schedule = QGroupBox("Review schedule")
        schedule_form = QFormLayout(schedule)
        schedule_form.addRow("&First review after the start:", self.first)
        schedule_form.addRow("&Then at most:", self.interval)
        schedule_form.addRow("&Sooner when red / amber or supported:", self.short)
        schedule_form.addRow("Shown as &due soon within:", self.due_soon)
        for label, spin in ((schedule_form.labelForField(w), w) for w in (self.first, self.interval, self.short,
                                                                          self.due_soon)):
            if isinstance(label, QLabel):
                label.setBuddy(spin)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #a40000")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(printed)
        layout.addWidget(schedule)
        layout.addWidget(QLabel("Funding rules allow reviews up to 12 weeks apart."))
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        for spin in (self.first, self.interval, self.short, self.due_soon):
            spin.valueChanged.connect(self._check)
        self._check()
        fit_window(self, "provider_settings", self.sizeHint())

    def settings(self) -> ProviderSettings:
        """The settings as entered; raises ValueError (a message for the user) for a schedule that cannot be."""
        rules = replace(self.current.rules, first_review_weeks=self.first.value(),
                        max_interval_weeks=self.interval.value(), short_interval_weeks=self.short.value(),
                        due_soon_days=self.due_soon.value())
        logo = self.logo.text().strip()
        report = ReportSettings(self.name.text().strip() or self.current.report.provider_name,
                                Path(logo) if logo else None)
        return ProviderSettings(report, rules)

    def _check(self) -> bool:
        try:
            self.settings()
        except ValueError:
            self.problem.setText("The sooner interval cannot be longer than the usual one.")
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
