"""The mouse wheel scrolls the page; it changes a drop-down, spin box or date only once the user has chosen it.

Qt lets the wheel change any combo box or spin box under the pointer, so scrolling down a long wizard page with the
pointer passing over "Overall progress" silently turned Amber into Red. `WheelGuard` gives every such control
`Qt.StrongFocus` (a wheel no longer gives it focus) and, while it has no focus, keeps the wheel from it and gives
the event to the scroll area around it, so the page scrolls. Once the user clicks or tabs into the control, the
wheel works on it as usual.
"""

from __future__ import annotations

from PySide6.QtCore import QChildEvent, QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QComboBox, QWidget

# QSpinBox, QDoubleSpinBox, QDateEdit and QTimeEdit are all QAbstractSpinBox.
GUARDED_TYPES: tuple[type[QWidget], ...] = (QComboBox, QAbstractSpinBox)
_GUARDED_PROPERTY = "wheelGuarded"


def scroll_page(control: QWidget, event: QEvent) -> None:
    """Give a wheel event the control must not take to the nearest scroll area around it that can still scroll.

    Passed on explicitly rather than ignored for Qt to propagate: Qt propagates only the wheel events that come from
    the window system, so this way a test's event and the user's behave the same. The event is accepted, so Qt
    does not pass it on a second time.
    """
    ancestor = control.parentWidget()
    while ancestor is not None:
        if isinstance(ancestor, QAbstractScrollArea):
            forwarded = event.clone()
            forwarded.setAccepted(True)
            QCoreApplication.sendEvent(ancestor.viewport(), forwarded)
            if forwarded.isAccepted():
                break
        ancestor = ancestor.parentWidget()
    event.accept()


class WheelGuard(QObject):
    """One event filter for every guarded control under the widgets it is given, including ones added later."""

    def guard(self, root: QWidget) -> None:
        """Guard every combo box and spin box in `root` (and `root` itself), and any added to it later."""
        for widget in (root, *root.findChildren(QWidget)):
            if isinstance(widget, GUARDED_TYPES):
                self._guard(widget)
        if not root.property(_GUARDED_PROPERTY):
            root.setProperty(_GUARDED_PROPERTY, True)
            root.installEventFilter(self)  # for ChildAdded: a target row added by "Add a target", for example

    def _guard(self, widget: QWidget) -> None:
        if widget.property(_GUARDED_PROPERTY):
            return
        widget.setProperty(_GUARDED_PROPERTY, True)
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Wheel and isinstance(watched, GUARDED_TYPES) and not watched.hasFocus():
            scroll_page(watched, event)
            return True
        if kind == QEvent.Type.ChildAdded and isinstance(event, QChildEvent):
            child = event.child()
            if isinstance(child, QWidget):
                self.guard(child)
        return False
