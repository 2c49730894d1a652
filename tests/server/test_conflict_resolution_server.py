"""How the server learns that a conflict was resolved on the laptop (issue 19), so the office's page stops
showing it open: a protocol-5 laptop names each conflict it resolved and how (`PushRequest.resolved`), only its
own user's count and naming one twice is harmless; an older laptop, which cannot name them, resolves one by its
keep-mine write (that question over the server's value), and a whole-map push of other questions resolves nothing.
"""

from __future__ import annotations

import pytest
from server_testkit import Server, change
from test_answers_merge import BASE, _draft

from sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION
from sync.server.db import new_id, transaction
from sync.server.models import Conflict


def _state(server: Server, conflict_id: str) -> tuple[bool, str | None]:
    with transaction(server.factory) as session:
        conflict = session.get(Conflict, conflict_id)
        assert conflict is not None
        return conflict.resolved_at is not None, conflict.resolution


def _conflict(server: Server, caseloads: dict, headers: dict[str, str]) -> tuple[str, dict]:
    review_id, _rev = _draft(server, caseloads, BASE)
    server.push(headers, change("review", "update", review_id, {"answers": {**BASE, "visit_notes": "Laptop A"}},
                                base={"answers": BASE}))
    [result] = server.push(headers, change("review", "update", review_id,
                                           {"answers": {**BASE, "visit_notes": "Laptop B"}}, base={"answers": BASE}))
    assert result["status"] == "conflict", result
    return review_id, result["conflicts"][0]


def _push(server: Server, headers: dict[str, str], *changes: dict, resolved: list[dict] | None = None) -> None:
    body = {"batch_id": new_id(), "device_id": "test-device", "changes": list(changes),
            **({"resolved": resolved} if resolved is not None else {})}
    answer = server.client.post("/api/v1/sync/push", json=body, headers=headers)
    assert answer.status_code == 200, answer.text


def test_a_laptop_names_what_it_resolved_and_only_its_own_count(server: Server, caseloads: dict) -> None:
    alice = {**caseloads["alice"], PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
    bob = {**caseloads["bob"], PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
    _review_id, conflict = _conflict(server, caseloads, alice)
    _push(server, bob, resolved=[{"conflict_id": conflict["conflict_id"], "resolution": "kept_theirs"},
                                 {"conflict_id": new_id(), "resolution": "kept_mine"}])
    assert _state(server, conflict["conflict_id"]) == (False, None)  # bob's word does not close alice's
    _push(server, alice, resolved=[{"conflict_id": conflict["conflict_id"], "resolution": "kept_theirs"}])
    assert _state(server, conflict["conflict_id"]) == (True, "kept_theirs")
    _push(server, alice, resolved=[{"conflict_id": conflict["conflict_id"], "resolution": "kept_mine"}])
    assert _state(server, conflict["conflict_id"]) == (True, "kept_theirs")  # told again (an answer lost): as it was
    bad = server.client.post("/api/v1/sync/push", headers=alice, json={
        "batch_id": new_id(), "device_id": "d", "changes": [],
        "resolved": [{"conflict_id": conflict["conflict_id"], "resolution": "both"}]})
    assert bad.status_code == 422


@pytest.mark.parametrize("protocol", [4, PROTOCOL_VERSION])
def test_an_older_laptops_keep_mine_write_resolves_its_conflict(server: Server, caseloads: dict,
                                                                 protocol: int) -> None:
    alice = {**caseloads["alice"], PROTOCOL_HEADER: str(protocol)}
    review_id, conflict = _conflict(server, caseloads, alice)
    # Another question typed, the whole map sent with the conflict's question at the server's value: no decision.
    server_value = conflict["server_value"]
    other = {**server_value, "learner_comment": "Going well"}
    _push(server, alice, change("review", "update", review_id, {"answers": other}, base={"answers": server_value}))
    assert _state(server, conflict["conflict_id"]) == (False, None)
    # Keep mine as a protocol-4 laptop sends it: its value over the server's as the base.
    kept = {**other, "visit_notes": "Laptop B"}
    _push(server, alice, change("review", "update", review_id, {"answers": kept}, base={"answers": other}))
    # A protocol-5 laptop says what it decided instead, so its write alone (which may be a newer edit typed
    # before choosing) leaves the conflict open until it does.
    assert _state(server, conflict["conflict_id"]) == ((True, "kept_mine") if protocol < 5 else (False, None))


def test_another_laptops_write_does_not_resolve_this_ones_conflict(server: Server, caseloads: dict) -> None:
    alice = {**caseloads["alice"], PROTOCOL_HEADER: "4"}
    review_id, conflict = _conflict(server, caseloads, alice)
    other_laptop = {**server.login("alice", device="spare"), PROTOCOL_HEADER: "4"}
    server_value = conflict["server_value"]
    _push(server, other_laptop, change("review", "update", review_id,
                                       {"answers": {**server_value, "visit_notes": "Laptop C"}},
                                       base={"answers": server_value}))
    assert _state(server, conflict["conflict_id"]) == (False, None)  # it is the laptop that met it to decide
