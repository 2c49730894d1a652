"""A protocol-4 laptop (its models forbid unknown fields) must still read a push answer that holds a conflict: the
conflict details added at protocol 5 go only to clients that speak it."""

from __future__ import annotations

import pytest
from server_testkit import Server, change
from test_answers_merge import BASE, _draft

from sync.protocol import CONFLICT_DETAIL_FIELDS, PROTOCOL_HEADER, PROTOCOL_VERSION, PushResult


@pytest.mark.parametrize("protocol", [4, PROTOCOL_VERSION])
def test_conflict_details_only_for_clients_that_know_them(server: Server, caseloads: dict, protocol: int) -> None:
    alice = {**caseloads["alice"], PROTOCOL_HEADER: str(protocol)}
    review_id, _rev = _draft(server, caseloads, BASE)
    server.push(alice, change("review", "update", review_id, {"answers": {**BASE, "visit_notes": "Laptop A"}},
                              base={"answers": BASE}))
    [result] = server.push(alice, change("review", "update", review_id,
                                         {"answers": {**BASE, "visit_notes": "Laptop B"}}, base={"answers": BASE}))
    assert result["status"] == "conflict"
    [conflict] = result["conflicts"]
    sent = set(conflict)
    if protocol < 5:
        assert not sent & CONFLICT_DETAIL_FIELDS, sent
        older = PushResult.model_config | {}
        assert older.get("extra") == "forbid"  # what a protocol-4 laptop's model does with an unknown field
        assert conflict["client_value"]["visit_notes"] == "Laptop B"  # keep mine still works as before
    else:
        assert conflict["path"] == ["visit_notes"] and conflict["server_changed_by"] == "alice"
