"""The caseload table's model and its filter/sort proxy.

The model holds plain `CaseloadRow`s (from core) and answers display, sort, colour and accessibility roles; the
proxy filters by a search text (name, ULN, employer) and a quick filter. Each row's search key is built once, so a
keystroke only does substring tests over prepared strings.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor

from reviewapp.core.caseload import RAG_WORDS, CaseloadRow
from reviewapp.core.dates import format_date
from reviewapp.core.scheduling import ReviewTiming

Index = QModelIndex | QPersistentModelIndex

#: Background colours for RAG ratings and timings; the cell always carries the word too.
RAG_COLOURS = {"red": QColor("#f4c7c3"), "amber": QColor("#fde8b4"), "green": QColor("#c8e6c9")}
TIMING_COLOURS = {ReviewTiming.OVERDUE: QColor("#f4c7c3"), ReviewTiming.DUE_SOON: QColor("#fde8b4")}

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2


class Column:
    # The columns an assessor scans first (who, how urgent, how they are) come first.
    LEARNER, STATUS, NEXT_DUE, WELFARE, LAST_REVIEW, EMPLOYER, PROGRAMME, ULN = range(8)
    HEADERS = ("Learner", "Review status", "Next review due", "Welfare", "Last review", "Employer", "Programme",
               "ULN")


class QuickFilter(StrEnum):
    ALL = "all"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    AT_RISK = "at_risk"

    @property
    def label(self) -> str:
        return {"all": "All learners", "overdue": "Overdue", "due_soon": "Due soon", "at_risk": "At risk"}[self]


class CaseloadModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[CaseloadRow] = []
        self._search_keys: list[str] = []

    def set_rows(self, rows: list[CaseloadRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._search_keys = [
            f"{r.facts.name}\n{r.facts.uln}\n{r.facts.employer}".casefold() for r in self._rows
        ]
        self.endResetModel()

    def row_at(self, row: int) -> CaseloadRow:
        return self._rows[row]

    def search_key(self, row: int) -> str:
        return self._search_keys[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return Column.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._display(row, col)
        if role == SORT_ROLE:
            return self._sort_key(row, col)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.BackgroundRole:
            if col == Column.WELFARE and row.facts.welfare_rag in RAG_COLOURS:
                return QBrush(RAG_COLOURS[row.facts.welfare_rag])
            if col == Column.STATUS and row.timing in TIMING_COLOURS:
                return QBrush(TIMING_COLOURS[row.timing])
        if role == Qt.ItemDataRole.ForegroundRole and col in (Column.WELFARE, Column.STATUS):
            return QBrush(QColor("#1a1a1a"))  # dark text on the pale colours, whatever the theme
        if role == Qt.ItemDataRole.ToolTipRole and col == Column.LEARNER and row.facts.has_support_needs:
            return "Has additional learning support needs"
        return None

    @staticmethod
    def _display(row: CaseloadRow, col: int) -> str:
        f = row.facts
        match col:
            case Column.LEARNER:
                return f.name + (" ◆" if f.has_draft else "")
            case Column.ULN:
                return f.uln
            case Column.EMPLOYER:
                return f.employer
            case Column.PROGRAMME:
                return f"{f.programme} (L{f.level})" if f.level else f.programme
            case Column.LAST_REVIEW:
                return format_date(f.last_review_date) or "None yet"
            case Column.NEXT_DUE:
                return format_date(row.next_review_due) or "—"
            case Column.STATUS:
                return row.timing.label
            case Column.WELFARE:
                return RAG_WORDS.get(f.welfare_rag or "", "Not rated")
        return ""

    @staticmethod
    def _sort_key(row: CaseloadRow, col: int) -> Any:
        f = row.facts
        match col:
            case Column.LEARNER:
                return f"{f.name.split(' ')[-1]} {f.name}".casefold()
            case Column.LAST_REVIEW:
                return f.last_review_date.isoformat() if f.last_review_date else ""
            case Column.NEXT_DUE:
                return row.next_review_due.isoformat() if row.next_review_due else "9999"
            case Column.STATUS:
                order = (ReviewTiming.OVERDUE, ReviewTiming.DUE_SOON, ReviewTiming.OK, ReviewTiming.PAUSED)
                return order.index(row.timing)
            case Column.WELFARE:
                return {"red": 0, "amber": 1, "green": 2}.get(f.welfare_rag or "", 3)
        return CaseloadModel._display(row, col).casefold()


class CaseloadFilterProxy(QSortFilterProxyModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._needle = ""
        self._quick = QuickFilter.ALL
        self.setSortRole(SORT_ROLE)

    def set_search(self, text: str) -> None:
        needle = text.strip().casefold()
        if needle != self._needle:
            self.beginFilterChange()
            self._needle = needle
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_quick_filter(self, quick: QuickFilter) -> None:
        if quick != self._quick:
            self.beginFilterChange()
            self._quick = quick
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    @property
    def quick_filter(self) -> QuickFilter:
        return self._quick

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, CaseloadModel)
        if self._needle and self._needle not in model.search_key(source_row):
            return False
        if self._quick is QuickFilter.ALL:
            return True
        row = model.row_at(source_row)
        if self._quick is QuickFilter.OVERDUE:
            return row.timing is ReviewTiming.OVERDUE
        if self._quick is QuickFilter.DUE_SOON:
            return row.timing is ReviewTiming.DUE_SOON
        return row.at_risk
