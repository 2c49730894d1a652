"""Two reviews of one learner side by side: what moved between them, in words."""

from __future__ import annotations

import datetime as dt

from reviewapp.core.comparison import compare_reviews
from sync.protocol import ReviewData


def _review(template, answers, **fields) -> ReviewData:
    return ReviewData(learner_id="learner-1", template_id=template.id, template_version=template.version,
                      answers=answers, **fields)


def test_ratings_hours_plan_and_targets_are_set_side_by_side(template, answers) -> None:
    earlier_answers = {**answers, "otj_hours_to_date": 110, "plan_progress": {"p-1": {"progress": 40}},
                       "previous_targets": {"t-1": {"status": "not_met", "comment": "Off sick"}}}
    earlier = _review(template, earlier_answers, visit_date=dt.date(2026, 1, 5), progress_rag="amber",
                      welfare_rag="green", next_review_date=dt.date(2026, 3, 2))
    later = _review(template, answers, visit_date=dt.date(2026, 3, 2), progress_rag="green", welfare_rag="green",
                    next_review_date=dt.date(2026, 4, 27))
    rows = {row.label: row for row in compare_reviews(template, earlier, later, {"p-1": "K1 Organisational purpose",
                                                                                 "p-2": "S3 Communication"})}
    assert (rows["Visit date"].earlier, rows["Visit date"].later) == ("05/01/2026", "02/03/2026")
    assert (rows["Progress"].earlier, rows["Progress"].later) == ("Amber", "Green") and rows["Progress"].changed
    assert not rows["Welfare"].changed
    assert (rows["Off-the-job hours to date"].earlier, rows["Off-the-job hours to date"].later) == (
        "110 hours", "140 hours")
    plan = rows["Plan: K1 Organisational purpose"]
    assert (plan.earlier, plan.later) == ("40% (no starting point)", "55% (no starting point)")
    assert rows["Plan: S3 Communication"].earlier == "—"  # not in the earlier review's grid
    assert rows["Previous targets followed up"].earlier == "1 not met"
    assert rows["Previous targets followed up"].later == "1 met, 1 not met"
    assert "stock-take spreadsheet" in rows["The targets"].later and "(due 17/04/2026)" in rows["The targets"].later
    assert rows["Next review agreed"].later == "27/04/2026"


def test_plan_items_show_the_learning_gain_from_their_starting_point(template, answers) -> None:
    """Each review shows start → progress then, by the one rule of reviewapp.core.learning_gain."""
    earlier = _review(template, {**answers, "plan_progress": {"p-1": {"progress": 40}}},
                      visit_date=dt.date(2026, 1, 5))
    later = _review(template, answers, visit_date=dt.date(2026, 3, 2))
    rows = {row.label: row for row in compare_reviews(template, earlier, later, {"p-1": "K1 Organisational purpose"},
                                                      {"p-1": 25})}
    plan = rows["Plan: K1 Organisational purpose"]
    assert (plan.earlier, plan.later) == ("25% → 40% (+15)", "25% → 55% (+30)")
