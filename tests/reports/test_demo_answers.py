"""The demo caseload's reviews are reviews the app itself would have let an assessor finalise."""

from __future__ import annotations

from reviewapp.core.review_rules import ReviewContext, finalise_readiness
from reviewapp.core.templates import load_template
from sync.protocol import review_content_hash


def test_every_demo_review_is_complete_keyed_by_the_template_and_hashed(demo_documents):
    template = load_template("apprenticeship-progress-review")
    question_ids = {q.id for _, q in template.questions()}
    assert len(demo_documents) > 40
    for document in demo_documents:
        review = document.review
        assert set(review.answers) <= question_ids
        # as the wizard saw them: the followed-up targets were still open then
        opened = {tid: t.model_copy(update={"status": "open", "followed_up_in_review_id": None})
                  for tid, t in document.followed_up_targets.items()}
        context = ReviewContext(document.review_id, document.learner, opened, document.plan_items,
                                document.last_review_date)
        readiness = finalise_readiness(template, review.answers, list(document.signatures), context)
        assert readiness.ready, readiness.messages()
        assert review.content_hash == review_content_hash(document.review_id, review, list(document.signatures))
        assert review.answers["next_review_date"] == review.next_review_date.isoformat()
        assert review.answers["progress_rag"] == review.progress_rag
        set_texts = sorted(t.text for t in document.set_targets.values())
        assert sorted(i["text"] for i in review.answers["new_targets"]) == set_texts




def test_demo_answers_vary_between_learners(demo_documents):
    welfare_words = {d.review.answers["welfare_own_words"] for d in demo_documents}
    scenarios = {d.review.answers["hs_scenario"]["scenario_id"] for d in demo_documents}
    assert len(welfare_words) >= 4
    assert len(scenarios) >= 3
    assert any(d.review.answers.get("behind_actions") for d in demo_documents)
    assert any(d.review.answers["als_in_place"] for d in demo_documents)
