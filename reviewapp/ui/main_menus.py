"""The main window's menus and shortcuts (File, Review, View, Help), and the learner panel's buttons.

Apart from the window's layout, so that `main_window.py` holds the caseload and the selection; a mixin, so that every
action stays a method of the window that tests find and trigger as before.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence


class MainMenus:
    """Part of `MainWindow` (see the module's docstring)."""

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
