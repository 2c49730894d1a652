"""The review as words: each shown question with its answer as a person reads it.

The wizard's summary step, the history view and the PDF all show a review as text, so the wording of an answer
(option labels rather than stored values, UK dates, "Yes — reason" for a raised concern) is decided once, here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reviewapp.core.dates import format_date, format_datetime
from reviewapp.core.review_rules import (
    TARGET_OUTCOMES,
    ReviewContext,
    effective_answers,
    parse_iso_date,
    section_statuses,
    visible_answers,
    visible_questions,
)
from reviewapp.core.templates import Question, Template, scenario_shown
from sync.protocol import ReviewData, SignatureData

NOT_ANSWERED = "Not answered"


@dataclass(frozen=True)
class SummaryRow:
    question_id: str
    label: str
    text: str


@dataclass(frozen=True)
class SummarySection:
    section_id: str
    title: str
    complete: bool
    rows: tuple[SummaryRow, ...]
    problems: tuple[str, ...]


def review_summary(
    template: Template,
    answers: Mapping[str, Any],
    signatures: Sequence[SignatureData],
    context: ReviewContext,
) -> list[SummarySection]:
    """Every section but the summary itself, with its shown questions as label/answer rows and what is missing."""
    effective = effective_answers(template, answers, context)
    shown = visible_answers(template, effective)
    statuses = {s.section_id: s for s in section_statuses(template, answers, signatures, context)}
    result: list[SummarySection] = []
    for section in template.sections:
        if section.kind == "summary":
            continue
        rows = tuple(
            SummaryRow(q.id, q.label, answer_text(q, shown.get(q.id), context, signatures))
            for q in visible_questions(template, section, answers, context)
        )
        status = statuses[section.id]
        result.append(SummarySection(section.id, section.title, status.complete, rows,
                                     tuple(p.message for p in status.problems)))
    return result


def answer_text(question: Question, value: Any, context: ReviewContext,
                signatures: Sequence[SignatureData] = (), *, printed: bool = False) -> str:
    """One answer in words; "Not answered" for a blank. With `printed`, options take the words of a printed copy
    (`Option.print_label`), which its learner and employer read."""
    kind = question.type
    if kind == "signature":
        return _signature_text(question, signatures)
    if kind == "previous_targets":
        return _previous_targets_text(value, context)
    if kind == "plan_progress_grid":
        return _plan_text(value, context)
    if value is None or value == "" or value == [] or value == {}:
        return NOT_ANSWERED
    if kind in ("text", "long_text"):
        return str(value)
    if kind in ("choice", "rag", "yes_no"):
        return question.option_label(value, printed)
    if kind == "multi_choice":
        return "; ".join(question.option_label(v, printed) for v in value) if isinstance(value, list) else str(value)
    if kind == "date":
        day = parse_iso_date(value)
        return format_date(day) if day else str(value)
    if kind == "time":
        return str(value)
    if kind in ("number", "hours"):
        number = f"{value:g}" if isinstance(value, int | float) else str(value)
        return f"{number} hours" if kind == "hours" else number
    if kind == "flag":
        if not isinstance(value, dict):
            return str(value)
        return f"Yes — {value.get('detail', '')}".strip(" —") if value.get("raised") else "No"
    if kind == "scenario":
        scenario = scenario_shown(question, context.review_id, value)
        response = value.get("response", "") if isinstance(value, dict) else str(value)
        return f"{scenario.title}: {scenario.text}\nLearner's answer: {response or NOT_ANSWERED}"
    if kind == "target_list":
        return _target_list_text(value)
    return str(value)


def _previous_targets_text(value: Any, context: ReviewContext) -> str:
    if not context.open_targets:
        return "No targets were open."
    outcomes = value if isinstance(value, dict) else {}
    lines = []
    for target_id, target in context.open_targets.items():
        outcome = outcomes.get(target_id) if isinstance(outcomes.get(target_id), dict) else {}
        status = outcome.get("status")
        words = TARGET_OUTCOMES.get(status, "not yet reviewed") if isinstance(status, str) else "not yet reviewed"
        line = f"{target.text} — {words}"
        if outcome.get("comment"):
            line += f": {outcome['comment']}"
        if outcome.get("carry_forward"):
            line += " (carried forward)"
        lines.append(line)
    return "\n".join(lines)


def _plan_text(value: Any, context: ReviewContext) -> str:
    if not context.plan_items:
        return "No learning plan items."
    rows = value if isinstance(value, dict) else {}
    lines = []
    for item_id, item in context.plan_items.items():
        row = rows.get(item_id) if isinstance(rows.get(item_id), dict) else {}
        progress = row.get("progress")
        line = f"{item.title}: {progress}%" if progress is not None else f"{item.title}: {NOT_ANSWERED.lower()}"
        if progress is not None and progress != item.progress:
            line += f" (was {item.progress}%)"
        if row.get("comment"):
            line += f" — {row['comment']}"
        lines.append(line)
    return "\n".join(lines)


def _target_list_text(value: Any) -> str:
    if not isinstance(value, list):
        return str(value)
    lines = []
    for number, item in enumerate((i for i in value if isinstance(i, dict)), start=1):
        due = parse_iso_date(item.get("due_date"))
        lines.append(f"{number}. {item.get('text', '')}" + (f" (by {format_date(due)})" if due else " (no due date)"))
        actions = item.get("actions")
        if isinstance(actions, list):
            lines.extend(f"   – {step}" for step in actions if str(step).strip())
    return "\n".join(lines) or NOT_ANSWERED


def _signature_text(question: Question, signatures: Sequence[SignatureData]) -> str:
    signature = next((s for s in signatures if s.role == question.role), None)
    if signature is None:
        return "Not signed yet"
    if signature.image_png or any(signature.strokes):
        when = format_datetime(signature.signed_at) if isinstance(signature.signed_at, dt.datetime) else ""
        return f"Signed by {signature.name}" + (f" on {when}" if when else "")
    if signature.absent_reason.strip():
        return f"Did not sign: {signature.absent_reason.strip()}"
    return "Not signed yet"


def summary_intro(section_intro: str, review: ReviewData) -> str:
    """The words above the summary step. A template's intro is written for a draft ("read it through before
    finalising"); once the review is finalised that advice is wrong, so say when it was finalised and how it can
    still be corrected instead."""
    if review.status == "draft":
        return section_intro
    what = "addendum" if review.addendum_to_id else "review"
    if review.status == "void":
        return f"This {what} was voided: it is kept for the record only and cannot be changed."
    when = f" on {format_datetime(review.finalised_at)}" if review.finalised_at else ""
    correction = "" if review.addendum_to_id else (
        " To correct it, add an addendum (Review menu, \u201cAdd an addendum to the selected review\u201d).")
    return f"This {what} was finalised{when} and cannot be changed.{correction}"
