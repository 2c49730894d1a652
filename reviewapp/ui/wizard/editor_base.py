"""What every answer editor shares: the small interface the wizard relies on, and the fields several of them use.

`value()` returns the answer in the shape `reviewapp.core.templates` documents; `set_value()` shows one without
emitting anything; `edited` fires on every change by the user (the wizard saves within 500 ms) and `left` when the
user leaves the editor (the wizard saves at once).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import (
    QPlainTextEdit,
    QWidget,
)

from reviewapp.core.review_rules import ReviewContext, parse_iso_date
from reviewapp.core.templates import Question
from reviewapp.ui.date_field import DateField, Proposal
from reviewapp.ui.read_only import show_read_only


def new_date_field(proposal: Proposal | None = None) -> DateField:
    return DateField(proposal=proposal)


def date_value(field: DateField) -> str | None:
    """The answer as stored: ISO YYYY-MM-DD, or None while the field is blank or not (yet) a date."""
    day = field.date()
    return day.isoformat() if day else None


def set_date(field: DateField, value: Any) -> None:
    field.set_date(parse_iso_date(value))


def long_text(height: int = 84) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)  # Tab moves on, as in every other field; the keyboard user is never trapped
    edit.setFixedHeight(height)
    return edit


class AnswerEditor(QWidget):
    edited = Signal()
    left = Signal()

    def __init__(self, question: Question, context: ReviewContext) -> None:
        super().__init__()
        self.question = question
        self.context = context
        self._loading = False

    # Subclasses build their inputs and call `_watch` on each.
    def _watch(self, widget: QWidget, signal: Any) -> None:
        signal.connect(self._changed)
        widget.installEventFilter(self)
        widget.setAccessibleName(self.question.label)

    def _changed(self, *_args: Any) -> None:
        if not self._loading:
            self.edited.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            self.left.emit()
        return False

    def set_value(self, value: Any) -> None:
        self._loading = True
        try:
            self._show(value)
        finally:
            self._loading = False

    def value(self) -> Any:
        raise NotImplementedError

    def _show(self, value: Any) -> None:
        raise NotImplementedError

    def focus_widget(self) -> QWidget:
        return self

    def set_read_only(self, read_only: bool) -> None:
        """Read-only in normal text, never disabled (pale and skipped by Tab): see `reviewapp.ui.read_only`."""
        show_read_only(self, read_only)
