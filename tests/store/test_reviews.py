"""Reviews through the store: drafts prefilled, answers saved as typed, finalising all-or-nothing and immutable."""

import datetime as dt

import pytest
from sqlalchemy import select

from reviewapp.core.finalise import ReviewNotReady
from reviewapp.core.templates import load_template
from reviewapp.selftest import scripted_answers as complete_answers
from reviewapp.store import reviews
from reviewapp.store.errors import ImmutableRecordError
from reviewapp.store.models import Learner, OutboxEntry, PlanItem, Review, Target
from sync.protocol import review_content_hash
from tests.conftest import DEMO_TODAY

TEMPLATE = load_template("apprenticeship-progress-review")


@pytest.fixture
def learner_id(demo_store):
    with demo_store.read() as s:
        ids = s.scalars(select(Target.learner_id).where(Target.status == "open")).all()
        return next(i for i in ids if s.get(Learner, i).status == "active")


def _sign_all(store, review_id):
    for role, name in (("learner", "Zoë Ødegård"), ("employer", "Tom Clarke"), ("assessor", "Alex Morgan")):
        reviews.save_signature(store, review_id, role, name=name, image_png="iVBORw0KGgo=",
                               strokes=[[[0, 0], [10, 5]]])


def _fill(store, review_id, learner_id):
    with store.read() as s:
        context = reviews.review_context(s, learner_id, review_id)
    reviews.save_answers(store, review_id, complete_answers(context, DEMO_TODAY))
    return context


def test_draft_starts_prefilled_from_the_learners_records(demo_store, learner_id):
    review_id = reviews.start_draft(demo_store, learner_id, TEMPLATE, DEMO_TODAY)
    with demo_store.read() as s:
        review = s.get(Review, review_id)
        plan_ids = set(s.scalars(select(PlanItem.id).where(PlanItem.learner_id == learner_id)))
        assert [d.review_id for d in reviews.open_drafts(s)] == [review_id]
    assert review.status == "draft"
    assert (review.template_id, review.template_version) == (TEMPLATE.id, TEMPLATE.version)
    assert review.answers["visit_date"] == DEMO_TODAY.isoformat()
    assert set(review.answers["plan_progress"]) == plan_ids
    assert review.answers["otj_hours_to_date"] > 0


def test_saving_answers_merges_and_coalesces_in_the_outbox(demo_store, learner_id):
    review_id = reviews.start_draft(demo_store, learner_id, TEMPLATE, DEMO_TODAY)
    for text in ("E", "En", "Enjoying work"):
        reviews.save_answers(demo_store, review_id, {"welfare_own_words": text})
    reviews.save_answers(demo_store, review_id, {"welfare_rag": "amber"})
    with demo_store.read() as s:
        review = s.get(Review, review_id)
        entries = s.scalars(select(OutboxEntry).where(OutboxEntry.record_id == review_id)).all()
    assert review.answers["welfare_own_words"] == "Enjoying work"
    assert review.answers["welfare_rag"] == "amber"
    assert review.answers["visit_date"] == DEMO_TODAY.isoformat()  # earlier answers kept
    assert len(entries) == 1 and entries[0].op == "create"
    assert entries[0].fields["answers"]["welfare_own_words"] == "Enjoying work"


def test_finalise_writes_everything_in_one_go(demo_store, learner_id):
    review_id = reviews.start_draft(demo_store, learner_id, TEMPLATE, DEMO_TODAY)
    context = _fill(demo_store, review_id, learner_id)
    _sign_all(demo_store, review_id)
    result = reviews.finalise(demo_store, review_id, TEMPLATE)
    with demo_store.read() as s:
        review, signatures = reviews.load_review(s, review_id)
        followed = s.scalars(select(Target).where(Target.followed_up_in_review_id == review_id)).all()
        created = s.scalars(select(Target).where(Target.set_in_review_id == review_id)).all()
        plan = {p.id: p.progress for p in s.scalars(select(PlanItem).where(PlanItem.learner_id == learner_id))}
    assert review.status == "finalised" and review.finalised_at is not None
    assert review.content_hash == review_content_hash(review_id, review, signatures)
    assert {t.id for t in followed} == set(context.open_targets)
    assert all(t.status != "open" for t in followed)
    carried = [t for t in created if t.carried_from_id]
    assert len(carried) == 1 and len(created) == 2  # one new target and one carried forward
    assert set(result.new_targets) == {t.id for t in created}
    assert all(plan[pid] == min(100, item.progress + 10) for pid, item in context.plan_items.items())
    assert review.next_review_date == DEMO_TODAY + dt.timedelta(weeks=8)


def test_not_ready_review_is_refused_and_nothing_changes(demo_store, learner_id):
    review_id = reviews.start_draft(demo_store, learner_id, TEMPLATE, DEMO_TODAY)
    _fill(demo_store, review_id, learner_id)  # answered, but nobody has signed
    with pytest.raises(ReviewNotReady) as caught:
        reviews.finalise(demo_store, review_id, TEMPLATE)
    assert any("sign" in m.lower() for m in caught.value.readiness.messages())
    with demo_store.read() as s:
        assert s.get(Review, review_id).status == "draft"
        assert s.scalars(select(Target).where(Target.set_in_review_id == review_id)).all() == []


def test_finalised_review_refuses_answers_and_signatures(demo_store, learner_id):
    review_id = reviews.start_draft(demo_store, learner_id, TEMPLATE, DEMO_TODAY)
    _fill(demo_store, review_id, learner_id)
    _sign_all(demo_store, review_id)
    reviews.finalise(demo_store, review_id, TEMPLATE)
    with pytest.raises(ImmutableRecordError):
        reviews.save_answers(demo_store, review_id, {"welfare_rag": "red"})
    with pytest.raises(ImmutableRecordError):
        reviews.save_signature(demo_store, review_id, "learner", name="Someone Else", image_png="AAAA")
    with demo_store.read() as s:
        assert s.get(Review, review_id).answers["welfare_rag"] == "green"


def test_correcting_a_signers_name_keeps_the_time_they_signed(demo_store, learner_id):
    review_id = reviews.start_draft(demo_store, learner_id, TEMPLATE, DEMO_TODAY)
    strokes = [[[0.1, 0.5], [0.4, 0.6]]]
    reviews.save_signature(demo_store, review_id, "learner", name="Zoe", image_png="iVBORw0KGgo=", strokes=strokes)
    with demo_store.read() as s:
        first = reviews.load_review(s, review_id)[1][0].signed_at
    reviews.save_signature(demo_store, review_id, "learner", name="Zoë Ødegård", image_png="iVBORw0KGgo=",
                           strokes=strokes)
    with demo_store.read() as s:
        again = reviews.load_review(s, review_id)[1][0]
    assert again.name == "Zoë Ødegård" and again.signed_at == first


def test_a_discarded_draft_is_voided_with_its_reason_and_leaves_the_drafts_offer(demo_store, learner_id):
    review_id = reviews.start_draft(demo_store, learner_id, TEMPLATE, DEMO_TODAY)
    reviews.save_answers(demo_store, review_id, {"welfare_own_words": "Started for the wrong learner"})
    reviews.discard_draft(demo_store, review_id)
    with demo_store.read() as s:
        review = s.get(Review, review_id)
        entry = s.scalars(select(OutboxEntry).where(OutboxEntry.record_id == review_id)).one()
        assert review_id not in [d.review_id for d in reviews.open_drafts(s)]
    assert (review.status, review.void_reason, review.deleted) == ("void", "Discarded draft", False)  # kept
    assert (entry.fields["status"], entry.fields["void_reason"]) == ("void", "Discarded draft")  # it will sync
    with pytest.raises(ImmutableRecordError):  # closed: the discarded draft takes no more answers
        reviews.save_answers(demo_store, review_id, {"welfare_own_words": "More"})


def test_a_finalised_review_refuses_to_be_discarded(demo_store, learner_id):
    review_id = reviews.start_draft(demo_store, learner_id, TEMPLATE, DEMO_TODAY)
    _fill(demo_store, review_id, learner_id)
    _sign_all(demo_store, review_id)
    reviews.finalise(demo_store, review_id, TEMPLATE)
    with pytest.raises(reviews.NotADraftError, match="Only a draft can be discarded"):
        reviews.discard_draft(demo_store, review_id)
    with demo_store.read() as s:
        assert s.get(Review, review_id).status == "finalised"


def test_a_finalised_review_is_judged_by_the_targets_it_followed_up_not_those_open_since(demo_store):
    """The finalised demo reviews' side lists marked "Targets from the last review" incomplete: their context listed
    the targets open now (among them the ones each review set itself) instead of the ones it followed up."""
    from reviewapp.core.review_rules import section_statuses

    with demo_store.read() as s:
        finalised = s.scalars(select(Review).where(Review.status == "finalised")).all()
        assert finalised
        for row in finalised:
            review, signatures = reviews.load_review(s, row.id)
            context = reviews.review_context(s, row.learner_id, row.id)
            followed = {t.id for t in s.scalars(select(Target).where(Target.followed_up_in_review_id == row.id))}
            assert set(context.open_targets) == followed
            template = load_template(review.template_id, version=review.template_version)
            unfinished = [st.title for st in section_statuses(template, review.answers, signatures, context)
                          if not st.complete]
            assert unfinished == [], (row.id, unfinished)


def test_finalising_moves_the_reviews_context_from_open_targets_to_those_it_followed_up(demo_store, learner_id):
    review_id = reviews.start_draft(demo_store, learner_id, TEMPLATE, DEMO_TODAY)
    context = _fill(demo_store, review_id, learner_id)
    _sign_all(demo_store, review_id)
    reviews.finalise(demo_store, review_id, TEMPLATE)
    with demo_store.read() as s:
        after = reviews.review_context(s, learner_id, review_id)
        set_here = {t.id for t in s.scalars(select(Target).where(Target.set_in_review_id == review_id))}
    assert list(after.open_targets) == list(context.open_targets)  # the same targets, in the same order
    assert set_here and not set_here & set(after.open_targets)


def test_a_plan_item_added_after_a_review_was_finalised_is_not_part_of_it(demo_store, learner_id):
    """An MIS import adding a unit after a review must not make that review's plan step incomplete, nor put the new
    unit on its printed copy as unanswered; a draft started now does ask for it."""
    from reviewapp.core.review_rules import section_statuses
    from reviewapp.store.review_documents import load_review_document

    review_id = reviews.start_draft(demo_store, learner_id, TEMPLATE, DEMO_TODAY)
    _fill(demo_store, review_id, learner_id)
    _sign_all(demo_store, review_id)
    reviews.finalise(demo_store, review_id, TEMPLATE)
    with demo_store.apply_remote() as s:  # as a sync from the office brings it
        s.add(PlanItem(learner_id=learner_id, code="K99", title="A unit added by the MIS import", position=99))
    next_draft = reviews.start_draft(demo_store, learner_id, TEMPLATE, DEMO_TODAY + dt.timedelta(weeks=8))
    with demo_store.read() as s:
        added = s.scalar(select(PlanItem.id).where(PlanItem.code == "K99"))
        review, signatures = reviews.load_review(s, review_id)
        context = reviews.review_context(s, learner_id, review_id)
        document = load_review_document(s, review_id)
        draft_context = reviews.review_context(s, learner_id, next_draft)
    assert added not in context.plan_items and added not in document.plan_items
    assert set(context.plan_items) == set(review.answers["plan_progress"])
    assert all(st.complete for st in section_statuses(TEMPLATE, review.answers, signatures, context))
    assert added in draft_context.plan_items
