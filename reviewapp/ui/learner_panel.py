"""The learner panel: contact details, plan progress, open targets, the off-the-job log, review history and saved
copies of the selected learner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reviewapp.core.caseload import LEARNER_STATUS_WORDS, RAG_WORDS, LearnerDetail, ReviewSummary
from reviewapp.core.dates import format_date, format_datetime
from reviewapp.core.deliveries import deliveries_text, email_consent_text
from reviewapp.core.otj import format_hours, planned_hours_to_date, shortfall
from reviewapp.core.sampling import sample_text
from reviewapp.ui.rows_model import KEY_ROLE, RowsModel

if TYPE_CHECKING:
    from reviewapp.store.saved_copies import SavedCopyInfo

TARGET_STATUS_WORDS = {
    "open": "Open", "met": "Met", "partly_met": "Partly met", "not_met": "Not met",
    "no_longer_relevant": "No longer relevant",
}
REVIEW_STATUS_WORDS = {"draft": "Draft", "finalised": "Finalised", "void": "Void"}


def review_status_words(review: ReviewSummary) -> str:
    """"Finalised", or "Addendum, finalised" for a correction, so the history tells the two apart."""
    words = REVIEW_STATUS_WORDS.get(review.status, review.status)
    return f"Addendum, {words.lower()}" if review.is_addendum else words


def _list_view(model: RowsModel, name: str, stretch_column: int) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setObjectName(name)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(True)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    # The first column holds the long text (a target, a plan item): it takes the room and wraps; others fit.
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.setAlternatingRowColors(True)
    return view


class LearnerPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Learner details")
        self.heading = QLabel("Select a learner to see their details.")
        # The plain name of the learner shown: the heading holds markup, so windows titled after the learner
        # (Compare reviews) take the name from here, never from the heading's text.
        self.learner_name: str | None = None
        self.heading.setObjectName("learnerHeading")
        self.heading.setWordWrap(True)
        self.details = QLabel()
        self.details.setObjectName("learnerDetails")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )

        self.plan_model = RowsModel(("Code", "Plan item", "Planned by", "Start → now"), self)
        self.targets_model = RowsModel(("Target and its small actions", "Due"), self)
        self.reviews_model = RowsModel(("Visit date", "Status", "Progress", "Welfare", "Next review",
                                        "Copies", "Quality sample"), self)
        self.plan_view = _list_view(self.plan_model, "Plan progress", 1)
        self.targets_view = _list_view(self.targets_model, "Open targets", 0)
        self.reviews_view = _list_view(self.reviews_model, "Review history", 5)
        # Two reviews may be selected (Ctrl+click, Shift+arrows) to compare them; Enter opens the current one.
        self.reviews_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.targets_view, "Open targets")
        self.tabs.addTab(self.plan_view, "Plan progress")
        self.tabs.addTab(self._otj_tab(), "Off-the-job log")
        self.tabs.addTab(self._history_tab(), "Review history")

        # The learner's own review frequency is agreed at a visit, so it is set from here (the main window opens it).
        self.frequency_button = QPushButton("Review fre&quency…")
        self.frequency_button.setToolTip("Follow the provider's review schedule, or this learner's own frequency "
                                         "agreed with the employer")
        # Whether the learner and the employer's contact agreed to be e-mailed their copies: asked at a visit too.
        self.email_consent_button = QPushButton("Copies by e-&mail…")
        self.email_consent_button.setToolTip("Record whether the learner and the employer's contact agreed to be "
                                             "e-mailed their copies of each review")
        frequency_row = QHBoxLayout()
        frequency_row.addWidget(self.frequency_button)
        frequency_row.addWidget(self.email_consent_button)
        frequency_row.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.details)
        layout.addLayout(frequency_row)
        layout.addWidget(self.tabs, stretch=1)
        self.show_learner(None)

    def _history_tab(self) -> QWidget:
        """The reviews, and under them the copies printed for this learner, kept encrypted in the caseload: open,
        print again or export (the one way a copy becomes a file)."""
        self.copies_model = RowsModel(("Kept", "Copy", "File name"), self)
        self.copies_view = _list_view(self.copies_model, "Saved copies", 2)
        self.copies_heading = QLabel()
        self.open_copy_button = QPushButton("&Open")
        self.print_copy_button = QPushButton("P&rint…")
        self.export_copy_button = QPushButton("E&xport as a file…")
        self.export_copy_button.setToolTip("Writes a plain PDF file where you choose; the file is not protected")
        self.copies_heading.setWordWrap(True)
        self.copies_heading.setBuddy(self.copies_view)
        buttons = QHBoxLayout()
        for button in (self.open_copy_button, self.print_copy_button, self.export_copy_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.reviews_view, stretch=3)
        layout.addWidget(self.copies_heading)
        layout.addWidget(self.copies_view, stretch=2)
        layout.addLayout(buttons)
        self.show_saved_copies([])
        return tab

    def _otj_tab(self) -> QWidget:
        """The learner's off-the-job log, newest first, with the hours planned by today against those logged; the
        main window adds, edits and deletes entries (they sync)."""
        self.otj_model = RowsModel(("Date", "Hours", "Activity", "What was learnt", "Evidence"), self)
        self.otj_view = _list_view(self.otj_model, "Off-the-job log", 3)
        self.otj_summary = QLabel()
        self.otj_summary.setObjectName("otjSummary")
        self.otj_summary.setWordWrap(True)
        self.otj_summary.setBuddy(self.otj_view)
        self.add_otj_button = QPushButton("&Add entry…")
        self.edit_otj_button = QPushButton("Ed&it…")
        self.delete_otj_button = QPushButton("&Delete")
        buttons = QHBoxLayout()
        for button in (self.add_otj_button, self.edit_otj_button, self.delete_otj_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.otj_summary)
        layout.addWidget(self.otj_view, stretch=1)
        layout.addLayout(buttons)
        self.otj_view.selectionModel().selectionChanged.connect(self._otj_selection_changed)
        return tab

    def _otj_selection_changed(self, *_args: object) -> None:
        chosen = self.selected_otj_entry_id() is not None
        self.edit_otj_button.setEnabled(chosen)
        self.delete_otj_button.setEnabled(chosen)

    def selected_otj_entry_id(self) -> str | None:
        """The off-the-job entry selected, if any."""
        rows = self.otj_view.selectionModel().selectedRows()
        return self.otj_model.index(rows[0].row(), 0).data(KEY_ROLE) if rows else None

    def _show_otj_log(self, detail: LearnerDetail | None, today: dt.date | None) -> None:
        entries = detail.otj_log if detail else []
        self.otj_model.set_rows(
            [(format_date(e.date), format_hours(e.hours), e.activity, e.learnt, e.evidence) for e in entries],
            keys=[e.id for e in entries],
        )
        self.add_otj_button.setEnabled(detail is not None)
        self._otj_selection_changed()
        if detail is None:
            self.otj_summary.setText("")
            return
        count = f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}"
        logged = f"<b>{detail.otj_hours_logged:g} hours logged</b> in {count}"
        planned = (planned_hours_to_date(detail.planned_otj_hours, detail.start_date, detail.planned_end_date, today)
                   if today else None)
        if planned is None:
            self.otj_summary.setText(f"{logged}; {detail.planned_otj_hours:g} planned in all.")
        else:
            behind = shortfall(planned, detail.otj_hours_logged)
            where = f"{behind:g} hours behind" if behind else "on plan"
            self.otj_summary.setText(f"{logged}, against {planned:g} planned by {format_date(today)} ({where}); "
                                     f"{detail.planned_otj_hours:g} planned in all.")

    def show_saved_copies(self, copies: Sequence[SavedCopyInfo]) -> None:
        self.copies_model.set_rows([(format_datetime(c.created_at), c.words, c.file_name) for c in copies],
                                   keys=[c.id for c in copies])
        count = f" ({len(copies)})" if copies else ""
        self.copies_heading.setText(f"<b>Saved copies{count}</b> — kept encrypted on this laptop. An exported "
                                    "file is not protected.")
        for button in (self.open_copy_button, self.print_copy_button, self.export_copy_button):
            button.setEnabled(bool(copies))

    def selected_copy_id(self) -> str | None:
        """The saved copy selected (or current) under the review history, if any."""
        index = self.copies_view.currentIndex()
        rows = self.copies_view.selectionModel().selectedRows()
        row = rows[0].row() if rows else index.row() if index.isValid() else -1
        return self.copies_model.index(row, 0).data(KEY_ROLE) if row >= 0 else None

    def show_learner(self, detail: LearnerDetail | None, today: dt.date | None = None) -> None:
        """Show the learner (or none); `today` dates the off-the-job hours planned by now."""
        self.learner_name = detail.name if detail is not None else None
        self._show_otj_log(detail, today)
        if detail is None:
            self.heading.setText("<b>No learner selected</b>")
            self.details.setText("Select a learner in the caseload to see their details.")
            for model in (self.plan_model, self.targets_model, self.reviews_model):
                model.set_rows([])
            self.show_saved_copies([])
            self.tabs.setTabText(0, "Open targets")
            self.frequency_button.setEnabled(False)
            self.email_consent_button.setEnabled(False)
            return
        self.frequency_button.setEnabled(True)
        self.email_consent_button.setEnabled(True)
        self.heading.setText(f"<h2 style='margin:0'>{escape(detail.name)}</h2>ULN {escape(detail.uln)}")
        level = f", level {detail.level}" if detail.level else ""
        otj = f"{detail.otj_hours_logged:g} of {detail.planned_otj_hours:g} planned hours logged"
        rows = [
            ("Programme", f"{detail.programme}{level}"),
            ("Dates", f"{format_date(detail.start_date)} to {format_date(detail.planned_end_date)}"),
            ("Status", LEARNER_STATUS_WORDS.get(detail.status, detail.status)),
            ("Off-the-job", otj),
            ("Learner", " · ".join(x for x in (detail.email, detail.phone) if x)),
            ("Employer", detail.employer_name),
            ("Contact", " · ".join(x for x in (detail.employer_contact, detail.employer_email,
                                               detail.employer_phone) if x)),
            ("Address", detail.employer_address),
        ]
        if detail.support_needs:
            rows.append(("Support needs", detail.support_needs))
        levels = [f"{subject} {level}" for subject, level in (("English", detail.english_level_at_start),
                                                               ("maths", detail.maths_level_at_start)) if level]
        if levels:
            rows.append(("At the start", ", ".join(levels)))
        rows.append(("Review frequency", detail.review_frequency.words if detail.review_frequency
                     else "The provider's review schedule"))
        rows.append(("Copies by e-mail", email_consent_text(detail.email_consent, detail.employer_email_consent)))
        rows.extend(("Case" if n == 0 else "", words) for n, words in enumerate(detail.case_states))
        self.details.setText(
            "<table cellspacing='2'>"
            + "".join(f"<tr><td><b>{escape(k)}</b>&nbsp;</td><td>{escape(v)}</td></tr>" for k, v in rows)
            + "</table>"
        )
        self.plan_model.set_rows([(p.code, p.title + (f"\n    Starting point: {p.starting_note}" if p.starting_note
                                                       else ""),
                                   format_date(p.planned_date), p.gain.start_to_now) for p in detail.plan])
        self.targets_model.set_rows(
            [
                (t.text + "".join(f"\n    – {action}" for action in t.actions), format_date(t.due_date) or "No date")
                for t in detail.open_targets
            ],
            keys=[t.id for t in detail.open_targets],
        )
        self.tabs.setTabText(0, f"Open targets ({len(detail.open_targets)})")
        self.reviews_model.set_rows(
            [
                (
                    format_date(r.visit_date) or "Not set",
                    review_status_words(r),
                    RAG_WORDS.get(r.progress_rag or "", "—"),
                    RAG_WORDS.get(r.welfare_rag or "", "—"),
                    format_date(r.next_review_date) or "—",
                    deliveries_text(r.deliveries) or "—",
                    "\n\n".join(sample_text(sample) for sample in r.samples) or "—",
                )
                for r in detail.reviews
            ],
            keys=[r.id for r in detail.reviews],
        )
