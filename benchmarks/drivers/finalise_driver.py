"""Fills a complete review through the store, then finalises it when told to (and is killed at some moment).

    python benchmarks/drivers/finalise_driver.py DATA_DIR REVIEW_ID

Prints `EXPECT <json>` (what finalising must change, worked out by the pure core function, and the plan progress
before), then `READY`; on a line `GO` from standard input it finalises through `reviews.finalise` and prints
`FINALISED <seconds it took>`. benchmarks/crash_trials.py kills it at a random moment after GO.
"""

import datetime as dt
import json
import sys
import time

from sqlalchemy import select

from reviewapp.core.finalise import finalise_review
from reviewapp.core.templates import load_template
from reviewapp.selftest import scripted_answers as complete_answers  # the tests' complete answers, shipped
from reviewapp.store import reviews
from reviewapp.store.database import Store
from reviewapp.store.models import PlanItem, Review

TODAY = dt.date(2026, 11, 23)
RECOVERY = {"otj_recovery_plan": "Two extra study afternoons a month until March.", "otj_employer_agreed": True}


def main() -> None:
    store = Store.open(sys.argv[1])
    review_id = sys.argv[2]
    with store.read() as session:
        row = session.get(Review, review_id)
        template = load_template(row.template_id, version=row.template_version)
        context = reviews.review_context(session, row.learner_id, review_id)
        plan_before = {p.id: p.progress for p in session.scalars(
            select(PlanItem).where(PlanItem.learner_id == row.learner_id))}
    answers = complete_answers(context, TODAY) | RECOVERY  # some learners are behind on off-the-job hours
    reviews.save_answers(store, review_id, answers)
    for role, name in (("learner", "Zoë Ødegård"), ("employer", "Tom Clarke"), ("assessor", "Alex Morgan")):
        reviews.save_signature(store, review_id, role, name=name, image_png="iVBORw0KGgo=",
                               strokes=[[[0, 0], [10, 5]]])
    with store.read() as session:
        review, signatures = reviews.load_review(session, review_id)
    expected = finalise_review(template, review, signatures, context, dt.datetime.now(dt.UTC))
    print("EXPECT", json.dumps({
        "answers": answers,
        "new_targets": len(expected.new_targets),
        "followed_up": sorted(expected.target_updates),
        "plan_after": {pid: item.progress for pid, item in expected.plan_updates.items()},
        "plan_before": plan_before,
    }), flush=True)
    print("READY", flush=True)
    if sys.stdin.readline().strip() != "GO":
        return
    started = time.perf_counter()
    reviews.finalise(store, review_id, template)
    print("FINALISED", time.perf_counter() - started, flush=True)
    store.close()


if __name__ == "__main__":
    main()
