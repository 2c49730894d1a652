"""A finalised review opens read-only in normal-contrast text, never disabled: every answer readable (WCAG AA 4.5:1,
in the palette and on the screen), reachable with the keyboard, read out by a screen reader as read-only, and still
impossible to change by typing, clicking, ticking or the wheel (issue 13, item 15).

Driven on a real finalised review of the demo caseload, in the real wizard.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QAccessible, QColor, QImage, QPalette, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)
from sqlalchemy import select

from reviewapp.store import reviews
from reviewapp.store.models import Review
from reviewapp.ui.read_only import CHOICE_TYPES, TEXT_TYPES, contrast_ratio, is_read_only
from reviewapp.ui.wizard.review_wizard import ReviewWizard
from sync.protocol import review_content_hash

AA_TEXT = 4.5


@pytest.fixture
def finalised(qtbot, demo_store):
    with demo_store.read() as s:
        review_id = s.scalars(select(Review.id).where(Review.status == "finalised")
                              .order_by(Review.visit_date.desc())).first()
    wizard = ReviewWizard(demo_store, review_id)
    wizard.show_error = lambda title, text: pytest.fail(f"unexpected error: {title}: {text}")
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    assert wizard.read_only
    return wizard, review_id


def _answer_widgets(wizard: ReviewWizard) -> list[QWidget]:
    roots: list[QWidget] = [*wizard.editors.values(), *wizard.signature_blocks.values()]
    found = []
    for root in roots:
        for widget in root.findChildren(QWidget):
            if isinstance(widget, TEXT_TYPES + CHOICE_TYPES) and not isinstance(widget.parentWidget(),
                                                                                 QAbstractSpinBox):
                found.append(widget)
    return found


def _not_applicable(widget: QWidget) -> bool:
    """A target's "carry forward" where its outcome was met: disabled because it does not apply, as in a draft."""
    return isinstance(widget, QCheckBox) and widget.accessibleName().startswith("Carry forward") \
        and not widget.isEnabled()


def _colours(widget: QWidget) -> tuple[QColor, QColor]:
    """The text colour and the colour behind it, as the widget's style paints them now (its colour group)."""
    palette, group = widget.palette(), widget.palette().currentColorGroup()
    if isinstance(widget, TEXT_TYPES):
        return palette.color(group, QPalette.ColorRole.Text), palette.color(group, QPalette.ColorRole.Base)
    if isinstance(widget, QComboBox):
        return palette.color(group, QPalette.ColorRole.ButtonText), palette.color(group, QPalette.ColorRole.Button)
    return palette.color(group, QPalette.ColorRole.WindowText), palette.color(group, QPalette.ColorRole.Window)


def test_every_answer_is_read_only_not_disabled_in_full_contrast(finalised):
    wizard, _review_id = finalised
    widgets = _answer_widgets(wizard)
    kinds = {type(w) for w in widgets}
    assert {QLineEdit, QPlainTextEdit, QComboBox, QCheckBox} <= kinds, kinds
    for widget in widgets:
        name = widget.accessibleName() or type(widget).__name__
        if _not_applicable(widget):
            continue
        assert widget.isEnabled(), f"{name} is disabled (pale, skipped by Tab)"
        assert is_read_only(widget), f"{name} can be changed"
        assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, f"{name} cannot be reached with Tab"
        text, background = _colours(widget)
        assert contrast_ratio(text, background) >= AA_TEXT, f"{name}: {text.name()} on {background.name()}"
    for editor in wizard.editors.values():
        assert editor.isEnabled()


def _text_contrast_on_screen(widget: QWidget) -> float:
    """The contrast of the darkest pixel (the text) against the commonest (the field), in the widget as drawn."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    counts: dict[int, int] = {}
    for y in range(2, image.height() - 2):
        for x in range(2, image.width() - 2):
            pixel = image.pixel(x, y)
            counts[pixel] = counts.get(pixel, 0) + 1
    background = QColor(max(counts, key=counts.__getitem__))
    darkest = min((QColor(p) for p in counts), key=lambda c: c.lightnessF())
    return contrast_ratio(darkest, background)


def test_the_answers_are_drawn_dark_enough_to_read(finalised):
    wizard, _ = finalised
    lines = [w for w in _answer_widgets(wizard) if isinstance(w, QLineEdit | QPlainTextEdit)
             and (w.text() if isinstance(w, QLineEdit) else w.toPlainText())]
    assert lines
    for widget in lines[:6]:
        wizard.go_to(next(i for i in range(wizard.pages.count()) if wizard.pages.widget(i).isAncestorOf(widget)))
        QApplication.processEvents()
        assert _text_contrast_on_screen(widget) >= AA_TEXT, widget.accessibleName()
    wizard.go_to(wizard.section_index("signatures"))
    QApplication.processEvents()
    wizard.grab().save("/tmp/a_item15_read_only_signatures.png")
    wizard.go_to(0)
    QApplication.processEvents()
    wizard.grab().save("/tmp/a_item15_read_only_first_step.png")


def test_a_screen_reader_hears_read_only_not_unavailable(finalised):
    wizard, _ = finalised
    for widget in _answer_widgets(wizard)[:20]:
        if _not_applicable(widget):
            continue
        interface = QAccessible.queryAccessibleInterface(widget)
        state = interface.state()
        assert not state.disabled, widget.accessibleName()
        if isinstance(widget, TEXT_TYPES):
            assert state.readOnly, widget.accessibleName()
        else:
            assert interface.text(QAccessible.Text.Description).startswith("Read-only"), widget.accessibleName()


def _wheel(widget: QWidget, down: bool = True) -> None:
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, -120 if down else 120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_nothing_can_be_changed_by_keyboard_mouse_or_wheel(qtbot, finalised, demo_store):
    wizard, review_id = finalised
    with demo_store.read() as s:
        before = review_content_hash(review_id, *reviews.load_review(s, review_id))
    values = {qid: editor.value() for qid, editor in wizard.editors.items()}
    widgets = _answer_widgets(wizard)
    for widget in widgets:
        page = next(i for i in range(wizard.pages.count()) if wizard.pages.widget(i).isAncestorOf(widget))
        wizard.go_to(page)
        if not widget.isVisible():
            continue
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        if isinstance(widget, QLineEdit | QPlainTextEdit | QAbstractSpinBox):
            qtbot.keyClicks(widget, "changed 5")
            qtbot.keyClick(widget, Qt.Key.Key_Up)
        if isinstance(widget, QComboBox):
            qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
            for key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_End, Qt.Key.Key_Space):
                qtbot.keyClick(widget, key)
            widget.clearFocus()
            _wheel(widget)
            assert not widget.view().isVisible()
        if isinstance(widget, QAbstractButton):
            qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(5, widget.height() // 2))
            qtbot.keyClick(widget, Qt.Key.Key_Space)
    QApplication.processEvents()
    assert {qid: editor.value() for qid, editor in wizard.editors.items()} == values
    wizard.close()
    with demo_store.read() as s:
        review, signatures = reviews.load_review(s, review_id)
    assert review.status == "finalised" and review_content_hash(review_id, review, signatures) == before


def test_a_draft_after_a_finalised_review_is_editable_again(qtbot, finalised):
    """The wizard shows a review read-only after finalising it and editable before: the lock comes off cleanly."""
    wizard, _ = finalised
    editor = next(e for e in wizard.editors.values() if e.findChildren(QComboBox))
    combo = editor.findChildren(QComboBox)[0]
    editor.set_read_only(False)
    assert not combo.accessibleDescription().startswith("Read-only")
    start = combo.currentIndex()
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down if start < combo.count() - 1 else Qt.Key.Key_Up)
    assert combo.currentIndex() != start
