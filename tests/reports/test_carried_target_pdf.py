"""A target carried forward is on the page the learner signs: among the new targets, as the assessor reworded and
dated it, and set as a target with that date (issue 13 item 6: it used to be created at finalising, invisible on
the signed copy and due by the next review, a date nobody set)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from reviewapp.core.drafts import with_carried_targets
from reviewapp.core.templates import load_template
from reviewapp.reports.review_pdf import review_pdf
from reviewapp.selftest import scripted_answers
from reviewapp.store import reviews
from reviewapp.store.models import Learner, Target
from reviewapp.store.review_documents import load_review_document
from tests.conftest import DEMO_TODAY
from tests.reports.conftest import pdf_text

TEMPLATE = load_template("apprenticeship-progress-review")
REWORDED = "Write up two customer calls as a reflective account and share it with the mentor"
DUE = DEMO_TODAY + dt.timedelta(weeks=5)


def test_a_carried_target_is_under_new_targets_on_the_signed_copy(demo_store) -> None:
    with demo_store.read() as s:
        ids = s.scalars(select(Target.learner_id).where(Target.status == "open")).all()
        learner_id = next(i for i in ids if s.get(Learner, i).status == "active")
    review_id = reviews.start_draft(demo_store, learner_id, TEMPLATE, DEMO_TODAY)
    with demo_store.read() as s:
        context = reviews.review_context(s, learner_id, review_id)
    answers = scripted_answers(context, DEMO_TODAY)
    answers["new_targets"] = answers["new_targets"][:1]  # the tick alone, as the wizard sees it
    carried_id = next(iter(context.open_targets))
    answers = with_carried_targets(TEMPLATE, answers, context)  # what ticking "Carry forward" does in the wizard
    carried = next(i for i in answers["new_targets"] if i.get("carried_from_id") == carried_id)
    assert carried["text"] == context.open_targets[carried_id].text and carried["due_date"] is None
    carried.update(text=REWORDED, due_date=DUE.isoformat())  # the assessor rewords and dates it
    reviews.save_answers(demo_store, review_id, answers)
    for role, name in (("learner", "Zoë Ødegård"), ("employer", "Tom Clarke"), ("assessor", "Alex Morgan")):
        reviews.save_signature(demo_store, review_id, role, name=name, image_png="iVBORw0KGgo=",
                               strokes=[[[0, 0], [10, 5]]])
    reviews.finalise(demo_store, review_id, TEMPLATE)

    with demo_store.read() as s:
        document = load_review_document(s, review_id)
        created = s.scalars(select(Target).where(Target.carried_from_id == carried_id,
                                                 Target.set_in_review_id == review_id)).all()
    assert [(t.text, t.due_date) for t in created] == [(REWORDED, DUE)]  # the date set, never an invented one
    for copy in ("learner", "employer", "provider"):
        text = pdf_text(review_pdf(document, copy=copy))
        new_section = text[text.index("New targets"):text.index("Comments and next review")]
        assert f"2. {REWORDED} {DUE:%d/%m/%Y}" in new_section, copy
