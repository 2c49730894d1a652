"""Raise a safeguarding or learning support concern about a learner without a review (issue 16), offline too.

Who it is for and how urgent, and what the concern is. Nothing is written here: the main window saves `fields()`
through the store (reviewapp.store.concerns.raise_concern), and the next sync sends it first.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from reviewapp.ui.plain_label import plain_label
from reviewapp.ui.window_fit import fit_window


@dataclass(frozen=True)
class ConcernFields:
    route: str
    urgency: str
    text: str


ROUTE_CHOICES = (("safeguarding", "The designated &safeguarding lead (a risk of harm, Prevent, welfare)"),
                 ("learning_support", "&Learning support (a learning need or support at work)"))
URGENCY_CHOICES = (("urgent", "&Urgent: act on it today"), ("routine", "&Routine: within the week"))


def _group(title: str, choices: tuple[tuple[str, str], ...]) -> tuple[QGroupBox, QButtonGroup, list[QRadioButton]]:
    box = QGroupBox(title)
    group = QButtonGroup(box)
    layout = QVBoxLayout(box)
    buttons = []
    for value, words in choices:
        button = QRadioButton(words)
        button.setProperty("value", value)
        button.setAccessibleName(words.replace("&", ""))
        group.addButton(button)
        layout.addWidget(button)
        buttons.append(button)
    buttons[0].setChecked(True)
    return box, group, buttons


class ConcernDialog(QDialog):
    """`fields()` is the concern as entered; `exec()` is Accepted only with words in it."""

    def __init__(self, learner_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Raise a concern: {learner_name}")
        intro = plain_label(wrap=True)
        intro.setText("If anyone is in immediate danger, call 999 first. The concern goes to the people who work "
                      "such cases at the next sync, before anything else; only they and you see what you write.")
        self.route_box, self.routes, self.route_buttons = _group("Who is it for?", ROUTE_CHOICES)
        self.urgency_box, self.urgencies, self.urgency_buttons = _group("How urgent is it?", URGENCY_CHOICES)
        text_label = QLabel("&What is the concern? Facts, not opinions: what was said or seen, and by whom.")
        text_label.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("What is the concern")
        self.text.setTabChangesFocus(True)
        text_label.setBuddy(self.text)
        self.problem = plain_label(wrap=True)
        self.problem.setStyleSheet("color: #a40000")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("&Raise the concern")
        self.text.textChanged.connect(lambda: self.problem.setText(""))
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (intro, self.route_box, self.urgency_box, text_label, self.text, self.problem, self.buttons):
            layout.addWidget(widget)
        fit_window(self, "concern", QSize(560, 520))  # fits the screen (150% too), comes back as it was left

    def fields(self) -> ConcernFields:
        return ConcernFields(str(self.routes.checkedButton().property("value")),
                             str(self.urgencies.checkedButton().property("value")), self.text.toPlainText().strip())

    def _accept(self) -> None:
        if not self.fields().text:
            self.problem.setText("Write what the concern is before raising it.")
            self.text.setFocus()
            return
        self.accept()
