"""One editor widget per question type (the simple kinds here; the record-based ones in record_editors.py), and
`editor_for`, which picks the editor for a question.

The interface they share is `editor_base.AnswerEditor`'s.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from reviewapp.core.dates import format_date, parse_time
from reviewapp.core.review_rules import ReviewContext, parse_iso_date
from reviewapp.core.templates import YES_NO_CHOICES, Question, scenario_shown
from reviewapp.ui.plain_label import plain_label
from reviewapp.ui.wizard.editor_base import AnswerEditor, date_value, long_text, new_date_field, set_date
from reviewapp.ui.wizard.record_editors import PlanProgressEditor, PreviousTargetsEditor, TargetListEditor


class TextEditor(AnswerEditor):
    def __init__(self, question: Question, context: ReviewContext) -> None:
        super().__init__(question, context)
        self.edit = QLineEdit()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        self._watch(self.edit, self.edit.textEdited)

    def value(self) -> Any:
        return self.edit.text().strip() or None

    def _show(self, value: Any) -> None:
        self.edit.setText(str(value or ""))

    def focus_widget(self) -> QWidget:
        return self.edit


class LongTextEditor(AnswerEditor):
    def __init__(self, question: Question, context: ReviewContext) -> None:
        super().__init__(question, context)
        self.edit = long_text()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        self._watch(self.edit, self.edit.textChanged)

    def value(self) -> Any:
        return self.edit.toPlainText().strip() or None

    def _show(self, value: Any) -> None:
        self.edit.setPlainText(str(value or ""))

    def focus_widget(self) -> QWidget:
        return self.edit


class ChoiceEditor(AnswerEditor):
    """Choice, RAG and yes/no: a drop-down whose first entry means "not answered yet"."""

    def __init__(self, question: Question, context: ReviewContext) -> None:
        super().__init__(question, context)
        self.combo = QComboBox()
        self.combo.addItem("— Choose —", None)
        if question.type == "yes_no":  # a yes/no question has no options of its own: one order everywhere
            choices: list[tuple[Any, str]] = list(YES_NO_CHOICES)
        else:
            choices = [(o.value, o.label) for o in question.options]
        for value, label in choices:
            self.combo.addItem(label, value)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        self._watch(self.combo, self.combo.currentIndexChanged)

    def value(self) -> Any:
        return self.combo.currentData()

    def _show(self, value: Any) -> None:
        for i in range(self.combo.count()):
            data = self.combo.itemData(i)
            if data == value and type(data) is type(value):
                self.combo.setCurrentIndex(i)
                return
        self.combo.setCurrentIndex(0)

    def focus_widget(self) -> QWidget:
        return self.combo


class MultiChoiceEditor(AnswerEditor):
    def __init__(self, question: Question, context: ReviewContext) -> None:
        super().__init__(question, context)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes: list[tuple[str, QCheckBox]] = []
        for i, option in enumerate(question.options):
            box = QCheckBox(option.label)
            if option.help:
                box.setToolTip(option.help)
            self._watch(box, box.toggled)
            box.setAccessibleName(f"{question.label}: {option.label}")
            layout.addWidget(box, i // 2, i % 2)
            self.boxes.append((option.value, box))

    def value(self) -> Any:
        chosen = [v for v, box in self.boxes if box.isChecked()]
        return chosen or None

    def _show(self, value: Any) -> None:
        chosen = set(value or [])
        for v, box in self.boxes:
            box.setChecked(v in chosen)

    def focus_widget(self) -> QWidget:
        return self.boxes[0][1] if self.boxes else self


class DateEditor(AnswerEditor):
    def __init__(self, question: Question, context: ReviewContext) -> None:
        super().__init__(question, context)
        self.edit = new_date_field()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)  # no stretch: the field keeps its box narrow and gives its message the width
        self._watch(self.edit.line, self.edit.edited)
        self.edit.setAccessibleName(question.label)

    def value(self) -> Any:
        return date_value(self.edit)

    def _show(self, value: Any) -> None:
        set_date(self.edit, value)

    def focus_widget(self) -> QWidget:
        return self.edit.line

    def set_read_only(self, read_only: bool) -> None:
        super().set_read_only(read_only)
        self.edit.set_read_only(read_only)


class TimeEditor(AnswerEditor):
    """A time of day, UK time, "HH:MM": a drop-down of quarter hours from 07:00 to 20:00, first entry "not answered
    yet" (a time box has no empty state); a time recorded elsewhere that is not on the list is added to it."""

    FIRST, LAST, STEP = 7 * 60, 20 * 60, 15

    def __init__(self, question: Question, context: ReviewContext) -> None:
        super().__init__(question, context)
        self.combo = QComboBox()
        self.combo.addItem("— Choose a time —", None)
        for minutes in range(self.FIRST, self.LAST + 1, self.STEP):
            text = f"{minutes // 60:02d}:{minutes % 60:02d}"
            self.combo.addItem(text, text)
        self.combo.setAccessibleName(question.label)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        layout.addWidget(plain_label("UK time"))
        layout.addStretch(1)
        self._watch(self.combo, self.combo.currentIndexChanged)

    def value(self) -> Any:
        return self.combo.currentData()

    def _show(self, value: Any) -> None:
        start = parse_time(value)
        if start is None:
            self.combo.setCurrentIndex(0)
            return
        text = f"{start:%H:%M}"
        index = self.combo.findData(text)
        if index < 0:  # e.g. 07:50 agreed on another laptop: kept as recorded, in its place in the day
            index = next((i for i in range(1, self.combo.count()) if self.combo.itemData(i) > text),
                         self.combo.count())
            self.combo.insertItem(index, text, text)
        self.combo.setCurrentIndex(index)

    def focus_widget(self) -> QWidget:
        return self.combo


class NumberEditor(AnswerEditor):
    """Numbers and hours; the lowest position of the spin box means "not answered"."""

    def __init__(self, question: Question, context: ReviewContext) -> None:
        super().__init__(question, context)
        self.spin = QDoubleSpinBox()
        self.spin.setDecimals(2 if question.type == "hours" else 0)  # logged hours are kept to two places
        low = question.min if question.min is not None else 0
        self._unset = low - 1
        self.spin.setRange(self._unset, question.max if question.max is not None else 100000)
        self.spin.setSpecialValueText("Not answered")
        self.spin.setSuffix(" hours" if question.type == "hours" else "")
        self.spin.setValue(self._unset)
        self.spin.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.UpDownArrows)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.spin)
        layout.addStretch(1)
        self._watch(self.spin, self.spin.valueChanged)

    def value(self) -> Any:
        number = self.spin.value()
        if number <= self._unset:
            return None
        return int(number) if self.spin.decimals() == 0 else round(number, 2)

    def _show(self, value: Any) -> None:
        self.spin.setValue(float(value) if isinstance(value, int | float) else self._unset)

    def focus_widget(self) -> QWidget:
        return self.spin


class DerivedEditor(AnswerEditor):
    """A value the app works out (planned hours to date, shortfall, proposed date): shown, not typed."""

    def __init__(self, question: Question, context: ReviewContext) -> None:
        super().__init__(question, context)
        self.label = QLabel("—")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                           | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.label.setAccessibleName(question.label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        self._value: Any = None

    def value(self) -> Any:
        return self._value

    def _show(self, value: Any) -> None:
        self._value = value
        if value is None:
            self.label.setText("—")
        elif self.question.type == "date":
            day = parse_iso_date(value)
            self.label.setText(format_date(day) if day else str(value))
        elif self.question.type == "hours":
            self.label.setText(f"{float(value):g} hours")
        else:
            self.label.setText(str(value))

    def focus_widget(self) -> QWidget:
        return self.label


class FlagEditor(AnswerEditor):
    """A concern or referral: No, or Yes with what and why. Unanswered until the assessor says which."""

    def __init__(self, question: Question, context: ReviewContext) -> None:
        super().__init__(question, context)
        self.combo = QComboBox()
        self.combo.addItem("— Choose —", None)
        for value, label in YES_NO_CHOICES:  # the order of every yes/no question, so the two never swap
            self.combo.addItem(label, value)
        self.detail = long_text(64)
        self.detail.setPlaceholderText(question.detail_label or "Say what, and what has been done")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        layout.addWidget(self.detail)
        self._watch(self.combo, self.combo.currentIndexChanged)
        self._watch(self.detail, self.detail.textChanged)
        self.detail.setAccessibleName(question.detail_label or f"{question.label}: details")
        self.combo.currentIndexChanged.connect(lambda _i: self.detail.setVisible(self.combo.currentData() is True))
        self.detail.setVisible(False)

    def value(self) -> Any:
        raised = self.combo.currentData()
        if raised is None:
            return None
        return {"raised": raised, "detail": self.detail.toPlainText().strip() if raised else ""}

    def _show(self, value: Any) -> None:
        raised = value.get("raised") if isinstance(value, dict) else None
        index = next((i for i in range(1, self.combo.count()) if isinstance(raised, bool)
                      and self.combo.itemData(i) is raised), 0)
        self.combo.setCurrentIndex(index)
        self.detail.setPlainText(str(value.get("detail", "")) if isinstance(value, dict) else "")
        self.detail.setVisible(raised is True)

    def focus_widget(self) -> QWidget:
        return self.combo


class ScenarioEditor(AnswerEditor):
    def __init__(self, question: Question, context: ReviewContext) -> None:
        super().__init__(question, context)
        self.scenario = scenario_shown(question, context.review_id)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setFrameShape(QFrame.Shape.StyledPanel)
        self.text.setStyleSheet("QLabel { background: #f3f6fb; padding: 8px; }")
        self.response = long_text()
        self.response.setPlaceholderText("The learner's answer, in their words")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text)
        layout.addWidget(self.response)
        self._watch(self.response, self.response.textChanged)
        self.response.setAccessibleName(f"{question.label}: the learner's answer")
        self._render()

    def _render(self) -> None:
        s = self.scenario
        look_for = "".join(f"<li>{escape(point)}</li>" for point in s.look_for)
        self.text.setText(f"<b>{escape(s.title)}</b><br>{escape(s.text)}"
                          + (f"<br><i>For the assessor — listen for:</i><ul>{look_for}</ul>" if look_for else ""))

    def value(self) -> Any:
        return {"scenario_id": self.scenario.id, "response": self.response.toPlainText().strip()}

    def _show(self, value: Any) -> None:
        self.scenario = scenario_shown(self.question, self.context.review_id, value)
        self._render()
        self.response.setPlainText(value.get("response", "") if isinstance(value, dict) else "")

    def focus_widget(self) -> QWidget:
        return self.response


EDITORS: dict[str, type[AnswerEditor]] = {
    "text": TextEditor,
    "long_text": LongTextEditor,
    "choice": ChoiceEditor,
    "rag": ChoiceEditor,
    "yes_no": ChoiceEditor,
    "multi_choice": MultiChoiceEditor,
    "date": DateEditor,
    "time": TimeEditor,
    "number": NumberEditor,
    "hours": NumberEditor,
    "flag": FlagEditor,
    "scenario": ScenarioEditor,
    "previous_targets": PreviousTargetsEditor,
    "plan_progress_grid": PlanProgressEditor,
    "target_list": TargetListEditor,
}


def editor_for(question: Question, context: ReviewContext) -> AnswerEditor:
    if question.derived:
        return DerivedEditor(question, context)
    return EDITORS[question.type](question, context)
