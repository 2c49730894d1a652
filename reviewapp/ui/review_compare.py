"""A window comparing two reviews of a learner side by side (progress over time)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QAbstractItemView, QDialog, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from reviewapp.core.comparison import ComparisonRow
from reviewapp.core.dates import format_date
from reviewapp.ui.rows_model import RowsModel
from reviewapp.ui.window_fit import fit_window
from sync.protocol import ReviewData


class ReviewComparison(QDialog):
    """Two reviews of one learner side by side; learner_name is plain text (escaped wherever markup shows it)."""

    def __init__(self, learner_name: str, earlier: ReviewData, later: ReviewData, rows: list[ComparisonRow],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Compare reviews — {learner_name}")
        self.model = RowsModel(("", f"Review of {format_date(earlier.visit_date)}",
                                f"Review of {format_date(later.visit_date)}", "Changed"), self)
        self.model.set_rows([(r.label, r.earlier, r.later, "changed" if r.changed else "") for r in rows])
        view = QTableView()
        view.setObjectName("comparison")
        view.setAccessibleName("Comparison of two reviews")
        view.setModel(self.model)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.verticalHeader().hide()
        view.setWordWrap(True)
        # Labels a fixed, readable width; the two reviews share the rest equally and wrap (a list of targets can
        # be long); rows grow to show every line.
        header = view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 230)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<h3>{escape(learner_name)}</h3>How things moved between the two reviews."))
        layout.addWidget(view)
        fit_window(self, "review_compare", QSize(980, 640))
