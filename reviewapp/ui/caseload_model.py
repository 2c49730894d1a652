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
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor

from reviewapp.core.caseload import AT_RISK_RULE_WORDS, RAG_WORDS, CaseloadRow
from reviewapp.core.dates import format_date
from reviewapp.core.scheduling import ReviewTiming

Index = QModelIndex | QPersistentModelIndex

#: Background colours for RAG ratings and timings; the cell always carries the word too.
RAG_COLOURS = {"red": QColor("#f4c7c3"), "amber": QColor("#fde8b4"), "green": QColor("#c8e6c9")}
TIMING_COLOURS = {ReviewTiming.OVERDUE: QColor("#f4c7c3"), ReviewTiming.DUE_SOON: QColor("#fde8b4")}
_RAG_ORDER = {"red": 0, "amber": 1, "green": 2}

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
_NUMBER_ALIGNMENT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


#: The mark after a learner's name while a review of theirs is a draft (started, not finalised), and its words.
DRAFT_MARK = "◆"
DRAFT_WORDS = "draft review in progress"


class Column:
    # The columns an assessor scans first (who, how urgent, why at risk, how they are) come first.
    (LEARNER, STATUS, NEXT_DUE, DAYS_OVERDUE, AT_RISK, OTJ_BEHIND, PROGRESS, WELFARE, LAST_REVIEW, EMPLOYER,
     PROGRAMME, ULN) = range(12)
    HEADERS = ("Learner", "Review status", "Next review due", "Days overdue", "At risk because", "OTJ behind",
               "Progress", "Welfare", "Last review", "Employer", "Programme", "ULN")
    #: What each header means, as its tooltip: the words an assessor needs to read the table without a manual.
    TOOLTIPS: ClassVar[dict[int, str]] = {
        LEARNER: f"{DRAFT_MARK} after a name: a {DRAFT_WORDS} (started, not yet finalised)",
        STATUS: "Where the next review stands: Overdue, Due soon, OK, or Not due (not in learning)",
        DAYS_OVERDUE: "Days since the next review fell due; blank when it is not overdue",
        AT_RISK: f"Why the learner is at risk: {AT_RISK_RULE_WORDS}. Blank when none of these holds",
        PROGRESS: "Overall progress rated at the last finalised review",
        WELFARE: "Welfare rated at the last finalised review",
        OTJ_BEHIND: "Off-the-job (OTJ) training hours behind the plan spread evenly from the start to the planned "
                    "end date, as of today",
        LAST_REVIEW: "Visit date of the last finalised progress review",
    }


#: Columns drawn on a pale colour, so given dark text.
_COLOURED_COLUMNS = frozenset({Column.STATUS, Column.DAYS_OVERDUE, Column.AT_RISK, Column.PROGRESS, Column.WELFARE})


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
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return Column.TOOLTIPS.get(section)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Painting asks every visible cell for some ten roles, most of which this model leaves to the style:
        # display text first (each row's texts made once, when first shown: they cannot change until set_rows),
        # then one dict look-up for the rest, the unanswered roles ending there.
        if role == _DISPLAY and index.isValid():
            number = index.row()
            texts = self._texts[number]
            if texts is None:
                row = self._rows[number]
                texts = self._texts[number] = tuple(self._display(row, c) for c in _COLUMNS)
            return texts[index.column()]
        answer = _ROLE_ANSWERS.get(role)
        if answer is None or not index.isValid():
            return None
        return answer(self._rows[index.row()], index.column())

    @staticmethod
    def _background(row: CaseloadRow, col: int) -> QColor | None:
        """The pale colour behind a cell that also says its rating in words."""
        f = row.facts
        if col == Column.WELFARE:
            return RAG_COLOURS.get(f.welfare_rag or "")
        if col == Column.PROGRESS:
            return RAG_COLOURS.get(f.progress_rag or "")
        if col == Column.STATUS or (col == Column.DAYS_OVERDUE and row.days_overdue):
            return TIMING_COLOURS.get(row.timing)
        if col == Column.AT_RISK and row.at_risk:
            red = "red" in (f.welfare_rag, f.progress_rag) or row.timing is ReviewTiming.OVERDUE
            return RAG_COLOURS["red" if red else "amber"]
        return None

    @staticmethod
    def _tooltip(row: CaseloadRow, col: int) -> str | None:
        f = row.facts
        if col == Column.LEARNER:
            lines = [f"{DRAFT_MARK} A {DRAFT_WORDS}"] if f.has_draft else []
            if f.has_support_needs:
                lines.append("Has additional learning support needs")
            return "\n".join(lines) or None
        if col == Column.AT_RISK:
            return CaseloadModel._risk_words(row)
        if col == Column.OTJ_BEHIND and row.otj_hours_behind is None:
            return "Not known: the learner's plan has no off-the-job hours or no planned end date"
        return None

    @staticmethod
    def _risk_words(row: CaseloadRow) -> str:
        """The at-risk rule's reasons in full sentences (the column shows them short)."""
        reasons = row.risk_reasons
        if not reasons:
            return "Not at risk"
        return "At risk because:\n" + "\n".join(f"• {reason.full}" for reason in reasons)

    @staticmethod
    def _accessible(row: CaseloadRow, col: int) -> str:
        """What a screen reader says for a cell: the words behind a mark or a blank."""
        f = row.facts
        match col:
            case Column.LEARNER:
                return f"{f.name}, {DRAFT_WORDS}" if f.has_draft else f.name
            case Column.DAYS_OVERDUE:
                return CaseloadModel._display(row, col) or "Not overdue"
            case Column.AT_RISK:
                return CaseloadModel._risk_words(row).replace("\n• ", " ").replace("\n", " ")
            case Column.OTJ_BEHIND:
                hours = row.otj_hours_behind
                if hours is None:
                    return "Off-the-job hours behind plan not known"
                return "On plan" if hours == 0 else f"{hours:g} off-the-job hours behind plan"
        return CaseloadModel._display(row, col)

    @staticmethod
    def _display(row: CaseloadRow, col: int) -> str:
        f = row.facts
        match col:
            case Column.LEARNER:
                return f.name + (f" {DRAFT_MARK}" if f.has_draft else "")
            case Column.DAYS_OVERDUE:
                return str(row.days_overdue) if row.days_overdue else ""
            case Column.AT_RISK:
                return "; ".join(reason.short for reason in row.risk_reasons)
            case Column.PROGRESS:
                return RAG_WORDS.get(f.progress_rag or "", "Not rated")
            case Column.OTJ_BEHIND:
                hours = row.otj_hours_behind
                return "—" if hours is None else "On plan" if hours == 0 else f"{hours:g} h"
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
                return _RAG_ORDER.get(f.welfare_rag or "", 3)
            case Column.PROGRESS:
                return _RAG_ORDER.get(f.progress_rag or "", 3)
            case Column.DAYS_OVERDUE:
                return row.days_overdue
            case Column.AT_RISK:  # the at risk first (ascending), then by their reasons
                return f"{0 if row.at_risk else 1} {CaseloadModel._display(row, col).casefold()}"
            case Column.OTJ_BEHIND:
                return -1.0 if row.otj_hours_behind is None else float(row.otj_hours_behind)
        return CaseloadModel._display(row, col).casefold()


def _background_brush(row: CaseloadRow, col: int) -> QBrush | None:
    colour = CaseloadModel._background(row, col)
    return None if colour is None else _BRUSHES[colour.name()]


def _foreground_brush(_row: CaseloadRow, col: int) -> QBrush | None:
    return _DARK_TEXT if col in _COLOURED_COLUMNS else None  # dark text on the pale colours, whatever the theme


def _alignment(_row: CaseloadRow, col: int) -> Qt.AlignmentFlag | None:
    # Figures line up by their units, to be compared down the column.
    return _NUMBER_ALIGNMENT if col in (Column.DAYS_OVERDUE, Column.OTJ_BEHIND) else None


_DISPLAY = Qt.ItemDataRole.DisplayRole
_COLUMNS = range(len(Column.HEADERS))
#: One brush per colour, made once: painting asks for the background of every visible cell on each repaint.
_BRUSHES = {colour.name(): QBrush(colour) for colour in (*RAG_COLOURS.values(), *TIMING_COLOURS.values())}
_DARK_TEXT = QBrush(QColor("#1a1a1a"))
#: The roles the model answers besides the display text, each a function of (row, column).
_ROLE_ANSWERS: dict[int, Callable[[CaseloadRow, int], Any]] = {
    Qt.ItemDataRole.AccessibleTextRole: CaseloadModel._accessible,
    SORT_ROLE: CaseloadModel._sort_key,
    ROW_ROLE: lambda row, _col: row,
    Qt.ItemDataRole.BackgroundRole: _background_brush,
    Qt.ItemDataRole.ForegroundRole: _foreground_brush,
    Qt.ItemDataRole.ToolTipRole: CaseloadModel._tooltip,
    Qt.ItemDataRole.TextAlignmentRole: _alignment,
}


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
