"""One interval between reviews, as a number and a unit: "8 weeks" or "3 months".

Why one field for both: the funding rules count in calendar months while many providers' procedures count in
weeks, and the same choice is made in the provider's schedule and in a learner's own frequency. The spin box's
range follows the unit, up to the funding ceiling (12 weeks or 3 months: 13 weeks can exceed three calendar months),
so a value the rules forbid cannot be typed at all.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QSpinBox, QWidget

from reviewapp.core.scheduling import FUNDING_CEILING, Interval, IntervalUnit

_UNITS = ((IntervalUnit.WEEKS, "weeks"), (IntervalUnit.MONTHS, "calendar months"))


def longest_allowed(unit: IntervalUnit) -> int:
    """The most weeks, or months, that still fit within the funding ceiling from every start date."""
    count = 1
    while Interval(count + 1, unit).fits_within(FUNDING_CEILING):
        count += 1
    return count


class IntervalField(QWidget):
    """A count and a unit; `changed` fires on any change of either."""

    changed = Signal()

    def __init__(self, value: Interval, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.count = QSpinBox()
        self.unit = QComboBox()
        for unit, words in _UNITS:
            self.unit.addItem(words, unit)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.count)
        layout.addWidget(self.unit, 1)
        self.setFocusProxy(self.count)
        self.setAccessibleName(name)
        self.set_interval(value)
        self.count.valueChanged.connect(self.changed)
        self.unit.currentIndexChanged.connect(self._unit_changed)

    def setAccessibleName(self, name: str) -> None:
        super().setAccessibleName(name)
        self.count.setAccessibleName(f"{name}: number")
        self.unit.setAccessibleName(f"{name}: weeks or months")

    def interval(self) -> Interval:
        return Interval(self.count.value(), self.unit.currentData())

    def set_interval(self, value: Interval) -> None:
        self.unit.blockSignals(True)
        self.unit.setCurrentIndex(self.unit.findData(value.unit))
        self.unit.blockSignals(False)
        self.count.setRange(1, longest_allowed(value.unit))
        self.count.setValue(value.count)

    def _unit_changed(self) -> None:
        self.count.setRange(1, longest_allowed(self.unit.currentData()))
        self.changed.emit()
