"""What finalising a review changes, worked out as plain data for the store to write in one transaction.

Finalising does more than freeze the answers: targets set in the review become target records, the targets it
followed up are closed with their outcome, plan items take their new progress, and the review record takes its
ratings and next review date. Working all of that out here, without a database, lets it be tested exhaustively and
keeps the store's transaction a matter of writing the records it is handed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from reviewapp.core.dates import format_date, parse_time
from reviewapp.core.review_rules import (
    TARGET_OUTCOMES,
    Readiness,
    ReviewContext,
    effective_answers,
    finalise_readiness,
    parse_iso_date,
    proposed_next_review,
    visible_answers,
)
from reviewapp.core.templates import Template, scenario_shown
from sync.protocol import PlanItemData, ReviewData, SignatureData, TargetData, review_content_hash


class ReviewNotReady(Exception):
    """Raised when asked to finalise a draft that still has problems; `readiness` says which."""

    def __init__(self, readiness: Readiness) -> None:
        super().__init__("The review cannot be finalised yet:\n" + "\n".join(readiness.messages()))
        self.readiness = readiness


@dataclass(frozen=True)
class Finalisation:
    """Every record finalising writes: the stamped review, and the targets and plan items it changes."""

    review: ReviewData
    new_targets: Mapping[str, TargetData]
    target_updates: Mapping[str, TargetData]
    plan_updates: Mapping[str, PlanItemData]

    @property
    def content_hash(self) -> str:
        return self.review.content_hash or ""


M = TypeVar("M", bound=BaseModel)


def _revalidated(record: M, changes: Mapping[str, Any]) -> M:
    """A copy with changes, validated again (pydantic's model_copy does not), so a bad answer cannot slip into a
    record the store writes."""
    return type(record).model_validate({**record.model_dump(), **changes})


def _new_uuid() -> str:
    return str(uuid.uuid4())


def finalised_answers(template: Template, answers: Mapping[str, Any], context: ReviewContext) -> dict[str, Any]:
    """The answers as they will be signed: only what is shown, the app's figures included, and each scenario
    answer carrying the id of the scenario it answered."""
    shown = visible_answers(template, effective_answers(template, answers, context))
    for question in template.questions_of_type("scenario"):
        if question.id not in shown:
            continue
        value = shown[question.id]
        response = value.get("response", "") if isinstance(value, dict) else str(value)
        scenario = scenario_shown(question, context.review_id, value)
        shown[question.id] = {"scenario_id": scenario.id, "response": response}
    return shown


def next_review_decision(template: Template, answers: Mapping[str, Any], context: ReviewContext
                         ) -> tuple[dt.date | None, str]:
    """The next review date agreed and the reason recorded for it: the rules' reason when the proposal was
    kept, the assessor's reason (with what was proposed) when it was changed."""
    date_q = template.question_for_record_field("next_review_date")
    chosen = parse_iso_date(answers.get(date_q.id)) if date_q else None
    proposal = proposed_next_review(template, answers, context)
    if chosen is None:
        return (proposal.date, proposal.reason) if proposal else (None, "")
    if proposal is None or proposal.date == chosen:
        return chosen, proposal.reason if proposal else ""
    change_q = next((q for _, q in template.questions()
                     if q.show_if is not None and q.show_if.operator == "differs_from"
                     and q.show_if.question == (date_q.id if date_q else "")), None)
    why = str(answers.get(change_q.id, "")).strip() if change_q else ""
    reason = f"Changed by the assessor from the proposed {format_date(proposal.date)} ({proposal.reason})"
    return chosen, f"{reason}: {why}" if why else reason


def review_record_fields(template: Template, answers: Mapping[str, Any], context: ReviewContext) -> dict[str, Any]:
    """The review record's own fields taken from the answers: visit date, ratings, next review date and reason."""
    def answer(record_field: str) -> Any:
        question = template.question_for_record_field(record_field)
        return answers.get(question.id) if question else None

    rag = {"red", "amber", "green"}
    # An addendum corrects a review; the review it corrects keeps the agreed next date.
    next_date, reason = (None, "") if template.kind == "addendum" else next_review_decision(template, answers, context)
    return {
        "visit_date": parse_iso_date(answer("visit_date")),
        "progress_rag": answer("progress_rag") if answer("progress_rag") in rag else None,
        "welfare_rag": answer("welfare_rag") if answer("welfare_rag") in rag else None,
        "next_review_date": next_date,
        "next_review_reason": reason,
        **booked_time(answer("next_review_time"), answer("next_review_minutes"), next_date),
    }


def booked_time(time_answer: Any, minutes_answer: Any, next_date: dt.date | None) -> dict[str, Any]:
    """The next review's booked start ("HH:MM") and length in minutes, as the review record holds them; None for
    each when no next review is booked or nothing was recorded (the invitation then uses the defaults)."""
    if next_date is None:
        return {"next_review_time": None, "next_review_minutes": None}
    start = parse_time(time_answer)
    minutes = minutes_answer if isinstance(minutes_answer, int | float) and not isinstance(minutes_answer, bool) \
        and 5 <= minutes_answer <= 480 else None
    return {"next_review_time": f"{start:%H:%M}" if start else None,
            "next_review_minutes": int(minutes) if minutes is not None else None}


def previous_target_updates(template: Template, answers: Mapping[str, Any], context: ReviewContext
                            ) -> dict[str, TargetData]:
    """Each followed-up target with its outcome, comment and the review that followed it up."""
    question = next(iter(template.questions_of_type("previous_targets")), None)
    outcomes = answers.get(question.id) if question else None
    if not isinstance(outcomes, dict):
        return {}
    updates: dict[str, TargetData] = {}
    for target_id, target in context.open_targets.items():
        outcome = outcomes.get(target_id)
        if not isinstance(outcome, dict) or outcome.get("status") not in TARGET_OUTCOMES:
            continue
        updates[target_id] = _revalidated(target, {
            "status": outcome["status"],
            "follow_up_comment": str(outcome.get("comment") or "").strip(),
            "followed_up_in_review_id": context.review_id,
        })
    return updates


def new_targets(
    template: Template,
    answers: Mapping[str, Any],
    context: ReviewContext,
    learner_id: str,
    new_id: Callable[[], str] = _new_uuid,
) -> dict[str, TargetData]:
    """The target records this review sets, keyed by new id: exactly the targets in the new-targets list.

    A followed-up target marked "carry forward" is one of them because the wizard puts it in the list
    (`reviewapp.core.drafts.with_carried_targets`) for the assessor to reword and date, and finalising is refused
    while one is missing (`review_rules`): a target is never created here that the learner did not see on the page
    they signed, and never with a due date nobody set.
    """
    list_q = next(iter(template.questions_of_type("target_list")), None)
    items = answers.get(list_q.id) if list_q else None
    created: dict[str, TargetData] = {}
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not str(item.get("text") or "").strip():
            continue
        created[new_id()] = TargetData(
            learner_id=learner_id,
            text=str(item["text"]).strip(),
            due_date=parse_iso_date(item.get("due_date")),
            actions=_actions(item.get("actions")),
            set_in_review_id=context.review_id,
            carried_from_id=item.get("carried_from_id") or None,
        )
    return created


def _actions(value: Any) -> list[str]:
    """The small steps of a target, blanks dropped; anything but a list of steps counts as none."""
    if not isinstance(value, list):
        return []
    return [str(step).strip() for step in value if isinstance(step, str | int | float) and str(step).strip()]


def carried_target_item(target_id: str, target: TargetData) -> dict[str, Any]:
    """A new-target answer item for carrying a target forward: same wording and actions, and no due date.

    The old due date is not kept: the target was not met by it, so a date that has passed (or is about to) would
    be wrong, and the assessor agrees a new one with the learner; until then the SMART check says it has no date.
    """
    return {"text": target.text, "due_date": None, "actions": list(target.actions), "carried_from_id": target_id}


def plan_progress_updates(template: Template, answers: Mapping[str, Any], context: ReviewContext
                          ) -> dict[str, PlanItemData]:
    """Plan items whose progress the review changed (the comments stay in the review itself)."""
    question = next(iter(template.questions_of_type("plan_progress_grid")), None)
    rows = answers.get(question.id) if question else None
    if not isinstance(rows, dict):
        return {}
    updates: dict[str, PlanItemData] = {}
    for item_id, item in context.plan_items.items():
        row = rows.get(item_id)
        progress = row.get("progress") if isinstance(row, dict) else None
        if isinstance(progress, int | float) and not isinstance(progress, bool):
            value = min(max(round(progress), 0), 100)
            if value != item.progress:
                updates[item_id] = _revalidated(item, {"progress": value})
    return updates


def finalise_review(
    template: Template,
    review: ReviewData,
    signatures: Sequence[SignatureData],
    context: ReviewContext,
    finalised_at: dt.datetime,
    new_id: Callable[[], str] = _new_uuid,
) -> Finalisation:
    """Everything finalising a draft writes, or ReviewNotReady listing what is missing.

    The review comes back stamped (status, time, ratings, dates, signed answers) and hashed with
    `sync.protocol.review_content_hash`, the same hash the server checks.
    """
    if review.status != "draft":
        raise ValueError(f"only a draft can be finalised; this review is {review.status}")
    if (review.template_id, review.template_version) != (template.id, template.version):
        raise ValueError(f"the review uses template {review.template_id} v{review.template_version}, "
                         f"not {template.id} v{template.version}")
    readiness = finalise_readiness(template, review.answers, signatures, context)
    if not readiness.ready:
        raise ReviewNotReady(readiness)
    signed = finalised_answers(template, review.answers, context)
    stamped = _revalidated(review, {
        **review_record_fields(template, signed, context),
        "answers": signed,
        "status": "finalised",
        "finalised_at": finalised_at,
        "content_hash": None,
    })
    stamped = _revalidated(stamped, {"content_hash": review_content_hash(context.review_id, stamped, list(signatures))})
    return Finalisation(
        review=stamped,
        new_targets=new_targets(template, signed, context, review.learner_id, new_id),
        target_updates=previous_target_updates(template, signed, context),
        plan_updates=plan_progress_updates(template, signed, context),
    )
