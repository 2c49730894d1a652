"""Raising a concern without a review on the laptop (issue 16 item 2): a keyboard-reachable action on the caseload
(Review menu, Ctrl+Shift+K), a dialog with accessible names that saves only a concern with words in it, saved
through the store (so it is in the outbox, to go up first at the next sync), and shown in the learner's details as
waiting to be sent."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialogButtonBox, QRadioButton

from reviewapp.store.models import Concern, OutboxEntry
from reviewapp.ui.caseload_model import ROW_ROLE
from reviewapp.ui.concern_dialog import ConcernDialog, ConcernFields


def test_the_dialog_names_its_parts_and_wants_words(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = ConcernDialog("Sam Learner")
    qtbot.addWidget(dialog)
    names = [b.accessibleName() for b in dialog.findChildren(QRadioButton)]
    assert names[0].startswith("The designated safeguarding lead") and "Routine: within the week" in names
    assert dialog.text.accessibleName() == "What is the concern"
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert dialog.result() != ConcernDialog.DialogCode.Accepted and "Write what the concern is" in dialog.problem.text()
    dialog.route_buttons[1].setChecked(True)
    dialog.urgency_buttons[1].setChecked(True)
    qtbot.keyClicks(dialog.text, "Struggles to read the manuals")
    assert dialog.problem.text() == ""
    assert dialog.fields() == ConcernFields("learning_support", "routine", "Struggles to read the manuals")
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.grab().save("/tmp/cases/concern-dialog.png")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert dialog.result() == ConcernDialog.DialogCode.Accepted


def test_raise_a_concern_from_the_caseload(window, qtbot, demo_store) -> None:  # type: ignore[no-untyped-def]
    assert window.concern_action.shortcut() == QKeySequence("Ctrl+Shift+K")
    assert "Raise a &concern" in window.concern_action.text()
    row = window.proxy.index(0, 0).data(ROW_ROLE)
    with qtbot.waitSignal(window.learner_shown, timeout=5000):
        window.table.selectRow(0)
    asked: list[str] = []

    def choose(detail):  # type: ignore[no-untyped-def]
        asked.append(detail.learner_id)
        return ConcernFields("safeguarding", "urgent", "Disclosed threats from a lender")

    window.choose_concern = choose
    window.table.setFocus()
    with qtbot.waitSignal(window.caseload_loaded, timeout=10000):
        qtbot.keyClick(window.table, Qt.Key.Key_K,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert asked == [row.facts.learner_id]
    with demo_store.read() as session:
        concern = session.query(Concern).filter_by(learner_id=row.facts.learner_id).one()
        assert (concern.route, concern.urgency, concern.rev) == ("safeguarding", "urgent", 0)
        outbox = session.query(OutboxEntry).filter_by(entity="concern", record_id=concern.id).one()
        assert outbox.op == "create" and outbox.fields["text"] == "Disclosed threats from a lender"
    qtbot.waitUntil(lambda: "Safeguarding: concern raised, sent at the next sync" in window.panel.details.text(),
                    timeout=5000)
    window.panel.grab().save("/tmp/cases/learner-panel-concern.png")
