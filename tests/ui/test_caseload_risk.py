"""The caseload says why a learner is at risk, how many days overdue and how far behind their off-the-job plan,
what the draft mark means, and the learner panel never shows a learner a filter has hidden (issue 13, item 9).

Driven on the demo caseload in a real encrypted store, through the real window, as the other window tests are.
"""

import datetime as dt

from PySide6.QtCore import Qt
from sqlalchemy import select

from reviewapp.core.caseload import RAG_WORDS
from reviewapp.core.scheduling import ReviewTiming
from reviewapp.core.templates import load_template
from reviewapp.store import reviews
from reviewapp.store.models import Learner, OtjEntry
from reviewapp.ui.caseload_model import DRAFT_MARK, ROW_ROLE, Column
from tests.conftest import DEMO_TODAY
from tests.ui.conftest import open_window

ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole


def _cells(win, column, role=Qt.ItemDataRole.DisplayRole):
    """(row, cell) for every row the table shows."""
    return [(win.proxy.index(r, 0).data(ROW_ROLE), win.proxy.index(r, column).data(role))
            for r in range(win.proxy.rowCount())]


def test_the_reasons_column_and_the_at_risk_flag_never_disagree(window):
    cells = _cells(window, Column.AT_RISK)
    assert len(cells) == 40
    for row, text in cells:
        assert bool(text) == row.at_risk, row.facts.name
        assert text == "; ".join(reason.short for reason in row.risk_reasons)
    # The At risk filter shows exactly the rows with a reason in the column.
    window.findChild(type(window.filter_buttons.buttons()[0]), "filter_at_risk").click()
    filtered = _cells(window, Column.AT_RISK)
    assert filtered and all(text for _row, text in filtered)
    assert {r.facts.learner_id for r, _ in filtered} == {r.facts.learner_id for r, text in cells if text}


def test_a_learner_at_risk_only_on_progress_says_so_in_words(window):
    """The case the assessor could not explain: shown OK and welfare Green, at risk for a progress rating that was
    no column at all."""
    cells = {row.facts.learner_id: row for row, _ in _cells(window, Column.LEARNER)}
    row = next(r for r in cells.values()
               if r.facts.progress_rag in ("red", "amber") and r.facts.welfare_rag == "green"
               and r.timing is not ReviewTiming.OVERDUE)
    number = next(n for n in range(window.proxy.rowCount())
                  if window.proxy.index(n, 0).data(ROW_ROLE) is row)
    word = RAG_WORDS[row.facts.progress_rag]
    assert window.proxy.index(number, Column.AT_RISK).data() == f"Progress {word}"
    assert window.proxy.index(number, Column.PROGRESS).data() == word
    assert window.proxy.index(number, Column.WELFARE).data() == "Green"
    tooltip = window.proxy.index(number, Column.AT_RISK).data(TOOLTIP)
    assert tooltip.startswith("At risk because:") and f"Progress was rated {word} at the last review" in tooltip
    assert f"Progress was rated {word}" in window.proxy.index(number, Column.AT_RISK).data(ACCESSIBLE)
    # Colour is never the only carrier: the rating cells are coloured and say their word.
    assert window.proxy.index(number, Column.AT_RISK).data(Qt.ItemDataRole.BackgroundRole) is not None


def test_days_overdue_are_counted_from_the_due_date(window):
    cells = _cells(window, Column.DAYS_OVERDUE)
    overdue = [(row, text) for row, text in cells if row.timing is ReviewTiming.OVERDUE]
    assert overdue
    for row, text in overdue:
        days = (DEMO_TODAY - row.next_review_due).days
        assert days > 0 and text == str(days)
        assert f"Overdue {days} day" in "; ".join(r.short for r in row.risk_reasons)
    for row, text in cells:
        if row.timing is not ReviewTiming.OVERDUE:
            assert text == ""
    accessible = dict((row.facts.learner_id, text) for row, text in _cells(window, Column.DAYS_OVERDUE, ACCESSIBLE))
    assert any(text == "Not overdue" for text in accessible.values())


def test_off_the_job_hours_behind_plan_from_the_plan_and_the_log(qtbot, demo_store):
    """400 planned hours over 200 days, 100 days in: 200 expected; 50 logged (a deleted entry not counted), so
    150 behind. Another learner, ahead of plan, is "On plan"; one with no planned end cannot be worked out."""
    with demo_store.write() as session:
        behind, ahead, unknown = session.scalars(
            select(Learner).where(Learner.status == "active").order_by(Learner.last_name).limit(3)
        ).all()
        for learner in (behind, ahead):
            learner.start_date = DEMO_TODAY - dt.timedelta(days=100)
            learner.planned_end_date = DEMO_TODAY + dt.timedelta(days=100)
            learner.planned_otj_hours = 400.0
        unknown.planned_end_date = None
        for entry in session.scalars(select(OtjEntry).where(OtjEntry.learner_id.in_([behind.id, ahead.id]))):
            entry.deleted = True
        session.add(OtjEntry(learner_id=behind.id, date=DEMO_TODAY - dt.timedelta(days=3), hours=50.0))
        session.add(OtjEntry(learner_id=behind.id, date=DEMO_TODAY - dt.timedelta(days=2), hours=99.0,
                             deleted=True))
        session.add(OtjEntry(learner_id=ahead.id, date=DEMO_TODAY - dt.timedelta(days=3), hours=250.0))
        ids = behind.id, ahead.id, unknown.id
    win = open_window(qtbot, demo_store)
    try:
        shown = {row.facts.learner_id: (row, text) for row, text in _cells(win, Column.OTJ_BEHIND)}
        assert shown[ids[0]][0].otj_hours_behind == 150.0 and shown[ids[0]][1] == "150 h"
        assert shown[ids[1]][0].otj_hours_behind == 0 and shown[ids[1]][1] == "On plan"
        assert shown[ids[2]][0].otj_hours_behind is None and shown[ids[2]][1] == "—"
        spoken = {row.facts.learner_id: text for row, text in _cells(win, Column.OTJ_BEHIND, ACCESSIBLE)}
        assert spoken[ids[0]] == "150 off-the-job hours behind plan"
        win.table.sortByColumn(Column.OTJ_BEHIND, Qt.SortOrder.DescendingOrder)
        assert win.proxy.index(0, 0).data(ROW_ROLE).facts.learner_id == ids[0]
    finally:
        win.runner.wait()


def test_the_draft_mark_is_explained_and_spoken(qtbot, demo_store):
    with demo_store.read() as session:
        learner = session.scalars(select(Learner).where(Learner.status == "active").order_by(Learner.id)).first()
        name = learner.full_name
        learner_id = learner.id
    reviews.start_draft(demo_store, learner_id, load_template("apprenticeship-progress-review"), DEMO_TODAY)
    win = open_window(qtbot, demo_store)
    try:
        header = win.model.headerData(Column.LEARNER, Qt.Orientation.Horizontal, TOOLTIP)
        assert DRAFT_MARK in header and "draft review" in header
        assert DRAFT_MARK in win.legend_label.text() and win.legend_label.isVisible()
        number = next(n for n in range(win.proxy.rowCount())
                      if win.proxy.index(n, 0).data(ROW_ROLE).facts.learner_id == learner_id)
        cell = win.proxy.index(number, Column.LEARNER)
        assert cell.data() == f"{name} {DRAFT_MARK}"
        assert cell.data(ACCESSIBLE) == f"{name}, draft review in progress"  # never "diamond"
        assert "draft review in progress" in cell.data(TOOLTIP)
        assert all(win.model.headerData(c, Qt.Orientation.Horizontal, TOOLTIP)
                   for c in (Column.AT_RISK, Column.DAYS_OVERDUE, Column.OTJ_BEHIND))
    finally:
        win.runner.wait()


def _select(win, qtbot, learner_id: str) -> None:
    number = next(n for n in range(win.proxy.rowCount())
                  if win.proxy.index(n, 0).data(ROW_ROLE).facts.learner_id == learner_id)
    with qtbot.waitSignal(win.learner_shown, timeout=5000):
        win.table.selectRow(number)


def test_a_filter_that_hides_the_selected_learner_clears_the_panel(window, qtbot):
    rows = [row for row, _ in _cells(window, Column.LEARNER)]
    not_overdue = next(r for r in rows if r.timing is ReviewTiming.OK)
    _select(window, qtbot, not_overdue.facts.learner_id)
    assert window.panel.learner_name == not_overdue.facts.name

    window.findChild(type(window.filter_buttons.buttons()[0]), "filter_overdue").click()
    assert window.panel.learner_name is None
    assert "No learner selected" in window.panel.heading.text()
    assert window.panel.targets_model.rowCount() == 0 and window.panel.reviews_model.rowCount() == 0
    told = []
    window.show_info = lambda title, text: told.append(text)
    assert window.print_pre_visit_pack() is None  # acts on nobody hidden
    assert told == ["Select a learner in the caseload first."]

    # A filter that still shows the learner keeps them; a search that hides them clears the panel too.
    window.findChild(type(window.filter_buttons.buttons()[0]), "filter_all").click()
    _select(window, qtbot, not_overdue.facts.learner_id)
    qtbot.keyClicks(window.search, not_overdue.facts.name.split()[-1])
    assert window.panel.learner_name == not_overdue.facts.name
    window.search.clear()
    qtbot.keyClicks(window.search, "no learner is called this")
    assert window.panel.learner_name is None and window.proxy.rowCount() == 0
