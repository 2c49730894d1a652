"""The provider settings window's review schedule: intervals in weeks or calendar months, and holiday periods that
are saved and followed (issue 14 item 8), driven as a user would."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from reviewapp.core.documents import ReportSettings
from reviewapp.core.scheduling import DEFAULT_RULES, HolidayPeriod, Interval, IntervalUnit, ScheduleRules
from reviewapp.store.settings import schedule_rules
from reviewapp.ui.caseload_model import ROW_ROLE
from reviewapp.ui.main_window import MainWindow
from reviewapp.ui.provider_settings import ProviderSettings, ProviderSettingsDialog
from tests.conftest import DEMO_TODAY


@pytest.fixture
def dialog(qtbot):
    shown = ProviderSettingsDialog(ProviderSettings(ReportSettings(), DEFAULT_RULES))
    qtbot.addWidget(shown)
    shown.show()
    return shown


def _save_enabled(dialog: ProviderSettingsDialog) -> bool:
    return dialog.buttons.buttons()[0].isEnabled()


def test_an_interval_in_calendar_months_goes_up_to_three_and_weeks_up_to_twelve(dialog) -> None:
    dialog.interval.unit.setCurrentIndex(dialog.interval.unit.findData(IntervalUnit.MONTHS))
    assert dialog.interval.count.maximum() == 3
    dialog.interval.count.setValue(3)
    dialog.short.unit.setCurrentIndex(dialog.short.unit.findData(IntervalUnit.MONTHS))
    dialog.short.count.setValue(1)
    assert _save_enabled(dialog)
    rules = dialog.settings().rules
    assert (rules.max_interval, rules.short_interval) == (Interval.months(3), Interval.months(1))
    dialog.first.unit.setCurrentIndex(dialog.first.unit.findData(IntervalUnit.WEEKS))
    assert dialog.first.count.maximum() == 12  # 13 weeks can pass three calendar months
    shown = " ".join(label.text() for label in dialog.findChildren(type(dialog.problem)))
    assert "at least every 3 calendar months" in shown


def test_sooner_longer_than_usual_across_units_is_refused_with_the_reason(dialog) -> None:
    dialog.interval.count.setValue(4)  # 4 weeks
    dialog.short.unit.setCurrentIndex(dialog.short.unit.findData(IntervalUnit.MONTHS))
    dialog.short.count.setValue(1)  # 1 month: up to 31 days, longer than 4 weeks from some dates
    assert not _save_enabled(dialog)
    assert dialog.problem.text() == "The sooner interval cannot be longer than the usual one."
    dialog.interval.count.setValue(5)
    assert _save_enabled(dialog) and dialog.problem.text() == ""


def test_holiday_periods_are_added_changed_and_removed(dialog, qtbot) -> None:
    editor = dialog.holidays
    editor.start.line.setText("21/12/2026")
    editor.end.line.setText("01/01/2027")
    editor.name.setText("Christmas closure")
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    editor.start.line.setText("29/03/2027")
    editor.end.line.setText("26/03/2027")
    assert not editor.add() and editor.problem.text() == "The holiday cannot end before it starts."
    editor.end.line.setText("02/04/2027")
    editor.name.setText("Easter")
    assert editor.add()
    christmas = HolidayPeriod(dt.date(2026, 12, 21), dt.date(2027, 1, 1), "Christmas closure")
    assert dialog.settings().rules.holidays == (christmas, HolidayPeriod(dt.date(2027, 3, 29), dt.date(2027, 4, 2),
                                                                         "Easter"))
    assert [editor.list.item(i).text() for i in range(editor.list.count())] == [
        "Christmas closure: 21/12/2026 to 01/01/2027", "Easter: 29/03/2027 to 02/04/2027"]
    dialog.grab().save("/tmp/provider-settings-holidays.png")

    editor.list.setCurrentRow(1)  # selecting loads it into the fields to change
    assert editor.start.line.text() == "29/03/2027" and editor.name.text() == "Easter"
    editor.end.line.setText("09/04/2027")
    assert editor.update_selected()
    assert dialog.settings().rules.holidays[1].end == dt.date(2027, 4, 9)
    editor.list.setCurrentRow(0)
    qtbot.mouseClick(editor.remove_button, Qt.MouseButton.LeftButton)
    assert [p.name for p in dialog.settings().rules.holidays] == ["Easter"]


def _by_rule(window: MainWindow) -> list:
    """The caseload rows whose due date comes from the rules alone (no date agreed at the last review)."""
    rows = [window.proxy.index(r, 0).data(ROW_ROLE) for r in range(window.proxy.rowCount())]
    return [r for r in rows if r.next_review_due is not None and r.facts.agreed_next_review_date is None]


def test_a_saved_holiday_is_kept_and_moves_the_caseloads_due_dates(qtbot, demo_store) -> None:
    window = MainWindow(demo_store, today=lambda: DEMO_TODAY)
    window.show_error = lambda title, text: pytest.fail(f"unexpected error dialog: {title}: {text}")
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.caseload_loaded, timeout=10000):
        window.show()
        window.refresh()
    try:
        before = _by_rule(window)
        middle = sorted(r.next_review_due for r in before)[len(before) // 2]
        closure = HolidayPeriod(middle - dt.timedelta(days=3), middle + dt.timedelta(days=3), "Site closure")
        assert any(closure.contains(r.next_review_due) for r in before)
        chosen = ProviderSettings(ReportSettings(), ScheduleRules(holidays=(closure,)))
        window.choose_provider_settings = lambda current: chosen
        with qtbot.waitSignal(window.caseload_loaded, timeout=10000):
            window.open_provider_settings()
        assert schedule_rules(demo_store).holidays == (closure,)
        after = _by_rule(window)
        assert len(after) == len(before) and not any(closure.contains(r.next_review_due) for r in after)
        # A date agreed with the learner and employer stands (it was agreed knowing the dates); only the rules'
        # own latest date is brought forward.
    finally:
        window.runner.wait()
