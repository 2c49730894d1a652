"""One editor widget per question type, all with the same small interface the wizard relies on.

`value()` returns the answer in the shape `reviewapp.core.templates` documents; `set_value()` shows one without
emitting anything; `edited` fires on every change by the user (the wizard saves within 500 ms) and `left` when the
user leaves the editor (the wizard saves at once).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from reviewapp.core.dates import format_date, parse_time
from reviewapp.core.review_rules import CARRYABLE_OUTCOMES, TARGET_OUTCOMES, ReviewContext, parse_iso_date
from reviewapp.core.smart import check_target
from reviewapp.core.templates import YES_NO_CHOICES, Question, scenario_shown
from reviewapp.ui.date_field import DateField, Proposal
from reviewapp.ui.plain_label import plain_label
from reviewapp.ui.read_only import show_read_only


def _date_field(proposal: Proposal | None = None) -> DateField:
    return DateField(proposal=proposal)


def _date_value(field: DateField) -> str | None:
    """The answer as stored: ISO YYYY-MM-DD, or None while the field is blank or not (yet) a date."""
    day = field.date()
    return day.isoformat() if day else None


def _set_date(field: DateField, value: Any) -> None:
    field.set_date(parse_iso_date(value))


def _long_text(height: int = 84) -> QPlainTextEdit:
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
        self.edit = _long_text()
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
        self.edit = _date_field()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)  # no stretch: the field keeps its box narrow and gives its message the width
        self._watch(self.edit.line, self.edit.edited)
        self.edit.setAccessibleName(question.label)

    def value(self) -> Any:
        return _date_value(self.edit)

    def _show(self, value: Any) -> None:
        _set_date(self.edit, value)

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
        self.detail = _long_text(64)
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
        self.response = _long_text()
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


class PreviousTargetsEditor(AnswerEditor):
    """Each open target from the last review: outcome, comment, and whether to carry it forward."""

    def __init__(self, question: Question, context: ReviewContext) -> None:
        super().__init__(question, context)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.rows: dict[str, tuple[QComboBox, QLineEdit, QCheckBox]] = {}
        if not context.open_targets:
            layout.addWidget(QLabel("There are no open targets from the last review."))
        for target_id, target in context.open_targets.items():
            due = f" (due {format_date(target.due_date)})" if target.due_date else ""
            group = QGroupBox()
            form = QFormLayout(group)
            heading = QLabel(f"<b>{escape(target.text)}</b>{due}")
            heading.setTextFormat(Qt.TextFormat.RichText)
            heading.setWordWrap(True)
            form.addRow(heading)
            outcome = QComboBox()
            outcome.addItem("— Choose —", None)
            for value, label in TARGET_OUTCOMES.items():
                outcome.addItem(label.capitalize(), value)
            comment = QLineEdit()
            carry = QCheckBox("Carry forward as a new target")
            carry.setEnabled(False)
            form.addRow("&Outcome", outcome)
            form.addRow("Comment", comment)
            form.addRow(carry)
            for widget, signal in ((outcome, outcome.currentIndexChanged), (comment, comment.textEdited),
                                   (carry, carry.toggled)):
                self._watch(widget, signal)
            outcome.setAccessibleName(f"Outcome of target: {target.text}")
            comment.setAccessibleName(f"Comment on target: {target.text}")
            carry.setAccessibleName(f"Carry forward target: {target.text}")
            outcome.currentIndexChanged.connect(
                lambda _i, o=outcome, c=carry: c.setEnabled(o.currentData() in CARRYABLE_OUTCOMES)
            )
            layout.addWidget(group)
            self.rows[target_id] = (outcome, comment, carry)

    def value(self) -> Any:
        result = {}
        for target_id, (outcome, comment, carry) in self.rows.items():
            if outcome.currentData() is None and not comment.text().strip():
                continue
            entry: dict[str, Any] = {"status": outcome.currentData(), "comment": comment.text().strip()}
            if carry.isEnabled() and carry.isChecked():
                entry["carry_forward"] = True
            result[target_id] = entry
        return result or None

    def _show(self, value: Any) -> None:
        value = value if isinstance(value, dict) else {}
        for target_id, (outcome, comment, carry) in self.rows.items():
            entry = value.get(target_id) or {}
            index = outcome.findData(entry.get("status"))
            outcome.setCurrentIndex(max(index, 0))
            comment.setText(entry.get("comment", ""))
            carry.setEnabled(entry.get("status") in CARRYABLE_OUTCOMES)
            carry.setChecked(bool(entry.get("carry_forward")))

    def focus_widget(self) -> QWidget:
        return next(iter(self.rows.values()))[0] if self.rows else self


class PlanProgressEditor(AnswerEditor):
    def __init__(self, question: Question, context: ReviewContext) -> None:
        super().__init__(question, context)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(QLabel("<b>Plan item</b>"), 0, 0)
        grid.addWidget(QLabel("<b>Start</b>"), 0, 1)
        grid.addWidget(QLabel("<b>Progress</b>"), 0, 2)
        grid.addWidget(QLabel("<b>Comment</b>"), 0, 3)
        self.rows: dict[str, tuple[QSpinBox, QLineEdit]] = {}
        self.starts: dict[str, QLabel] = {}
        for row, (item_id, item) in enumerate(context.plan_items.items(), start=1):
            title = f"{item.code} {item.title}".strip()
            label = plain_label(title, wrap=True)
            spin = QSpinBox()
            spin.setRange(0, 100)
            spin.setSuffix(" %")
            comment = QLineEdit()
            label.setBuddy(spin)
            self._watch(spin, spin.valueChanged)
            self._watch(comment, comment.textEdited)
            spin.setAccessibleName(f"Progress: {title}")
            comment.setAccessibleName(f"Comment: {title}")
            # The starting point (the initial assessment), so progress is set against where the learner began.
            start = plain_label("—" if item.starting_value is None else f"{item.starting_value} %")
            start.setAccessibleName(f"Starting point: {title}")
            if item.starting_note:
                start.setToolTip(item.starting_note)
            grid.addWidget(label, row, 0)
            grid.addWidget(start, row, 1)
            grid.addWidget(spin, row, 2)
            grid.addWidget(comment, row, 3)
            self.rows[item_id] = (spin, comment)
            self.starts[item_id] = start
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(3, 3)

    def value(self) -> Any:
        return {item_id: {"progress": spin.value(), "comment": comment.text().strip()}
                for item_id, (spin, comment) in self.rows.items()} or None

    def _show(self, value: Any) -> None:
        value = value if isinstance(value, dict) else {}
        for item_id, (spin, comment) in self.rows.items():
            entry = value.get(item_id) or {}
            spin.setValue(int(entry.get("progress", self.context.plan_items[item_id].progress)))
            comment.setText(entry.get("comment", ""))

    def focus_widget(self) -> QWidget:
        return next(iter(self.rows.values()))[0] if self.rows else self


class _TargetRow(QGroupBox):
    def __init__(self, number: int, on_change: Callable[[], None], on_remove: Callable[[_TargetRow], None],
                 due_proposal: Proposal | None = None) -> None:
        super().__init__(f"Target {number}")
        self.text = _long_text(56)
        self.text.setPlaceholderText("What will the learner do, how will we know, and by when?")
        self.due = _date_field(due_proposal)
        self.actions = _long_text(56)
        self.actions.setPlaceholderText("Small actions, one per line")
        self.warnings = plain_label(wrap=True)  # the messages can quote the target's text
        self.warnings.setStyleSheet("color: #8a4b00;")
        self.remove = QPushButton("Remove this target")
        self.carried_from_id: str | None = None
        form = QFormLayout(self)
        form.addRow("Target", self.text)
        form.addRow("Due by", self.due)
        form.addRow("Small actions", self.actions)
        form.addRow(self.warnings)
        form.addRow(self.remove)
        self.text.setAccessibleName(f"Target {number}")
        self.due.setAccessibleName(f"Target {number}: due date")
        self.actions.setAccessibleName(f"Target {number}: small actions, one per line")
        self.text.textChanged.connect(on_change)
        self.due.edited.connect(on_change)
        self.actions.textChanged.connect(on_change)
        self.remove.clicked.connect(lambda: on_remove(self))

    def item(self) -> dict[str, Any]:
        actions = [a.strip(" -•\t") for a in self.actions.toPlainText().splitlines() if a.strip(" -•\t")]
        return {"text": self.text.toPlainText().strip(), "due_date": _date_value(self.due), "actions": actions,
                "carried_from_id": self.carried_from_id}


class TargetListEditor(AnswerEditor):
    """New SMART targets, each with small actions; vague targets are flagged (never blocked) as they are typed."""

    def __init__(self, question: Question, context: ReviewContext) -> None:
        super().__init__(question, context)
        self.rows: list[_TargetRow] = []
        self.next_review_date: dt.date | None = None
        self.visit_date: dt.date | None = None
        self.list_layout = QVBoxLayout()
        self.add_button = QPushButton("&Add a target")
        self.add_button.clicked.connect(self._add_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.list_layout)
        layout.addWidget(self.add_button, alignment=Qt.AlignmentFlag.AlignLeft)

    def _add_row(self) -> _TargetRow:
        # A due date's calendar opens on the next review, the date most targets are due by.
        row = _TargetRow(len(self.rows) + 1, self._row_changed, self._remove_row, lambda: self.next_review_date)
        for widget in (row.text, row.due.line, row.due.button, row.actions):
            widget.installEventFilter(self)
        self.rows.append(row)
        self.list_layout.addWidget(row)
        return row

    def _add_clicked(self) -> None:
        row = self._add_row()
        row.text.setFocus()
        self._changed()

    def _remove_row(self, row: _TargetRow) -> None:
        self.rows.remove(row)
        row.setParent(None)
        row.deleteLater()
        for number, other in enumerate(self.rows, start=1):
            other.setTitle(f"Target {number}")
        self._changed()

    def _row_changed(self, *_args: Any) -> None:
        self.refresh_warnings()
        self._changed()

    def set_dates(self, visit_date: dt.date | None, next_review_date: dt.date | None) -> None:
        """The dates the targets are judged by (those finalising uses); the advice is redone when they change, so a
        next review moved to before a target's due date warns on that target at once, not at its next keystroke."""
        if (visit_date, next_review_date) != (self.visit_date, self.next_review_date):
            self.visit_date, self.next_review_date = visit_date, next_review_date
            self.refresh_warnings()

    def refresh_warnings(self) -> None:
        for row in self.rows:
            item = row.item()
            if not item["text"]:
                row.warnings.setText("")
                continue
            warnings = check_target(item["text"], parse_iso_date(item["due_date"]),
                                    next_review_date=self.next_review_date, today=self.visit_date)
            row.warnings.setText("".join(f"⚠ {w.message}\n" for w in warnings).strip())

    def value(self) -> Any:
        items = [row.item() for row in self.rows]
        items = [{k: v for k, v in item.items() if k != "carried_from_id" or v} for item in items
                 if item["text"] or item["actions"] or item["due_date"]]
        return items or None

    def _show(self, value: Any) -> None:
        for row in list(self.rows):
            self.rows.remove(row)
            row.setParent(None)
            row.deleteLater()
        for item in value if isinstance(value, list) else []:
            row = self._add_row()
            row.text.setPlainText(item.get("text", ""))
            _set_date(row.due, item.get("due_date"))
            row.actions.setPlainText("\n".join(item.get("actions", [])))
            row.carried_from_id = item.get("carried_from_id")
        self.refresh_warnings()

    def focus_widget(self) -> QWidget:
        return self.rows[0].text if self.rows else self.add_button


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
