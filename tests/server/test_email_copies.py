"""Issue 17 item 1: a finalised review reaching the server e-mails the learner's copy to the learner and the employer's
copy to the employer's contact, each only with their consent, through the outbox to a real SMTP server (aiosmtpd);
each copy is a delivery counted in "copies shared"; a bounce marks it bounced and the figure drops; pushed again,
nothing is sent twice. On SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from mail_kit import REFUSED, SmtpServer
from pypdf import PdfReader
from server_testkit import Server, change, finalised_review, free_port
from sqlalchemy import select
from test_office_figures import NOVEMBER, _scope

from sync.protocol import PROTOCOL_HEADER, DeliveryData
from sync.server.copy_links import CopyDelivery, copy_delivery, make_token, set_copy_delivery
from sync.server.db import new_id, next_rev, take_write_lock, transaction
from sync.server.email_copies import delivery_id, send_copies
from sync.server.mail import DeliveryTimings, deliver_due, smtp_from_env
from sync.server.models import Delivery, Employer, Learner, MailMessage, utcnow
from sync.server.office_figures import BY_KEY
from sync.server.provider_settings import set_public_address
from sync.server.scope import Caller

FAST = DeliveryTimings(retry_seconds=0.2, retry_cap_seconds=0.8, max_attempts=4, lease_seconds=30, poll_seconds=0.2)
#: Said by the learner in the welfare section: on the learner's copy, never on the employer's.
CONFIDENTIAL = "a bit tired with college work"
LEARNER = "sam@example.org"
CONTACT = "pat.boss@acme.example.org"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    mail = SmtpServer(free_port()).start()
    for name, value in mail.env().items():
        monkeypatch.setenv(name, value)
    yield mail
    mail.stop()


def agree(server: Server, learner_id: str, *, learner: tuple[str, bool | None] = (LEARNER, True),
          contact: tuple[str, bool | None] = (CONTACT, True)) -> None:
    """The learner's and the employer contact's addresses and whether each agreed to e-mail, as the office holds
    them (a new rev each, as any edit)."""
    with transaction(server.factory) as session:
        take_write_lock(session)
        row = session.get(Learner, learner_id)
        assert row is not None
        row.data = {**row.data, "email": learner[0], "email_consent": learner[1]}
        row.rev = next_rev(session, "learner", row.id, "test")
        employer = session.get(Employer, row.employer_id)
        assert employer is not None
        employer.data = {**employer.data, "contact_name": "Pat Boss", "contact_email": contact[0],
                         "email_consent": contact[1]}
        employer.rev = next_rev(session, "employer", employer.id, "test")


def push_review(server: Server, learner_id: str, review_id: str | None = None) -> tuple[str, list[dict]]:
    review_id = review_id or new_id()
    review, signatures = finalised_review(learner_id, review_id)
    batch = [change("review", "create", review_id, review),
             *[change("signature", "create", sid, s) for sid, s in signatures]]
    results = server.push(server.login("alice"), *batch)
    assert all(r["status"] == "applied" for r in results), results
    return review_id, batch


def send(server: Server) -> Any:
    return deliver_due(server.factory, smtp_from_env(), FAST)


def deliveries(server: Server) -> dict[str, DeliveryData]:
    with server.factory() as session:
        return {row.copy_for: DeliveryData.model_validate(row.data) for row in session.scalars(select(Delivery))}


def copies_shared(server: Server) -> tuple[int, int]:
    with server.factory() as session:
        value = BY_KEY["copies-shared"].compute(session, _scope(server, "quinn", "quality_lead"), NOVEMBER)
    return value.count, value.total


def pdf_text(message: EmailMessage) -> tuple[str, str]:
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    reader = PdfReader(io.BytesIO(part.get_content()))
    return part.get_filename() or "", "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def sam(server: Server) -> str:
    server.add_user("alice")
    server.add_user("quinn", "quality_lead")
    return server.add_learner("alice")


def test_both_copies_are_e_mailed_to_those_who_agreed_and_count_as_shared(server: Server, sam: str,
                                                                           smtp: SmtpServer) -> None:
    agree(server, sam)
    assert copies_shared(server) == (0, 0)
    review_id, _ = push_review(server, sam)
    assert send(server).sent == 2
    by_address = {str(m["To"]): m for m in smtp.messages}
    assert sorted(by_address) == sorted([LEARNER, CONTACT])
    learner, employer = by_address[LEARNER], by_address[CONTACT]
    assert learner["Subject"] == "Your progress review of 20/11/2025"
    assert employer["Subject"] == "Progress review of Sam Smith, 20/11/2025"
    assert learner["From"] == "reviews@provider.example.org" and learner["Auto-Submitted"] == "auto-generated"
    assert CONFIDENTIAL not in learner.get_body(("plain",)).get_content()  # the text only points to the copy
    name, text = pdf_text(learner)
    assert name.endswith("learner.pdf") and "Learner copy" in text and CONFIDENTIAL in text
    name, text = pdf_text(employer)
    assert name.endswith("employer.pdf") and "Employer copy" in text and CONFIDENTIAL not in text
    assert "Sam Smith" in text

    made = deliveries(server)
    assert sorted(made) == ["employer", "learner"]
    assert {(d.channel, d.status, d.recipient, d.consent_recorded, d.review_id) for d in made.values()} == {
        ("emailed", "sent", LEARNER, True, review_id), ("emailed", "sent", CONTACT, True, review_id)}
    assert copies_shared(server) == (1, 1)


def test_without_consent_nothing_is_sent_and_nothing_delivered(server: Server, sam: str, smtp: SmtpServer) -> None:
    agree(server, sam, learner=(LEARNER, None), contact=(CONTACT, False))  # not asked; refused
    push_review(server, sam)
    assert send(server).claimed == 0
    assert smtp.messages == [] and deliveries(server) == {}
    with server.factory() as session:
        assert session.scalars(select(MailMessage)).all() == []
    assert copies_shared(server) == (0, 1)


def test_only_the_one_who_agreed_is_sent_a_copy(server: Server, sam: str, smtp: SmtpServer) -> None:
    agree(server, sam, learner=(LEARNER, True), contact=("", True))  # the employer's contact has no address
    push_review(server, sam)
    assert send(server).sent == 1
    assert [str(m["To"]) for m in smtp.messages] == [LEARNER]
    assert sorted(deliveries(server)) == ["learner"]
    assert copies_shared(server) == (0, 1)


def test_a_bounce_marks_the_delivery_bounced_and_the_figure_drops(server: Server, sam: str, smtp: SmtpServer) -> None:
    agree(server, sam, contact=(REFUSED, True))
    review_id, _ = push_review(server, sam)
    with server.factory() as session:
        before = session.get(Delivery, delivery_id(review_id, "employer"))
        assert before is not None and before.status == "sent"
        rev_before = before.rev
    run = send(server)
    assert (run.sent, run.bounced) == (1, 1)
    made = deliveries(server)
    assert made["learner"].status == "sent"
    bounced = made["employer"]
    assert bounced.status == "bounced" and bounced.bounced_at is not None and "550" in bounced.bounce_reason
    with server.factory() as session:
        row = session.get(Delivery, delivery_id(review_id, "employer"))
        assert row is not None and row.status == "bounced" and row.rev > rev_before  # the laptop pulls the change
    assert copies_shared(server) == (0, 1)


def test_a_review_pushed_again_sends_nothing_twice(server: Server, sam: str, smtp: SmtpServer) -> None:
    agree(server, sam)
    review_id, batch = push_review(server, sam)
    assert send(server).sent == 2
    again = server.push(server.login("alice"), *batch)  # the laptop never heard the answer: the same changes
    assert {r["status"] for r in again} == {"duplicate"}
    with transaction(server.factory) as session:  # and asked directly, as a second finalising push would
        assert send_copies(session, Caller("", "quinn", "quality_lead", None), review_id) == []
    assert send(server).claimed == 0
    assert len(smtp.messages) == 2 and len(deliveries(server)) == 2
    with server.factory() as session:
        assert len(session.scalars(select(MailMessage)).all()) == 2


def test_a_draft_sends_nothing_until_it_is_finalised(server: Server, sam: str, smtp: SmtpServer) -> None:
    agree(server, sam)
    review_id = new_id()
    review, signatures = finalised_review(sam, review_id)
    alice = server.login("alice")
    draft = {**review, "status": "draft", "content_hash": None, "finalised_at": None}
    assert server.push(alice, change("review", "create", review_id, draft))[0]["status"] == "applied"
    assert send(server).claimed == 0 and deliveries(server) == {}
    results = server.push(alice, *[change("signature", "create", sid, s) for sid, s in signatures],
                          change("review", "update", review_id, {k: review[k] for k in
                                                                 ("status", "content_hash", "finalised_at")},
                                 base_rev=0, base={"status": "draft", "content_hash": None, "finalised_at": None}))
    assert all(r["status"] == "applied" for r in results), results
    assert send(server).sent == 2


def test_an_older_client_is_sent_the_learner_and_employer_without_the_consent(server: Server, sam: str) -> None:
    agree(server, sam)
    alice = server.login("alice")
    for protocol, expected in ((3, False), (4, True)):
        response = server.client.get("/api/v1/sync/pull", params={"since": 0, "limit": 500},
                                     headers={**alice, PROTOCOL_HEADER: str(protocol)})
        assert response.status_code == 200, response.text
        pulled = {c["entity"]: c["data"] for c in response.json()["changes"] if c["entity"] in ("learner", "employer")}
        assert ("email_consent" in pulled["learner"], "email_consent" in pulled["employer"]) == (expected, expected)


def _link_mode(server: Server, days: int = 14) -> None:
    with transaction(server.factory) as session:
        set_public_address(session, "https://reviews.provider.example.org", "test")
        set_copy_delivery(session, "link", days, "test")


def _link(message: EmailMessage) -> str:
    [found] = re.findall(r"https://reviews\.provider\.example\.org(/copies/\S+)", message.get_body(("plain",))
                         .get_content())
    return found


def test_as_a_link_each_copy_opens_from_its_own_link_alone_until_it_expires(server: Server, sam: str,
                                                                            smtp: SmtpServer) -> None:
    agree(server, sam)
    _link_mode(server)
    review_id, _ = push_review(server, sam)
    assert send(server).sent == 2
    by_address = {str(m["To"]): m for m in smtp.messages}
    assert all(list(m.iter_attachments()) == [] for m in by_address.values())  # no PDF in the e-mail
    learner_link, employer_link = _link(by_address[LEARNER]), _link(by_address[CONTACT])
    assert "until" in by_address[LEARNER].get_body(("plain",)).get_content()
    opened = server.client.get(learner_link)  # no sign-in
    assert opened.status_code == 200 and opened.headers["content-type"] == "application/pdf"
    assert opened.headers["cache-control"] == "no-store"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(opened.content)).pages)
    assert "Learner copy" in text and CONFIDENTIAL in text
    employer_text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(
        server.client.get(employer_link).content)).pages)
    assert "Employer copy" in employer_text and CONFIDENTIAL not in employer_text
    assert {d.status for d in deliveries(server).values()} == {"sent"} and copies_shared(server) == (1, 1)

    # The employer's link changed to open the learner's copy, a truncated one, another review: refused alike.
    body, _, signature = employer_link.removeprefix("/copies/").partition(".")
    forged_body = base64.urlsafe_b64encode(
        base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).replace(b":employer:", b":learner:")).decode()
    for refused in (f"/copies/{forged_body.rstrip('=')}.{signature}", learner_link[:-3], "/copies/x.y",
                    "/copies/" + "a" * 400):
        answer = server.client.get(refused)
        assert answer.status_code == 403 and "not complete or has been changed" in answer.text, refused
    with transaction(server.factory) as session:
        other = make_token(session, new_id(), "learner", utcnow() + dt.timedelta(days=1))  # not a review held
        expired = make_token(session, review_id, "learner", utcnow() - dt.timedelta(seconds=1))
    assert server.client.get(f"/copies/{other}").status_code == 403
    gone = server.client.get(f"/copies/{expired}")
    assert gone.status_code == 403 and "This link has expired" in gone.text


def test_a_link_needs_the_public_address_else_the_copy_is_attached(server: Server, sam: str,
                                                                    smtp: SmtpServer) -> None:
    agree(server, sam)
    with transaction(server.factory) as session:
        set_copy_delivery(session, "link", 7, "test")  # no public address set
        assert copy_delivery(session) == CopyDelivery("link", 7)
    push_review(server, sam)
    assert send(server).sent == 2
    assert all(len(list(m.iter_attachments())) == 1 for m in smtp.messages)
