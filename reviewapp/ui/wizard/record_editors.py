"""The editors of answers about the learner's records: the targets followed up, the plan's progress, new targets.

Each lists what the review context holds (open targets, plan items) rather than what the template says, so these
are the editors whose rows come from the store; the rules they show (what can be carried forward, the SMART advice,
the order of targets) are core's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from reviewapp.core.dates import format_date
from reviewapp.core.drafts import target_item_id
from reviewapp.core.review_rules import CARRYABLE_OUTCOMES, TARGET_OUTCOMES, ReviewContext, parse_iso_date
from reviewapp.core.smart import check_target
from reviewapp.core.templates import Question
from reviewapp.ui.date_field import Proposal
from reviewapp.ui.plain_label import plain_label
from reviewapp.ui.wizard.editor_base import AnswerEditor, date_value, long_text, new_date_field, set_date


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
        self.text = long_text(56)
        self.text.setPlaceholderText("What will the learner do, how will we know, and by when?")
        self.due = new_date_field(due_proposal)
        self.actions = long_text(56)
        self.actions.setPlaceholderText("Small actions, one per line")
        self.warnings = plain_label(wrap=True)  # the messages can quote the target's text
        self.warnings.setStyleSheet("color: #8a4b00;")
        self.remove = QPushButton("Remove this target")
        self.carried_from_id: str | None = None
        #: Kept with the item while it is edited, so the server merges a draft's targets per target.
        self.item_id = target_item_id({})
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
        return {"id": self.item_id, "text": self.text.toPlainText().strip(), "due_date": date_value(self.due),
                "actions": actions, "carried_from_id": self.carried_from_id}


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
            set_date(row.due, item.get("due_date"))
            row.actions.setPlainText("\n".join(item.get("actions", [])))
            row.carried_from_id = item.get("carried_from_id")
            row.item_id = target_item_id(item)
        self.refresh_warnings()

    def focus_widget(self) -> QWidget:
        return self.rows[0].text if self.rows else self.add_button
