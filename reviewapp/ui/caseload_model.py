"""The caseload table's model and its filter/sort proxy.

The model holds plain `CaseloadRow`s (from core) and answers display, sort, colour and accessibility roles; the
proxy filters by a search text (name, ULN, employer) and a quick filter. Each row's search key is built once, so a
keystroke only does substring tests over prepared strings.

Sorting is done by the model, in Python, with each row's key computed once per sort (`CaseloadModel.sort`; the
proxy hands its `sort` on), and the proxy decides which rows pass the filter in one pass per change of search or
rows. Left to QSortFilterProxyModel, both call back into Python once per comparison or row: on 5,000 learners
showing the whole caseload again took half a second, where a keystroke must take well under 16 ms
(benchmarks/caseload_filter.py). The order is the one the proxy would give: a stable sort from the order the rows
were loaded in, turned round for descending order (tests/ui/test_caseload_model.py holds the two equal).
"""

from __future__ import annotations

from collections.abc import Callable
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
_ANSWERED_ROLES = frozenset({
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.BackgroundRole,
    Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole, ROW_ROLE, SORT_ROLE,
})


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
        self._loaded: list[CaseloadRow] = []  # as given to set_rows: the order ties keep when sorting
        self._rows: list[CaseloadRow] = []  # as shown: sorted
        self._search_keys: list[str] = []
        self._texts: list[tuple[str, ...] | None] = []  # each row's cell texts, made when first shown
        self._sort: tuple[int, Qt.SortOrder] | None = None
        #: Changes whenever rows or their order change, so a proxy knows its prepared filter is stale.
        self.generation = 0

    def set_rows(self, rows: list[CaseloadRow]) -> None:
        self.beginResetModel()
        self._loaded = list(rows)
        self._arrange()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column's sort key, keeping selections and other persistent indexes on their rows."""
        self.layoutAboutToBeChanged.emit()
        before = self._rows
        persistent = self.persistentIndexList()
        self._sort = (column, order) if 0 <= column < len(Column.HEADERS) else None
        self._arrange()
        position = {id(row): number for number, row in enumerate(self._rows)}
        self.changePersistentIndexList(
            persistent, [self.index(position[id(before[i.row()])], i.column()) for i in persistent]
        )
        self.layoutChanged.emit()

    def _arrange(self) -> None:
        rows = self._loaded
        if self._sort is not None:
            column, order = self._sort
            rows = sorted(rows, key=lambda r: self._sort_key(r, column))
            if order == Qt.SortOrder.DescendingOrder:
                rows.reverse()  # as Qt's proxy does: descending is ascending turned round, ties included
        self._rows = list(rows)
        self._search_keys = [
            f"{r.facts.name}\n{r.facts.uln}\n{r.facts.employer}".casefold() for r in self._rows
        ]
        self._texts: list[tuple[str, ...] | None] = [None] * len(self._rows)
        self.generation += 1

    def row_at(self, row: int) -> CaseloadRow:
        return self._rows[row]

    def search_key(self, row: int) -> str:
        return self._search_keys[row]

    def rows_matching(self, needle: str, keep: Callable[[CaseloadRow], bool] | None) -> list[bool]:
        """For each row, whether its search key holds `needle` and `keep` (if any) accepts it: one pass, in Python,
        rather than one call from Qt per row."""
        found = [needle in key for key in self._search_keys] if needle else [True] * len(self._rows)
        if keep is None:
            return found
        return [hit and keep(row) for hit, row in zip(found, self._rows, strict=True)]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return Column.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Painting asks every visible cell for some seven roles, most of which this model leaves to the style:
        # answer those first and cheaply, and each row's text once (it cannot change until set_rows).
        if role not in _ANSWERED_ROLES or not index.isValid():
            return None
        number = index.row()
        row = self._rows[number]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            texts = self._texts[number]
            if texts is None:
                texts = self._texts[number] = tuple(self._display(row, c) for c in range(len(Column.HEADERS)))
            return texts[col]
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
        self._model: CaseloadModel | None = None
        self._accepted: list[bool] = []
        self._accepted_generation = -1  # the model generation `_accepted` was worked out for; -1: stale
        self.setSortRole(SORT_ROLE)

    def setSourceModel(self, model: Any) -> None:
        assert isinstance(model, CaseloadModel)
        self._model = model
        self._accepted_generation = -1
        super().setSourceModel(model)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Hand sorting to the model (see the module's docstring); the proxy itself keeps the model's order."""
        if self._model is not None:
            self._model.sort(column, order)

    def set_search(self, text: str) -> None:
        needle = text.strip().casefold()
        if needle != self._needle:
            self._needle = needle
            self._refilter()

    def set_quick_filter(self, quick: QuickFilter) -> None:
        if quick != self._quick:
            self._quick = quick
            self._refilter()

    def _refilter(self) -> None:
        """Filter again, as one layout change. An incremental filter change (begin/endFilterChange) announces
        every run of hidden or shown rows on its own, and the table redoes its layout for each: on 5,000 learners
        a keystroke in the search box sent hundreds of them. Selection and current row are kept where they still
        show, as before."""
        self._accepted_generation = -1
        self.invalidate()

    @property
    def quick_filter(self) -> QuickFilter:
        return self._quick

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self._model
        if model is None:
            return True
        if self._accepted_generation != model.generation:
            self._accepted = model.rows_matching(self._needle, self._row_filter())
            self._accepted_generation = model.generation
        return self._accepted[source_row]

    def _row_filter(self) -> Callable[[CaseloadRow], bool] | None:
        match self._quick:
            case QuickFilter.OVERDUE:
                return lambda row: row.timing is ReviewTiming.OVERDUE
            case QuickFilter.DUE_SOON:
                return lambda row: row.timing is ReviewTiming.DUE_SOON
            case QuickFilter.AT_RISK:
                return lambda row: row.at_risk
        return None
