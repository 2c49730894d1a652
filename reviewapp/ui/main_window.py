"""The main window: the assessor's caseload, a learner panel, and the state of sync in the status bar.

Every database read runs through the `TaskRunner`, so the window paints at once and stays responsive however large
the caseload. Dialogs go through `show_error` / `show_info`, which tests replace.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QModelIndex, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
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
from reviewapp.core.dates import format_date, format_datetime, london_today
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
from reviewapp.ui.plain_label import plain_label
from reviewapp.ui.rows_model import KEY_ROLE
from reviewapp.ui.tasks import TaskRunner
from reviewapp.ui.window_fit import fit_window

if TYPE_CHECKING:
    from PySide6.QtPrintSupport import QPrintDialog

    from reviewapp.core.alerts import Alert
    from reviewapp.core.otj import OtjLogEntry
    from reviewapp.operations.caseload import CaseloadSnapshot
    from reviewapp.operations.settings import ProviderSettings
    from reviewapp.store.database import Store
    from reviewapp.store.otj_log import EntryFields
    from reviewapp.store.reviews import DraftSummary
    from reviewapp.store.saved_copies import SavedCopyInfo
    from reviewapp.ui.email_consent_dialog import ConsentChoice
    from reviewapp.ui.print_options import PrintOptions
    from reviewapp.ui.review_compare import ReviewComparison
    from reviewapp.ui.review_frequency_dialog import FrequencyChoice
    from reviewapp.ui.wizard.review_wizard import ReviewWizard

# Reviews, their wizard and comparisons (pydantic, icalendar, the review rules) are imported when first used, not
# here: the window then paints some 0.3 s sooner on this machine (benchmarks/startup.py). The same holds for the
# operations (reviewapp.operations), which bring SQLAlchemy: each is imported where it is first called.

class MainWindow(QMainWindow):
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

    # --- actions -------------------------------------------------------------------------------------------------

    def _make_actions(self) -> None:
        menu = self.menuBar().addMenu("&File")
        refresh = QAction("&Refresh caseload", self)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.refresh)
        menu.addAction(refresh)
        provider = QAction("&Provider settings (name, logo, review schedule)…", self)
        provider.triggered.connect(self.open_provider_settings)
        menu.addAction(provider)
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.quit_app)
        menu.addAction(quit_action)
        find = QAction("&Find learner", self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self._focus_search)
        self.addAction(find)
        review_menu = self.menuBar().addMenu("&Review")
        self.start_review_action = QAction("&Start or resume a review", self)
        self.start_review_action.setShortcut(QKeySequence.StandardKey.New)
        self.start_review_action.triggered.connect(self.start_review)
        self.open_review_action = QAction("&Open the selected past review", self)
        self.open_review_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_review_action.triggered.connect(self.open_selected_review)
        self.compare_action = QAction("&Compare two reviews", self)
        self.compare_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.compare_action.triggered.connect(self.compare_reviews)
        self.print_action = QAction("&Print signed copies of the selected review…", self)
        self.print_action.setShortcut(QKeySequence.StandardKey.Print)
        self.print_action.triggered.connect(self.print_selected_review)
        self.addendum_action = QAction("Add an &addendum to the selected review", self)
        self.addendum_action.triggered.connect(self.add_addendum)
        self.discard_action = QAction("&Discard the selected draft…", self)
        self.discard_action.triggered.connect(self.discard_selected_draft)
        self.pre_visit_action = QAction("Pre-&visit pack for the selected learner…", self)
        self.pre_visit_action.triggered.connect(self.print_pre_visit_pack)
        self.blank_form_action = QAction("&Blank paper review form…", self)
        self.blank_form_action.triggered.connect(self.print_blank_form)
        self.concern_action = QAction("Raise a &concern about the selected learner…", self)
        self.concern_action.setShortcut(QKeySequence("Ctrl+Shift+K"))
        self.concern_action.triggered.connect(self.raise_concern)
        for action in (self.start_review_action, self.open_review_action, self.print_action, self.compare_action,
                       self.addendum_action, self.discard_action):
            review_menu.addAction(action)
        review_menu.addSeparator()
        review_menu.addAction(self.pre_visit_action)
        review_menu.addAction(self.blank_form_action)
        review_menu.addSeparator()
        review_menu.addAction(self.concern_action)
        self.panel.reviews_view.activated.connect(lambda _index: self.open_selected_review())
        self.panel.copies_view.activated.connect(lambda _index: self.open_saved_copy())
        self.panel.open_copy_button.clicked.connect(self.open_saved_copy)
        self.panel.print_copy_button.clicked.connect(self.print_saved_copy)
        self.panel.export_copy_button.clicked.connect(self.export_saved_copy)
        self.panel.frequency_button.clicked.connect(self.set_review_frequency)
        self.panel.email_consent_button.clicked.connect(self.set_email_consent)
        self.panel.add_otj_button.clicked.connect(self.add_otj_entry)
        self.panel.edit_otj_button.clicked.connect(self.edit_otj_entry)
        self.panel.otj_view.activated.connect(lambda _index: self.edit_otj_entry())
        self.panel.delete_otj_button.clicked.connect(self.delete_otj_entry)
        view_menu = self.menuBar().addMenu("&View")
        self.alerts_action = QAction("&Alerts…", self)
        self.alerts_action.setShortcut(QKeySequence("Ctrl+Shift+A"))
        self.alerts_action.triggered.connect(self.open_alerts)
        view_menu.addAction(self.alerts_action)
        view_menu.addSeparator()
        for number, button in enumerate(self.filter_buttons.buttons(), start=1):
            action = QAction(button.text(), self)
            action.setShortcut(QKeySequence(f"Alt+{number}"))
            action.triggered.connect(button.click)
            view_menu.addAction(action)
        help_menu = self.menuBar().addMenu("&Help")
        self.help_menu = help_menu  # other parts insert their menus before it (Help stays last)
        open_logs = QAction("Open &log folder", self)
        open_logs.triggered.connect(self.open_log_folder)
        help_menu.addAction(open_logs)
        help_menu.addSeparator()
        getting_started = QAction("&Getting started", self)
        getting_started.setShortcut(QKeySequence.StandardKey.HelpContents)
        getting_started.triggered.connect(self.show_getting_started)
        help_menu.addAction(getting_started)
        about = QAction("&About ReviewApp", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def _focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

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

    # --- saved copies --------------------------------------------------------------------------------------------

    def refresh_saved_copies(self) -> None:
        """List the selected learner's saved copies (kept in the store) in the panel, off the UI thread."""
        if self._selected_learner is not None:
            self._copies_asked += 1
            self.runner.run(self._load_saved_copies, self._selected_learner, self._copies_asked,
                            on_done=self._show_saved_copies, on_error=self._load_failed)

    def _load_saved_copies(self, learner_id: str, asked: int) -> tuple[str, int, list[SavedCopyInfo]]:
        from reviewapp.operations import saved_copies

        return learner_id, asked, saved_copies.copies_of_learner(self.store, learner_id)

    def _show_saved_copies(self, loaded: tuple[str, int, list[SavedCopyInfo]]) -> None:
        learner_id, asked, copies = loaded
        if learner_id != self._selected_learner or asked != self._copies_asked:
            return  # an older list, overtaken by one asked for since (after a print, say)
        self.panel.show_saved_copies(copies)
        self.saved_copies_shown.emit(learner_id)

    def _selected_copy(self) -> tuple[SavedCopyInfo, bytes] | None:
        from reviewapp.operations import saved_copies

        copy_id = self.panel.selected_copy_id()
        if copy_id is None:
            self.show_info("Saved copies", "Select a saved copy under the learner's review history first.")
            return None
        found = saved_copies.saved_copy(self.store, copy_id)
        if found is None:
            self.show_info("Saved copies", "That copy is no longer on this laptop.")
            self.refresh_saved_copies()
        return found

    def open_saved_copy(self) -> QDialog | None:
        """Show the selected saved copy in a viewer, from memory: no file is written to open it."""
        from reviewapp.ui.saved_copy_view import SavedCopyViewer

        found = self._selected_copy()
        if found is None:
            return None
        info, pdf = found
        viewer = SavedCopyViewer(f"{info.words} — {info.file_name}", pdf, self)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.show()
        return viewer

    def print_saved_copy(self) -> int:
        """Print the selected saved copy again (an employer who lost theirs): the kept bytes, as handed out."""
        from reviewapp.operations.printing import record_delivery
        from reviewapp.ui.printing import SAVED_COPY_TITLE, print_with_dialog

        found = self._selected_copy()
        if found is None:
            return 0
        info = found[0]

        def delivered(channel: str) -> None:  # a review's copy printed again is handed over again
            if info.review_id is not None:
                record_delivery(self.store, review_id=info.review_id, learner_id=info.learner_id,
                                copies=[info.kind], channel=channel)

        return print_with_dialog([found[1]], self, title=SAVED_COPY_TITLE, run_dialog=self.run_print_dialog,
                                 printed=delivered)

    def export_saved_copy(self) -> Path | None:
        """Write the selected saved copy as a plain file where the assessor chooses, after saying it will then be
        unprotected. The only way a copy leaves the store as a file."""
        from reviewapp.operations import saved_copies

        found = self._selected_copy()
        if found is None:
            return None
        info, _pdf = found
        path = self.choose_export_path(info.file_name)
        if path is None:
            return None
        try:
            saved_copies.export(self.store, info, path)  # a review's copy saved to hand over is a delivery
        except OSError as exc:
            self.show_error("The copy could not be exported", f"{path}: {exc.strerror or exc}")
            return None
        self.refresh_saved_copies()
        self.statusBar().showMessage(f"Exported to {path} — this file is not protected", 15000)
        return path

    def current_index(self) -> QModelIndex:
        return self.table.currentIndex()

    # --- reviews -------------------------------------------------------------------------------------------------

    def start_review(self) -> ReviewWizard | None:
        """Resume the selected learner's draft if there is one, else start a new review for them."""
        from reviewapp.operations import drafts

        learner_id = self._selected_learner
        if learner_id is None:
            self.show_info("Start a review", "Select a learner in the caseload first.")
            return None
        started = drafts.start_or_resume(self.store, learner_id, self.today(), self.rules)
        if started.changes:  # a new draft, not the one resumed
            self.refresh()
        return self.open_review(started.value)

    def open_review(self, review_id: str) -> ReviewWizard:
        """Show a review: a draft to carry on with, or a finalised one read-only."""
        from reviewapp.ui.wizard.review_wizard import ReviewWizard

        wizard = self.wizards.get(review_id)
        if wizard is None:
            wizard = ReviewWizard(self.store, review_id, rules=self.rules)
            wizard.setWindowFlag(Qt.WindowType.Window)
            wizard.finalised.connect(self._on_finalised)
            wizard.print_requested.connect(lambda rid, w=wizard: self.print_review(rid, w))
            wizard.print_reading_requested.connect(lambda rid, w=wizard: self.print_reading_copy(rid, w))
            wizard.destroyed.connect(lambda *_: self.wizards.pop(review_id, None))
            wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.wizards[review_id] = wizard
        wizard.show()
        wizard.raise_()
        wizard.activateWindow()
        self.review_opened.emit(wizard)
        return wizard

    def _on_finalised(self, review_id: str) -> None:
        self.refresh()
        self.review_finalised.emit(review_id)

    def _selected_history_ids(self) -> list[str]:
        view = self.panel.reviews_view
        rows = sorted({i.row() for i in view.selectionModel().selectedRows()}) or (
            [view.currentIndex().row()] if view.currentIndex().isValid() else [])
        return [self.panel.reviews_model.index(r, 0).data(KEY_ROLE) for r in rows]

    def _chosen_review_ids(self, title: str, hint: str) -> list[str]:
        """The reviews a history action (open, print) works on, or [] after saying what to select.

        With no learner selected the history is empty, so asking for "a review in the learner's review history"
        pointed at nothing: say to select a learner first. A learner with a single review needs no second choice."""
        if self._selected_learner is None:
            self.show_info(title, "Select a learner in the caseload first.")
            return []
        ids = self._selected_history_ids()
        if not ids and self.panel.reviews_model.rowCount() == 1:
            ids = [self.panel.reviews_model.index(0, 0).data(KEY_ROLE)]
        if not ids:
            self.show_info(title, hint)
        return ids

    def open_selected_review(self) -> ReviewWizard | None:
        ids = self._chosen_review_ids("Open a review", "Select a review in the learner's review history first.")
        return self.open_review(ids[0]) if ids else None

    def compare_reviews(self) -> ReviewComparison | None:
        """Compare the two reviews selected in the history, or else the learner's two latest finalised ones."""
        from reviewapp.operations.comparison import compare
        from reviewapp.ui.review_compare import ReviewComparison

        learner_id = self._selected_learner
        if learner_id is None:
            self.show_info("Compare reviews", "Select a learner in the caseload first.")
            return None
        compared = compare(self.store, learner_id, self._selected_history_ids())
        if compared is None:
            self.show_info("Compare reviews", "This learner needs at least two reviews to compare.")
            return None
        dialog = ReviewComparison(self.panel.learner_name or "", compared.earlier, compared.later, compared.rows,
                                  self)
        dialog.show()
        return dialog

    def print_selected_review(self) -> list[Path]:
        ids = self._chosen_review_ids("Print a review",
                                      "Select a finalised review in the learner's review history first.")
        return self.print_review(ids[0]) if ids else []

    def print_review(self, review_id: str, parent: QWidget | None = None) -> list[str]:
        """Keep the chosen signed copies (learner's, employer's, provider's) in the encrypted store, then print
        them; the ids of the copies kept. No file is written: a file is had by exporting a saved copy."""
        from reviewapp.operations.printing import review_document
        from reviewapp.reports.review_pdf import ReviewPdfError, verify_signed
        from reviewapp.ui.printing import print_review

        document, settings = review_document(self.store, review_id)
        try:
            verify_signed(document)  # before asking anything: a draft or altered review is never a signed copy
            options = self.choose_print_options(document.learner_name, parent or self)
            if options is None:
                return []
            ids, _pages = print_review(self.store, document, options.copies, parent or self, settings=settings,
                                       run_dialog=self.run_print_dialog)
        except ReviewPdfError as exc:
            self.show_error("This review cannot be printed as a signed copy", str(exc))
            return []
        self.statusBar().showMessage(f"Kept {len(ids)} copies, encrypted, in {document.learner_name}'s saved copies",
                                     10000)
        self.refresh_saved_copies()
        self.refresh()  # the review history lists the copies printed
        return ids

    def print_reading_copy(self, review_id: str, parent: QWidget | None = None) -> int:
        """Print a draft to read through (every page marked "DRAFT — not signed"); nothing is kept or written."""
        from reviewapp.operations.printing import reading_copy
        from reviewapp.ui.printing import READING_COPY_TITLE, print_with_dialog

        return print_with_dialog([reading_copy(self.store, review_id)], parent or self, title=READING_COPY_TITLE,
                                 run_dialog=self.run_print_dialog)

    def print_pre_visit_pack(self) -> str | None:
        """Keep the selected learner's pre-visit pack in their saved copies and print it, to read before the visit;
        the id of the copy kept."""
        from reviewapp.operations.printing import keep_pre_visit_pack
        from reviewapp.ui.printing import PRE_VISIT_TITLE, print_with_dialog

        if self._selected_learner is None:
            self.show_info("Pre-visit pack", "Select a learner in the caseload first.")
            return None
        kept = keep_pre_visit_pack(self.store, self._selected_learner, self.today()).value
        if kept is None:
            return None
        print_with_dialog([kept.pdf], self, title=PRE_VISIT_TITLE, run_dialog=self.run_print_dialog)
        self.statusBar().showMessage(f"Kept the pre-visit pack, encrypted, in {kept.learner_name}'s saved copies",
                                     10000)
        self.refresh_saved_copies()
        return kept.copy_id

    def print_blank_form(self) -> int:
        """Print the review template as a paper form, for a visit where the laptop cannot be used; the pages
        printed. It holds nobody's answers and can be made again at any time, so nothing is kept."""
        from reviewapp.operations.printing import blank_form
        from reviewapp.ui.printing import BLANK_FORM_TITLE, print_with_dialog

        return print_with_dialog([blank_form(self.store)], self, title=BLANK_FORM_TITLE,
                                 run_dialog=self.run_print_dialog)

    def add_addendum(self) -> ReviewWizard | None:
        """A correction to a finalised review: a short signed record linked to it (what was wrong, what is right,
        why), since the signed review never changes. It sets no targets and moves no review dates."""
        from reviewapp.operations import drafts

        ids = self._selected_history_ids()
        if not ids or self._selected_learner is None:
            self.show_info("Add an addendum", "Select a finalised review in the learner's review history first.")
            return None
        review_id = drafts.start_addendum(self.store, self._selected_learner, ids[0], self.today(), self.rules).value
        if review_id is None:
            self.show_info("Add an addendum", "Only a finalised review takes an addendum; a draft can be edited.")
            return None
        self.refresh()
        return self.open_review(review_id)

    def discard_selected_draft(self) -> bool:
        """Discard the draft selected in the review history (started for the wrong learner, an addendum opened by
        mistake), after asking. It is voided with the reason "Discarded draft" and the void syncs, so the office
        sees what happened; a finalised review is never discarded. Returns True when the draft was discarded."""
        from reviewapp.operations import drafts

        ids = self._selected_history_ids()
        if not ids:
            self.show_info("Discard a draft", "Select the draft in the learner's review history first.")
            return False
        review = drafts.review(self.store, ids[0])
        if review.status != "draft":
            self.show_info("Discard a draft", "Only a draft can be discarded. A finalised review stays as it was "
                                              "signed: add an addendum to correct it.")
            return False
        kind = "addendum" if review.addendum_to_id else "review"
        if not self.confirm("Discard this draft?",
                            f"Discard the draft {kind} of {format_date(review.visit_date) or 'no date'}? Its answers "
                            "and any signatures will no longer be offered or printed. It is kept on record as a "
                            "discarded draft (also on the server after the next sync). This cannot be undone."):
            return False
        wizard = self.wizards.pop(ids[0], None)
        if wizard is not None:
            wizard.close()  # saves what was typed first, so no save lands on the discarded draft
        try:
            drafts.discard(self.store, ids[0], review.learner_id)
        except drafts.NotADraftError as exc:
            self.show_info("Discard a draft", str(exc))
            return False
        self.statusBar().showMessage("The draft was discarded", 10000)
        self.refresh()
        return True

    def offer_resume_drafts(self) -> ReviewWizard | None:
        """On start, offer to carry on with a review that was left unfinished (after a crash or a flat battery)."""
        from reviewapp.operations.drafts import unfinished_drafts

        drafts = unfinished_drafts(self.store)
        if not drafts:
            return None
        chosen = self.choose_draft(drafts)
        return self.open_review(chosen.review_id) if chosen else None

    def open_provider_settings(self) -> None:
        """Name and logo on printed copies, and the review schedule the caseload and the wizard follow."""
        from reviewapp.operations import settings

        current = settings.provider_settings(self.store)
        self.rules = current.rules  # as the last sync left them
        chosen = self.choose_provider_settings(current)
        if chosen is None:
            return
        settings.save_provider_settings(self.store, chosen)
        self.rules = chosen.rules
        self.refresh()

    def reload_rules(self) -> None:
        """Take the review schedule again from the store: a sync may have brought the office's."""
        from reviewapp.operations.settings import schedule_rules

        self.rules = schedule_rules(self.store)

    def ask_provider_name_if_unset(self) -> bool:
        """At a start with no provider name set, ask for it (every copy is headed by it); whether a name was saved.
        Declining leaves the placeholder, and the question comes again at the next start."""
        from reviewapp.operations.printing import report_settings
        from reviewapp.operations.settings import name_provider

        if report_settings(self.store).provider_named:
            return False
        name = self.choose_provider_name()
        if not name:
            return False
        name_provider(self.store, name)
        self.statusBar().showMessage(f"Copies will be headed “{name}”", 10000)
        return True

    def set_review_frequency(self) -> bool:
        """The selected learner's review frequency: the provider's schedule, or their own agreed with the employer.

        Saved as a change to the learner (it syncs), and the caseload's due dates follow at once. True when saved.
        """
        from reviewapp.operations.learners import UnknownLearnerError, set_review_frequency

        detail = self._selected_detail()
        if detail is None:
            return False
        learner_id = detail.learner_id
        chosen = self.choose_review_frequency(detail)
        if chosen is None:
            return False
        try:
            set_review_frequency(self.store, learner_id, chosen.frequency)
        except (UnknownLearnerError, ValueError) as exc:
            self.show_error("The review frequency could not be saved", str(exc))
            return False
        self.refresh()
        return True

    def set_email_consent(self) -> bool:
        """Whether the selected learner and their employer's contact agreed to be e-mailed their copies (issue 17):
        saved as a change to the learner and the employer (it syncs). True when saved."""
        from reviewapp.operations.learners import UnknownLearnerError, set_email_consent

        detail = self._selected_detail()
        if detail is None:
            return False
        learner_id = detail.learner_id
        chosen = self.choose_email_consent(detail)
        if chosen is None:
            return False
        try:
            if detail.employer_name:
                set_email_consent(self.store, learner_id, learner=chosen.learner, employer=chosen.employer)
            else:
                set_email_consent(self.store, learner_id, learner=chosen.learner)
        except UnknownLearnerError as exc:
            self.show_error("The answers could not be saved", str(exc))
            return False
        self.refresh()
        return True

    def choose_email_consent(self, detail: LearnerDetail) -> ConsentChoice | None:
        """The answers chosen, or None for Cancel."""
        from reviewapp.ui.email_consent_dialog import EmailConsentDialog

        dialog = EmailConsentDialog(detail.name, detail.email, detail.email_consent,
                                    employer_contact=detail.employer_contact, employer_email=detail.employer_email,
                                    employer=detail.employer_email_consent, has_employer=bool(detail.employer_name),
                                    parent=self)
        return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None

    # --- off-the-job log --------------------------------------------------------------------------------------------

    def _selected_detail(self) -> LearnerDetail | None:
        """The selected learner's details as the store holds them now; None when none is selected (or it is gone)."""
        return None if self._selected_learner is None else self._load_detail(self._selected_learner)

    def choose_concern(self, detail: LearnerDetail):  # type: ignore[no-untyped-def]
        """Ask for a concern (the dialog); None when cancelled. Tests replace this."""
        from reviewapp.ui.concern_dialog import ConcernDialog

        dialog = ConcernDialog(detail.name, self)
        return dialog.fields() if dialog.exec() == ConcernDialog.DialogCode.Accepted else None

    def raise_concern(self) -> bool:
        """A safeguarding or learning support concern about the selected learner, without a review (it syncs first,
        offline too); True when saved."""
        from reviewapp.operations.learners import UnknownLearnerError, raise_concern

        detail = self._selected_detail()
        if detail is None:
            return False
        fields = self.choose_concern(detail)
        if fields is None:
            return False
        try:
            raise_concern(self.store, detail.learner_id, fields.route, fields.urgency, fields.text)
        except (UnknownLearnerError, ValueError) as exc:
            self.show_error("The concern could not be saved", str(exc))
            return False
        self.statusBar().showMessage("Concern saved: it goes to the office first at the next sync.", 10_000)
        self.refresh()
        return True

    def add_otj_entry(self) -> bool:
        """A new entry in the selected learner's off-the-job log (it syncs); True when saved."""
        from reviewapp.operations.learners import UnknownLearnerError
        from reviewapp.operations.otj_log import add_entry

        detail = self._selected_detail()
        if detail is None:
            return False
        fields = self.choose_otj_entry(detail, None)
        if fields is None:
            return False
        try:
            add_entry(self.store, detail.learner_id, fields)
        except (UnknownLearnerError, ValueError) as exc:
            self.show_error("The off-the-job entry could not be saved", str(exc))
            return False
        self.refresh()
        return True

    def edit_otj_entry(self) -> bool:
        """The selected off-the-job entry, changed; True when saved."""
        from reviewapp.operations.otj_log import UnknownEntryError, edit_entry

        detail, entry = self._selected_otj_entry()
        if detail is None or entry is None:
            return False
        fields = self.choose_otj_entry(detail, entry)
        if fields is None:
            return False
        try:
            edit_entry(self.store, detail.learner_id, entry.id, fields)
        except (UnknownEntryError, ValueError) as exc:
            self.show_error("The off-the-job entry could not be saved", str(exc))
            return False
        self.refresh()
        return True

    def delete_otj_entry(self) -> bool:
        """The selected off-the-job entry deleted, once confirmed (the deletion syncs); True when deleted."""
        from reviewapp.core.dates import format_date
        from reviewapp.core.otj import format_hours
        from reviewapp.operations.otj_log import UnknownEntryError, delete_entry

        detail, entry = self._selected_otj_entry()
        if detail is None or entry is None:
            return False
        if not self.confirm("Delete the off-the-job entry?",
                            f"Delete {format_hours(entry.hours)} hours of {entry.activity} on "
                            f"{format_date(entry.date)} from {detail.name}'s log? The office and your other "
                            "devices lose it too at the next sync."):
            return False
        try:
            delete_entry(self.store, detail.learner_id, entry.id)
        except UnknownEntryError as exc:
            self.show_error("The off-the-job entry could not be deleted", str(exc))
            return False
        self.refresh()
        return True

    def _selected_otj_entry(self) -> tuple[LearnerDetail | None, OtjLogEntry | None]:
        entry_id = self.panel.selected_otj_entry_id()
        detail = self._selected_detail() if entry_id else None
        entry = next((e for e in detail.otj_log if e.id == entry_id), None) if detail else None
        return detail, entry

    def open_log_folder(self) -> Path:
        """Show the folder of log files (for support staff helping on the phone)."""
        from reviewapp.logs import log_dir

        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        self.open_url(QUrl.fromLocalFile(str(folder)))
        return folder

    def show_getting_started(self) -> str:
        """A short guide to a first visit, from the Help menu; the text shown."""
        from reviewapp.ui.help_text import GETTING_STARTED, GETTING_STARTED_TITLE

        self.show_info(GETTING_STARTED_TITLE, GETTING_STARTED)
        return GETTING_STARTED

    def show_about(self) -> str:
        """The About box with the running version (the first thing support asks for); the text shown."""
        import reviewapp
        from reviewapp.ui.help_text import ABOUT_TITLE, about_text

        text = about_text(reviewapp.__version__)
        self.show_info(ABOUT_TITLE, text)
        return text

    # --- dialogs (tests replace these) --------------------------------------------------------------------------

    def run_print_dialog(self, dialog: QPrintDialog) -> bool:
        return dialog.exec() == dialog.DialogCode.Accepted

    def choose_provider_settings(self, current: ProviderSettings) -> ProviderSettings | None:
        from reviewapp.ui.provider_settings import ProviderSettingsDialog

        dialog = ProviderSettingsDialog(current, self)
        return dialog.settings() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def choose_provider_name(self) -> str | None:
        from reviewapp.ui.provider_name import ProviderNameDialog

        dialog = ProviderNameDialog(self)
        return dialog.chosen_name() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def choose_review_frequency(self, detail: LearnerDetail) -> FrequencyChoice | None:
        """The frequency chosen (its `frequency` None for the provider's schedule), or None for Cancel."""
        from reviewapp.ui.review_frequency_dialog import FrequencyChoice, ReviewFrequencyDialog

        dialog = ReviewFrequencyDialog(detail.name, detail.review_frequency, self.rules,
                                       employer_contact=detail.employer_contact, today=self.today(), parent=self)
        return FrequencyChoice(dialog.frequency()) if dialog.exec() == QDialog.DialogCode.Accepted else None

    def choose_otj_entry(self, detail: LearnerDetail, entry: OtjLogEntry | None) -> EntryFields | None:
        """The entry as entered (a new one when `entry` is None), or None for Cancel."""
        from reviewapp.ui.otj_entry_dialog import OtjEntryDialog

        dialog = OtjEntryDialog(detail.name, entry, today=self.today(), parent=self)
        return dialog.fields() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def choose_print_options(self, learner_name: str, parent: QWidget) -> PrintOptions | None:
        from reviewapp.operations.printing import report_settings
        from reviewapp.ui.print_options import PrintOptionsDialog

        dialog = PrintOptionsDialog(learner_name, parent, settings=report_settings(self.store))
        return dialog.options() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def choose_export_path(self, file_name: str) -> Path | None:
        """Say that an exported file is unprotected, then ask where to write it; None if the assessor stops."""
        from PySide6.QtWidgets import QFileDialog

        from reviewapp.store.saved_copies import EXPORT_WARNING

        answer = QMessageBox.warning(self, "Export a saved copy as a file", EXPORT_WARNING,
                                     QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel,
                                     QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Ok:
            return None
        chosen, _filter = QFileDialog.getSaveFileName(self, "Export the copy to", str(Path.home() / file_name),
                                                      "PDF files (*.pdf)")
        return Path(chosen) if chosen else None

    def open_url(self, url: QUrl) -> None:
        QDesktopServices.openUrl(url)

    def choose_draft(self, drafts: list[DraftSummary]) -> DraftSummary | None:
        labels = [f"{d.learner_name} — {'addendum' if d.is_addendum else 'visit'} {format_date(d.visit_date)}, "
                  f"last saved {format_datetime(d.updated_at)}" for d in drafts]
        choice, ok = QInputDialog.getItem(self, "Unfinished reviews",
                                          "These reviews are not finalised yet. Carry on with one now?",
                                          labels, 0, False)
        return drafts[labels.index(choice)] if ok and choice in labels else None

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
