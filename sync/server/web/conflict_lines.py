"""The sync conflicts the office shows (issue 19 item 2), as lines of words: the open ones on the reviews the caller
may see, and the ones settled already. The page is conflicts.py; the learners page shows `open_conflict_count`.

A conflict is a question of a review two laptops (or a laptop and the office) both changed: the server kept its
value and the laptop's waits in the conflict history (sync/server/field_merge.py, sync_push.py). It is resolved on
the laptop, in the wizard, so this page is read-only: it says which learner, review and question, both values in
the words the wizard shows them (`reviewapp.core.summary.answer_text`, the one wording the PDF copy uses too), and
who changed each, on which laptop and when.

Scoped by the shared caller as every page: a conflict is shown only when its review is (`Caller.visible(Review)`:
an assessor their own caseload, a manager their teams', a quality lead and an admin all).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reviewapp.core.answer_paths import value_at
from reviewapp.core.dates import format_date
from reviewapp.core.review_rules import ReviewContext
from reviewapp.core.summary import answer_text
from reviewapp.core.templates import Template
from sync.protocol import LearnerData, PlanItemData, ReviewData, TargetData

from ..finalisation_rules import installed_template
from ..models import Conflict, Device, Learner, PlanItem, Review, Target, User
from ..records import Rejected
from ..scope import Caller

#: Resolved conflicts shown under "Resolved", newest first (the history is kept whole in the database).
RESOLVED_SHOWN = 100
#: Question types whose answer is keyed by a record's id, so a conflict may name one item of it.
ITEM_KINDS = {"plan_progress_grid": "plan", "previous_targets": "targets"}


@dataclass(frozen=True)
class Side:
    """One side of a conflict: its value in words, and who changed it, on which laptop and when."""

    text: str
    by: str
    device: str
    at: dt.datetime | None


@dataclass(frozen=True)
class ShownConflict:
    conflict_id: str
    learner_id: str
    learner_name: str
    review: str
    question: str
    office: Side
    laptop: Side
    resolved_at: dt.datetime | None


def _visible(caller: Caller) -> Any:
    """The conflicts on reviews the caller may see (the one scope every page uses)."""
    return (select(Conflict, Review).join(Review, Review.id == Conflict.record_id)
            .where(Conflict.entity == "review", Review.deleted.is_(False), caller.visible(Review)))


def open_conflict_count(session: Session, caller: Caller) -> int:
    """How many conflicts wait on the caller's reviews (the count the learners page, their home, shows)."""
    query = (select(func.count()).select_from(Conflict).join(Review, Review.id == Conflict.record_id)
             .where(Conflict.entity == "review", Conflict.resolved_at.is_(None), Review.deleted.is_(False),
                    caller.visible(Review)))
    return int(session.scalar(query) or 0)


def _template(session: Session, review: ReviewData, cache: dict[tuple[str, int], Template | None]) -> Template | None:
    key = (review.template_id, review.template_version)
    if key not in cache:
        try:
            cache[key] = installed_template(*key, session)
        except Rejected:
            cache[key] = None
    return cache[key]


def _words(session: Session, template: Template | None, conflict: Conflict, learner: LearnerData | None,
           whole: Any) -> tuple[str, str]:
    """The question's label and the value at the conflict's path in the wizard's words."""
    path = list(conflict.path or [])
    value = value_at(whole, path)
    if conflict.field != "answers" or not path or template is None:
        return (path[0] if path else conflict.field), ("Not answered" if value in (None, "") else str(value))
    try:
        question = template.question(path[0])
    except KeyError:
        return path[0], str(value)
    context = ReviewContext(review_id=conflict.record_id, learner=learner)
    kind = ITEM_KINDS.get(question.type)
    if kind is not None and len(path) > 1:
        # One item of a per-item answer: worded alone, with only the record it is about.
        item_id = path[1]
        if kind == "plan":
            row = session.get(PlanItem, item_id)
            items = {item_id: PlanItemData.model_validate(row.data)} if row is not None else {}
            context = ReviewContext(review_id=conflict.record_id, learner=learner, plan_items=items)
        else:
            target = session.get(Target, item_id)
            found = {item_id: TargetData.model_validate(target.data)} if target is not None else {}
            context = ReviewContext(review_id=conflict.record_id, learner=learner, open_targets=found)
        value = {item_id: value} if value is not None else {}
    return question.label, answer_text(question, value, context)


def _review_words(review: ReviewData) -> str:
    when = format_date(review.visit_date) if review.visit_date else "no visit date yet"
    status = "Draft" if review.status == "draft" else review.status.capitalize()
    return f"{status} review, {when}"


def _names(session: Session, table: Any, ids: set[str], column: Any) -> dict[str, str]:
    if not ids:
        return {}
    return dict(session.execute(select(table.id, column).where(table.id.in_(ids))).all())


def conflict_lines(session: Session, caller: Caller, resolved: bool) -> list[ShownConflict]:
    """The caller's open conflicts (oldest first: they have waited longest) or resolved ones (newest first)."""
    query = _visible(caller).where(Conflict.resolved_at.is_not(None) if resolved else Conflict.resolved_at.is_(None))
    query = (query.order_by(Conflict.resolved_at.desc(), Conflict.id).limit(RESOLVED_SHOWN) if resolved
             else query.order_by(Conflict.created_at, Conflict.id))
    rows = session.execute(query).all()
    users = _names(session, User, {c.user_id for c, _ in rows}, func.coalesce(func.nullif(User.display_name, ""),
                                                                              User.username))
    devices = _names(session, Device, {d for c, _ in rows for d in (c.device_id, c.server_changed_device) if d},
                     Device.name)
    learners: dict[str, LearnerData | None] = {}
    templates: dict[tuple[str, int], Template | None] = {}
    lines = []
    for conflict, row in rows:
        review = ReviewData.model_validate(row.data)
        if row.learner_id not in learners:
            found = session.get(Learner, row.learner_id)
            learners[row.learner_id] = LearnerData.model_validate(found.data) if found is not None else None
        learner = learners[row.learner_id]
        template = _template(session, review, templates)
        label, office = _words(session, template, conflict, learner, conflict.server_value)
        _label, laptop = _words(session, template, conflict, learner, conflict.client_value)
        lines.append(ShownConflict(
            conflict_id=conflict.id, learner_id=row.learner_id,
            learner_name=f"{learner.first_name} {learner.last_name}" if learner else "Unknown learner",
            review=_review_words(review), question=label,
            office=Side(office, conflict.server_changed_by or "Unknown",
                        devices.get(conflict.server_changed_device or "", conflict.server_changed_device or "—"),
                        conflict.server_changed_at),
            laptop=Side(laptop, users.get(conflict.user_id, "Unknown"),
                        devices.get(conflict.device_id, conflict.device_id or "—"), conflict.created_at),
            resolved_at=conflict.resolved_at))
    return lines
