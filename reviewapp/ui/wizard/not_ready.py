"""What stops a review being finalised, as a list that scrolls and whose every line goes to the field at fault.

A message box grew with its text: with a dozen problems it ran off a 1280×720 screen and its OK button could not be
reached. This dialog fits the screen (its list scrolls, its buttons stay in view), and choosing a line takes the
assessor to that step and field, so the list is a way to fix things rather than something to remember.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reviewapp.core.review_rules import Problem, Readiness
from reviewapp.ui.window_fit import fit_window

TITLE = "The review is not ready to finalise"


class NotReadyDialog(QDialog):
    """Lists the problems; activating one (double-click, Enter or "Go to it") calls `go_to` and closes the list."""

    def __init__(self, readiness: Readiness, go_to: Callable[[Problem], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.problems = list(readiness.problems)
        self._go_to = go_to
        count = len(self.problems)
        intro = QLabel(f"{count} thing{'s' if count != 1 else ''} to put right before finalising. Choose one and "
                       "press Enter (or double-click it) to go to it.")
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("notReadyProblems")
        self.list.setAccessibleName("Things to put right before finalising")
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        for message in readiness.messages():  # one line per problem, in the same order
            item = QListWidgetItem(message)
            item.setToolTip(message)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda item: self.go_to_row(self.list.row(item)))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.go_button = buttons.addButton("&Go to it", QDialogButtonBox.ButtonRole.AcceptRole)
        self.go_button.setDefault(True)
        self.go_button.clicked.connect(lambda: self.go_to_row(self.list.currentRow()))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.list.setFocus(Qt.FocusReason.OtherFocusReason)
        fit_window(self, "not_ready", QSize(620, 420))

    def go_to_row(self, row: int) -> None:
        if 0 <= row < len(self.problems):
            self.accept()
            self._go_to(self.problems[row])
