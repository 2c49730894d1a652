"""The laptop's alerts list and status-bar count (issue 16 item 5), on the demo caseload: the count is the store's
alerts by the core's rules; the list opens from the keyboard, is named for screen readers, opens the learner, and
dismisses with a required reason, a change that waits in the outbox for the next sync."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from reviewapp.core.alerts import AlertKind
from reviewapp.store.alerts import store_alerts
from reviewapp.store.models import AlertDismissal, OutboxEntry
from reviewapp.ui.alerts_view import ReasonDialog
from tests.conftest import DEMO_TODAY


def test_the_status_bar_counts_the_alerts_and_the_list_opens_the_learner(
        window, demo_store, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    alerts = store_alerts(demo_store, DEMO_TODAY)
    assert len(alerts) > 3 and {a.kind for a in alerts} >= {AlertKind.REVIEW_OVERDUE, AlertKind.RATING}
    urgent = sum(1 for a in alerts if a.urgent)
    assert window.alerts_button.text() == f"{len(alerts)} alerts ({urgent} urgent)"
    assert window.alerts_button.accessibleName().startswith(f"Alerts: {len(alerts)} alerts")
    window.resize(1366, 768)
    window.grab().save(str(tmp_path / "main_window_alerts_count.png"))

    qtbot.keyClick(window, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = window.alerts_dialog
    qtbot.waitExposed(dialog)
    assert dialog.view.accessibleName() == "Alerts" and dialog.model.rowCount() == len(alerts)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.view, timeout=5000)
    shown = [dialog.model.index(r, 0).data() for r in range(dialog.model.rowCount())]
    assert shown == [a.learner_name for a in alerts]
    dialog.grab().save(str(tmp_path / "alerts_dialog.png"))

    # Down to the second alert, Enter: the caseload shows that learner.
    qtbot.keyClick(dialog.view, Qt.Key.Key_Down)
    chosen = dialog.selected()
    assert chosen == alerts[1]
    with qtbot.waitSignal(window.learner_shown, timeout=10000) as shown_signal:
        qtbot.keyClick(dialog.view, Qt.Key.Key_Return)
    assert shown_signal.args == [chosen.learner_id]
    assert not dialog.isVisible()


def test_a_learner_hidden_by_the_filter_is_shown_when_their_alert_is_opened(window, demo_store, qtbot
                                                                             ) -> None:  # type: ignore[no-untyped-def]
    alert = store_alerts(demo_store, DEMO_TODAY)[0]
    qtbot.keyClicks(window.search, "nobody is called this")
    assert window.proxy.rowCount() == 0
    with qtbot.waitSignal(window.learner_shown, timeout=10000):
        window.show_learner_of_alert(alert.learner_id)
    assert window.search.text() == "" and window.proxy.rowCount() == 40


def test_dismissing_needs_a_reason_and_waits_for_the_sync(window, demo_store, qtbot,
                                                         tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = store_alerts(demo_store, DEMO_TODAY)
    first = before[0]
    reason_dialog = ReasonDialog(first)
    qtbot.addWidget(reason_dialog)
    reason_dialog.show()
    reason_dialog.ok.click()  # no reason: refused, and said why
    assert reason_dialog.isVisible() and reason_dialog.error.text() == "Enter why you are dismissing this alert"
    reason_dialog.grab().save(str(tmp_path / "dismiss_reason_error.png"))
    reason_dialog.reject()

    window.ask_alert_reason = lambda alert: "Booked by phone"
    window.open_alerts()
    dialog = window.alerts_dialog
    with qtbot.waitSignal(window.caseload_loaded, timeout=10000):
        dialog.dismiss_button.click()
    assert dialog.model.rowCount() == len(before) - 1
    assert first.identity not in {a.identity for a in window.alerts}
    assert window.alerts_button.text().startswith(f"{len(before) - 1} alerts")
    with demo_store.read() as session:
        [row] = session.scalars(select(AlertDismissal)).all()
        entry = session.scalars(select(OutboxEntry).where(OutboxEntry.entity == "alert_dismissal")).one()
    assert (row.learner_id, row.alert_key, row.reason) == (first.learner_id, first.key, "Booked by phone")
    assert entry.op == "create" and entry.record_id == row.id
