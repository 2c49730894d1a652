"""The date field typed into as an assessor would: 16/01/2027 in one go, empty is empty, a calendar on today."""

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest

from reviewapp.core.dates import london_today
from reviewapp.core.templates import load_template
from reviewapp.ui.date_field import DateField
from reviewapp.ui.wizard.editors import DateEditor, TargetListEditor

TEMPLATE = load_template("apprenticeship-progress-review")


@pytest.fixture
def field(qtbot):
    widget = DateField()
    widget.setAccessibleName("Next review date")
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _date_question():
    return next(q for s in TEMPLATE.sections for q in s.questions if q.type == "date" and not q.derived)


@pytest.fixture
def date_editor(qtbot):
    from reviewapp.core.review_rules import ReviewContext

    editor = DateEditor(_date_question(), ReviewContext(review_id="r1"))
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    return editor


def test_a_fresh_field_is_really_empty(field):
    assert field.line.text() == ""
    assert field.line.placeholderText() == "DD/MM/YYYY"
    assert field.date() is None


@pytest.mark.parametrize("typed", ["16/01/2027", "16/1/27", "16-1-2027"])
def test_typing_a_date_into_a_fresh_editor_gives_it_in_one_go(qtbot, date_editor, typed):
    date_editor.edit.line.setFocus()
    with qtbot.waitSignal(date_editor.edited):
        QTest.keyClicks(date_editor.edit.line, typed)
    assert date_editor.value() == "2027-01-16"
    QTest.keyClick(date_editor.edit.line, Qt.Key.Key_Tab)
    assert date_editor.edit.line.text() == "16/01/2027"  # read back as it will print


def test_a_shown_date_is_replaced_by_typing_over_it(date_editor):
    date_editor.set_value("2026-12-01")
    assert date_editor.edit.line.text() == "01/12/2026"
    date_editor.edit.line.setFocus()
    date_editor.edit.line.selectAll()
    QTest.keyClicks(date_editor.edit.line, "16/01/2027")
    assert date_editor.value() == "2027-01-16"


def test_clearing_gives_no_date(qtbot, date_editor):
    date_editor.set_value("2027-01-16")
    date_editor.edit.line.setFocus()
    with qtbot.waitSignal(date_editor.edited):
        QTest.keyClick(date_editor.edit.line, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClick(date_editor.edit.line, Qt.Key.Key_Delete)
    assert date_editor.value() is None
    assert date_editor.edit.line.text() == ""
    date_editor.set_value(None)
    assert date_editor.edit.line.text() == ""


def test_the_clear_button_empties_the_field(qtbot, field):
    from PySide6.QtWidgets import QToolButton

    field.set_date(dt.date(2027, 1, 16))
    [clear] = field.line.findChildren(QToolButton)
    assert clear.accessibleName() == "Clear the date"
    clear.click()
    assert field.date() is None and field.line.text() == ""


def test_what_is_not_a_date_is_said_when_the_user_moves_on(qtbot, date_editor):
    date_editor.edit.line.setFocus()
    QTest.keyClicks(date_editor.edit.line, "31/02/2027")
    assert date_editor.value() is None
    QTest.keyClick(date_editor.edit.line, Qt.Key.Key_Tab)
    assert date_editor.edit.message.isVisibleTo(date_editor)
    assert "February 2027 has no day 31" in date_editor.edit.message.text()
    date_editor.edit.line.setFocus()
    date_editor.edit.line.selectAll()
    QTest.keyClicks(date_editor.edit.line, "28/02/2027")
    assert not date_editor.edit.message.isVisibleTo(date_editor)
    assert date_editor.value() == "2027-02-28"


def test_the_calendar_opens_on_today_when_empty(qtbot, field):
    popup = field.open_calendar()
    qtbot.addWidget(popup)
    today = london_today()
    assert popup.calendar.selectedDate() == QDate(today.year, today.month, today.day)
    assert popup.calendar.firstDayOfWeek() == Qt.DayOfWeek.Monday


def test_the_calendar_opens_on_the_date_shown_or_the_proposal(qtbot, field):
    field.set_proposal(lambda: dt.date(2027, 2, 1))
    assert field.calendar_start() == dt.date(2027, 2, 1)
    field.set_date(dt.date(2027, 1, 16))
    assert field.calendar_start() == dt.date(2027, 1, 16)


def test_a_day_picked_from_the_calendar_with_the_keyboard_is_the_answer(qtbot, field):
    field.line.setFocus()
    QTest.keyClick(field.line, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    popup = field._popup
    assert popup is not None and popup.isVisible()
    qtbot.addWidget(popup)
    today = london_today()
    with qtbot.waitSignal(field.edited):
        QTest.keyClick(popup.calendar.focusWidget() or popup.calendar, Qt.Key.Key_Right)
        QTest.keyClick(popup.calendar.focusWidget() or popup.calendar, Qt.Key.Key_Return)
    assert field.date() == today + dt.timedelta(days=1)
    assert not popup.isVisible()


def test_the_box_and_its_calendar_button_are_named_for_a_screen_reader(field):
    assert field.line.accessibleName() == "Next review date"
    assert field.button.accessibleName() == "Next review date: choose from a calendar"
    assert field.button.focusPolicy() & Qt.FocusPolicy.TabFocus


def test_a_target_due_date_calendar_opens_on_the_next_review(qtbot):
    from reviewapp.core.review_rules import ReviewContext

    question = next(q for s in TEMPLATE.sections for q in s.questions if q.type == "target_list")
    editor = TargetListEditor(question, ReviewContext(review_id="r1"))
    qtbot.addWidget(editor)
    editor.next_review_date = dt.date(2027, 2, 15)
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    due = editor.rows[0].due
    assert due.calendar_start() == dt.date(2027, 2, 15)
    due.line.setFocus()
    QTest.keyClicks(due.line, "16/1/27")
    assert editor.value()[0]["due_date"] == "2027-01-16"
