"""Quality sampling in the office web app (issue 15 item 6): who may sample, CSRF, scope (403 alike for another
caseload's review and an unknown id), validation in an error summary, the samples list, the record synced down
(to protocol-3 laptops that hold the learner only), and the dashboard's share of each assessor's reviews sampled.

The browser check (axe on the form, screenshots) is in test_web_browser.py; the laptop side in
tests/sync/test_review_samples_sync.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from server_testkit import SIGNERS, Server, change, drawn_signature, finalised_review, rehashed
from sqlalchemy import func, select
from web_kit import browser, csrf_of, put_in_team, sign_in

from reviewapp.core.finalise import finalise_review
from reviewapp.core.review_rules import ReviewContext
from reviewapp.core.templates import load_template
from sync.protocol import PROTOCOL_HEADER, ReviewData, ReviewSampleData, SignatureData
from sync.server.db import new_id
from sync.server.models import ReviewSample, User
from sync.server.sampling import sampled_shares
from sync.server.scope import Caller

GOOD = {
    "targets_smart": "partly", "targets_smart_note": "The second target has no date.",
    "learning_plan_used": "yes", "learning_plan_used_note": "",
    "safety_equality_reinforced": "yes", "safety_equality_reinforced_note": "",
    "welfare_followed_up": "no", "welfare_followed_up_note": "Amber welfare last time, not picked up.",
    "feedback": "Good review; put a date on every target and follow up welfare.",
}


def push_finalised(server: Server, assessor: str, learner_id: str) -> str:
    """A review of `learner_id` finalised on `assessor`'s laptop, by them."""
    review_id = new_id()
    review, signatures = finalised_review(learner_id, review_id)
    review = rehashed(review_id, {**review, "assessor": assessor}, [s for _, s in signatures])
    headers = server.login(assessor)
    results = server.push(headers, change("review", "create", review_id, review),
                          *[change("signature", "create", sid, s) for sid, s in signatures])
    assert [r["status"] for r in results] == ["applied"] * len(results), results
    return review_id


def push_addendum(server: Server, learner_id: str, original_id: str) -> str:
    """An addendum correcting `original_id`, finalised by alice's laptop (the laptop's own finalise)."""
    addendum_id = new_id()
    template = load_template("review-addendum")
    draft = ReviewData(learner_id=learner_id, template_id=template.id, template_version=template.version,
                       assessor="alice", addendum_to_id=original_id, answers={
                           "visit_date": "2025-11-27", "corrects_review": "Review of 20/11/2025",
                           "corrected_part": "otj", "original_entry": "30 hours since the last review",
                           "correction": "13 hours since the last review", "correction_reason": "Typing error"})
    signed = [drawn_signature(addendum_id, role, name) for role, name in SIGNERS]
    addendum = finalise_review(template, draft, [SignatureData.model_validate(s) for s in signed],
                               ReviewContext(review_id=addendum_id), dt.datetime(2025, 11, 27, 9, tzinfo=dt.UTC))
    results = server.push(server.login("alice"),
                          change("review", "create", addendum_id, addendum.review.model_dump(mode="json")),
                          *[change("signature", "create", new_id(), s) for s in signed])
    assert [r["status"] for r in results] == ["applied"] * len(results), results
    return addendum_id


@pytest.fixture
def office(server: Server) -> dict[str, Any]:
    """alice and bob (team North, managed by meg) and carol (South), each with a finalised review of a learner;
    quinn a quality lead, ada an admin."""
    for name in ("alice", "bob", "carol"):
        server.add_user(name)
    server.add_user("meg", role="manager")
    server.add_user("quinn", role="quality_lead")
    server.add_user("ada", role="admin")
    put_in_team(server, "North", "alice", "bob", "meg")
    put_in_team(server, "South", "carol")
    found: dict[str, Any] = {}
    for name, first in (("alice", "Ann"), ("bob", "Ben"), ("carol", "Cat")):
        learner = server.add_learner(name, first_name=first)
        found[name] = push_finalised(server, name, learner)
        found[f"{name}_learner"] = learner
    return found


def signed_in(server: Server, who: str):  # type: ignore[no-untyped-def]
    client = browser(server)
    assert sign_in(client, who).status_code == 303
    return client


def post_sample(client, review_id: str, fields: dict[str, str] | None = None, token: str | None = None):  # type: ignore[no-untyped-def]
    if token is None:
        token = csrf_of(client.get(f"/reviews/{review_id}/sample").text)
    return client.post(f"/reviews/{review_id}/sample", data={**GOOD, **(fields or {}), "csrf_token": token},
                       follow_redirects=False)


def sample_count(server: Server) -> int:
    with server.factory() as session:
        return session.scalar(select(func.count()).select_from(ReviewSample)) or 0


def test_a_quality_lead_records_a_sample_and_sees_it_listed(server: Server, office: dict[str, Any]) -> None:
    quinn = signed_in(server, "quinn")
    form = quinn.get(f"/reviews/{office['alice']}/sample")
    assert form.status_code == 200
    assert "Ann Smith" in form.text and "20/11/2025" in form.text and f'href="/reviews/{office["alice"]}"' in form.text
    assert "Were the targets SMART?" in form.text and 'name="feedback"' in form.text
    done = post_sample(quinn, office["alice"])
    assert done.status_code == 303 and done.headers["location"] == "/samples?recorded=1"
    listed = quinn.get(done.headers["location"])
    assert "The sample is recorded" in listed.text and "Ann Smith" in listed.text
    assert "The second target has no date." in listed.text and "follow up welfare" in listed.text
    with server.factory() as session:
        row = session.scalars(select(ReviewSample)).one()
        sample = ReviewSampleData.model_validate(row.data)
    assert (row.review_id, row.learner_id) == (office["alice"], office["alice_learner"])
    assert sample.targets_smart == "partly" and sample.welfare_followed_up == "no" and sample.sampled_by == "quinn"
    assert sample.sampled_at is not None
    # A second look is a second sample, alongside the first; the review itself is untouched.
    assert "Sampled before by quinn" in quinn.get(f"/reviews/{office['alice']}/sample").text
    assert post_sample(quinn, office["alice"]).status_code == 303 and sample_count(server) == 2


def test_only_quality_leads_and_admins_record_samples(server: Server, office: dict[str, Any]) -> None:
    for who in ("alice", "meg"):
        client = signed_in(server, who)
        assert client.get(f"/reviews/{office['alice']}/sample").status_code == 403
        token = csrf_of(client.get("/learners").text)
        assert post_sample(client, office["alice"], token=token).status_code == 403
    assert signed_in(server, "ada").get(f"/reviews/{office['carol']}/sample").status_code == 200
    assert sample_count(server) == 0


def test_a_sample_needs_its_csrf_token(server: Server, office: dict[str, Any]) -> None:
    quinn = signed_in(server, "quinn")
    assert post_sample(quinn, office["alice"], token="guessed").status_code == 403
    no_token = quinn.post(f"/reviews/{office['alice']}/sample", data=GOOD, follow_redirects=False)
    assert no_token.status_code == 403
    assert sample_count(server) == 0


def test_an_unknown_review_a_draft_and_a_void_are_refused_alike(server: Server, office: dict[str, Any]) -> None:
    alice = server.login("alice")
    draft_id = new_id()
    review, _ = finalised_review(office["alice_learner"], draft_id)
    draft = {**review, "status": "draft", "finalised_at": None, "content_hash": None}
    assert server.push(alice, change("review", "create", draft_id, draft))[0]["status"] == "applied"
    quinn = signed_in(server, "quinn")
    token = csrf_of(quinn.get("/samples").text)
    unknown = quinn.get("/reviews/no-such-review/sample")
    assert unknown.status_code == 403 and "no finalised review here" in unknown.text
    for review_id in (draft_id, "x" * 500):
        assert quinn.get(f"/reviews/{review_id}/sample").text == unknown.text
        assert post_sample(quinn, review_id, token=token).status_code == 403
    assert sample_count(server) == 0


def test_missing_answers_and_feedback_are_shown_in_an_error_summary(server: Server, office: dict[str, Any]) -> None:
    quinn = signed_in(server, "quinn")
    wrong = post_sample(quinn, office["alice"], {"targets_smart": "", "welfare_followed_up": "maybe", "feedback": " ",
                                                 "learning_plan_used_note": "x" * 2001})
    assert wrong.status_code == 400
    assert "govuk-error-summary" in wrong.text and "<title>Error:" in wrong.text
    for anchor in ("#targets_smart", "#welfare_followed_up", "#feedback", "#learning_plan_used_note"):
        assert f'href="{anchor}"' in wrong.text
    assert "Enter feedback for the assessor" in wrong.text and "2,000 characters or fewer" in wrong.text
    assert 'value="yes" checked' in wrong.text  # what was answered is kept
    assert "The second target has no date." in wrong.text
    assert sample_count(server) == 0


def test_what_a_sample_says_is_shown_as_text(server: Server, office: dict[str, Any]) -> None:
    quinn = signed_in(server, "quinn")
    assert post_sample(quinn, office["alice"], {"feedback": "<script>alert(1)</script>"}).status_code == 303
    listed = quinn.get("/samples").text
    assert "<script>alert(1)</script>" not in listed and "&lt;script&gt;alert(1)&lt;/script&gt;" in listed


def test_the_samples_list_is_scoped(server: Server, office: dict[str, Any]) -> None:
    quinn = signed_in(server, "quinn")
    for name in ("alice", "bob", "carol"):
        post_sample(quinn, office[name], {"feedback": f"Feedback for {name}"})

    def seen(who: str) -> set[str]:
        text = signed_in(server, who).get("/samples").text
        return {name for name in ("alice", "bob", "carol") if f"Feedback for {name}" in text}

    assert seen("alice") == {"alice"} and seen("bob") == {"bob"} and seen("carol") == {"carol"}
    assert seen("meg") == {"alice", "bob"} and seen("quinn") == seen("ada") == {"alice", "bob", "carol"}


def _pulled_samples(server: Server, headers: dict[str, str], protocol: int) -> list[dict]:
    found, since = [], 0
    while True:
        body = server.client.get("/api/v1/sync/pull", params={"since": since},
                                 headers={**headers, PROTOCOL_HEADER: str(protocol)}).json()
        found += [c for c in body["changes"] if c["entity"] == "review_sample"]
        since = body["cursor"]
        if not body["more"]:
            return found


def test_a_sample_goes_down_to_the_learners_assessor_only_and_never_up(server: Server, office: dict[str, Any]) -> None:
    post_sample(signed_in(server, "quinn"), office["alice"])
    alice, bob = server.login("alice"), server.login("bob")
    got = _pulled_samples(server, alice, 3)
    assert len(got) == 1 and got[0]["data"]["review_id"] == office["alice"]
    assert _pulled_samples(server, bob, 3) == []
    assert _pulled_samples(server, alice, 2) == []  # an older laptop knows no such record
    assert server.pull_all(alice)[0] and not [c for c in server.pull_all(alice)[0] if c["entity"] == "review_sample"]
    forged = {**GOOD, "review_id": office["alice"], "learner_id": office["alice_learner"]}
    result = server.push(alice, change("review_sample", "create", None, forged))[0]
    assert result["status"] == "rejected" and "office web app" in result["error"]
    edit = server.push(alice, change("review_sample", "update", got[0]["id"], {"feedback": "Fine really"},
                                     base_rev=got[0]["rev"]))[0]
    assert edit["status"] == "rejected" and sample_count(server) == 1


def test_the_share_of_each_assessors_reviews_sampled_in_a_period(server: Server, office: dict[str, Any]) -> None:
    push_finalised(server, "alice", office["alice_learner"])
    push_addendum(server, office["alice_learner"], office["alice"])  # a correction: not a review to sample
    quinn = signed_in(server, "quinn")
    post_sample(quinn, office["alice"])
    post_sample(quinn, office["alice"])  # sampled twice: still one review
    post_sample(quinn, office["carol"])
    with server.factory() as session:
        meg = session.scalar(select(User.id).where(User.username == "meg"))
        everyone = Caller(user_id="", username="quinn", role="quality_lead", device_id=None, by_team=True)
        teams = Caller(user_id=meg or "", username="meg", role="manager", device_id=None, by_team=True)
        november = (dt.date(2025, 11, 1), dt.date(2025, 11, 30))

        def shares(caller: Caller, start: dt.date, end: dt.date) -> dict[str, tuple[int, int, float]]:
            return {s.assessor: (s.finalised, s.sampled, s.share) for s in sampled_shares(session, caller, start, end)}

        assert shares(everyone, *november) == {"alice": (2, 1, 0.5), "bob": (1, 0, 0.0), "carol": (1, 1, 1.0)}
        assert shares(teams, *november) == {"alice": (2, 1, 0.5), "bob": (1, 0, 0.0)}
        assert shares(everyone, dt.date(2025, 11, 21), dt.date(2025, 12, 31)) == {}
        assert shares(everyone, dt.date(2025, 11, 20), dt.date(2025, 11, 20))["carol"] == (1, 1, 1.0)
