"""The starting answers of a new review, taken from the learner's records, so the assessor confirms rather than
retypes: today's date, the off-the-job hours in the log, the plan's current progress, and later the next review
date the rules propose."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from reviewapp.core import otj
from reviewapp.core.review_rules import ReviewContext, proposed_next_review
from reviewapp.core.templates import Template
from sync.protocol import OtjEntryData


def new_draft_answers(
    template: Template,
    context: ReviewContext,
    visit_date: dt.date,
    otj_entries: Iterable[OtjEntryData] = (),
) -> dict[str, Any]:
    """Answers a new draft starts with; everything else starts blank."""
    entries = list(otj_entries)
    answers: dict[str, Any] = {}
    for _, question in template.questions():
        if question.record_field == "visit_date":
            answers[question.id] = visit_date.isoformat()
        elif question.prefill == "otj_logged_since_last_review":
            answers[question.id] = otj.logged_hours(entries, since=context.last_review_date, until=visit_date)
        elif question.prefill == "otj_logged_to_date":
            answers[question.id] = otj.logged_hours(entries, until=visit_date)
        elif question.type == "plan_progress_grid" and context.plan_items:
            answers[question.id] = {item_id: {"progress": item.progress, "comment": ""}
                                    for item_id, item in context.plan_items.items()}
    return answers


def with_proposed_next_review(template: Template, answers: Mapping[str, Any], context: ReviewContext
                              ) -> dict[str, Any]:
    """The answers with the next review date set to the rules' proposal if the assessor has not chosen one yet.

    Called when the wizard reaches the next-review step, because the proposal depends on the ratings given in
    earlier steps.
    """
    result = dict(answers)
    question = template.question_for_record_field("next_review_date")
    if question is None or result.get(question.id):
        return result
    proposal = proposed_next_review(template, result, context)
    if proposal is not None:
        result[question.id] = proposal.date.isoformat()
    return result
