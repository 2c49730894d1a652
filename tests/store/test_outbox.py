"""Every local change to a synced record reaches the outbox in the same transaction; nothing bypasses it."""

import datetime as dt

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from reviewapp.store.errors import BypassedOutboxError, ImmutableRecordError
from reviewapp.store.models import Employer, Learner, OutboxEntry, Review, Signature, data_fields
from sync.protocol import ENTITY_MODELS, entity_fields


def _learner(**overrides):
    values = {"uln": "1000000042", "first_name": "Zoë", "last_name": "Ødegård", "start_date": dt.date(2026, 1, 5)}
    return Learner(**(values | overrides))


def _outbox(store):
    with store.read() as s:
        return {(e.entity, e.record_id): e for e in s.scalars(select(OutboxEntry))}


def test_models_match_the_wire_schema_field_for_field():
    from reviewapp.store.models import SYNCABLE_MODELS

    assert set(SYNCABLE_MODELS) == set(ENTITY_MODELS)
    for entity, model in SYNCABLE_MODELS.items():
        assert set(data_fields(model)) == set(entity_fields(entity)), entity


def test_round_trip_keeps_every_field(store):
    with store.write() as s:
        learner = _learner(support_needs="Dyslexia", level=3, planned_otj_hours=312.5)
        s.add(learner)
    with store.read() as s:
        back = s.get(Learner, learner.id)
        assert (back.first_name, back.last_name, back.support_needs) == ("Zoë", "Ødegård", "Dyslexia")
        assert back.start_date == dt.date(2026, 1, 5)
        assert back.planned_otj_hours == 312.5
        assert back.updated_by == "assessor1"
        assert back.updated_at.tzinfo is not None


def test_create_records_whole_record_in_outbox(store):
    with store.write() as s:
        learner = _learner()
        s.add(learner)
    entry = _outbox(store)[("learner", learner.id)]
    assert entry.op == "create"
    assert entry.base_rev == 0
    assert entry.fields["first_name"] == "Zoë"
    assert entry.fields["start_date"] == "2026-01-05"
    assert entry.fields["status"] == "active"  # defaults are part of the record sent


def _synced_learner(store):
    """A learner as if pulled from the server (rev 7), with no pending change."""
    learner_id = "5f0c7f0e-0000-4000-8000-000000000001"
    with store.apply_remote() as s:
        s.add(_learner(id=learner_id, rev=7, phone="0100"))
    return learner_id


def test_edits_coalesce_keeping_first_base_and_latest_value(store):
    learner_id = _synced_learner(store)
    for phone in ("0111", "0122", "0133"):
        with store.write() as s:
            s.get(Learner, learner_id).phone = phone
    entries = _outbox(store)
    assert len(entries) == 1
    entry = entries[("learner", learner_id)]
    assert entry.op == "update"
    assert entry.base_rev == 7
    assert entry.base == {"phone": "0100"}
    assert entry.fields == {"phone": "0133"}


def test_change_typed_back_to_its_base_leaves_nothing_to_send(store):
    learner_id = _synced_learner(store)
    with store.write() as s:
        s.get(Learner, learner_id).phone = "0999"
    with store.write() as s:
        s.get(Learner, learner_id).phone = "0100"
    assert _outbox(store) == {}


def test_remote_changes_make_no_outbox_entries(store):
    _synced_learner(store)
    assert _outbox(store) == {}


def test_record_and_outbox_roll_back_together(store):
    learner_id = _synced_learner(store)
    with pytest.raises(RuntimeError), store.write() as s:
        s.get(Learner, learner_id).phone = "0777"
        s.flush()  # the outbox row is written in this transaction...
        raise RuntimeError("power cut")  # ...and goes with it
    with store.read() as s:
        assert s.get(Learner, learner_id).phone == "0100"
    assert _outbox(store) == {}


def test_deleting_is_a_tombstone_that_syncs(store):
    learner_id = _synced_learner(store)
    with store.write() as s:
        s.get(Learner, learner_id).deleted = True
    entry = _outbox(store)[("learner", learner_id)]
    assert entry.op == "delete"


def test_deleting_a_never_synced_record_forgets_its_creation(store):
    with store.write() as s:
        employer = Employer(name="Brew & Co")
        s.add(employer)
    with store.write() as s:
        s.get(Employer, employer.id).deleted = True
    assert _outbox(store) == {}


def test_hard_delete_is_refused(store):
    learner_id = _synced_learner(store)
    with pytest.raises(BypassedOutboxError), store.write() as s:
        s.delete(s.get(Learner, learner_id))


def test_session_outside_the_store_api_cannot_write(store):
    with pytest.raises(BypassedOutboxError), Session(store.engine) as s:
        s.add(_learner())
        s.flush()


def test_bulk_sql_on_synced_tables_is_refused(store):
    learner_id = _synced_learner(store)
    with pytest.raises(BypassedOutboxError), store.write() as s:
        s.execute(update(Learner).where(Learner.id == learner_id).values(phone="0"))
    with pytest.raises(BypassedOutboxError), store.write() as s:
        s.execute(insert(Employer), [{"id": "x", "name": "Sneaky Ltd"}])


def test_read_only_unit_cannot_change_records(store):
    learner_id = _synced_learner(store)
    with pytest.raises(BypassedOutboxError), store.read() as s:
        s.get(Learner, learner_id).phone = "0"
        s.flush()


def _finalised_review(store):
    learner_id = _synced_learner(store)
    with store.write() as s:
        review = Review(learner_id=learner_id, template_id="t", template_version=1, answers={"q": "draft"})
        s.add(review)
        s.add(Signature(review_id=review.id, role="learner", name="Zoë Ødegård"))
    with store.write() as s:
        r = s.get(Review, review.id)
        r.status = "finalised"
        r.content_hash = "0" * 64
    return review.id


def test_finalised_review_cannot_change(store):
    review_id = _finalised_review(store)
    with pytest.raises(ImmutableRecordError), store.write() as s:
        s.get(Review, review_id).answers = {"q": "rewritten"}
    with store.read() as s:
        assert s.get(Review, review_id).answers == {"q": "draft"}


def test_finalised_review_takes_no_new_or_changed_signature(store):
    review_id = _finalised_review(store)
    with pytest.raises(ImmutableRecordError), store.write() as s:
        s.add(Signature(review_id=review_id, role="employer", name="Late Signer"))
    with pytest.raises(ImmutableRecordError), store.write() as s:
        sig = s.scalars(select(Signature).where(Signature.review_id == review_id)).one()
        sig.name = "Someone Else"


def test_draft_review_can_change_freely(store):
    learner_id = _synced_learner(store)
    with store.write() as s:
        review = Review(learner_id=learner_id, template_id="t", template_version=1)
        s.add(review)
    with store.write() as s:
        s.get(Review, review.id).answers = {"visit.location": "Leeds"}
    assert _outbox(store)[("review", review.id)].fields["answers"] == {"visit.location": "Leeds"}


def test_a_changed_entry_gets_a_new_change_id(store):
    """If the first version reached the server (its answer lost), a resend under the old id would be taken as a
    duplicate and the newer edit lost."""
    learner_id = _synced_learner(store)
    with store.write() as s:
        s.get(Learner, learner_id).phone = "0111"
    first = _outbox(store)[("learner", learner_id)].change_id
    with store.write() as s:
        s.get(Learner, learner_id).phone = "0122"
    assert _outbox(store)[("learner", learner_id)].change_id != first


def test_finalised_review_may_be_voided_with_a_reason_only(store):
    review_id = _finalised_review(store)
    with pytest.raises(ImmutableRecordError), store.write() as s:
        s.get(Review, review_id).status = "void"  # no reason given
    with store.write() as s:
        review = s.get(Review, review_id)
        review.status, review.void_reason = "void", "Recorded against the wrong learner"
    fields = _outbox(store)[("review", review_id)].fields
    assert (fields["status"], fields["void_reason"]) == ("void", "Recorded against the wrong learner")
    # Once voided, it stays as it was signed: not re-finalised, not rewritten.
    for change in ({"status": "finalised"}, {"answers": {"q1": "Rewritten"}}, {"void_reason": "Another reason"}):
        with pytest.raises(ImmutableRecordError), store.write() as s:
            review = s.get(Review, review_id)
            for name, value in change.items():
                setattr(review, name, value)


def test_the_server_may_change_what_the_laptop_may_not(store):
    review_id = _finalised_review(store)
    with store.apply_remote() as s:
        review = s.get(Review, review_id)
        review.status, review.void_reason = "void", "Voided in the office"
    with store.read() as s:
        assert s.get(Review, review_id).status == "void"


def test_a_signature_cannot_move_between_reviews(store):
    review_id = _finalised_review(store)
    with store.read() as s:
        learner_id = s.get(Review, review_id).learner_id
    with store.write() as s:
        other = Review(learner_id=learner_id, template_id="t", template_version=1)
        s.add(other)
    with pytest.raises(ImmutableRecordError), store.write() as s:
        signature = s.scalars(select(Signature).where(Signature.review_id == review_id)).one()
        signature.review_id = other.id


def test_raw_and_core_sql_writes_to_synced_tables_are_refused(store):
    from sqlalchemy import text

    learner_id = _synced_learner(store)
    attempts = [
        lambda s: s.execute(text("UPDATE learner SET phone = '999' WHERE id = :id"), {"id": learner_id}),
        lambda s: s.connection().execute(update(Learner.__table__).values(phone="999")),
        lambda s: s.bulk_update_mappings(Learner, [{"id": learner_id, "phone": "999"}]),
    ]
    for attempt in attempts:
        with pytest.raises(BypassedOutboxError), store.write() as s:
            attempt(s)
    with store.read() as s:
        assert s.get(Learner, learner_id).phone == "0100"


def test_a_read_unit_of_work_cannot_write_even_with_raw_sql(store):
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    with pytest.raises(OperationalError, match="readonly"), store.read() as s:
        s.execute(text("INSERT INTO sync_state (key, value) VALUES ('cursor', '99')"))


def test_a_tombstone_cannot_be_edited_or_restored(store):
    learner_id = _synced_learner(store)
    with store.write() as s:
        s.get(Learner, learner_id).deleted = True
    for change in ({"deleted": False}, {"phone": "0999"}):
        with pytest.raises(BypassedOutboxError), store.write() as s:
            for name, value in change.items():
                setattr(s.get(Learner, learner_id), name, value)
    assert _outbox(store)[("learner", learner_id)].op == "delete"
