"""The review wizard's actions: open a review with what it works from, save answers and signatures, finalise.

Each opens its own store session and returns plain data with the `Changes` it made, so the wizard (view and
controller) never touches the store: the controller runs these through its one seam (`ui/wizard/controller.py`).
Starting a review or an addendum is the main window's action and stays in `store.reviews.start_draft` for now.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reviewapp.core.review_rules import ReviewContext
from reviewapp.core.scheduling import DEFAULT_RULES, ScheduleRules
from reviewapp.core.templates import Template
from reviewapp.operations.changes import Changes, Outcome
from reviewapp.store import queries, reviews
from reviewapp.store.database import Store
from reviewapp.store.models import Setting
from reviewapp.store.portal_notes import PortalLines, portal_lines
from sync.protocol import ReviewData, SignatureData

#: The assessor's name and address as this laptop knows them (settings): proposed beside their signature and
#: written as the organiser of the next review's calendar file.
_ASSESSOR_NAME = "assessor.display_name"
_ASSESSOR_EMAIL = "assessor.email"


@dataclass(frozen=True)
class ReviewOpened:
    """Everything the wizard shows about one review, read in one session."""

    review: ReviewData
    signatures: list[SignatureData]
    context: ReviewContext
    #: The office's quality samples of this review (read-only), shown under its summary.
    samples: list[Any]
    #: What the learner and their employer wrote in the portal since the last review (read-only).
    portal: PortalLines


def _changed(review_id: str, learner_id: str) -> Changes:
    return Changes(learners=frozenset({learner_id}), reviews=frozenset({review_id}), outbox=True)


def open_review(store: Store, review_id: str, rules: ScheduleRules = DEFAULT_RULES) -> Outcome[ReviewOpened]:
    """A review (draft or finalised) and the learner's records it works from: targets, plan, last review date."""
    with store.read() as session:
        review, signatures = reviews.load_review(session, review_id)
        context = reviews.review_context(session, review.learner_id, review_id, rules)
        samples = queries.review_samples(session, review.learner_id, review_id).get(review_id, [])
        portal = portal_lines(session, review.learner_id, context.last_review_date)
    return Outcome(ReviewOpened(review=review, signatures=signatures, context=context, samples=samples,
                                portal=portal))


def assessor(store: Store) -> Outcome[tuple[str, str]]:
    """The assessor's name and e-mail address as the settings hold them now (either may be empty)."""
    with store.read() as session:
        name, email = (session.get(Setting, key) for key in (_ASSESSOR_NAME, _ASSESSOR_EMAIL))
        return Outcome((str(name.value or "").strip() if name else "", str(email.value or "").strip() if email else ""))


def save_answers(store: Store, review_id: str, learner_id: str, answers: dict[str, Any]) -> Outcome[None]:
    """Write changed answers of a draft (through the store's API, so they reach the outbox)."""
    if not answers:
        return Outcome(None)
    reviews.save_answers(store, review_id, answers)
    return Outcome(None, _changed(review_id, learner_id))


def _signatures(store: Store, review_id: str) -> list[SignatureData]:
    with store.read() as session:
        return reviews.load_review(session, review_id)[1]


def save_signature(store: Store, review_id: str, learner_id: str, role: str, *, name: str,
                   absent_reason: str = "", image_png: str | None = None, strokes: Any = None
                   ) -> Outcome[list[SignatureData]]:
    """Record one party's signature (drawn, or the reason they could not sign); returns the review's signatures."""
    if absent_reason:
        reviews.save_signature(store, review_id, role, name=name, absent_reason=absent_reason)
    else:
        reviews.save_signature(store, review_id, role, name=name, image_png=image_png, strokes=strokes)
    return Outcome(_signatures(store, review_id), _changed(review_id, learner_id))


def clear_signature(store: Store, review_id: str, learner_id: str, role: str) -> Outcome[list[SignatureData]]:
    """Remove one party's signature; returns the review's signatures."""
    reviews.clear_signature(store, review_id, role)
    return Outcome(_signatures(store, review_id), _changed(review_id, learner_id))


def finalise(store: Store, review_id: str, learner_id: str, template: Template, rules: ScheduleRules = DEFAULT_RULES
             ) -> Outcome[tuple[ReviewData, list[SignatureData]]]:
    """Finalise a draft (all or nothing; raises ReviewNotReady with what is missing); returns the review exactly as
    signed, hidden answers dropped. The learner's targets and next review change, so the caseload row does too."""
    reviews.finalise(store, review_id, template, rules)
    with store.read() as session:
        finalised = reviews.load_review(session, review_id)
    return Outcome(finalised, _changed(review_id, learner_id) | Changes(alerts=True))
