"""The mouse wheel scrolls the wizard's page; it changes an answer only in the control the user has chosen.

Seen on screen: scrolling a page with the pointer passing over "Overall progress" turned Amber into Red.
"""

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QScrollArea, QWidget
from sqlalchemy import select

from reviewapp.core.templates import load_template
from reviewapp.store import reviews
from reviewapp.store.models import Learner
from reviewapp.ui.wheel_guard import GUARDED_TYPES
from reviewapp.ui.wizard.editors import TargetListEditor
from reviewapp.ui.wizard.review_wizard import ReviewWizard
from tests.conftest import DEMO_TODAY

TEMPLATE = load_template("apprenticeship-progress-review")


@pytest.fixture
def wizard(qtbot, demo_store):
    with demo_store.read() as s:
        learner_id = s.scalars(select(Learner.id).where(Learner.status == "active")).first()
    review_id = reviews.start_draft(demo_store, learner_id, TEMPLATE, DEMO_TODAY)
    win = ReviewWizard(demo_store, review_id)
    win.show_error = lambda title, text: pytest.fail(f"unexpected error: {title}: {text}")
    qtbot.addWidget(win)
    win.resize(1000, 500)  # short, so every page scrolls
    win.show()
    qtbot.waitExposed(win)
    return win


def wheel(widget: QWidget, notches: int) -> QWheelEvent:
    """One turn of the wheel over the widget (positive: away from the user, which scrolls up)."""
    inside = QPointF(5, widget.height() / 2)
    event = QWheelEvent(inside, QPointF(widget.mapToGlobal(inside.toPoint())), QPoint(), QPoint(0, 120 * notches),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)
    return event


def shown(widget: QWidget) -> str:
    return widget.currentText() if isinstance(widget, QComboBox) else widget.text()


def page_scroll(wizard: ReviewWizard) -> int:
    page = wizard.pages.currentWidget()
    assert isinstance(page, QScrollArea)
    return page.verticalScrollBar().value()


def test_wheel_over_an_unfocused_answer_scrolls_the_page_and_leaves_the_answer(qtbot, wizard):
    wizard.go_to(wizard.section_index("progress"))
    editor = wizard.editors["progress_rag"]
    editor.set_value("amber")
    combo = editor.combo
    assert combo.currentData() == "amber"
    page = wizard.pages.currentWidget()
    page.ensureWidgetVisible(combo)
    wizard.next_button.setFocus()
    assert not combo.hasFocus()
    before = page_scroll(wizard)
    wheel(combo, -1)  # towards the user: Red is below Amber in the list
    assert combo.currentData() == "amber"
    assert wizard.answers.get("progress_rag") in (None, "amber")
    assert page_scroll(wizard) > before  # the page scrolled instead
    # chosen (clicked or tabbed into), the wheel works on it as usual
    combo.setFocus()
    assert combo.hasFocus()
    wheel(combo, -1)
    assert combo.currentData() != "amber"


def test_no_drop_down_spin_box_or_date_in_the_wizard_takes_an_unfocused_wheel(qtbot, wizard):
    targets = next(e for e in wizard.editors.values() if isinstance(e, TargetListEditor))
    wizard.go_to(next(i for i, s in enumerate(TEMPLATE.sections) if targets.question in s.questions))
    qtbot.mouseClick(targets.add_button, Qt.MouseButton.LeftButton)  # a control added after the wizard opened
    controls = [w for w in wizard.findChildren(QWidget) if isinstance(w, GUARDED_TYPES)]
    assert any(isinstance(w, QComboBox) for w in controls)
    assert any(isinstance(w, QAbstractSpinBox) for w in controls)
    wizard.next_button.setFocus()
    for control in controls:
        assert control.focusPolicy() == Qt.FocusPolicy.StrongFocus, control.accessibleName()
        before = shown(control)
        for notches in (1, -1, -1):
            wheel(control, notches)
        assert shown(control) == before, control.accessibleName()
