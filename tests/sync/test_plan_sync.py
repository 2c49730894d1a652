"""A learner's plan copied from their standard's template, and their starting points, reach the assessor's laptop
at the next sync: the wizard's plan-progress grid is filled from them, and the learner panel shows each item's
learning gain, start → now (issue 14 item 3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from reviewapp.core.templates import load_template
from reviewapp.store import queries, reviews
from reviewapp.ui.learner_panel import LearnerPanel
from reviewapp.ui.wizard.editors import PlanProgressEditor
from reviewapp.ui.wizard.review_wizard import ReviewWizard
from sync.server.models import Learner
from sync.server.plan_templates import import_plans, parse_plans
from sync.server.starting_points import import_starting_points, parse_starting_points

PLAN = (b"standard,kind,code,title,planned date\n"
        b"Data technician,knowledge,K1,Data sources and their uses,30/11/2025\n"
        b"Data technician,skill,S1,Clean and join data sets,31/01/2026\n")


def test_the_copied_plan_and_starting_points_fill_the_laptops_plan_grid(world: dict[str, Any], qtbot,
                                                                          tmp_path) -> None:
    setup, ann = world["setup"], world["learners"]["alice"][0]
    assert import_plans(setup.factory, parse_plans(PLAN)).plan_items == 8  # two items for each of four learners
    with setup.factory() as session:
        uln = session.scalar(select(Learner.uln).where(Learner.id == ann))
    start = f"uln,code,starting value,note,english level,maths level\n{uln},K1,40,Used SQL at work,Level 2,Entry 3\n"
    assert import_starting_points(setup.factory, parse_starting_points(start.encode())).applied

    laptop = world["laptop"]("alice")
    laptop.sync()
    with laptop.store.read() as session:
        detail = queries.learner_detail(session, ann)
    assert detail is not None
    assert [(p.code, p.planned_date, p.starting_value, p.progress) for p in detail.plan] == [
        ("K1", dt.date(2025, 11, 30), 40, 40), ("S1", dt.date(2026, 1, 31), None, 0)]
    assert (detail.english_level_at_start, detail.maths_level_at_start) == ("Level 2", "Entry 3")

    template = load_template("apprenticeship-progress-review")
    review_id = reviews.start_draft(laptop.store, ann, template, dt.date(2026, 2, 2))
    wizard = ReviewWizard(laptop.store, review_id)
    qtbot.addWidget(wizard)
    [grid] = wizard.findChildren(PlanProgressEditor)
    titles = {item.code: item_id for item_id, item in grid.context.plan_items.items()}
    assert set(titles) == {"K1", "S1"}
    assert grid.rows[titles["K1"]][0].value() == 40 and grid.rows[titles["S1"]][0].value() == 0
    assert grid.starts[titles["K1"]].text() == "40 %" and grid.starts[titles["K1"]].toolTip() == "Used SQL at work"
    assert grid.starts[titles["S1"]].text() == "—"

    panel = LearnerPanel()
    qtbot.addWidget(panel)
    panel.resize(760, 560)
    panel.show_learner(detail)
    panel.tabs.setCurrentWidget(panel.plan_view)
    rows = [[panel.plan_model.index(r, c).data() for c in range(4)] for r in range(panel.plan_model.rowCount())]
    assert rows == [["K1", "Data sources and their uses\n    Starting point: Used SQL at work", "30/11/2025",
                     "40% → 40% (+0)"],
                    ["S1", "Clean and join data sets", "31/01/2026", "0% (no starting point)"]]
    assert "English Level 2, maths Entry 3" in panel.details.text()
    panel.show()
    qtbot.waitExposed(panel)
    panel.grab().save(str(tmp_path / "plan_tab.png"))
    wizard.show()
    grid.grab().save(str(tmp_path / "plan_grid.png"))
