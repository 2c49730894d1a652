"""Pull and push against SQLite and PostgreSQL: scoping, idempotency, field merge, conflicts, finalised reviews."""

from __future__ import annotations

from typing import Any

from server_testkit import Server, change, finalised_review

from sync.protocol import ReviewData, SignatureData, review_content_hash
from sync.server.db import new_id


def ids(changes: list[dict], entity: str | None = None, op: str | None = None) -> set[str]:
    return {c["id"] for c in changes if (entity is None or c["entity"] == entity) and (op is None or c["op"] == op)}


def plan_item(learner_id: str, **fields: Any) -> dict:
    return {"learner_id": learner_id, "title": "Data modelling", **fields}


def test_pull_brings_the_callers_caseload_in_rev_order(server: Server, caseloads: dict) -> None:
    changes, cursor = server.pull_all(caseloads["alice"])
    assert ids(changes, "learner") == {caseloads["alice_learner"]}
    assert len(ids(changes, "employer")) == 1
    revs = [c["rev"] for c in changes]
    assert revs == sorted(revs) and cursor >= revs[-1]
    again, same = server.pull_all(caseloads["alice"], since=cursor)
    assert again == [] and same == cursor
    everything, _ = server.pull_all(caseloads["meg"])
    assert ids(everything, "learner") == {caseloads["alice_learner"], caseloads["bob_learner"]}


def test_pull_pages_with_more_and_cursor(server: Server, caseloads: dict) -> None:
    learner = caseloads["alice_learner"]
    results = server.push(caseloads["alice"], *(change("plan_item", "create", fields=plan_item(learner, position=i))
                                                for i in range(7)))
    assert {r["status"] for r in results} == {"applied"}
    response = server.client.get("/api/v1/sync/pull", params={"since": 0, "limit": 3}, headers=caseloads["alice"])
    body = response.json()
    assert len(body["changes"]) == 3 and body["more"] is True and body["cursor"] == body["changes"][-1]["rev"]
    paged, _ = server.pull_all(caseloads["alice"], limit=3)
    whole, _ = server.pull_all(caseloads["alice"], limit=1000)
    assert paged == whole and len(ids(whole, "plan_item")) == 7


def test_assessor_can_neither_read_write_nor_detect_another_caseload(server: Server, caseloads: dict) -> None:
    alice, bob = caseloads["alice"], caseloads["bob"]
    bobs_learner = caseloads["bob_learner"]
    bobs_item = server.push(bob, change("plan_item", "create", fields=plan_item(bobs_learner)))[0]
    assert bobs_item["status"] == "applied"
    bobs_item_id = server.pull_all(bob)[0][-1]["id"]

    pulled, _ = server.pull_all(alice)
    assert bobs_learner not in ids(pulled) and bobs_item_id not in ids(pulled)

    # Writing to Bob's records reads exactly like writing to records that do not exist.
    def answers(record_id: str, learner_id: str) -> list[tuple[str, str | None]]:
        results = server.push(
            alice,
            change("learner", "update", record_id=learner_id, fields={"first_name": "X"}),
            change("plan_item", "update", record_id=record_id, fields={"title": "X"}),
            change("plan_item", "delete", record_id=record_id),
            change("plan_item", "create", fields=plan_item(learner_id)),
            change("review", "create", fields={"learner_id": learner_id, "template_id": "t", "template_version": 1}),
        )
        return [(r["status"], r["error"]) for r in results]

    assert answers(bobs_item_id, bobs_learner) == answers(new_id(), new_id())
    # Nor can Alice probe for Bob's learner by trying his ULN on her own learner: the ULN is the MIS's to change.
    bobs_uln = [c for c in server.pull_all(bob)[0] if c["id"] == bobs_learner][-1]["data"]["uln"]
    alices_learner = caseloads["alice_learner"]
    probes = server.push(alice, *(change("learner", "update", alices_learner, {"uln": uln}) for uln in
                                  (bobs_uln, "9999999993")))
    taken, free = ((r["status"], r["error"]) for r in probes)
    assert taken == free
    assert probes[0]["status"] == "rejected" and "ULN" in probes[0]["error"]
    assert {status for status, _ in answers(bobs_item_id, bobs_learner)} == {"rejected"}
    # And nothing of Bob's changed.
    bob_view, _ = server.pull_all(bob)
    assert all(c["data"]["title"] == "Data modelling" for c in bob_view if c["entity"] == "plan_item")


def test_repeated_change_id_is_duplicate_and_applied_once(server: Server, caseloads: dict) -> None:
    alice = caseloads["alice"]
    once = change("otj_entry", "create", fields={"learner_id": caseloads["alice_learner"], "date": "2025-10-01",
                                                 "hours": 3.5, "activity": "Workshop"})
    first = server.push(alice, once)[0]
    second = server.push(alice, once)[0]
    assert first["status"] == "applied" and second["status"] == "duplicate" and second["rev"] == first["rev"]
    assert len(ids(server.pull_all(alice)[0], "otj_entry")) == 1


def test_field_merge_takes_untouched_fields_and_reports_conflicts(server: Server, caseloads: dict) -> None:
    alice, meg = caseloads["alice"], caseloads["meg"]
    learner = caseloads["alice_learner"]
    created = server.push(alice, change("target", "create", fields={"learner_id": learner, "text": "Finish unit 3",
                                                                      "due_date": "2025-12-01"}))[0]
    target_id = server.pull_all(alice)[0][-1]["id"]
    base = {"text": "Finish unit 3", "due_date": "2025-12-01", "status": "open"}
    # The manager changes the text; the assessor, from the same base, changes the text too and the due date.
    server.push(meg, change("target", "update", target_id, {"text": "Finish unit 3 and 4"}, base=base,
                            base_rev=created["rev"]))
    result = server.push(alice, change("target", "update", target_id,
                                       {"text": "Finish unit three", "due_date": "2025-12-15"},
                                       base=base, base_rev=created["rev"]))[0]
    assert result["status"] == "conflict"
    [conflict] = result["conflicts"]
    assert conflict["field"] == "text" and conflict["server_value"] == "Finish unit 3 and 4"
    assert conflict["client_value"] == "Finish unit three" and conflict["base_value"] == "Finish unit 3"
    record = [c for c in server.pull_all(alice)[0] if c["id"] == target_id][-1]["data"]
    assert record["text"] == "Finish unit 3 and 4" and record["due_date"] == "2025-12-15"
    from sqlalchemy import select

    from sync.server.models import Conflict

    with server.factory() as session:
        stored = session.execute(select(Conflict)).scalars().one()
        assert stored.client_value == "Finish unit three" and stored.record_id == target_id
    # The same change sent again (the client never heard the answer) is a duplicate that still names the conflict,
    # so the laptop can show it rather than quietly take the server's value.
    again = server.push(alice, change("target", "update", target_id,
                                      {"text": "Finish unit three", "due_date": "2025-12-15"},
                                      base=base, base_rev=created["rev"], change_id=result["change_id"]))[0]
    assert again["status"] == "duplicate" and again["rev"] == result["rev"]
    assert again["conflicts"] == result["conflicts"]
    # Resolving ("keep mine") is a new change from the server's value as base: applied.
    resolved = server.push(alice, change("target", "update", target_id, {"text": "Finish unit three"},
                                         base={"text": "Finish unit 3 and 4"}))[0]
    assert resolved["status"] == "applied"


def test_invalid_and_unknown_fields_are_rejected_with_a_reason(server: Server, caseloads: dict) -> None:
    alice, learner = caseloads["alice"], caseloads["alice_learner"]
    results = server.push(
        alice,
        change("otj_entry", "create", fields={"learner_id": learner, "date": "yesterday", "hours": 3}),
        change("otj_entry", "create", fields={"learner_id": learner, "date": "2025-01-01", "hours": 30}),
        change("plan_item", "create", fields=plan_item(learner, colour="red")),
        change("learner", "update", learner, {"assessor": "bob"}),
        change("learner", "create", fields={"uln": "9276308686", "first_name": "A", "last_name": "B",
                                            "start_date": "2025-01-01"}),
    )
    assert [r["status"] for r in results] == ["rejected"] * 5
    assert all(r["error"] for r in results)
    assert "date" in results[0]["error"] and "colour" in results[2]["error"]


def test_malformed_push_bodies_are_4xx_never_500(server: Server, caseloads: dict) -> None:
    alice = caseloads["alice"]
    bodies: list[Any] = [
        {},
        {"batch_id": "b", "device_id": "d", "changes": [{"entity": "spaceship"}]},
        {"batch_id": "b", "device_id": "d", "changes": [{"change_id": "c", "entity": "learner", "id": "not-a-uuid",
                                                          "op": "update"}]},
        {"batch_id": "b", "device_id": "d", "changes": "lots"},
    ]
    for body in bodies:
        response = server.client.post("/api/v1/sync/push", json=body, headers=alice)
        assert response.status_code == 422, body
        assert response.json()["detail"]
    assert server.client.post("/api/v1/sync/push", content=b"\xff\x00", headers=alice).status_code == 422
    assert server.client.get("/api/v1/sync/pull", params={"since": -1}, headers=alice).status_code == 422
    assert server.client.get("/api/v1/sync/pull", params={"limit": 10**9}, headers=alice).status_code == 422


def test_delete_is_a_tombstone_in_the_pull(server: Server, caseloads: dict) -> None:
    alice, learner = caseloads["alice"], caseloads["alice_learner"]
    server.push(alice, change("plan_item", "create", fields=plan_item(learner)))
    changes, cursor = server.pull_all(alice)
    item = changes[-1]["id"]
    assert server.push(alice, change("plan_item", "delete", item))[0]["status"] == "applied"
    after, _ = server.pull_all(alice, since=cursor)
    assert after == [{**after[0], "entity": "plan_item", "id": item, "op": "delete", "data": None}]


def test_reassigned_learner_is_removed_from_old_caseload_and_arrives_whole_in_new(server: Server,
                                                                                   caseloads: dict) -> None:
    alice, bob = caseloads["alice"], caseloads["bob"]
    learner = caseloads["alice_learner"]
    server.push(alice, change("plan_item", "create", fields=plan_item(learner)))
    _, alice_cursor = server.pull_all(alice)
    _, bob_cursor = server.pull_all(bob)
    server.assign(learner, "bob")
    alice_sees, _ = server.pull_all(alice, since=alice_cursor)
    assert [(c["entity"], c["id"], c["op"], c["data"]) for c in alice_sees] == [("learner", learner, "removed", None)]
    bob_sees, _ = server.pull_all(bob, since=bob_cursor)
    assert learner in ids(bob_sees, "learner", "upsert") and ids(bob_sees, "plan_item") and ids(bob_sees, "employer")
    learner_data = next(c["data"] for c in bob_sees if c["id"] == learner)
    assert learner_data["assessor"] == "bob"
    # Alice can no longer write to it.
    assert server.push(alice, change("plan_item", "create", fields=plan_item(learner)))[0]["status"] == "rejected"


def test_finalised_review_is_checked_append_only_and_duplicate_when_resent(server: Server, caseloads: dict) -> None:
    alice, learner = caseloads["alice"], caseloads["alice_learner"]
    review_id = new_id()
    review, signatures = finalised_review(learner, review_id)
    # The client's natural order (parents first): the finalised review, then its signatures, all in one batch.
    batch = [change("review", "create", review_id, review)] + [
        change("signature", "create", sig_id, sig) for sig_id, sig in signatures
    ]
    results = server.push(alice, *batch)
    assert [r["status"] for r in results] == ["applied"] * 4, results
    # Sent again with new change ids (a client that lost its receipts): duplicate, nothing changes.
    again = server.push(alice, *[{**c, "change_id": new_id()} for c in batch])
    assert [r["status"] for r in again] == ["duplicate"] * 4
    # Any change to the review or a signature afterwards is rejected; so is a new signature.
    edits = server.push(
        alice,
        change("review", "update", review_id, {"answers": {"q1": "Changed"}}, base={"answers": review["answers"]}),
        change("signature", "update", signatures[0][0], {"name": "Someone else"}),
        change("signature", "delete", signatures[1][0]),
        change("review", "delete", review_id),
        change("signature", "create", fields={"review_id": review_id, "role": "learner", "name": "Extra"}),
    )
    assert [r["status"] for r in edits] == ["rejected"] * 5
    assert "finalised" in edits[0]["error"]
    # Voiding with a reason is allowed: the hash does not cover it.
    void = server.push(alice, change("review", "update", review_id, {"status": "void", "void_reason": "Wrong learner"},
                                     base={"status": "finalised", "void_reason": ""}))[0]
    assert void["status"] == "applied"
    # A voided review stays as it was signed: no rewrite, no re-finalising under new content, no new signature.
    rewritten = {**review, "answers": {"q1": "Rewritten"}, "status": "finalised"}
    rewritten["content_hash"] = review_content_hash(
        review_id, ReviewData.model_validate(rewritten), [SignatureData.model_validate(s) for _, s in signatures]
    )
    after_void = server.push(
        alice,
        change("review", "update", review_id, {k: rewritten[k] for k in ("answers", "status", "content_hash")},
               base={"answers": review["answers"], "status": "void", "content_hash": review["content_hash"]}),
        change("signature", "update", signatures[0][0], {"name": "Someone else"}),
        change("signature", "create", fields={"review_id": review_id, "role": "learner", "name": "Extra"}),
        change("review", "delete", review_id),
    )
    assert [r["status"] for r in after_void] == ["rejected"] * 4
    assert "voided" in after_void[0]["error"]
    [pulled] = [c for c in server.pull_all(alice)[0] if c["id"] == review_id]
    assert pulled["data"]["answers"] == review["answers"] and pulled["data"]["status"] == "void"


def test_finalising_with_a_wrong_hash_or_missing_signature_is_rejected(server: Server, caseloads: dict) -> None:
    alice, learner = caseloads["alice"], caseloads["alice_learner"]
    review_id = new_id()
    review, signatures = finalised_review(learner, review_id)
    # A draft first, then two signatures only, then the finalising update: the hash covers three.
    draft = {**review, "status": "draft", "content_hash": None, "finalised_at": None}
    results = server.push(alice, change("review", "create", review_id, draft),
                          *[change("signature", "create", sid, s) for sid, s in signatures[:2]],
                          change("review", "update", review_id, {k: review[k] for k in
                                                                 ("status", "content_hash", "finalised_at")},
                                 base_rev=0, base={"status": "draft", "content_hash": None, "finalised_at": None}))
    assert [r["status"] for r in results] == ["applied", "applied", "applied", "rejected"]
    assert "content hash" in results[3]["error"]
    tampered = {**review, "answers": {"q1": "Edited after signing", "hours": 12}}
    sid, sig = signatures[2]
    results = server.push(alice, change("signature", "create", sid, sig),
                          change("review", "update", review_id, tampered, base=draft))
    assert [r["status"] for r in results] == ["applied", "rejected"]
    results = server.push(alice, change("review", "update", review_id, review, base=draft))
    assert results[0]["status"] == "applied"


def test_values_a_database_cannot_hold_are_rejected_not_500(server: Server, caseloads: dict) -> None:
    alice, learner = caseloads["alice"], caseloads["alice_learner"]
    body = (
        '{"batch_id": "b", "device_id": "d", "changes": [{"change_id": "%s", "entity": "review", "id": "%s", '
        '"op": "create", "fields": {"learner_id": "%s", "template_id": "t", "template_version": 1, '
        '"answers": {"q": %s}}}]}'
    )
    for value in ("NaN", "Infinity", '"nul\\u0000here"'):
        response = server.client.post("/api/v1/sync/push", headers={**alice, "Content-Type": "application/json"},
                                      content=body % (new_id(), new_id(), learner, value))
        assert response.status_code == 200
        assert response.json()["results"][0]["status"] == "rejected"
    response = server.client.post("/api/v1/auth/token",
                                  json={"username": "a\u0000b", "password": "x", "device_name": "d"})
    assert response.status_code == 422
