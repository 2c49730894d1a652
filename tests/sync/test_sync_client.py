"""The sync client against a real server process: pull, push, two laptops and the office, conflicts, removals."""

from __future__ import annotations

import json
from typing import Any

import httpx
import keyring
import pytest
from sqlalchemy import select
from synckit import PASSWORD

from reviewapp.core.file_names import saved_copies_folder
from reviewapp.core.templates import load_template
from reviewapp.selftest import scripted_answers as complete_answers
from reviewapp.store import reviews
from reviewapp.store.database import database_path
from reviewapp.store.keys import KEYRING_SERVICE
from reviewapp.store.models import Learner, OutboxEntry, Setting, SyncState, Target
from reviewapp.store.saved_copies import copies_of_learner, keep_copy
from reviewapp.store.sync.conflicts import keep_mine, keep_theirs, open_conflict_count
from reviewapp.store.sync.push import snapshot
from reviewapp.store.sync.state import DEVICE_ID, read_state
from reviewapp.sync_client.engine import SyncClient
from reviewapp.sync_client.errors import DeviceRevokedError, NotSignedInError, SyncError
from tests.conftest import DEMO_TODAY

TEMPLATE = load_template("apprenticeship-progress-review")


def test_initial_pull_brings_exactly_the_caseload(world: dict[str, Any]) -> None:
    alice = world["laptop"]("alice")
    summary = alice.sync()
    assert summary.pulled > 0 and not summary.cancelled
    local = alice.records()
    assert {key[1] for key in local if key[0] == "learner"} == set(world["learners"]["alice"])
    server_view = world["office"]("alice").records()
    assert local == server_view
    again = alice.sync()
    assert again.pulled == 0 and again.pushed == 0


def test_token_only_in_keyring_and_password_nowhere(world: dict[str, Any], tmp_path) -> None:
    alice = world["laptop"]("alice")
    saved = json.loads(keyring.get_password(KEYRING_SERVICE, f"sync-token:{alice.store.path.resolve()}") or "{}")
    token = saved["token"]
    assert token and len(token) > 20 and saved["server"] == world["server"].url
    with alice.store.read() as session:
        stored = [str(r.value) for r in session.scalars(select(Setting))]
        stored += [r.value for r in session.scalars(select(SyncState))]
    assert not any(token in value or "correct horse" in value for value in stored)
    alice.store.close()
    raw = b"".join(p.read_bytes() for p in alice.data_dir.iterdir() if p.is_file())
    assert token.encode() not in raw and b"correct horse" not in raw


def test_the_token_goes_only_to_the_server_it_came_from(world: dict[str, Any]) -> None:
    alice = world["laptop"]("alice")
    seen: list[str] = []

    def elsewhere(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization", ""))
        if request.url.path == "/api/v1/health":
            return httpx.Response(200, json={"server_id": "another-server", "database": "sqlite"})
        return httpx.Response(200, json={"server_id": "another-server", "changes": [], "cursor": 0, "more": False})

    other = SyncClient(alice.store, "http://127.0.0.1:9/", "alice",
                       http=httpx.Client(transport=httpx.MockTransport(elsewhere), base_url="http://127.0.0.1:9"))
    assert not other.signed_in()
    with pytest.raises(NotSignedInError):
        other.sync()
    assert not any(seen)  # Alice's token (no token at all) was sent to the other host
    assert alice.client.signed_in()


def test_another_account_cannot_sign_in_over_a_synced_caseload(world: dict[str, Any]) -> None:
    alice = world["laptop"]("alice")
    alice.sync()
    bob_here = SyncClient(alice.store, world["server"].url, "bob")
    with pytest.raises(SyncError, match=r"belongs to alice.*--account bob"):
        bob_here.login(PASSWORD)
    assert {key[1] for key in alice.records() if key[0] == "learner"} == set(world["learners"]["alice"])


def test_edits_on_two_laptops_and_the_office_all_arrive(world: dict[str, Any]) -> None:
    ann, amy = world["learners"]["alice"]
    first, second = world["laptop"]("alice"), world["laptop"]("alice", "alice-second-laptop")
    office = world["office"]()
    first.sync(), second.sync()
    first.edit("learner", ann, phone="0113 496 0001")
    second.edit("learner", ann, email="ann@example.org")
    office.edit("learner", ann, starting_points="Level 2 maths")
    with first.store.write() as session:
        target = Target(learner_id=amy, text="Finish the unit 3 workbook", due_date=DEMO_TODAY)
        session.add(target)
    for laptop in (first, second, first):
        summary = laptop.sync()
        assert summary.rejected == 0 and summary.conflicts == 0
    server = office.as_assessor("alice").records()
    assert server[("learner", ann)]["phone"] == "0113 496 0001"
    assert server[("learner", ann)]["email"] == "ann@example.org"
    assert server[("learner", ann)]["starting_points"] == "Level 2 maths"
    assert ("target", target.id) in server
    assert first.records() == second.records() == server
    with first.store.read() as session:
        assert session.scalars(select(OutboxEntry)).all() == []


def test_field_changed_on_both_sides_becomes_a_conflict_resolved_keep_mine(world: dict[str, Any]) -> None:
    ann = world["learners"]["alice"][0]
    alice = world["laptop"]("alice")
    office = world["office"]()
    alice.sync()
    alice.edit("learner", ann, phone="07700 900001")
    office.edit("learner", ann, phone="07700 900999")
    summary = alice.sync()
    assert summary.conflicts == 1
    [conflict] = alice.conflicts()
    assert (conflict.field, conflict.my_value, conflict.their_value) == ("phone", "07700 900001", "07700 900999")
    assert conflict.their_by == "meg" and conflict.their_at is not None
    assert alice.records()[("learner", ann)]["phone"] == "07700 900999"  # the server's, until resolved
    keep_mine(alice.store, conflict.id)
    alice.sync()
    assert office.record("learner", ann)["phone"] == "07700 900001"
    assert alice.records() == office.as_assessor("alice").records()
    with alice.store.read() as session:
        assert open_conflict_count(session) == 0


def test_conflict_resolved_keep_theirs_sends_nothing(world: dict[str, Any]) -> None:
    ann = world["learners"]["alice"][0]
    alice = world["laptop"]("alice")
    office = world["office"]()
    alice.sync()
    alice.edit("learner", ann, phone="mine")
    office.edit("learner", ann, phone="theirs")
    alice.sync()
    [conflict] = alice.conflicts()
    keep_theirs(alice.store, conflict.id)
    summary = alice.sync()
    assert summary.pushed == 0
    assert office.record("learner", ann)["phone"] == "theirs" == alice.records()[("learner", ann)]["phone"]


def test_reassignment_purges_the_learner_and_everything_of_theirs(world: dict[str, Any]) -> None:
    ann = world["learners"]["alice"][0]
    alice, bob = world["laptop"]("alice"), world["laptop"]("bob")
    alice.sync(), bob.sync()
    with alice.store.write() as session:
        session.add(Target(learner_id=ann, text="Target that travels with Ann"))
    alice.sync()
    with alice.store.read() as session:
        learner = session.get(Learner, ann)
        saved = saved_copies_folder(alice.data_dir, learner.full_name, learner.uln)
        other = session.get(Learner, world["learners"]["alice"][1])
        kept = saved_copies_folder(alice.data_dir, other.full_name, other.uln)
    for folder in (saved, kept):
        folder.mkdir(parents=True)
        (folder / "2026-11-30-learner-copy.pdf").write_bytes(b"%PDF-1.4 signed copy")
    with alice.store.write() as session:  # copies kept in the store, as printing keeps them
        for learner_id in (ann, world["learners"]["alice"][1]):
            keep_copy(session, learner_id=learner_id, kind="learner", file_name="c.pdf", pdf=b"%PDF-1.4 copy")
    world["setup"].assign(ann, "bob")
    summary = alice.sync()
    assert summary.purged_learners == 1
    assert not saved.exists() and kept.exists()  # her signed copies leave with her; Amy's stay
    with alice.store.read() as session:
        assert copies_of_learner(session, ann) == []
        assert len(copies_of_learner(session, world["learners"]["alice"][1])) == 1
    assert not any(ann in (key[1], data.get("learner_id")) for key, data in alice.records().items())
    with alice.store.read() as session:
        assert session.get(Learner, ann) is None
        assert session.scalars(select(Target).where(Target.learner_id == ann)).all() == []
    bob.sync()
    assert any(data.get("text") == "Target that travels with Ann" for data in bob.records().values())
    assert alice.records() == world["office"]("alice").records()
    assert bob.records() == world["office"]("bob").records()


def test_a_learner_who_leaves_with_unsent_work_is_kept_until_the_assessor_decides(world: dict[str, Any]) -> None:
    ann, amy = world["learners"]["alice"]
    alice = world["laptop"]("alice")
    alice.sync()
    for learner, text in ((ann, "Ann's target, written offline"), (amy, "Amy's target, written offline")):
        with alice.store.write() as session:
            session.add(Target(learner_id=learner, text=text))
    world["setup"].assign(ann, "bob")
    world["setup"].assign(amy, "bob")
    summary = alice.sync()
    # Refused (no longer Alice's), then "removed": kept here with the reason, not purged with the work in it.
    assert (summary.held_learners, summary.purged_learners, summary.rejected) == (2, 0, 2), summary.log
    with alice.store.read() as session:
        assert {t.text for t in session.scalars(select(Target))} >= {"Ann's target, written offline",
                                                                     "Amy's target, written offline"}
    removals = {c.record_id: c for c in alice.conflicts() if c.kind == "removed"}
    assert set(removals) == {ann, amy} and "left your caseload" in removals[ann].reason
    assert alice.sync().held_learners == 0  # held once, not again on every sync

    # Amy's work is discarded by the assessor: Amy leaves the laptop with it.
    keep_theirs(alice.store, removals[amy].id)
    with alice.store.read() as session:
        assert session.get(Learner, amy) is None
        assert session.scalars(select(OutboxEntry)).all() != []  # Ann's is still waiting
    # Ann is assigned back: her kept work goes up, once.
    world["setup"].assign(ann, "alice")
    alice.sync()
    alice.sync()
    office_texts = [d.get("text") for d in world["office"]().records().values()]
    assert office_texts.count("Ann's target, written offline") == 1
    assert "Amy's target, written offline" not in office_texts
    assert [c for c in alice.conflicts() if c.resolved_at is None] == []
    assert alice.records() == world["office"]("alice").records()


def _finalised_review(store, learner_id: str) -> str:  # type: ignore[no-untyped-def]
    review_id = reviews.start_draft(store, learner_id, TEMPLATE, DEMO_TODAY)
    with store.read() as session:
        context = reviews.review_context(session, learner_id, review_id)
    reviews.save_answers(store, review_id, complete_answers(context, DEMO_TODAY))
    for role, name in (("learner", "Zoë Ødegård"), ("employer", "Tom Clarke"), ("assessor", "Alex Morgan")):
        reviews.save_signature(store, review_id, role, name=name, image_png="iVBORw0KGgo=",
                               strokes=[[[0, 0], [10, 5]]])
    reviews.finalise(store, review_id, TEMPLATE)
    return review_id


def test_finalised_review_pushed_twice_is_stored_once(world: dict[str, Any]) -> None:
    ann = world["learners"]["alice"][0]
    alice = world["laptop"]("alice", batch_size=2)  # the review and its signatures still travel together
    alice.sync()
    review_id = _finalised_review(alice.store, ann)
    with alice.store.read() as session:
        kept = [snapshot(e) for e in session.scalars(select(OutboxEntry))]
    first = alice.sync()
    assert first.rejected == 0, first.log
    # The same outbox sent again, as after a lost reply: every change is a duplicate, nothing is stored twice.
    with alice.store.apply_remote() as session:
        for entry in kept:
            session.add(OutboxEntry(change_id=entry.change_id, entity=entry.entity, record_id=entry.record_id,
                                    op=entry.op, base_rev=entry.base_rev, base=entry.base, fields=entry.fields,
                                    created_at=entry.updated_at, updated_at=entry.updated_at))
    second = alice.sync()
    assert second.duplicates == len(kept) and second.applied == 0 and second.rejected == 0
    server = world["office"]("alice").records()
    assert [key for key in server if key == ("review", review_id)] == [("review", review_id)]
    assert server[("review", review_id)]["status"] == "finalised"
    assert sum(1 for key, data in server.items() if key[0] == "signature" and data["review_id"] == review_id) == 3
    assert alice.records() == server


def test_refused_change_is_kept_and_explained(world: dict[str, Any]) -> None:
    ann = world["learners"]["alice"][0]
    alice = world["laptop"]("alice")
    alice.sync()
    alice.edit("learner", ann, assessor="bob")  # only an admin may move a learner
    summary = alice.sync()
    assert summary.rejected == 1
    [refusal] = alice.conflicts()
    assert refusal.kind == "rejected" and "admin" in refusal.reason
    with alice.store.read() as session:
        assert session.scalars(select(OutboxEntry)).one().fields == {"assessor": "bob"}
    assert alice.sync().pushed == 0  # not sent again until edited or retried
    keep_theirs(alice.store, refusal.id)
    alice.sync()
    assert alice.records() == world["office"]("alice").records()


def test_revoked_device_wipes_the_account_and_says_so(world: dict[str, Any]) -> None:
    from sync.server.accounts import revoke_device
    from sync.server.db import transaction

    alice = world["laptop"]("alice")
    alice.sync()
    alice.edit("learner", world["learners"]["alice"][0], phone="unsent")
    with alice.store.read() as session:
        learner = session.get(Learner, world["learners"]["alice"][0])
        saved = saved_copies_folder(alice.data_dir, learner.full_name, learner.uln)
    saved.mkdir(parents=True)
    (saved / "2026-11-30-employer-copy.pdf").write_bytes(b"%PDF-1.4 signed copy")
    device_id = alice.client.store and read_state(alice.store)[DEVICE_ID]
    with transaction(world["setup"].factory) as session:
        revoke_device(session, device_id)
    path = database_path(alice.data_dir, "alice")
    with pytest.raises(DeviceRevokedError, match="wiped"):
        alice.sync()
    assert not path.exists() and not saved.exists()
    assert keyring.get_password(KEYRING_SERVICE, f"sync-token:{path.resolve()}") is None


def test_not_signed_in_and_unreachable_server_say_what_to_do(world: dict[str, Any], tmp_path) -> None:
    from reviewapp.store.database import Store

    with Store.open(tmp_path / "fresh", "carol") as store, SyncClient(store, world["server"].url, "carol") as client:
        with pytest.raises(NotSignedInError, match="sign in"):
            client.sync()
        with pytest.raises(NotSignedInError, match="username or password"):
            client.login("wrong password")
    with Store.open(tmp_path / "fresh2", "carol") as store, SyncClient(
        store, "http://127.0.0.1:9", "carol", backoff=0.01, max_attempts=2
    ) as client, pytest.raises(SyncError, match="next sync"):
        client.sync()


def test_edits_made_while_a_push_is_in_flight_are_not_lost(world: dict[str, Any]) -> None:
    """The user keeps typing while the push travels: the server's answer must not delete the newer values."""

    from reviewapp.store.models import PlanItem

    ann, amy = world["learners"]["alice"]
    alice = world["laptop"]("alice")
    alice.sync()
    with alice.store.write() as session:
        item = PlanItem(learner_id=ann, title="First title")
        session.add(item)
    alice.edit("learner", amy, phone="phone 1", email="email 1")
    office = world["office"]()
    office.edit("learner", amy, email="office email")  # this one will conflict

    def edit_during_push(request: httpx.Request) -> None:
        if request.url.path.endswith("/sync/push"):
            alice.edit("plan_item", item.id, title="Second title")
            alice.edit("learner", amy, phone="phone 2", email="email 2")

    alice.client.http.event_hooks["request"] = [edit_during_push]
    summary = alice.sync()
    alice.client.http.event_hooks["request"] = []
    assert summary.conflicts == 1
    with alice.store.read() as session:
        entries = {e.record_id: e for e in session.scalars(select(OutboxEntry))}
        assert entries[item.id].op == "update" and entries[item.id].fields == {"title": "Second title"}
        assert entries[item.id].base == {"title": "First title"}
        assert entries[amy].fields == {"phone": "phone 2", "email": "email 2"}
        assert entries[amy].base == {"phone": "phone 1", "email": ""}  # the email still meets the office's
        assert session.get(Learner, amy).email == "email 2"
    assert alice.sync().conflicts == 1
    server = office.as_assessor("alice").records()
    assert server[("plan_item", item.id)]["title"] == "Second title"
    assert server[("learner", amy)]["phone"] == "phone 2" and server[("learner", amy)]["email"] == "office email"
    assert {(c.my_value, c.their_value) for c in alice.conflicts()} == {
        ("email 1", "office email"), ("email 2", "office email")}
    assert alice.records() == server


def test_a_record_whose_parent_is_on_a_later_page_is_applied_together_with_it(world: dict[str, Any]) -> None:
    """Pages come in rev order, so a learner edited after its plan items arrives after them: the client applies
    the pages up to the parent as one unit (with the last cursor), never a child without its parent."""
    from reviewapp.store.models import PlanItem

    bea = world["learners"]["alice"][1]
    filler = world["laptop"]("alice", "filler")
    filler.sync()
    with filler.store.write() as session:
        for number in range(10):
            session.add(PlanItem(learner_id=bea, title=f"Unit {number}", position=number))
    filler.sync()
    world["office"]().edit("learner", bea, email="bea@example.org")
    fresh = world["laptop"]("alice", "fresh", page_size=3)
    units: list[str] = []
    summary = fresh.client.sync(progress=lambda _done, _total, text="": units.append(text))
    assert summary.pages >= 4 and len(units) < summary.pages
    assert fresh.records() == world["office"]("alice").records()
    assert fresh.sync().pulled == 0  # the cursor was stored with the data
