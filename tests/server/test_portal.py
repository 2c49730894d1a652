"""The portal for learners and employers (issue 17 item 2), through the app (TestClient) on SQLite and PostgreSQL:
a sign-in link e-mailed through the outbox (the same answer for an unknown address), used once, refused twice and
after expiry; a learner's page, a tick off (CSRF) that the assessor's laptop pulls; an employer sees only their own
apprentices (403 as for an unknown id) and writes feedback (escaped); a staff sign-in does not open the portal."""

from __future__ import annotations

import re
from typing import Any

import pytest
from server_testkit import Server, change
from sqlalchemy import select, update
from test_web_review_pages import push_review
from web_kit import browser, csrf_of, sign_in

from sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION
from sync.server.db import transaction
from sync.server.models import Employer, Learner, MailMessage, PortalLink, PortalNote, utcnow
from sync.server.provider_settings import set_public_address

LINK = re.compile(r"http://testserver/portal/link/([A-Za-z0-9_-]+)")
XSS = "<script>alert(1)</script>"


def set_employer_contact(server: Server, learner_id: str, email: str, name: str = "Pat Boss") -> None:
    with transaction(server.factory) as session:
        learner = session.get(Learner, learner_id)
        employer = session.get(Employer, learner.employer_id)
        employer.data = {**employer.data, "contact_email": email, "contact_name": name}


@pytest.fixture
def people(server: Server) -> dict[str, Any]:
    server.add_user("alice")
    server.add_user("bob")
    ann = server.add_learner("alice", employer="Acme Ltd", first_name="Ann", last_name="Archer",
                             email="ann@example.org")
    amy = server.add_learner("alice", employer="Acme Ltd", first_name="Amy", last_name="Ash", email="")
    ben = server.add_learner("bob", employer="Bolt plc", first_name="Ben", last_name="Baker", email="ben@example.org")
    set_employer_contact(server, ann, "pat@acme.example.org")
    set_employer_contact(server, ben, "bo@bolt.example.org", name="Bo Bolt")
    review = push_review(server, "alice", ann)
    target = "00000000-0000-4000-8000-00000000000a"
    server.push(server.login("alice"), change("target", "create", target, {
        "learner_id": ann, "text": "Build a pivot table of the stock take", "due_date": "2026-01-10",
        "set_in_review_id": review, "actions": ["Ask Pat for last month's figures", "Watch the pivot video"]}))
    return {"ann": ann, "amy": amy, "ben": ben, "review": review, "target": target}


def messages(server: Server, to: str) -> list[MailMessage]:
    with server.factory() as session:
        return list(session.scalars(select(MailMessage).where(MailMessage.to_address == to)))


def ask(client: Any, email: str) -> Any:
    form = client.get("/portal")
    assert form.status_code == 200
    return client.post("/portal", data={"email": email, "csrf_token": csrf_of(form.text)})


def link_for(server: Server, to: str) -> str:
    [*_, last] = messages(server, to)
    found = LINK.search(last.body_text)
    assert found, last.body_text
    return found.group(1)


def open_link(client: Any, token: str) -> Any:
    landing = client.get(f"/portal/link/{token}")
    if landing.status_code != 200:
        return landing
    return client.post(f"/portal/link/{token}", data={"csrf_token": csrf_of(landing.text)}, follow_redirects=False)


def test_a_link_is_sent_only_to_a_held_address_with_the_same_answer_and_works_once(server: Server,
                                                                                   people: dict[str, Any]) -> None:
    client = browser(server)
    known, unknown = ask(client, "Ann@Example.org "), ask(client, "stranger@example.org")
    assert known.status_code == unknown.status_code == 200
    strip = re.compile(r"<strong>[^<]*</strong>")
    assert strip.sub("", known.text) == strip.sub("", unknown.text)  # the same answer, but for the address echoed
    assert messages(server, "stranger@example.org") == []
    [mail] = messages(server, "ann@example.org")
    assert mail.kind == "portal_link" and "15 minutes" in mail.body_text
    token = link_for(server, "ann@example.org")
    with server.factory() as session:  # only the digest is kept
        assert session.scalars(select(PortalLink.token_hash)).all() != [token]

    signed = open_link(client, token)
    assert signed.status_code == 303 and signed.headers["location"] == "/portal/home"
    home = client.get("/portal/home")
    assert home.status_code == 200 and "Ann Archer" in home.text and "Build a pivot table" in home.text
    assert "Watch the pivot video" in home.text

    again = open_link(browser(server), token)
    assert again.status_code == 410 and "already been used" in again.text

    ask(client, "ann@example.org")
    late = link_for(server, "ann@example.org")
    with transaction(server.factory) as session:
        session.execute(update(PortalLink).values(expires_at=utcnow()))
    expired = open_link(browser(server), late)
    assert expired.status_code == 410 and "expired" in expired.text
    assert open_link(browser(server), "not-a-token").status_code == 410


def test_the_link_uses_the_providers_public_address_not_the_requests_host(server: Server,
                                                                          people: dict[str, Any]) -> None:
    with transaction(server.factory) as session:
        set_public_address(session, "https://reviews.provider.example.org", "admin")
    client = browser(server)
    form = client.get("/portal")
    client.post("/portal", data={"email": "ann@example.org", "csrf_token": csrf_of(form.text)},
                headers={"Host": "evil.example.com"})
    [mail] = messages(server, "ann@example.org")
    assert "https://reviews.provider.example.org/portal/link/" in mail.body_text and "evil" not in mail.body_text


def test_link_requests_are_rate_limited_whatever_the_address(server: Server, people: dict[str, Any]) -> None:
    client = browser(server)
    answers = [ask(client, "nobody-here@example.org").status_code for _ in range(6)]
    assert answers[:5] == [200] * 5 and answers[5] == 429


def test_a_learner_ticks_an_action_off_and_the_assessor_pulls_it(server: Server, people: dict[str, Any]) -> None:
    client = browser(server)
    ask(client, "ann@example.org")
    open_link(client, link_for(server, "ann@example.org"))
    page = client.get(f"/portal/learners/{people['ann']}")
    url = f"/portal/learners/{people['ann']}/targets/{people['target']}/done"
    assert client.post(url, data={"action": "1"}).status_code == 403  # no CSRF token
    ticked = client.post(url, data={"action": "1", "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert ticked.status_code == 303
    after = client.get(f"/portal/learners/{people['ann']}").text
    assert "<s>Watch the pivot video</s>" in after and "Ticked off by Ann Archer (learner)" in after

    pdf = client.get(f"/portal/reviews/{people['review']}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(f"/portal/learners/{people['ben']}").status_code == 403  # another learner
    assert client.get(f"/portal/learners/{people['amy']}").status_code == 403  # a colleague at the same employer

    changes, _ = server.pull_all({**server.login("alice"), PROTOCOL_HEADER: str(PROTOCOL_VERSION)})
    [note] = [c for c in changes if c["entity"] == "portal_note"]
    assert note["data"]["kind"] == "action_done" and note["data"]["action"] == "Watch the pivot video"
    assert note["data"]["target_id"] == people["target"]
    bob, _ = server.pull_all({**server.login("bob"), PROTOCOL_HEADER: str(PROTOCOL_VERSION)})
    assert not [c for c in bob if c["entity"] == "portal_note"]  # not bob's learner
    refused = server.push(server.login("alice"), change("portal_note", "create", None, {
        "learner_id": people["ann"], "kind": "feedback", "text": "forged"}))
    assert refused[0]["status"] != "applied"  # made at the office only


def test_an_employer_sees_only_their_apprentices_and_writes_feedback(server: Server, people: dict[str, Any]) -> None:
    client = browser(server)
    ask(client, "pat@acme.example.org")
    open_link(client, link_for(server, "pat@acme.example.org"))
    home = client.get("/portal/home")
    assert "Ann Archer" in home.text and "Amy Ash" in home.text and "Ben Baker" not in home.text
    other, unknown = (client.get(f"/portal/learners/{people['ben']}"),
                      client.get("/portal/learners/00000000-0000-4000-8000-000000000999"))
    assert other.status_code == unknown.status_code == 403 and other.text == unknown.text
    assert client.get(f"/portal/reviews/{people['review']}.pdf").status_code == 200  # the employer's copy
    page = client.get(f"/portal/learners/{people['ann']}")
    assert "Tick off" not in page.text
    saved = client.post(f"/portal/learners/{people['ann']}/feedback",
                        data={"feedback": f"Good month {XSS}", "csrf_token": csrf_of(page.text)})
    assert saved.status_code == 200 and XSS not in saved.text and "&lt;script&gt;" in saved.text
    too_long = client.post(f"/portal/learners/{people['ann']}/feedback",
                           data={"feedback": "x" * 2001, "csrf_token": csrf_of(page.text)})
    assert too_long.status_code == 400
    with server.factory() as session:
        [note] = session.scalars(select(PortalNote)).all()
    assert note.data["kind"] == "feedback" and note.data["written_by"] == "Pat Boss, Acme Ltd (employer)"


def test_a_staff_sign_in_does_not_open_the_portal(server: Server, people: dict[str, Any]) -> None:
    client = browser(server)
    assert sign_in(client, "alice").status_code == 303
    response = client.get(f"/portal/learners/{people['ann']}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/portal"


def test_a_portal_sign_in_opens_no_office_page_and_signs_out(server: Server, people: dict[str, Any]) -> None:
    client = browser(server)
    ask(client, "ann@example.org")
    open_link(client, link_for(server, "ann@example.org"))
    office = client.get("/learners", follow_redirects=False)
    assert office.status_code == 303 and office.headers["location"].startswith("/sign-in")
    page = client.get(f"/portal/learners/{people['ann']}")
    assert client.post("/portal/sign-out", data={}).status_code == 403  # CSRF
    out = client.post("/portal/sign-out", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert out.status_code == 303
    after = client.get(f"/portal/learners/{people['ann']}", follow_redirects=False)
    assert after.status_code == 303 and after.headers["location"] == "/portal"
