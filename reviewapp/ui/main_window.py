"""The main window: the assessor's caseload, a learner panel, and the state of sync in the status bar.

Every database read runs through the `TaskRunner`, so the window paints at once and stays responsive however large
the caseload, and every read or write is an operation (`reviewapp.operations`): the window opens no store session.
Dialogs go through `show_error` / `show_info`, which tests replace.

This file holds the layout, the caseload, the selection and the alerts; each other part of the window is a mixin of
its own (menus, saved copies, printing, reviews, changes to a learner, provider settings and Help), so every action
stays a method of the window, as tests and the sync controller reach it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from reviewapp.core.caseload import AT_RISK_RULE_WORDS, CaseloadRow, LearnerDetail
from reviewapp.core.dates import london_today
from reviewapp.core.scheduling import DEFAULT_RULES, ScheduleRules
from reviewapp.ui.caseload_model import (
    DRAFT_MARK,
    DRAFT_WORDS,
    ROW_ROLE,
    CaseloadFilterProxy,
    CaseloadModel,
    Column,
    QuickFilter,
)
from reviewapp.ui.learner_panel import LearnerPanel
from reviewapp.ui.main_learner import LearnerActions
from reviewapp.ui.main_menus import MainMenus
from reviewapp.ui.main_printing import PrintActions
from reviewapp.ui.main_reviews import ReviewActions
from reviewapp.ui.main_saved_copies import SavedCopyActions
from reviewapp.ui.main_settings import SettingsActions
from reviewapp.ui.plain_label import plain_label
from reviewapp.ui.tasks import TaskRunner
from reviewapp.ui.window_fit import fit_window

if TYPE_CHECKING:
    from reviewapp.core.alerts import Alert
    from reviewapp.operations.caseload import CaseloadSnapshot
    from reviewapp.store.database import Store
    from reviewapp.ui.wizard.review_wizard import ReviewWizard

# Reviews, their wizard and comparisons (pydantic, icalendar, the review rules) are imported when first used, not
# here: the window then paints some 0.3 s sooner on this machine (benchmarks/startup.py). The same holds for the
# operations (reviewapp.operations), which bring SQLAlchemy: each is imported where it is first called.


class MainWindow(MainMenus, SavedCopyActions, PrintActions, ReviewActions, LearnerActions, SettingsActions,
                 QMainWindow):
    caseload_loaded = Signal()
    learner_shown = Signal(str)
    review_opened = Signal(object)  # the ReviewWizard
    review_finalised = Signal(str)  # review id; sync listens to send it promptly
    saved_copies_shown = Signal(str)  # learner id, once the panel lists their saved copies

    def __init__(
        self,
        store: Store | None,
        runner: TaskRunner | None = None,
        *,
        rules: ScheduleRules = DEFAULT_RULES,
        today: Callable[[], dt.date] = london_today,
        server_label: str = "No server configured",
    ) -> None:
        super().__init__()
        self.store: Store = store  # type: ignore[assignment]  # None only until attach_store, before any use
        self.runner = runner or TaskRunner(self)
        self.rules = rules
        self.today = today
        self.setWindowTitle(f"ReviewApp — {store.account}" if store is not None else "ReviewApp")
        self._selected_learner: str | None = None
        self._copies_asked = 0  # saved-copies lists asked for, so an older answer arriving late is ignored
        self.wizards: dict[str, ReviewWizard] = {}

        self.model = CaseloadModel(self)
        self.proxy = CaseloadFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Search by name, ULN or employer  (Ctrl+F)")
        self.search.setAccessibleName("Search learners by name, ULN or employer")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.set_search)
        # Down or Enter in the search box goes to the matches, the first one chosen: search, Down, Ctrl+N starts a
        # review without the mouse (before, Tab went to the filter buttons and Ctrl+N said "select a learner").
        self.search.returnPressed.connect(self.go_to_results)
        QShortcut(QKeySequence(Qt.Key.Key_Down), self.search, context=Qt.ShortcutContext.WidgetShortcut,
                  activated=self.go_to_results)
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
        for col, width in ((Column.LEARNER, 150), (Column.STATUS, 90), (Column.NEXT_DUE, 110),
                           (Column.DAYS_OVERDUE, 60), (Column.AT_RISK, 200), (Column.OTJ_BEHIND, 80),
                           (Column.PROGRESS, 70), (Column.WELFARE, 70), (Column.LAST_REVIEW, 90),
                           (Column.EMPLOYER, 170), (Column.PROGRAMME, 220), (Column.ULN, 100)):
            # Never narrower than the header's own words and the sort arrow, at any font size.
            title = header.fontMetrics().horizontalAdvance(Column.HEADERS[col]) + 24
            self.table.setColumnWidth(col, max(width, title))
        self.table.selectionModel().selectionChanged.connect(self._on_selection)

        self.panel = LearnerPanel()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(filter_row)
        left_layout.addWidget(self.table)
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        self.legend_label = QLabel(f"{DRAFT_MARK} after a name: a {DRAFT_WORDS}.  At risk: {AT_RISK_RULE_WORDS}.")
        self.legend_label.setObjectName("caseloadLegend")
        self.legend_label.setWordWrap(True)
        self.legend_label.setAccessibleName("Key to the caseload table")
        footer = QHBoxLayout()
        footer.addWidget(self.count_label)
        footer.addWidget(self.legend_label, stretch=1)
        left_layout.addLayout(footer)
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
        self.proxy.layoutChanged.connect(self._forget_hidden_learner)
        self.proxy.rowsRemoved.connect(self._forget_hidden_learner)

        self.connection_label = plain_label(server_label)  # holds the typed server address
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
        self.alerts: tuple[Alert, ...] = ()
        self.alerts_button = QPushButton("No alerts")
        self.alerts_button.setObjectName("alertsCount")
        self.alerts_button.setFlat(True)
        self.alerts_button.setAccessibleName("Alerts: none")
        self.alerts_button.setToolTip("Open the alerts list (Ctrl+Shift+A)")
        self.alerts_button.clicked.connect(self.open_alerts)
        self.statusBar().addPermanentWidget(self.alerts_button)
        self.runner.busy_changed.connect(self.busy_bar.setVisible)

        self._make_actions()
        fit_window(self, "main", QSize(1280, 780))

    # --- search and filters ----------------------------------------------------------------------------------

    def go_to_results(self) -> None:
        """Move from the search box to the caseload, choosing the first learner shown unless one shown is chosen."""
        if self.proxy.rowCount() == 0:
            return
        current = self.table.currentIndex()
        if not current.isValid() or not self.table.selectionModel().isSelected(current):
            self.table.selectRow(0)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_quick_filter(self, quick: QuickFilter) -> None:
        self.proxy.set_quick_filter(quick)
        for button in self.filter_buttons.buttons():
            if button.objectName() == f"filter_{quick.value}" and not button.isChecked():
                button.setChecked(True)
        self._update_count()
        self._forget_hidden_learner()

    def set_search(self, text: str) -> None:
        self.proxy.set_search(text)
        self._forget_hidden_learner()

    # --- loading ---------------------------------------------------------------------------------------------

    def attach_store(self, store: Store, *, rules: ScheduleRules | None = None) -> None:
        """The caseload's store, for a window shown before it was opened (the app paints first, then opens it)."""
        self.store = store
        if rules is not None:
            self.rules = rules
        self.setWindowTitle(f"ReviewApp — {store.account}")

    def refresh(self) -> None:
        """Reload the caseload off the UI thread; the table keeps its selection where it can."""
        self.runner.run(self._load_caseload, on_done=self._show_caseload, on_error=self._load_failed)

    def _load_caseload(self) -> CaseloadSnapshot:
        from reviewapp.operations import caseload  # on the worker thread: SQLAlchemy is not needed to paint

        return caseload.load_caseload(self.store, self.today(), self.rules)

    def _show_caseload(self, snapshot: CaseloadSnapshot) -> None:
        selected = self._selected_learner
        self.model.set_rows(snapshot.rows)
        self.pending_label.setText(
            "All changes synced" if snapshot.pending_changes == 0
            else f"{snapshot.pending_changes} change{'s' if snapshot.pending_changes != 1 else ''} not yet synced"
        )
        if selected and not self.select_learner(selected):
            self._forget_hidden_learner()  # gone from the caseload, or hidden by the filter in its new state
        self._show_alert_count(snapshot.alerts)
        self._update_count()
        self.caseload_loaded.emit()

    def _load_failed(self, exc: Exception) -> None:
        self.show_error("Could not load the caseload", str(exc))

    def _update_count(self, *_args: object) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(
            f"{total} learners" if shown == total else f"Showing {shown} of {total} learners"
        )

    # --- alerts ----------------------------------------------------------------------------------------------

    def _show_alert_count(self, alerts: tuple[Alert, ...]) -> None:
        from reviewapp.ui.alerts_view import count_words

        self.alerts = alerts
        urgent = sum(1 for a in alerts if a.urgent)
        words = count_words(len(alerts)) + (f" ({urgent} urgent)" if urgent else "")
        self.alerts_button.setText(words)
        self.alerts_button.setAccessibleName(f"Alerts: {words}. Open the alerts list")

    def open_alerts(self) -> None:
        """The alerts list; choosing one shows its learner in the caseload."""
        from reviewapp.ui.alerts_view import AlertsDialog

        dialog = AlertsDialog(self.alerts, self._dismiss_alert, self.ask_alert_reason, self)
        dialog.open_learner.connect(self.show_learner_of_alert)
        self.alerts_dialog = dialog
        dialog.open()

    def ask_alert_reason(self, alert: Alert) -> str | None:
        """Why an alert is dismissed (None: not dismissed). Tests replace this."""
        from reviewapp.ui.alerts_view import ReasonDialog

        dialog = ReasonDialog(alert, self)
        return dialog.reason_text() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _dismiss_alert(self, alert: Alert, reason: str) -> str | None:
        from reviewapp.operations import alerts

        try:
            alerts.dismiss(self.store, alert, reason)
        except ValueError as error:
            return str(error)
        self.refresh()
        return None

    def show_learner_of_alert(self, learner_id: str) -> None:
        """Select the learner in the caseload, showing every learner first when a filter or search hid them."""
        if self.select_learner(learner_id):
            return
        self.search.clear()
        self.filter_buttons.buttons()[0].click()  # All learners
        self.select_learner(learner_id)

    # --- selection -------------------------------------------------------------------------------------------

    def select_learner(self, learner_id: str) -> bool:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(ROW_ROLE).facts.learner_id == learner_id:
                self.table.selectRow(row)
                self.table.scrollTo(index)
                return True
        return False

    def _shown_learner_ids(self) -> set[str]:
        """The learners of the rows selected in the table (hidden rows are never selected)."""
        rows = self.table.selectionModel().selectedRows()
        return {index.data(ROW_ROLE).facts.learner_id for index in rows}

    def _forget_hidden_learner(self, *_args: object) -> None:
        """Clear the learner panel when the learner it shows is no longer in the table (a filter or search hid
        them, or a refresh lost them): details of a learner who is not on the screen looked like those of the row
        now under the cursor, and Review actions would have acted on someone the assessor could not see."""
        if self._selected_learner is None or self._selected_learner in self._shown_learner_ids():
            return
        self._selected_learner = None
        self.panel.show_learner(None)

    def _on_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes:
            return
        row: CaseloadRow = self.proxy.data(self.proxy.index(indexes[0].row(), 0), ROW_ROLE)
        learner_id = row.facts.learner_id
        self._selected_learner = learner_id
        self.runner.run(self._load_detail, learner_id, on_done=self._show_detail, on_error=self._load_failed)

    def _load_detail(self, learner_id: str) -> LearnerDetail | None:
        from reviewapp.operations import caseload

        return caseload.learner_detail(self.store, learner_id)

    def _show_detail(self, detail: LearnerDetail | None) -> None:
        if detail is not None and detail.learner_id != self._selected_learner:
            return  # the user has moved on; a newer load is on its way
        self.panel.show_learner(detail, self.today())
        if detail is not None:
            self.learner_shown.emit(detail.learner_id)
            self.refresh_saved_copies()

    def current_index(self) -> QModelIndex:
        return self.table.currentIndex()

    # --- dialogs (tests replace these) --------------------------------------------------------------------------

    def show_error(self, title: str, text: str) -> None:
        QMessageBox.critical(self, title, text)

    def show_info(self, title: str, text: str) -> None:
        QMessageBox.information(self, title, text)

    def confirm(self, title: str, text: str) -> bool:
        """Ask before something that cannot be undone; No is the default, so Enter does not destroy anything."""
        answer = QMessageBox.question(self, title, text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def quit_app(self) -> bool:
        """File > Quit: close every window (an open review saves its draft as it closes) and end the app, even if
        some window outside the caseload's (a dialog made elsewhere) would keep it alive. False if a window refused
        to close."""
        if not self.close():
            return False
        QApplication.quit()
        return True

    def _close_other_windows(self) -> bool:
        """Close every other window of the app, reviews first among them; each draft is saved by its own close.
        Open reviews are windows of their own, so without this closing the caseload left them, and the process,
        running. True when all of them closed."""
        others = [w for w in QApplication.topLevelWidgets() if w is not self and w.isVisible()]
        others.sort(key=lambda w: w not in self.wizards.values())
        for other in others:
            other.close()
        return not any(w.isVisible() for w in others)

    def closeEvent(self, event) -> None:
        if not self._close_other_windows():
            event.ignore()  # a window that refused to close keeps the caseload open too
            return
        self.runner.wait(10000)
        super().closeEvent(event)
