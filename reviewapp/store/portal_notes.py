"""The portal's notes pulled from the office (issue 17 item 2), for the wizard's "Targets from the last review"
(the learner's ticks on their targets' actions) and "The employer" (the employer's feedback) steps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewapp.core.portal_notes import feedback_words, tick_words
from reviewapp.store.models import PortalNote, Target


@dataclass(frozen=True)
class PortalLines:
    ticks: tuple[str, ...] = ()
    feedback: tuple[str, ...] = ()


def portal_lines(session: Session, learner_id: str, since: dt.date | None = None) -> PortalLines:
    """The learner's ticks and their employer's feedback, oldest first, written after `since` (the last review's
    date) when given, each in words with who and when."""
    rows = session.execute(
        select(PortalNote, Target.text).outerjoin(Target, Target.id == PortalNote.target_id)
        .where(PortalNote.learner_id == learner_id, PortalNote.deleted.is_(False))
        .order_by(PortalNote.written_at, PortalNote.rev)
    ).all()
    ticks, feedback = [], []
    for note, target_text in rows:
        if since is not None and note.written_at is not None and note.written_at.date() < since:
            continue
        if note.kind == "action_done":
            ticks.append(tick_words(note.action, target_text, note.written_by, note.written_at))
        elif note.kind == "feedback":
            feedback.append(feedback_words(note.text, note.written_by, note.written_at))
    return PortalLines(tuple(ticks), tuple(feedback))
