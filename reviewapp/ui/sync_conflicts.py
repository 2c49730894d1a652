"""The conflicts dialog: what the server kept instead of the laptop's value (or refused), resolved one by one.

Model/view: the models hold plain `ConflictDetail` values that `reviewapp.operations.conflict_details` reads, in
the wizard's words (issue 19 item 2); the dialog never opens a store session. For the selected conflict it shows
the learner, review, step and question, both values side by side (prose with its differences marked), and who
changed the server's value, on which device and when. Keep mine, keep theirs, or (for text) keep a combined value
written from both; resolved conflicts stay listed, read-only, under "Resolved", so the value not chosen is readable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from reviewapp.core.dates import format_datetime
from reviewapp.operations.conflict_details import ConflictDetail, conflict_lists
from reviewapp.operations.sync_conflicts import keep_mine, keep_theirs
from reviewapp.store.database import Store
from reviewapp.ui.conflict_diff import marked_pair
from reviewapp.ui.window_fit import fit_window

HEADERS = ("Record", "Field", "My value", "Their value", "Changed by", "When", "Device")
RESOLVED_HEADERS = ("Record", "Field", "Decision", "My value", "Their value", "Changed by", "Resolved")

Index = QModelIndex | QPersistentModelIndex


def _short(text: str) -> str:
    line = text.replace("\n", " ")
    return line if len(line) <= 120 else line[:119] + "…"


def _record(detail: ConflictDetail) -> str:
    if detail.learner and detail.view.entity == "review":
        return " — ".join(p for p in (detail.learner, detail.record, detail.step) if p)
    return detail.record


def _cells(detail: ConflictDetail) -> tuple[str, ...]:
    view = detail.view
    if view.kind == "removed":
        return (view.record_label, "(left your caseload)", f"{view.my_value} unsent change(s), kept here",
                "Not in your caseload any more", "the server", "", "")
    if view.kind == "rejected":
        return (view.record_label, "(whole change)", _short(detail.mine), f"Refused: {view.reason}", "the server",
                "", "")
    return (_record(detail), detail.question, _short(detail.mine), _short(detail.theirs),
            view.their_by or "someone else", format_datetime(view.their_at), view.their_device)


class ConflictsModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None, resolved: bool = False) -> None:
        super().__init__(parent)
        self.resolved = resolved
        self.headers = RESOLVED_HEADERS if resolved else HEADERS
        self.rows: list[ConflictDetail] = []

    def set_rows(self, rows: list[ConflictDetail]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        detail = self.rows[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return detail.view.reason if detail.view.kind in ("rejected", "removed") else None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        cells = _cells(detail)
        if self.resolved:
            cells = (cells[0], cells[1], detail.resolution, cells[2], cells[3], detail.changed_by,
                     format_datetime(detail.view.resolved_at))
        return cells[index.column()]


def _table(model: ConflictsModel, name: str) -> QTableView:
    table = QTableView()
    table.setObjectName(name)
    table.setAccessibleName(name.capitalize().replace("_", " "))
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().hide()
    return table


def _side(title: str) -> tuple[QLabel, QTextBrowser]:
    view = QTextBrowser()
    view.setAccessibleName(title)
    view.setOpenLinks(False)
    label = QLabel(title)
    label.setBuddy(view)
    return label, view


class ConflictsDialog(QDialog):
    """Lists open conflicts; Keep mine / Keep theirs / Keep combined resolve the selected one."""

    resolved = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None,
                 on_resolved: Callable[[], None] | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("Sync conflicts")
        self.model = ConflictsModel(self)
        self.table = _table(self.model, "conflicts")
        self.history_model = ConflictsModel(self, resolved=True)
        self.history = _table(self.history_model, "resolved_conflicts")
        self.summary = QLabel()
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.mine_label, self.mine_view = _side("My value")
        self.theirs_label, self.theirs_view = _side("Their value")
        self.combined = QPlainTextEdit()
        self.combined.setAccessibleName("Combined value")
        self.combined_label = QLabel("&Combined value (edit, then Keep combined):")
        self.combined_label.setBuddy(self.combined)
        self.keep_mine_button = QPushButton("Keep &mine")
        self.keep_mine_button.setToolTip("Send my value to the server as a new change (or try a refused change again)")
        self.keep_theirs_button = QPushButton("Keep &theirs")
        self.keep_theirs_button.setToolTip("Accept the server's value (or drop a refused change)")
        self.keep_combined_button = QPushButton("Keep com&bined")
        self.keep_combined_button.setToolTip("Send the combined value you wrote as a new change")
        self.keep_mine_button.clicked.connect(lambda: self._resolve(keep_mine))
        self.keep_theirs_button.clicked.connect(lambda: self._resolve(keep_theirs))
        self.keep_combined_button.clicked.connect(self._keep_combined)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        for button in (self.keep_mine_button, self.keep_theirs_button, self.keep_combined_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        sides = QGridLayout()
        sides.addWidget(self.mine_label, 0, 0)
        sides.addWidget(self.theirs_label, 0, 1)
        sides.addWidget(self.mine_view, 1, 0)
        sides.addWidget(self.theirs_view, 1, 1)
        sides.addWidget(self.combined_label, 2, 0, 1, 2)
        sides.addWidget(self.combined, 3, 0, 1, 2)
        history_box = QGroupBox("Resolved")
        history_layout = QVBoxLayout(history_box)
        history_layout.addWidget(self.history)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 2)
        layout.addWidget(self.heading)
        layout.addLayout(sides, 3)
        layout.addWidget(buttons)
        layout.addWidget(history_box, 1)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())
        if on_resolved:
            self.resolved.connect(on_resolved)
        self.reload()
        fit_window(self, "sync_conflicts", QSize(1000, 720))

    def reload(self) -> None:
        lists = conflict_lists(self.store)
        rows = lists.open
        self.model.set_rows(rows)
        self.history_model.set_rows(lists.resolved)
        self.summary.setText(
            "No conflicts: everything on this laptop agrees with the server." if not rows
            else f"{len(rows)} change(s) need your decision. The server's value is shown in the caseload until "
                 "you choose."
        )
        if rows:
            self.table.selectRow(0)
        for button in (self.keep_mine_button, self.keep_theirs_button):
            button.setEnabled(bool(rows))
        self._show_selected()

    def selected_detail(self) -> ConflictDetail | None:
        index = self.table.currentIndex()
        return self.model.rows[index.row()] if index.isValid() else None

    def selected(self) -> Any:
        detail = self.selected_detail()
        return detail.view if detail else None

    def _show_selected(self) -> None:
        detail = self.selected_detail()
        prose = detail is not None and detail.prose
        for widget in (self.combined, self.combined_label, self.keep_combined_button):
            widget.setVisible(prose)
        self.keep_combined_button.setEnabled(prose)
        if detail is None:
            self.heading.setText("")
            self.mine_view.clear()
            self.theirs_view.clear()
            return
        where = " › ".join(p for p in (detail.learner, detail.record, detail.step) if p)
        self.heading.setText(f"{where}\n{detail.question}\nTheir value: changed by {detail.changed_by}")
        if prose:
            mine, theirs = marked_pair(detail.mine, detail.theirs)
            self.mine_view.setHtml(mine)
            self.theirs_view.setHtml(theirs)
            self.combined.setPlainText(detail.mine)
        else:
            self.mine_view.setPlainText(detail.mine)
            self.theirs_view.setPlainText(detail.theirs)

    def _keep_combined(self) -> None:
        text = self.combined.toPlainText()
        self._resolve(lambda store, conflict_id: keep_mine(store, conflict_id, text))

    def _resolve(self, how: Callable[[Store, str], object]) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        how(self.store, chosen.id)
        self.reload()
        self.resolved.emit()
