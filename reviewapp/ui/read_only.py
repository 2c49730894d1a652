"""Read-only, never disabled: a finalised review's answers shown in full-contrast text that cannot be changed.

A finalised review used to be shown by disabling every editor, so its answers were drawn in the palette's pale
"disabled" text (about 1.9:1 against the page on the default style, where WCAG AA asks 4.5:1 for body text), could
not be reached with Tab, and a screen reader skipped them as unavailable. `show_read_only` instead keeps the
widgets enabled, in the normal palette, reachable by keyboard and read out, and stops changes:

* text (line and plain text edits, spin boxes and date boxes) is set read-only, as Qt offers, and a long answer can
  be read with the keyboard's arrows;
* drop-downs and tick boxes, which Qt cannot make read-only, keep their focus but a lock takes the mouse and every
  key but Tab from them (a wheel over a drop-down scrolls the page), and a screen reader hears "Read-only";
* buttons (Add a target, Clear signature) are actions, not answers: those alone are disabled.

Applying it again with `read_only=False` undoes all of it (a draft shown after a finalised one, or the reverse).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QTextEdit,
    QWidget,
)
from shiboken6 import isValid

from reviewapp.ui.wheel_guard import scroll_page

TEXT_TYPES: tuple[type[QWidget], ...] = (QLineEdit, QPlainTextEdit, QTextEdit, QAbstractSpinBox)
CHOICE_TYPES: tuple[type[QWidget], ...] = (QComboBox, QCheckBox, QRadioButton)
READ_ONLY_PROPERTY = "answerReadOnly"
_DESCRIPTION_PROPERTY = "answerDescriptionBefore"
_CLEAR_BUTTON_PROPERTY = "answerClearButtonBefore"
READ_ONLY_WORDS = "Read-only"
#: Keys a locked drop-down or tick box still takes: moving on, and back.
_NAVIGATION_KEYS = frozenset({Qt.Key.Key_Tab, Qt.Key.Key_Backtab})
_BLOCKED_EVENTS = frozenset({
    QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick,
    QEvent.Type.KeyPress, QEvent.Type.KeyRelease,
})


class _ChoiceLock(QObject):
    """One event filter for every locked drop-down and tick box: they look and read as usual but do not change."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not (isinstance(watched, QWidget) and watched.property(READ_ONLY_PROPERTY)):
            return False
        kind = event.type()
        if kind == QEvent.Type.Wheel:
            if isinstance(watched, QComboBox):
                scroll_page(watched, event)  # the page scrolls; the answer stays
                return True
            return False
        if kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) and isinstance(event, QKeyEvent):
            return event.key() not in _NAVIGATION_KEYS
        return kind in _BLOCKED_EVENTS


_lock: _ChoiceLock | None = None


def _choice_lock() -> _ChoiceLock:
    """The one lock, owned by the application so it outlives any window that uses it."""
    global _lock
    if _lock is None:
        _lock = _ChoiceLock(QCoreApplication.instance())
    return _lock


def _set_text_read_only(widget: QWidget, read_only: bool) -> None:
    if isinstance(widget, QPlainTextEdit | QTextEdit):
        widget.setReadOnly(read_only)
        if read_only:  # readable by keyboard (a caret to move and select), not only by mouse
            widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                           | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    elif isinstance(widget, QLineEdit):
        widget.setReadOnly(read_only)
        # Its clear button (a date's way back to "no date") does nothing on a read-only box: hidden, not offered.
        if read_only and widget.isClearButtonEnabled():
            widget.setProperty(_CLEAR_BUTTON_PROPERTY, True)
            widget.setClearButtonEnabled(False)
        elif not read_only and widget.property(_CLEAR_BUTTON_PROPERTY):
            widget.setProperty(_CLEAR_BUTTON_PROPERTY, False)
            widget.setClearButtonEnabled(True)
    elif isinstance(widget, QAbstractSpinBox):
        widget.setReadOnly(read_only)
    widget.setEnabled(True)


def _set_choice_read_only(widget: QWidget, read_only: bool) -> None:
    locked = bool(widget.property(READ_ONLY_PROPERTY))
    if read_only and not locked:
        widget.installEventFilter(_choice_lock())
        widget.setProperty(_DESCRIPTION_PROPERTY, widget.accessibleDescription())
        before = widget.accessibleDescription()
        widget.setAccessibleDescription(f"{READ_ONLY_WORDS}. {before}" if before else READ_ONLY_WORDS)
    elif not read_only and locked:
        widget.removeEventFilter(_choice_lock())
        widget.setAccessibleDescription(str(widget.property(_DESCRIPTION_PROPERTY) or ""))
    widget.setProperty(READ_ONLY_PROPERTY, read_only)
    if widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)


def show_read_only(root: QWidget, read_only: bool) -> None:
    """Show every answer under `root` read-only (or editable again), in normal text; see the module's docstring."""
    for widget in (root, *root.findChildren(QWidget)):
        if not isValid(widget):
            continue  # a line edit's clear button, deleted as the box became read-only
        if isinstance(widget, TEXT_TYPES):
            _set_text_read_only(widget, read_only)
        elif isinstance(widget, CHOICE_TYPES):
            _set_choice_read_only(widget, read_only)
        elif isinstance(widget, QAbstractButton):
            widget.setEnabled(not read_only)


def is_read_only(widget: QWidget) -> bool:
    """Whether an answer widget is shown read-only (by Qt's own flag, or the lock)."""
    if isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit | QAbstractSpinBox):
        return widget.isReadOnly()
    return bool(widget.property(READ_ONLY_PROPERTY))


def contrast_ratio(foreground: QColor, background: QColor) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21); AA asks at least 4.5 for text."""

    def luminance(colour: QColor) -> float:
        def channel(value: float) -> float:
            return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

        return (0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF())
                + 0.0722 * channel(colour.blueF()))

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
