"""The provider's holiday periods, in which no review is booked: a list to add to, change and remove from.

Why here rather than typed somewhere as text: each period is two dates and a name (e.g. "Christmas closure"), and a
proposed or due review date that falls in one is brought forward to the working day before it, so a wrong date
would move reviews silently. Dates are typed or picked with the app's one date field and checked as they are added.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reviewapp.core.dates import format_date
from reviewapp.core.scheduling import HolidayPeriod
from reviewapp.ui.date_field import DateField
from reviewapp.ui.plain_label import plain_label


def period_words(period: HolidayPeriod) -> str:
    dates = f"{format_date(period.start)} to {format_date(period.end)}"
    return f"{period.name}: {dates}" if period.name else dates


class HolidayPeriodsEditor(QWidget):
    """The periods, earliest first. Selecting one loads it into the fields below to change (Update) or remove."""

    changed = Signal()

    def __init__(self, periods: tuple[HolidayPeriod, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._periods: list[HolidayPeriod] = sorted(periods, key=lambda p: (p.start, p.end))
        self.list = QListWidget()
        self.list.setAccessibleName("Holiday periods")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.start = DateField()
        self.start.setAccessibleName("Holiday from")
        self.end = DateField()
        self.end.setAccessibleName("Holiday to")
        self.name = QLineEdit()
        self.name.setAccessibleName("Holiday name")
        self.name.setPlaceholderText("e.g. Christmas closure")
        self.add_button = QPushButton("&Add")
        self.update_button = QPushButton("U&pdate")
        self.remove_button = QPushButton("Remo&ve")
        self.problem = plain_label(wrap=True)  # a date field's message quotes what was typed
        self.problem.setStyleSheet("color: #a40000")

        fields = QGridLayout()
        for column, (text, widget) in enumerate((("Fr&om:", self.start), ("&Until:", self.end), ("Na&me:", self.name))):
            label = QLabel(text)
            label.setBuddy(widget)
            fields.addWidget(label, 0, column * 2)
            fields.addWidget(widget, 0, column * 2 + 1)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.update_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(fields)
        layout.addLayout(buttons)
        layout.addWidget(self.problem)

        self.add_button.clicked.connect(self.add)
        self.update_button.clicked.connect(self.update_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.list.currentRowChanged.connect(self._selected)
        self._show()

    def periods(self) -> tuple[HolidayPeriod, ...]:
        return tuple(self._periods)

    def add(self) -> bool:
        """Add the period in the fields; False (with the reason shown) when it is not a period."""
        period = self._entered()
        if period is None:
            return False
        self._periods.append(period)
        self._show(period)
        return True

    def update_selected(self) -> bool:
        row = self.list.currentRow()
        period = self._entered() if row >= 0 else None
        if period is None:
            return False
        self._periods[row] = period
        self._show(period)
        return True

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            del self._periods[row]
            self._show()

    def _entered(self) -> HolidayPeriod | None:
        start, end = self.start.date(), self.end.date()
        problem = self.start.error() or self.end.error()
        if not problem and (start is None or end is None):
            problem = "Give the first and the last day of the holiday."
        elif not problem and start is not None and end is not None and end < start:
            problem = "The holiday cannot end before it starts."
        self.problem.setText(problem)
        if problem or start is None or end is None:
            return None
        return HolidayPeriod(start, end, self.name.text().strip())

    def _selected(self, row: int) -> None:
        has_row = 0 <= row < len(self._periods)
        self.update_button.setEnabled(has_row)
        self.remove_button.setEnabled(has_row)
        if has_row:
            period = self._periods[row]
            self.start.set_date(period.start)
            self.end.set_date(period.end)
            self.name.setText(period.name)

    def _show(self, current: HolidayPeriod | None = None) -> None:
        self._periods.sort(key=lambda p: (p.start, p.end))
        self.list.blockSignals(True)
        self.list.clear()
        for period in self._periods:
            self.list.addItem(QListWidgetItem(period_words(period)))
        if not self._periods:
            self.list.addItem(QListWidgetItem("No holiday periods: reviews may fall on any weekday."))
            self.list.item(0).setFlags(Qt.ItemFlag.NoItemFlags)
        self.list.blockSignals(False)
        row = self._periods.index(current) if current in self._periods else -1
        self.list.setCurrentRow(row)
        self._selected(row)
        self.problem.setText("")
        self.changed.emit()
