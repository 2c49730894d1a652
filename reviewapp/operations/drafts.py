"""Starting, resuming and discarding drafts: a review for a learner, an addendum to a finalised one, and the
unfinished drafts offered at start (after a crash or a flat battery)."""

from __future__ import annotations

import datetime as dt

from reviewapp.core.dates import format_date
from reviewapp.core.scheduling import DEFAULT_RULES, ScheduleRules
from reviewapp.core.templates import available_templates, load_template
from reviewapp.operations.changes import Changes, Outcome
from reviewapp.store import reviews
from reviewapp.store.database import Store
from reviewapp.store.reviews import DraftSummary, NotADraftError
from sync.protocol import ReviewData

__all__ = ["NotADraftError", "discard", "review", "start_addendum", "start_or_resume", "unfinished_drafts"]


def _started(review_id: str, learner_id: str) -> Changes:
    return Changes(learners=frozenset({learner_id}), reviews=frozenset({review_id}), outbox=True)


def unfinished_drafts(store: Store) -> list[DraftSummary]:
    """Every review not yet finalised (nor discarded), to offer at start."""
    with store.read() as session:
        return reviews.open_drafts(session)


def review(store: Store, review_id: str) -> ReviewData:
    """One review as stored (ReviewNotFoundError when there is none)."""
    with store.read() as session:
        return reviews.load_review(session, review_id)[0]


def start_or_resume(store: Store, learner_id: str, visit_date: dt.date, rules: ScheduleRules = DEFAULT_RULES
                    ) -> Outcome[str]:
    """The learner's unfinished review (not an addendum) if there is one, else a new draft on the first template
    visited on `visit_date`; its id. Only a new draft changes anything."""
    with store.read() as session:
        draft = next((d for d in reviews.open_drafts(session)
                      if d.learner_id == learner_id and not d.is_addendum), None)
    if draft is not None:
        return Outcome(draft.review_id)
    template = load_template(available_templates()[0][0])
    review_id = reviews.start_draft(store, learner_id, template, visit_date, rules)
    return Outcome(review_id, _started(review_id, learner_id))


def start_addendum(store: Store, learner_id: str, original_id: str, visit_date: dt.date,
                   rules: ScheduleRules = DEFAULT_RULES) -> Outcome[str | None]:
    """A correction to a finalised review: a draft addendum linked to it, saying which review it corrects; its id,
    or None when the original is not finalised (a draft is edited, not corrected)."""
    original = review(store, original_id)
    if original.status != "finalised":
        return Outcome(None)
    template = load_template(available_templates("addendum")[0][0])
    review_id = reviews.start_draft(store, learner_id, template, visit_date, rules, addendum_to_id=original_id)
    if any(q.id == "corrects_review" for _, q in template.questions()):
        reference = f"The progress review of {format_date(original.visit_date)} (reference {original_id[:8]})"
        reviews.save_answers(store, review_id, {"corrects_review": reference})
    return Outcome(review_id, _started(review_id, learner_id))


def discard(store: Store, review_id: str, learner_id: str) -> Outcome[None]:
    """Void a mistaken draft as "Discarded draft" (the void syncs); NotADraftError for anything else."""
    reviews.discard_draft(store, review_id)
    return Outcome(None, _started(review_id, learner_id) | Changes(alerts=True))
