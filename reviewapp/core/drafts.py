"""The starting answers of a new review, taken from the learner's records, so the assessor confirms rather than
retypes: today's date, the off-the-job hours in the log, the plan's current progress, and later the next review
date the rules propose."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from reviewapp.core import otj
from reviewapp.core.finalise import carried_target_item
from reviewapp.core.review_rules import ReviewContext, carried_ids_listed, proposed_next_review, targets_to_carry
from reviewapp.core.templates import Template
from sync.protocol import OtjEntryData


def new_draft_answers(
    template: Template,
    context: ReviewContext,
    visit_date: dt.date,
    otj_entries: Iterable[OtjEntryData] = (),
) -> dict[str, Any]:
    """Answers a new draft starts with; everything else starts blank. The employer's representative is proposed
    as the employer's contact on record (editable: someone else may attend)."""
    entries = list(otj_entries)
    answers: dict[str, Any] = {}
    for _, question in template.questions():
        if question.record_field == "visit_date":
            answers[question.id] = visit_date.isoformat()
        elif question.prefill == "otj_logged_since_last_review":
            answers[question.id] = otj.logged_hours(entries, since=context.last_review_date, until=visit_date)
        elif question.prefill == "otj_logged_to_date":
            answers[question.id] = otj.logged_hours(entries, until=visit_date)
        elif question.prefill == "employer_contact_name" and context.employer and context.employer.contact_name:
            answers[question.id] = context.employer.contact_name.strip()
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


def with_carried_targets(template: Template, answers: Mapping[str, Any], context: ReviewContext) -> dict[str, Any]:
    """The answers with the new-targets list following the "carry forward" ticks of the follow-up.

    Ticking one adds the target to the new targets (old wording and actions, no due date: `carried_target_item`)
    for the assessor to reword and date, so it is on the page the learner signs. Unticking takes it out again if it
    is still as it was added; once reworded, dated or given new actions it is the assessor's own target and stays,
    no longer linked to the old one. Called whenever the follow-up changes.
    """
    result = dict(answers)
    question = next(iter(template.questions_of_type("target_list")), None)
    if question is None:
        return result
    items = [i for i in result.get(question.id) or [] if isinstance(i, dict)]
    to_carry = targets_to_carry(template, result, context)
    kept: list[dict[str, Any]] = []
    for original in items:
        item = dict(original)
        source = item.get("carried_from_id")
        if source and source not in to_carry:
            old = context.open_targets.get(str(source))
            if old is not None and _as_added(item) == carried_target_item(str(source), old):
                continue
            item.pop("carried_from_id", None)
        kept.append(item)
    listed = carried_ids_listed(template, {question.id: kept})
    kept.extend(carried_target_item(tid, target) for tid, target in to_carry.items() if tid not in listed)
    if kept != items:
        result[question.id] = kept or None
    return result


def target_item_id(item: Mapping[str, Any]) -> str:
    """The id of a new-target item, which lets two laptops' edits to one draft's targets merge per target
    (sync/server/field_merge.py merges a list per item only when every item carries an "id"): its own; for a
    carried target without one, the carried target's id, so two laptops carrying the same target forward make
    one item rather than two; else a fresh one."""
    return str(item.get("id") or item.get("carried_from_id") or uuid.uuid4())


def _as_added(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item in the form `carried_target_item` makes, to tell whether the assessor has changed it since."""
    return {"text": str(item.get("text") or "").strip(), "due_date": item.get("due_date") or None,
            "actions": list(item.get("actions") or []), "carried_from_id": item.get("carried_from_id")}


def proposed_signature_names(template: Template, answers: Mapping[str, Any], context: ReviewContext,
                             assessor_name: str = "") -> dict[str, str]:
    """The name to put beside each party's signature, known already so nobody types it again (all editable): the
    learner's name, the employer's representative as answered (else the employer's contact on record), and the
    assessor's display name from their account. A role whose name is unknown is left out."""
    learner = context.learner
    rep_q = next((q for _, q in template.questions() if q.prefill == "employer_contact_name"), None)
    rep = answers.get(rep_q.id) if rep_q else None
    contact = context.employer.contact_name if context.employer else ""
    names = {
        "learner": f"{learner.first_name} {learner.last_name}".strip() if learner else "",
        "employer": (rep if isinstance(rep, str) and rep.strip() else contact).strip(),
        "assessor": assessor_name.strip(),
    }
    return {role: name for role, name in names.items() if name}
