"""The conflicts dialog: what the server kept instead of the laptop's value (or refused), resolved one by one.

Model/view: `ConflictsModel` holds plain `ConflictView` values read by the store; the view never holds sessions.
Resolving is a new local change (keep mine) or accepting the server's value (keep theirs), both sent on the next
sync; a refused change can be tried again (keep mine) or dropped (keep theirs).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reviewapp.core.dates import format_datetime
from reviewapp.operations.sync_conflicts import keep_mine, keep_theirs
from reviewapp.store.database import Store
from reviewapp.store.sync.conflicts import ConflictView, open_conflicts
from reviewapp.ui.window_fit import fit_window

HEADERS = ("Record", "Field", "My value", "Their value", "Changed by", "When")

Index = QModelIndex | QPersistentModelIndex


def _shown(value: Any) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, str):
        return value if value else "(empty)"
    return json.dumps(value, ensure_ascii=False)[:200]


class ConflictsModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ConflictView] = []

    def set_rows(self, rows: list[ConflictView]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole and row.kind in ("rejected", "removed"):
            return row.reason
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if row.kind == "removed":
            values = (row.record_label, "(left your caseload)", f"{row.my_value} unsent change(s), kept here",
                      "Not in your caseload any more", "the server", "")
        elif row.kind == "rejected":
            values = (row.record_label, "(whole change)", _shown(row.my_value), f"Refused: {row.reason}",
                      "the server", "")
        else:
            values = (row.record_label, row.field.replace("_", " "), _shown(row.my_value), _shown(row.their_value),
                      row.their_by or "someone else", format_datetime(row.their_at))
        return values[index.column()]


class ConflictsDialog(QDialog):
    """Lists open conflicts; Keep mine / Keep theirs resolve the selected one."""

    resolved = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None,
                 on_resolved: Callable[[], None] | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("Sync conflicts")
        self.model = ConflictsModel(self)
        self.table = QTableView()
        self.table.setObjectName("conflicts")
        self.table.setAccessibleName("Conflicts")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.summary = QLabel()
        self.keep_mine_button = QPushButton("Keep &mine")
        self.keep_mine_button.setToolTip("Send my value to the server as a new change (or try a refused change again)")
        self.keep_theirs_button = QPushButton("Keep &theirs")
        self.keep_theirs_button.setToolTip("Accept the server's value (or drop a refused change)")
        self.keep_mine_button.clicked.connect(lambda: self._resolve(keep_mine))
        self.keep_theirs_button.clicked.connect(lambda: self._resolve(keep_theirs))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.keep_mine_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.keep_theirs_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        if on_resolved:
            self.resolved.connect(on_resolved)
        self.reload()
        fit_window(self, "sync_conflicts", QSize(900, 420))

    def reload(self) -> None:
        with self.store.read() as session:
            rows = open_conflicts(session)
        self.model.set_rows(rows)
        self.summary.setText(
            "No conflicts: everything on this laptop agrees with the server." if not rows
            else f"{len(rows)} change(s) need your decision. The server's value is shown in the caseload until "
                 "you choose."
        )
        if rows:
            self.table.selectRow(0)
        for button in (self.keep_mine_button, self.keep_theirs_button):
            button.setEnabled(bool(rows))

    def selected(self) -> ConflictView | None:
        index = self.table.currentIndex()
        return self.model.rows[index.row()] if index.isValid() else None

    def _resolve(self, how: Callable[[Store, str], object]) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        how(self.store, chosen.id)
        self.reload()
        self.resolved.emit()
