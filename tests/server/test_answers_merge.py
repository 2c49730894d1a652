"""Per-question merge on the server (issue 19 item 1): review answers merge per question and id-keyed items per
item; only what both sides changed is a conflict, named by its path, with who changed the server's value."""

from __future__ import annotations

from server_testkit import TEMPLATE_ID, Server, change

from sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION
from sync.server.field_merge import MISSING, merge_field


def _draft(server: Server, caseloads: dict, answers: dict) -> tuple[str, int]:
    alice = caseloads["alice"]
    fields = {"learner_id": caseloads["alice_learner"], "template_id": TEMPLATE_ID, "template_version": 1,
              "answers": answers}
    created = change("review", "create", fields=fields)
    result = server.push(alice, created)[0]
    assert result["status"] == "applied", result
    return created["id"], result["rev"]


def _answers(server: Server, caseloads: dict, review_id: str) -> dict:
    return [c for c in server.pull_all(caseloads["alice"])[0] if c["id"] == review_id][-1]["data"]["answers"]


BASE = {"visit_notes": "Met at site", "learner_comment": "", "plan": {"p1": {"progress": 10, "comment": ""},
                                                                         "p2": {"progress": 20, "comment": ""}}}


def test_two_laptops_editing_different_questions_both_survive(server: Server, caseloads: dict) -> None:
    alice = caseloads["alice"]
    review_id, rev = _draft(server, caseloads, BASE)
    # Laptop A sends the whole map (as laptops do today) with the whole base; laptop B the same from the same base.
    mine = {**BASE, "visit_notes": "Met at site; saw the workshop"}
    theirs = {**BASE, "learner_comment": "Going well"}
    first = server.push(alice, change("review", "update", review_id, {"answers": mine}, base={"answers": BASE},
                                      base_rev=rev))[0]
    second = server.push(alice, change("review", "update", review_id, {"answers": theirs}, base={"answers": BASE},
                                       base_rev=rev))[0]
    assert first["status"] == second["status"] == "applied", (first, second)
    answers = _answers(server, caseloads, review_id)
    assert answers["visit_notes"] == "Met at site; saw the workshop" and answers["learner_comment"] == "Going well"
    # Only the changed question with its base (the other wire form), and per item inside the plan grid.
    plan_a = {"plan": {**BASE["plan"], "p1": {"progress": 50, "comment": ""}}}
    plan_b = {"plan": {**BASE["plan"], "p2": {"progress": 60, "comment": "Halfway"}}}
    for fields in (plan_a, plan_b):
        result = server.push(alice, change("review", "update", review_id, {"answers": fields},
                                           base={"answers": {"plan": BASE["plan"]}}))[0]
        assert result["status"] == "applied", result
    answers = _answers(server, caseloads, review_id)
    assert answers["plan"] == {"p1": {"progress": 50, "comment": ""}, "p2": {"progress": 60, "comment": "Halfway"}}
    assert answers["learner_comment"] == "Going well"


def test_the_same_question_is_one_conflict_with_its_path_and_who_changed_it(server: Server, caseloads: dict) -> None:
    alice = {**caseloads["alice"], PROTOCOL_HEADER: str(PROTOCOL_VERSION)}  # the details go to clients that know them
    review_id, _rev = _draft(server, caseloads, BASE)
    server.push(alice, change("review", "update", review_id,
                              {"answers": {**BASE, "visit_notes": "Laptop A", "learner_comment": "Only A"}},
                              base={"answers": BASE}, made_at="2026-12-01T09:30:00Z"))
    result = server.push(alice, change("review", "update", review_id, {"answers": {**BASE, "visit_notes": "Laptop B"}},
                                       base={"answers": BASE}))[0]
    assert result["status"] == "conflict"
    [conflict] = result["conflicts"]
    assert conflict["field"] == "answers" and conflict["path"] == ["visit_notes"]
    assert conflict["server_at_path"] == "Laptop A" and conflict["client_at_path"] == "Laptop B"
    assert conflict["base_at_path"] == "Met at site"
    assert conflict["server_changed_by"] == "alice" and conflict["server_changed_device"]  # the token's device
    assert conflict["server_changed_at"].startswith("2026-12-01T09:30")
    # Keep mine: the client's whole value over the server's as base changes that question alone.
    kept = server.push(alice, change("review", "update", review_id, {"answers": conflict["client_value"]},
                                     base={"answers": conflict["server_value"]}))[0]
    assert kept["status"] == "applied"
    answers = _answers(server, caseloads, review_id)
    assert answers["visit_notes"] == "Laptop B" and answers["learner_comment"] == "Only A"


def test_merge_field_per_item_of_a_list_with_ids_and_removals() -> None:
    base = {"rows": [{"id": "a", "n": 1}, {"id": "b", "n": 2}], "gone": "x"}
    server = {"rows": [{"id": "a", "n": 1}, {"id": "b", "n": 5}], "gone": "x"}
    client = {"rows": [{"id": "a", "n": 3}, {"id": "b", "n": 2}, {"id": "c", "n": 9}]}
    merged, conflicts = merge_field(base, server, client)
    assert merged == {"rows": [{"id": "a", "n": 3}, {"id": "b", "n": 5}, {"id": "c", "n": 9}]} and not conflicts
    merged, conflicts = merge_field(base, server, {**base, "rows": [{"id": "a", "n": 1}, {"id": "b", "n": 7}]})
    assert [c.path for c in conflicts] == [("rows", "b")] and conflicts[0].server == {"id": "b", "n": 5}
    assert merged == server and MISSING is not None
