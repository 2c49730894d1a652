"""The main window: the assessor's caseload, a learner panel, and the state of sync in the status bar.

Every database read runs through the `TaskRunner`, so the window paints at once and stays responsive however large
the caseload. Dialogs go through `show_error` / `show_info`, which tests replace.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from reviewapp.core.caseload import CaseloadRow, LearnerDetail, caseload_rows
from reviewapp.core.dates import london_today
from reviewapp.core.scheduling import DEFAULT_RULES, ScheduleRules
from reviewapp.store import queries
from reviewapp.store.database import Store
from reviewapp.ui.caseload_model import ROW_ROLE, CaseloadFilterProxy, CaseloadModel, Column, QuickFilter
from reviewapp.ui.learner_panel import LearnerPanel
from reviewapp.ui.tasks import TaskRunner


@dataclass(frozen=True)
class CaseloadSnapshot:
    rows: list[CaseloadRow]
    pending_changes: int


class MainWindow(QMainWindow):
    caseload_loaded = Signal()
    learner_shown = Signal(str)

    def __init__(
        self,
        store: Store,
        runner: TaskRunner | None = None,
        *,
        rules: ScheduleRules = DEFAULT_RULES,
        today: Callable[[], dt.date] = london_today,
        server_label: str = "No server configured",
    ) -> None:
        super().__init__()
        self.store = store
        self.runner = runner or TaskRunner(self)
        self.rules = rules
        self.today = today
        self.setWindowTitle(f"ReviewApp — {store.account}")
        self.resize(1280, 780)
        self._selected_learner: str | None = None

        self.model = CaseloadModel(self)
        self.proxy = CaseloadFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Search by name, ULN or employer  (Ctrl+F)")
        self.search.setAccessibleName("Search learners by name, ULN or employer")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.set_search)
        search_label = QLabel("&Search:")
        search_label.setBuddy(self.search)

        self.filter_buttons = QButtonGroup(self)
        self.filter_buttons.setExclusive(True)
        filter_row = QHBoxLayout()
        filter_row.addWidget(search_label)
        filter_row.addWidget(self.search, stretch=1)
        for number, quick in enumerate(QuickFilter, start=1):
            button = QToolButton()
            button.setText(f"{quick.label}")
            button.setCheckable(True)
            button.setObjectName(f"filter_{quick.value}")
            button.setAccessibleName(f"Show {quick.label.lower()}")
            button.setToolTip(f"Show {quick.label.lower()} (Alt+{number})")
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            button.toggled.connect(lambda on, q=quick: on and self.set_quick_filter(q))
            self.filter_buttons.addButton(button)
            filter_row.addWidget(button)
            if quick is QuickFilter.ALL:
                button.blockSignals(True)
                button.setChecked(True)
                button.blockSignals(False)

        self.table = QTableView()
        self.table.setObjectName("caseload")
        self.table.setAccessibleName("Caseload")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Column.NEXT_DUE, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in ((Column.LEARNER, 170), (Column.STATUS, 100), (Column.NEXT_DUE, 130),
                           (Column.WELFARE, 80), (Column.LAST_REVIEW, 90), (Column.EMPLOYER, 170),
                           (Column.PROGRAMME, 220), (Column.ULN, 100)):
            self.table.setColumnWidth(col, width)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)

        self.panel = LearnerPanel()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(filter_row)
        left_layout.addWidget(self.table)
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        left_layout.addWidget(self.count_label)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([820, 460])
        self.setCentralWidget(splitter)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)

        self.connection_label = QLabel(server_label)
        self.connection_label.setObjectName("connectionLabel")
        self.pending_label = QLabel("")
        self.pending_label.setObjectName("pendingLabel")
        self.busy_bar = QProgressBar()
        self.busy_bar.setMaximumWidth(160)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setAccessibleName("Working")
        self.busy_bar.hide()
        self.statusBar().addWidget(self.connection_label)
        self.statusBar().addPermanentWidget(self.busy_bar)
        self.statusBar().addPermanentWidget(self.pending_label)
        self.runner.busy_changed.connect(self.busy_bar.setVisible)

        self._make_actions()

    # --- actions -------------------------------------------------------------------------------------------------

    def _make_actions(self) -> None:
        menu = self.menuBar().addMenu("&File")
        refresh = QAction("&Refresh caseload", self)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.refresh)
        menu.addAction(refresh)
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        menu.addAction(quit_action)
        find = QAction("&Find learner", self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self._focus_search)
        self.addAction(find)
        view_menu = self.menuBar().addMenu("&View")
        for number, button in enumerate(self.filter_buttons.buttons(), start=1):
            action = QAction(button.text(), self)
            action.setShortcut(QKeySequence(f"Alt+{number}"))
            action.triggered.connect(button.click)
            view_menu.addAction(action)

    def _focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def set_quick_filter(self, quick: QuickFilter) -> None:
        self.proxy.set_quick_filter(quick)
        for button in self.filter_buttons.buttons():
            if button.objectName() == f"filter_{quick.value}" and not button.isChecked():
                button.setChecked(True)
        self._update_count()

    # --- loading ---------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the caseload off the UI thread; the table keeps its selection where it can."""
        self.runner.run(self._load_caseload, on_done=self._show_caseload, on_error=self._load_failed)

    def _load_caseload(self) -> CaseloadSnapshot:
        with self.store.read() as session:
            facts = queries.caseload_facts(session)
            pending = queries.pending_change_count(session)
        return CaseloadSnapshot(caseload_rows(facts, self.today(), self.rules), pending)

    def _show_caseload(self, snapshot: CaseloadSnapshot) -> None:
        selected = self._selected_learner
        self.model.set_rows(snapshot.rows)
        self.pending_label.setText(
            "All changes synced" if snapshot.pending_changes == 0
            else f"{snapshot.pending_changes} change{'s' if snapshot.pending_changes != 1 else ''} not yet synced"
        )
        if selected:
            self.select_learner(selected)
        self._update_count()
        self.caseload_loaded.emit()

    def _load_failed(self, exc: Exception) -> None:
        self.show_error("Could not load the caseload", str(exc))

    def _update_count(self, *_args: object) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(
            f"{total} learners" if shown == total else f"Showing {shown} of {total} learners"
        )

    # --- selection -------------------------------------------------------------------------------------------

    def select_learner(self, learner_id: str) -> bool:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(ROW_ROLE).facts.learner_id == learner_id:
                self.table.selectRow(row)
                self.table.scrollTo(index)
                return True
        return False

    def _on_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes:
            return
        row: CaseloadRow = self.proxy.data(self.proxy.index(indexes[0].row(), 0), ROW_ROLE)
        learner_id = row.facts.learner_id
        self._selected_learner = learner_id
        self.runner.run(self._load_detail, learner_id, on_done=self._show_detail, on_error=self._load_failed)

    def _load_detail(self, learner_id: str) -> LearnerDetail | None:
        with self.store.read() as session:
            return queries.learner_detail(session, learner_id)

    def _show_detail(self, detail: LearnerDetail | None) -> None:
        if detail is not None and detail.learner_id != self._selected_learner:
            return  # the user has moved on; a newer load is on its way
        self.panel.show_learner(detail)
        if detail is not None:
            self.learner_shown.emit(detail.learner_id)

    def current_index(self) -> QModelIndex:
        return self.table.currentIndex()

    # --- dialogs (tests replace these) --------------------------------------------------------------------------

    def show_error(self, title: str, text: str) -> None:
        QMessageBox.critical(self, title, text)

    def show_info(self, title: str, text: str) -> None:
        QMessageBox.information(self, title, text)

    def closeEvent(self, event) -> None:
        self.runner.wait(10000)
        super().closeEvent(event)
