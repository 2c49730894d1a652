"""One pulled record the laptop cannot apply never fails its page (issue 12, item 2): it is skipped and reported,
whatever is wrong with it, and the rest of the page is applied with the cursor."""

from __future__ import annotations

import json
from typing import Any

from reviewapp.store import unapplied
from reviewapp.store.models import Learner, new_id
from reviewapp.store.sync.page import validate_page
from reviewapp.store.sync.pull import apply_pages
from reviewapp.store.sync.state import CURSOR, get_state
from reviewapp.sync_client.engine import _RawPage

LEARNER = {"uln": "9000000019", "first_name": "Ann", "last_name": "Lee", "start_date": "2026-01-05"}


def upsert(record_id: str, rev: int, **fields: Any) -> dict[str, Any]:
    return {"entity": "learner", "id": record_id, "rev": rev, "op": "upsert", "data": {**LEARNER, **fields}}


def _learners(store) -> set[str]:  # type: ignore[no-untyped-def]
    with store.read() as session:
        return {row.id for row in session.query(Learner)}


def test_a_lone_surrogate_in_one_record_fails_only_that_record(store) -> None:
    good, bad, review, deep = new_id(), new_id(), new_id(), new_id()

    def a_review(record_id: str, rev: int, answers: dict[str, Any]) -> dict[str, Any]:
        return {"entity": "review", "id": record_id, "rev": rev, "op": "upsert", "data": {
            "learner_id": good, "template_id": "apprenticeship-progress-review", "template_version": 1,
            "answers": answers}}

    body = {"server_id": "s1", "cursor": 9, "more": False, "changes": [
        upsert(good, 5), upsert(bad, 6, first_name="An\ud800n"), upsert(new_id(), 7, level=2**70),
        {"entity": "learner", "id": new_id(), "rev": "seven", "op": "upsert"},
        a_review(review, 8, {"welfare": "I said \ud800 to them"}), a_review(deep, 9, {"nested": [[["fine"]]]}),
    ]}
    raw = json.dumps(body).encode()  # "\\ud800" on the wire, which pydantic-core's JSON parser refuses outright
    parsed = _RawPage.model_validate_json(raw)
    page = validate_page({**(parsed.model_extra or {}), "server_id": parsed.server_id},
                                    parsed_leniently=parsed._lenient)
    counts = apply_pages(store, [page], allow_dangling=True)
    assert _learners(store) == {good} and counts.applied == 2  # the learner, and the review nested as answers may be
    reasons = {item.id: item.reason for item in counts.skipped}
    # The shared rule (sync.protocol.record_problem) names the field and the kind of fault.
    assert "first_name" in reasons[bad] and "not valid Unicode" in reasons[bad]
    assert "not valid Unicode" in reasons[review] and reasons[review].endswith("in answers")
    assert deep not in reasons
    assert any(reason.endswith("outside ±9007199254740991 in level") for reason in reasons.values())
    assert any("rev (int_parsing)" in reason for reason in reasons.values())
    assert "Ann" not in json.dumps(reasons) and "said" not in json.dumps(reasons)  # fields named, never values
    with store.read() as session:
        assert get_state(session, CURSOR) == "9"  # moved past them: not met again
        assert set(unapplied.parse(get_state(session, unapplied.UNAPPLIED))) == {
            unapplied.key(item.entity, item.id) for item in counts.skipped}


def test_a_record_that_raises_while_applied_is_skipped_and_the_rest_applied(store) -> None:
    ids = [new_id() for _ in range(4)]
    page, records = validate_page(
        {"server_id": "s1", "cursor": 4, "more": False, "changes": [upsert(i, n + 1) for n, i in enumerate(ids)]})
    # A value every check passed but SQLite cannot take (as a check that missed something would let through).
    records[2] = records[2].model_copy(update={"level": 2**70})
    counts = apply_pages(store, [(page, records)], allow_dangling=True)
    assert _learners(store) == {ids[0], ids[1], ids[3]} and counts.applied == 3
    assert [(item.id, item.reason) for item in counts.skipped] == [(ids[2], "applying it failed (OverflowError)")]


def test_answers_nested_deeper_than_can_be_stored_fail_only_their_review(store) -> None:
    learner, review = new_id(), new_id()
    nested: Any = "bottom"
    for _ in range(5000):
        nested = [nested]
    page = validate_page({"server_id": "s1", "cursor": 2, "more": False, "changes": [
        upsert(learner, 1),
        {"entity": "review", "id": review, "rev": 2, "op": "upsert", "data": {
            "learner_id": learner, "template_id": "apprenticeship-progress-review", "template_version": 1,
            "answers": {"nested": nested}}},
    ]})
    counts = apply_pages(store, [page], allow_dangling=True)
    assert _learners(store) == {learner}
    [reason] = [item.reason for item in counts.skipped]
    assert "nested more than" in reason and reason.endswith("in answers")
