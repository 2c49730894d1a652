"""The one date field of the app: type a date as it is said, or pick it from a calendar; empty means empty.

A QDateEdit always holds some date, so "not set" had to be a sentinel (01/01/2000) that the calendar opened on and
that typing fought with, section by section. This field is a line edit: what is typed is read by
`reviewapp.core.dates.parse_typed_date` (16/01/2027, 16/1/27, 16-1-2027 ...), blank is no date, and the calendar
opens on the date shown, else on a proposal the caller gives (a target's due date opens on the next review), else
on today. Values go in and out as `datetime.date | None`; the editors keep them as ISO text, as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from reviewapp.core.dates import DATE_PLACEHOLDER, format_date, london_today, parse_typed_date

Proposal = Callable[[], dt.date | None]


class _CalendarPopup(QFrame):
    """A calendar in a pop-up window: Enter or a click picks the day, Escape closes it unchanged."""

    picked = Signal(object)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.calendar = QCalendarWidget(self)
        self.calendar.setGridVisible(True)
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)  # as UK calendars print it
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.calendar)
        self.calendar.activated.connect(self._pick)
        self.calendar.clicked.connect(self._pick)

    def _pick(self, day: QDate) -> None:
        self.picked.emit(day.toPython())
        self.close()


class DateField(QWidget):
    """A date typed or picked. `edited` fires on every change the user makes (typing, picking, clearing)."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None, proposal: Proposal | None = None) -> None:
        super().__init__(parent)
        self._proposal = proposal
        self.line = QLineEdit()
        self.line.setPlaceholderText(DATE_PLACEHOLDER)
        self.line.setClearButtonEnabled(True)  # the way back to "no date"; Ctrl+A, Delete works too
        for clear in self.line.findChildren(QToolButton):
            clear.setAccessibleName("Clear the date")
        self.line.setMaxLength(24)
        self.line.setToolTip("Type a date such as 16/01/2027 or 16/1/27, or press Alt+Down for a calendar.")
        width = self.line.fontMetrics().horizontalAdvance("00/00/00000") + 48  # room for the clear button
        self.line.setMinimumWidth(width)
        self.line.setMaximumWidth(width + 40)
        self.button = QToolButton()
        self.button.setText("Calendar…")
        self.button.setToolTip("Choose the date from a calendar (Alt+Down in the date box)")
        self.button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # reachable with Tab, opened with Space
        self.message = QLabel()
        self.message.setStyleSheet("color: #a4000f;")
        self.message.setWordWrap(True)
        self.message.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.line)
        row.addWidget(self.button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.setFocusProxy(self.line)
        self._popup: _CalendarPopup | None = None
        self.line.textEdited.connect(self._typed)
        self.line.textChanged.connect(self._text_changed)
        self.line.editingFinished.connect(self._tidy)
        self.line.installEventFilter(self)
        self.button.clicked.connect(self.open_calendar)

    # --- value --------------------------------------------------------------------------------------------

    def date(self) -> dt.date | None:
        """The date typed, or None when the field is blank or does not (yet) hold a date."""
        try:
            return parse_typed_date(self.line.text())
        except ValueError:
            return None

    def set_date(self, day: dt.date | None) -> None:
        """Show a date (or blank) without emitting `edited`."""
        self.line.setText(format_date(day))

    def error(self) -> str:
        """Why the text is not a date, or "" when it is one (or blank)."""
        try:
            parse_typed_date(self.line.text())
        except ValueError as exc:
            return str(exc)
        return ""

    def set_proposal(self, proposal: Proposal | None) -> None:
        """Where the calendar opens while the field is empty (asked each time, so it follows other answers)."""
        self._proposal = proposal

    def setAccessibleName(self, name: str) -> None:
        """Name the box and its calendar button, so a screen reader says which date each one sets."""
        super().setAccessibleName(name)
        self.line.setAccessibleName(name)
        self.button.setAccessibleName(f"{name}: choose from a calendar")

    def set_read_only(self, read_only: bool) -> None:
        self.line.setReadOnly(read_only)  # Qt hides the clear button of a read-only box
        self.button.setEnabled(not read_only)

    # --- calendar -----------------------------------------------------------------------------------------

    def calendar_start(self) -> dt.date:
        """The day the calendar opens on: the date shown, else the proposal, else today."""
        return self.date() or (self._proposal() if self._proposal else None) or london_today()

    def open_calendar(self) -> _CalendarPopup:
        popup = _CalendarPopup(self)
        start = self.calendar_start()
        popup.calendar.setSelectedDate(QDate(start.year, start.month, start.day))
        popup.picked.connect(self._picked)
        popup.adjustSize()
        popup.move(self.line.mapToGlobal(self.line.rect().bottomLeft()))
        popup.show()
        popup.calendar.setFocus()
        self._popup = popup
        return popup

    def _picked(self, day: dt.date) -> None:
        self.line.setText(format_date(day))
        self.line.setFocus()
        self.edited.emit()

    # --- typing -------------------------------------------------------------------------------------------

    def _typed(self, _text: str) -> None:
        self.edited.emit()

    def _text_changed(self, _text: str) -> None:
        # While typing, a half-typed date is not an error yet: the message waits until the user moves on.
        if not self.error():
            self.message.hide()

    def _tidy(self) -> None:
        """On leaving the box: show the date as DD/MM/YYYY (so 16/1/27 reads back as 16/01/2027) or say why not."""
        error = self.error()
        self.message.setText(error)
        self.message.setVisible(bool(error))
        day = self.date()
        if day is not None and self.line.text() != format_date(day):
            self.line.setText(format_date(day))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.line and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            opens = (event.key() == Qt.Key.Key_F4
                     or (event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier))
            if opens and not self.line.isReadOnly():
                self.open_calendar()
                return True
        return super().eventFilter(watched, event)
