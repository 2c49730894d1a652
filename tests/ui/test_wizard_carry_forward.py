"""The previous-targets editor offers "carry forward" for exactly core's CARRYABLE_OUTCOMES (issue 18: it had its
own copy of the list, which finalising would not have followed had either changed)."""

from __future__ import annotations

import datetime as dt

from reviewapp.core.review_rules import CARRYABLE_OUTCOMES, TARGET_OUTCOMES, ReviewContext
from reviewapp.core.templates import load_template
from reviewapp.ui.wizard.editors import editor_for
from sync.protocol import TargetData


def test_carry_forward_is_offered_for_core_carryable_outcomes_only(qtbot) -> None:
    template = load_template("apprenticeship-progress-review")
    [question] = template.questions_of_type("previous_targets")
    context = ReviewContext(review_id="r-1", open_targets={
        "t-1": TargetData(learner_id="l-1", text="Finish the workbook", due_date=dt.date(2026, 2, 20))})
    editor = editor_for(question, context)
    qtbot.addWidget(editor)
    outcome, _comment, carry = editor.rows["t-1"]
    offered = set()
    for value in TARGET_OUTCOMES:
        outcome.setCurrentIndex(outcome.findData(value))
        if carry.isEnabled():
            offered.add(value)
    assert offered == set(CARRYABLE_OUTCOMES)
    for value in TARGET_OUTCOMES:  # shown again from a saved answer: the same rule
        editor.set_value({"t-1": {"status": value, "comment": "", "carry_forward": True}})
        assert carry.isEnabled() == (value in CARRYABLE_OUTCOMES)
