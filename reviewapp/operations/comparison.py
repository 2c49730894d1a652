"""Two reviews of one learner side by side: which two, and the rows that compare them (core's comparison)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reviewapp.core.comparison import ComparisonRow, compare_reviews
from reviewapp.core.templates import load_template
from reviewapp.store import reviews
from reviewapp.store.database import Store
from sync.protocol import ReviewData


@dataclass(frozen=True)
class Compared:
    earlier: ReviewData
    later: ReviewData
    rows: list[ComparisonRow]


def compare(store: Store, learner_id: str, chosen_ids: list[str]) -> Compared | None:
    """The two reviews chosen, or else the learner's two latest finalised ones, earlier first, with the rows
    comparing them; None when the learner has fewer than two reviews."""
    with store.read() as session:
        ids = chosen_ids if len(chosen_ids) == 2 else reviews.finalised_review_ids(session, learner_id)[:2]
        if len(ids) < 2:
            return None
        loaded = sorted((reviews.load_review(session, i)[0] for i in ids), key=lambda r: r.visit_date or dt.date.min)
        titles = reviews.plan_titles(session, learner_id)
        starts = reviews.plan_starts(session, learner_id)
    earlier, later = loaded
    template = load_template(later.template_id, version=later.template_version)
    return Compared(earlier, later, compare_reviews(template, earlier, later, titles, starts))
