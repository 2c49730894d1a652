"""The server finalises a review only under the laptop's rules: signatures or absent reasons, required answers.

A content hash anyone can compute is not enough: these pushes all carry a correct hash over what they send, and are
refused for what the laptop would have refused (issue 12, item 9). A review the laptop's own code finalised is
accepted, even when the office changed the learner's records between signing and syncing. SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server_testkit import (
    SIGNERS,
    Server,
    change,
    drawn_signature,
    finalised_review,
    rehashed,
)

from reviewapp.core.finalise import finalise_review
from reviewapp.core.review_rules import ReviewContext
from reviewapp.core.templates import load_template
from reviewapp.selftest import scripted_answers
from reviewapp.store import reviews
from sync.protocol import ReviewData, SignatureData
from sync.server.db import new_id
from sync.server.finalisation_rules import MAX_PROBLEMS_LISTED, NOT_READY
from tests.conftest import DEMO_TODAY

sys.path.insert(0, str(Path(__file__).parent.parent / "sync"))

from synckit import Laptop, Office, ServerProcess


def push_finalised(server: Server, headers: dict[str, str], review_id: str, review: dict[str, Any],
                   signatures: list[tuple[str, dict[str, Any]]]) -> list[dict]:
    """The finalised review and its signatures in one batch, as the laptop's outbox sends them."""
    return server.push(headers, change("review", "create", review_id, review),
                       *[change("signature", "create", sig_id, sig) for sig_id, sig in signatures])


def review_status(server: Server, headers: dict[str, str], review_id: str) -> str | None:
    pulled = [c for c in server.pull_all(headers)[0] if c["entity"] == "review" and c["id"] == review_id]
    return pulled[0]["data"]["status"] if pulled else None


def forged(learner: str, review_id: str, signatures: list[dict[str, Any]], **answer_changes: Any
           ) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    """A genuine finalised review rewritten by a client: other signatures and answers, the hash recomputed to fit."""
    review, _ = finalised_review(learner, review_id)
    answers = {k: v for k, v in {**review["answers"], **answer_changes}.items() if v is not None}
    return rehashed(review_id, {**review, "answers": answers}, signatures), [(new_id(), s) for s in signatures]


def test_a_hash_correct_finalisation_with_no_signatures_is_refused(server: Server, caseloads: dict) -> None:
    alice, learner, review_id = caseloads["alice"], caseloads["alice_learner"], new_id()
    review, signatures = forged(learner, review_id, [])
    [result] = push_finalised(server, alice, review_id, review, signatures)
    assert result["status"] == "rejected"
    assert result["error"].startswith(NOT_READY)
    assert "Signatures: The learner has not signed: ask them to sign, or record why they cannot." in result["error"]
    assert "The employer's representative has not signed" in result["error"]
    assert "You (the assessor) must sign the review." in result["error"]
    assert review_status(server, alice, review_id) is None


def test_one_missing_signature_without_a_reason_is_refused(server: Server, caseloads: dict) -> None:
    alice, learner, review_id = caseloads["alice"], caseloads["alice_learner"], new_id()
    two = [drawn_signature(review_id, role, name) for role, name in SIGNERS if role != "employer"]
    review, signatures = forged(learner, review_id, two)
    results = push_finalised(server, alice, review_id, review, signatures)
    # A finalised review arrives with its signatures as one unit: refused whole, the signatures saying why.
    assert [r["status"] for r in results] == ["rejected"] * 3
    assert results[0]["error"].splitlines()[1:] == [
        "- Signatures: The employer's representative has not signed: ask them to sign, or record why they cannot."]
    assert all(r["error"].startswith("The review it belongs to was refused") for r in results[1:])
    # A signature with neither a drawing nor a reason is no signature either.
    review_id = new_id()
    blank = [drawn_signature(review_id, role, name) for role, name in SIGNERS]
    blank[0] = {"review_id": review_id, "role": "learner", "name": "Sam Smith"}
    review, signatures = forged(learner, review_id, blank)
    [refused, *_] = push_finalised(server, alice, review_id, review, signatures)
    assert refused["status"] == "rejected" and "The learner has not signed" in refused["error"]


def test_an_absent_party_with_a_reason_is_accepted(server: Server, caseloads: dict) -> None:
    alice, learner, review_id = caseloads["alice"], caseloads["alice_learner"], new_id()
    signed = [drawn_signature(review_id, "learner", "Sam Smith"), drawn_signature(review_id, "assessor", "Alice"),
              {"review_id": review_id, "role": "employer", "absent_reason": "Called away to a site incident"}]
    review, signatures = finalised_review(learner, review_id, signed)  # the laptop's own finalise accepts it
    results = push_finalised(server, alice, review_id, review, signatures)
    assert [r["status"] for r in results] == ["applied"] * 4, results
    assert review_status(server, alice, review_id) == "finalised"


def test_the_assessor_cannot_be_absent(server: Server, caseloads: dict) -> None:
    alice, learner, review_id = caseloads["alice"], caseloads["alice_learner"], new_id()
    signed = [drawn_signature(review_id, role, name) for role, name in SIGNERS if role != "assessor"]
    signed.append({"review_id": review_id, "role": "assessor", "absent_reason": "Forgot"})
    review, signatures = forged(learner, review_id, signed)
    [result, *_] = push_finalised(server, alice, review_id, review, signatures)
    assert result["status"] == "rejected" and "You (the assessor) must sign the review." in result["error"]


@pytest.mark.parametrize(("answers", "expected"), [
    ({"progress_summary": None},
     "- Progress against the learning plan: Answer “What has the learner achieved since the last review?”."),
    ({"sg_feels_safe": "yes"}, "Answer yes or no to “Does the learner say they feel safe at work and outside it?”."),
    ({"hs_concern": {"raised": True, "detail": ""}}, "is ticked: fill in"),
    ({"new_targets": []}, "- New targets: Set at least one new target."),
    ({"next_review_date": "2026-06-03", "next_review_change_reason": "Holidays"},
     "no more than 3 calendar months after this one"),
], ids=["required-answer-missing", "wrong-type", "flag-without-detail", "no-new-target", "funding-interval"])
def test_a_required_answer_missing_or_invalid_is_refused(server: Server, caseloads: dict, answers: dict,
                                                         expected: str) -> None:
    alice, learner, review_id = caseloads["alice"], caseloads["alice_learner"], new_id()
    review, signatures = forged(learner, review_id, [drawn_signature(review_id, r, n) for r, n in SIGNERS], **answers)
    [result, *_] = push_finalised(server, alice, review_id, review, signatures)
    assert result["status"] == "rejected"
    assert expected in result["error"]
    assert review_status(server, alice, review_id) is None


def test_finalising_a_draft_by_update_is_held_to_the_same_rules(server: Server, caseloads: dict) -> None:
    """The laptop sends a draft while it is being written and the finalisation later, as an update."""
    alice, learner, review_id = caseloads["alice"], caseloads["alice_learner"], new_id()
    two = [drawn_signature(review_id, role, name) for role, name in SIGNERS if role != "learner"]
    review, signatures = forged(learner, review_id, two)
    draft = {**review, "status": "draft", "content_hash": None, "finalised_at": None}
    finalising = {k: review[k] for k in ("status", "content_hash", "finalised_at")}
    results = server.push(alice, change("review", "create", review_id, draft),
                          *[change("signature", "create", sid, s) for sid, s in signatures],
                          change("review", "update", review_id, finalising, base_rev=0,
                                 base={"status": "draft", "content_hash": None, "finalised_at": None}))
    assert [r["status"] for r in results] == ["applied", "applied", "applied", "rejected"]
    assert "The learner has not signed" in results[3]["error"]
    assert review_status(server, alice, review_id) == "draft"
    # The learner signs and the laptop finalises again, over all three signatures: accepted.
    sig = drawn_signature(review_id, "learner", "Sam Smith")
    again = rehashed(review_id, review, [s for _, s in signatures] + [sig])
    results = server.push(alice, change("signature", "create", new_id(), sig),
                          change("review", "update", review_id, {k: again[k] for k in finalising}, base=draft))
    assert [r["status"] for r in results] == ["applied", "applied"], results
    assert review_status(server, alice, review_id) == "finalised"


def test_the_refusal_lists_the_first_problems_and_counts_the_rest(server: Server, caseloads: dict) -> None:
    alice, learner, review_id = caseloads["alice"], caseloads["alice_learner"], new_id()
    review, _ = finalised_review(learner, review_id)
    empty = rehashed(review_id, {**review, "answers": {}}, [])
    [result] = server.push(alice, change("review", "create", review_id, empty))
    lines = result["error"].splitlines()
    assert result["status"] == "rejected" and lines[0] == NOT_READY
    assert len(lines) == MAX_PROBLEMS_LISTED + 2 and lines[-1].startswith("- and ") and lines[-1].endswith(" more.")
    assert lines[1] == "- The visit: Answer “Date of the review”."


@pytest.mark.parametrize(("template_id", "version"), [
    ("progress-review", 1),
    ("apprenticeship-progress-review", 99),
    ("../templates/apprenticeship-progress-review", 1),
    ("apprenticeship-progress-review.v1", 1),
])
def test_an_unknown_template_or_version_is_refused_with_a_reason(server: Server, caseloads: dict,
                                                                 template_id: str, version: int) -> None:
    alice, learner, review_id = caseloads["alice"], caseloads["alice_learner"], new_id()
    review, signatures = finalised_review(learner, review_id)
    other = rehashed(review_id, {**review, "template_id": template_id, "template_version": version},
                     [s for _, s in signatures])
    [result, *_] = push_finalised(server, alice, review_id, other, signatures)
    assert result["status"] == "rejected"
    assert result["error"].startswith(f"This review uses version {version} of the review template {template_id!r}")
    assert "not installed on the server" in result["error"]


# --- The laptop's own code path, through the real client to a real server process ---------------------------------


@pytest.fixture
def office_and_process(server: Server, caseloads: dict, tmp_path: Path) -> Iterator[tuple[Office, ServerProcess]]:
    process = ServerProcess(server.database_url, tmp_path)
    process.start()
    office = Office(process.url, "meg")
    try:
        yield office, process
    finally:
        office.close()
        process.stop()


def office_push(office: Office, *changes: dict) -> None:
    body = {"batch_id": new_id(), "device_id": "office", "changes": list(changes)}
    results = office.http.post("/api/v1/sync/push", json=body, headers=office.headers).json()["results"]
    assert {r["status"] for r in results} == {"applied"}, results


def test_a_review_the_laptop_finalised_offline_is_accepted_though_the_office_changed_records(
        server: Server, caseloads: dict, office_and_process: tuple[Office, ServerProcess], tmp_path: Path) -> None:
    """Finalised by the store's own finalise with the learner's plan and targets as the laptop held them; meanwhile
    the office added a plan item and a target and changed the OTJ plan. The server must not judge the signed review
    against records the laptop never saw."""
    office, process = office_and_process
    learner = caseloads["alice_learner"]
    office_push(office,
                change("plan_item", "create", fields={"learner_id": learner, "title": "K1 Data modelling",
                                                      "progress": 20}),
                change("target", "create", fields={"learner_id": learner, "text": "Finish the data dictionary"}))
    template = load_template("apprenticeship-progress-review")
    laptop = Laptop(tmp_path / "alice-laptop", "alice", process.url).login()
    try:
        assert laptop.sync().rejected == 0
        review_id = reviews.start_draft(laptop.store, learner, template, DEMO_TODAY)
        with laptop.store.read() as session:
            context = reviews.review_context(session, learner, review_id)
        assert len(context.plan_items) == 1 and len(context.open_targets) == 1
        reviews.save_answers(laptop.store, review_id, scripted_answers(context, DEMO_TODAY))
        reviews.save_signature(laptop.store, review_id, "learner", name="Sam Smith", image_png="iVBORw0KGgo=",
                               strokes=[[[0, 0], [10, 5]]])
        reviews.save_signature(laptop.store, review_id, "employer", absent_reason="On leave; will sign the copy")
        reviews.save_signature(laptop.store, review_id, "assessor", name="Alice", image_png="iVBORw0KGgo=",
                               strokes=[[[0, 0], [10, 5]]])
        reviews.finalise(laptop.store, review_id, template)
        # Before the laptop syncs again: the office adds a plan item and a target, and changes the OTJ plan.
        office_push(office,
                    change("plan_item", "create", fields={"learner_id": learner, "title": "S2 Data quality"}),
                    change("target", "create", fields={"learner_id": learner, "text": "Book the level 2 exam"}))
        office.edit("learner", learner, planned_otj_hours=600.0, planned_end_date="2027-03-01")
        summary = laptop.sync()
        assert summary.rejected == 0 and summary.conflicts == 0, summary.log
        server_review = office.record("review", review_id)
        assert server_review["status"] == "finalised"
        with laptop.store.read() as session:
            local, _ = reviews.load_review(session, review_id)
        assert server_review["content_hash"] == local.content_hash
    finally:
        laptop.close()


def test_a_visit_in_the_calendars_last_weeks_gets_an_answer_not_a_500(server: Server, caseloads: dict) -> None:
    """The funding interval is three calendar months after the visit: past the calendar's end, which must not crash
    the check."""
    alice, learner, review_id = caseloads["alice"], caseloads["alice_learner"], new_id()
    review, signatures = forged(learner, review_id, [drawn_signature(review_id, r, n) for r, n in SIGNERS],
                                visit_date="9999-12-20", next_review_date="9999-12-01")
    [result, *_] = push_finalised(server, alice, review_id, review, signatures)  # push() checks for a 200
    assert result["status"] == "rejected" and "The next review must be after this one" in result["error"]


def test_an_addendum_finalised_by_the_laptop_is_held_to_its_own_template(server: Server, caseloads: dict) -> None:
    """An addendum (another template, another kind) is checked against the questions of its own template."""
    alice, learner = caseloads["alice"], caseloads["alice_learner"]
    original_id, addendum_id = new_id(), new_id()
    original, original_signatures = finalised_review(learner, original_id)
    assert {r["status"] for r in push_finalised(server, alice, original_id, original, original_signatures)} == {
        "applied"}
    template = load_template("review-addendum")
    context = ReviewContext(review_id=addendum_id)
    draft = ReviewData(learner_id=learner, template_id=template.id, template_version=template.version,
                       assessor="alice", addendum_to_id=original_id, answers={
                           "visit_date": "2025-11-27", "corrects_review": "Review of 20/11/2025",
                           "corrected_part": "otj", "original_entry": "30 hours since the last review",
                           "correction": "13 hours since the last review", "correction_reason": "Typing error"})
    signed = [drawn_signature(addendum_id, role, name) for role, name in SIGNERS]
    addendum = finalise_review(template, draft, [SignatureData.model_validate(s) for s in signed], context,
                               dt.datetime(2025, 11, 27, 9, tzinfo=dt.UTC)).review.model_dump(mode="json")
    signatures = [(new_id(), s) for s in signed]
    assert {r["status"] for r in push_finalised(server, alice, addendum_id, addendum, signatures)} == {"applied"}
    # The same addendum without its reason for correcting: refused, naming the addendum's own question.
    incomplete_id = new_id()
    answers = {k: v for k, v in addendum["answers"].items() if k != "correction_reason"}
    resigned = [{**s, "review_id": incomplete_id} for s in signed]
    incomplete = rehashed(incomplete_id, {**addendum, "answers": answers}, resigned)
    [result, *_] = push_finalised(server, alice, incomplete_id, incomplete, [(new_id(), s) for s in resigned])
    assert result["status"] == "rejected", result
    assert result["error"].splitlines()[1:] == ["- The correction: Answer “Why it is corrected”."]
