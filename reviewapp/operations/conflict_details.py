"""Sync conflicts as a person reads them (issue 19 item 2): the learner, the review and its step, the question's
label and both values in the wizard's words, and who changed the server's side, on which device and when.

The words of an answer are `reviewapp.core.summary.answer_text`'s (the wizard's summary and the PDF use it too), so
a conflict never shows a value differently from the rest of the app. The dialog reads these plain values; it never
opens a store session itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from reviewapp.core.dates import format_date, format_datetime
from reviewapp.core.review_rules import ReviewContext
from reviewapp.core.summary import NOT_ANSWERED, answer_text
from reviewapp.core.templates import Question, TemplateError, load_template
from reviewapp.store.database import Store
from reviewapp.store.models import Learner, Review
from reviewapp.store.reviews import review_context
from reviewapp.store.sync.conflicts import ConflictView, open_conflicts, resolved_conflicts

#: Question types whose values are prose: shown side by side with the differences marked, and combinable.
PROSE_TYPES = frozenset({"text", "long_text"})

RESOLUTIONS = {"kept_mine": "Kept mine", "kept_theirs": "Kept theirs", "combined": "Combined",
               "retried": "Tried again", "discarded": "Discarded"}


@dataclass(frozen=True)
class ConflictDetail:
    """One conflict in words; `view` keeps the raw values and the id to resolve it by."""

    view: ConflictView
    learner: str
    record: str
    step: str
    question: str
    mine: str
    theirs: str
    prose: bool
    changed_by: str
    resolution: str


@dataclass(frozen=True)
class ConflictLists:
    open: list[ConflictDetail]
    resolved: list[ConflictDetail]


def conflict_lists(store: Store) -> ConflictLists:
    """The open conflicts and the resolved ones (the history, newest first), each in words."""
    with store.read() as session:
        return ConflictLists([_detail(session, c) for c in open_conflicts(session)],
                             [_detail(session, c) for c in resolved_conflicts(session)])


def changed_by_text(who: str, device: str, when: Any) -> str:
    """'alice on alice-desk, 01/12/2026 23:10' (London time), leaving out what is not known."""
    text = who or "Someone else"
    if device:
        text += f" on {device}"
    stamp = format_datetime(when)
    return f"{text}, {stamp}" if stamp else text


def _plain(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return NOT_ANSWERED
    if isinstance(value, list):
        return "; ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {_plain(v)}" for k, v in value.items())
    return str(value)


def _detail(session: Session, view: ConflictView) -> ConflictDetail:
    learner, record, step, label = "", view.record_label, "", view.field.replace("_", " ")
    mine, theirs, prose = _plain(view.mine), _plain(view.theirs), isinstance(view.mine, str)
    review = session.get(Review, view.record_id) if view.entity == "review" else None
    if review is not None:
        person = session.get(Learner, review.learner_id)
        learner = person.full_name if person else ""
        record = f"Review of {format_date(review.visit_date)}" if review.visit_date else "Review (no date yet)"
        question = _question(review, view)
        if question is not None:
            section, q = question
            step, label = section, q.label
            context = _context(session, review, view.record_id)
            mine, theirs = (answer_text(q, _as_answer(view, value), context) for value in (view.mine, view.theirs))
            prose = q.type in PROSE_TYPES
    elif view.record_label.startswith("Learner "):
        learner = view.record_label.removeprefix("Learner ")
    changed_by = changed_by_text(view.their_by, view.their_device, view.their_at)
    return ConflictDetail(view, learner, record, step, label, mine, theirs, prose and view.kind == "conflict",
                          changed_by, RESOLUTIONS.get(view.resolution, ""))


def _question(review: Review, view: ConflictView) -> tuple[str, Question] | None:
    """The question the conflict's path names (or the question a review column stands for), with its step."""
    try:
        template = load_template(review.template_id, review.template_version)
    except TemplateError:
        return None
    question_id = view.path[0] if view.field == "answers" and view.path else None
    question = (template.question(question_id) if question_id and _has(template, question_id)
                else template.question_for_record_field(view.field))
    if question is None:
        return None
    return template.section_of(question.id).title, question


def _as_answer(view: ConflictView, value: Any) -> Any:
    """An item of an id-keyed question (a target's outcome, a plan row) as that question's answer of one item."""
    if len(view.path) > 1:
        return [value] if value is not None else []
    return value


def _has(template: Any, question_id: str) -> bool:
    return any(q.id == question_id for _, q in template.questions())


def _context(session: Session, review: Review, review_id: str) -> ReviewContext:
    return review_context(session, review.learner_id, review_id)
