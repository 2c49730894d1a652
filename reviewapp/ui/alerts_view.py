"""The alerts list (issue 16 item 5): every alert the rules give over this laptop's caseload after the last sync
(`reviewapp.store.alerts`), each opening its learner, each dismissable with a reason.

A dialog reached from View > Alerts (Ctrl+Shift+A) and from the count in the status bar; the list is a table named
for screen readers, Enter or a double-click opens the learner, and "Dismiss…" asks for the reason (required).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reviewapp.core.alerts import MAX_REASON_CHARS, Alert, check_reason
from reviewapp.ui.rows_model import KEY_ROLE, RowsModel

HEADERS = ("Learner", "Alert", "Detail")


def count_words(count: int) -> str:
    """The status bar's words: "No alerts", "1 alert", "5 alerts"."""
    return "No alerts" if count == 0 else f"{count} alert{'' if count == 1 else 's'}"


class ReasonDialog(QDialog):
    """Asks why an alert is dismissed; OK only with a reason (said so beside the box, not only by a disabled
    button)."""

    def __init__(self, alert: Alert, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Dismiss the alert")
        layout = QVBoxLayout(self)
        about = QLabel(f"{alert.label} for {alert.learner_name}: {alert.detail}")
        about.setTextFormat(Qt.TextFormat.PlainText)
        about.setWordWrap(True)
        layout.addWidget(about)
        label = QLabel("&Why are you dismissing it? (required; kept in the log at the office)")
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("dismissReason")
        self.reason.setAccessibleName("Reason for dismissing the alert")
        self.reason.setTabChangesFocus(True)
        label.setBuddy(self.reason)
        layout.addWidget(label)
        layout.addWidget(self.reason)
        self.error = QLabel("")
        self.error.setObjectName("dismissError")
        self.error.setStyleSheet("color: #d4351c; font-weight: bold")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.addButton("&Dismiss the alert", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        text = self.reason.toPlainText()
        try:
            check_reason(text[: MAX_REASON_CHARS + 1])
        except ValueError as error:
            self.error.setText(str(error))
            self.error.setAccessibleName(f"Error: {error}")
            self.reason.setFocus()
            return
        super().accept()

    def reason_text(self) -> str:
        return self.reason.toPlainText()


class AlertsDialog(QDialog):
    """The alerts list. `open_learner` is emitted with a learner id; `dismiss` is called with (alert, reason) and
    returns an error message or None."""

    open_learner = Signal(str)

    def __init__(self, alerts: Sequence[Alert], dismiss: Callable[[Alert, str], str | None],
                 ask_reason: Callable[[Alert], str | None] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Alerts")
        self._dismiss = dismiss
        self._ask_reason = ask_reason or self._reason_from_dialog
        self.alerts: list[Alert] = []
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setObjectName("alertsSummary")
        layout.addWidget(self.summary)
        self.model = RowsModel(HEADERS, self)
        self.view = QTableView()
        self.view.setObjectName("alertsList")
        self.view.setAccessibleName("Alerts")
        self.view.setAccessibleDescription("Enter opens the learner; Dismiss asks for the reason")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setTabKeyNavigation(False)
        self.view.setWordWrap(True)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.view.setColumnWidth(0, 170)
        self.view.setColumnWidth(1, 200)
        self.view.activated.connect(lambda _index: self.open_selected())
        layout.addWidget(self.view)
        row = QHBoxLayout()
        self.open_button = QPushButton("&Open the learner")
        self.open_button.clicked.connect(self.open_selected)
        self.dismiss_button = QPushButton("&Dismiss…")
        self.dismiss_button.setObjectName("dismissButton")
        self.dismiss_button.clicked.connect(self.dismiss_selected)
        close = QPushButton("&Close")
        close.clicked.connect(self.reject)
        row.addWidget(self.open_button)
        row.addWidget(self.dismiss_button)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.message = QLabel("")
        self.message.setObjectName("alertsMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.resize(900, 480)
        self.set_alerts(alerts)

    def set_alerts(self, alerts: Sequence[Alert]) -> None:
        self.alerts = list(alerts)
        self.model.set_rows([(a.learner_name, f"{a.label} (urgent)" if a.urgent else a.label, a.detail)
                             for a in self.alerts], keys=self.alerts)
        self.summary.setText(f"{count_words(len(self.alerts))} for your learners, as of the last sync.")
        has = bool(self.alerts)
        self.open_button.setEnabled(has)
        self.dismiss_button.setEnabled(has)
        if has:
            self.view.selectRow(0)
        self.view.setFocus()

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().showEvent(event)
        self.activateWindow()
        self.view.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def selected(self) -> Alert | None:
        rows = self.view.selectionModel().selectedRows()
        return rows[0].data(KEY_ROLE) if rows else None

    def open_selected(self) -> None:
        alert = self.selected()
        if alert is not None:
            self.open_learner.emit(alert.learner_id)
            self.accept()

    def _reason_from_dialog(self, alert: Alert) -> str | None:
        dialog = ReasonDialog(alert, self)
        return dialog.reason_text() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def dismiss_selected(self) -> None:
        alert = self.selected()
        if alert is None:
            return
        reason = self._ask_reason(alert)
        if reason is None:
            return
        problem = self._dismiss(alert, reason)
        if problem:
            self.message.setText(problem)
            return
        self.message.setText(f"Dismissed: {alert.label.lower()} for {alert.learner_name}. It goes to the office "
                             "at the next sync.")
        self.set_alerts([a for a in self.alerts if a.identity != alert.identity])
