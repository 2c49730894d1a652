"""What an admin sees of the outbox: /admin/mail (admins only, failed and bounced first, Retry with CSRF), and the
CLI's `mail-status` and `send-test-email`; a browser look at the page at both sizes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mail_kit import DEFERRED, REFUSED, SmtpServer
from server_testkit import PASSWORD, Server, free_port, serve_process
from test_web_browser import SIZES, _screenshots, assert_accessible, chromium  # noqa: F401 (a fixture)
from web_kit import browser, csrf_of, sign_in

from sync.server import cli
from sync.server.db import transaction
from sync.server.mail import DeliveryTimings, deliver_due, enqueue, smtp_from_env, status_of
from sync.server.models import MailMessage, User

XSS = "<script>alert(1)</script>"
ONE_TRY = DeliveryTimings(max_attempts=1)


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    server = SmtpServer(free_port()).start()
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    yield server
    server.stop()


def _outbox(server: Server) -> None:
    """One message failed (451 at every try), one bounced (550), one sent, one still queued."""
    with transaction(server.factory) as session:
        enqueue(session, to=DEFERRED, subject=f"Case {XSS}", text="t", kind="case", key="case:1")
        enqueue(session, to=REFUSED, subject="Weekly digest", text="t", kind="digest", key="digest:1")
        enqueue(session, to="dsl@example.org", subject="Delivered", text="t", kind="case", key="case:2")
    deliver_due(server.factory, smtp_from_env(), ONE_TRY)
    with transaction(server.factory) as session:
        enqueue(session, to="meg@example.org", subject="Later", text="t", kind="alerts", key="alerts:1")


def _id(server: Server, key: str) -> str:
    with server.factory() as session:
        return session.query(MailMessage).filter_by(key=key).one().id


def test_admin_mail_page_lists_failed_and_bounced_first_and_retries_them(server: Server, smtp: SmtpServer) -> None:
    _outbox(server)
    server.add_user("root", "admin")
    client = browser(server)
    assert sign_in(client, "root").status_code == 303
    shown = client.get("/admin/mail")
    assert shown.status_code == 200
    html = shown.text
    assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.index(DEFERRED) < html.index(REFUSED) < html.index("meg@example.org")  # failed, bounced, queued
    assert "Delivered" not in html  # sent messages are counted, not listed
    assert "Failed</strong>" in html and "Bounced</strong>" in html and "Queued</strong>" in html
    assert "recipient refused: 550 5.1.1 No such mailbox" in html
    assert 'data-status="sent">1<' in html and 'data-status="failed">1<' in html
    assert "E-mail goes through 127.0.0.1" in html
    assert html.count("/retry") == 2
    failed = _id(server, "case:1")
    assert client.post(f"/admin/mail/{failed}/retry", data={"csrf_token": "wrong"}).status_code == 403
    with server.factory() as session:
        assert status_of(session, "case:1") == "failed"
    token = csrf_of(html)
    done = client.post(f"/admin/mail/{failed}/retry", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    with server.factory() as session:
        assert status_of(session, "case:1") == "queued"
        assert session.get(MailMessage, failed).attempts == 0
    again = client.post(f"/admin/mail/{failed}/retry", data={"csrf_token": token})  # queued now: nothing to retry
    assert again.status_code == 409 and "neither failed nor bounced" in again.text
    for message_id in ("no-such-id", "x" * 500):  # unknown and absurd ids: 404, never a 500
        assert client.post(f"/admin/mail/{message_id}/retry", data={"csrf_token": token}).status_code == 404


@pytest.mark.parametrize("role", ["assessor", "manager", "quality_lead"])
def test_only_admins_see_the_mail_page_or_retry(server: Server, smtp: SmtpServer, role: str) -> None:
    _outbox(server)
    server.add_user("someone", role)
    client = browser(server)
    assert sign_in(client, "someone").status_code == 303
    token = csrf_of(client.get("/learners").text)
    assert client.get("/admin/mail").status_code == 403
    assert client.post(f"/admin/mail/{_id(server, 'case:1')}/retry", data={"csrf_token": token}).status_code == 403
    with server.factory() as session:
        assert status_of(session, "case:1") == "failed"


def test_mail_status_cli_counts_and_lists(server: Server, smtp: SmtpServer, capsys: pytest.CaptureFixture) -> None:
    _outbox(server)
    assert cli.main(["mail-status", "--database", server.database_url]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "queued 1, sending 0, sent 1, failed 1, bounced 1, waiting for settings 0"
    assert "failed" in out and DEFERRED in out and "recipient deferred: 451" in out
    assert "/admin/mail" in out


def test_send_test_email_uses_the_settings_and_says_what_went_wrong(server: Server, smtp: SmtpServer,
                                                                    capsys: pytest.CaptureFixture,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli.main(["send-test-email", "root@example.org", "--database", server.database_url]) == 0
    assert "Sent a test message to root@example.org" in capsys.readouterr().out
    [message] = smtp.messages
    assert message["Subject"] == "ReviewApp test message" and message["Message-ID"]
    assert cli.main(["send-test-email", REFUSED, "--database", server.database_url]) == 1
    assert "recipient refused: 550" in capsys.readouterr().err
    assert cli.main(["send-test-email", "not an address", "--database", server.database_url]) == 1
    assert "is not an e-mail address" in capsys.readouterr().err
    monkeypatch.setenv("REVIEWAPP_SMTP_TLS", "sometimes")
    assert cli.main(["send-test-email", "root@example.org", "--database", server.database_url]) == 1
    assert "REVIEWAPP_SMTP_TLS='sometimes': use starttls" in capsys.readouterr().err


@pytest.mark.parametrize(("env", "reason"), [
    ({"REVIEWAPP_SMTP_FROM": ""}, "REVIEWAPP_SMTP_FROM is not"),
    ({"REVIEWAPP_SMTP_FROM": "nobody"}, "REVIEWAPP_SMTP_FROM='nobody' is not an e-mail address"),
    ({"REVIEWAPP_SMTP_PORT": "99999"}, "is not a port number"),
    ({"REVIEWAPP_SMTP_USER": "mailer"}, "REVIEWAPP_SMTP_PASSWORD is missing"),
    ({"REVIEWAPP_SMTP_USER": "mailer", "REVIEWAPP_SMTP_PASSWORD": "pw"}, "would send REVIEWAPP_SMTP_PASSWORD"),
])
def test_unusable_settings_stop_serve_and_worker_at_start_with_the_reason(
        server: Server, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture,
        env: dict[str, str], reason: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for command in ("serve", "worker"):
        assert cli.main([command, "--database", server.database_url]) == 1
        err = capsys.readouterr().err
        assert "The e-mail settings cannot work" in err and reason in err


@pytest.fixture
def mail_office(database_url: str, smtp: SmtpServer) -> Iterator[str]:
    setup = Server(database_url)
    setup.add_user("root", role="admin")
    _outbox(setup)
    setup.close()
    with serve_process(database_url) as base:
        yield base


def test_the_mail_page_in_a_real_browser(chromium: Any, mail_office: str, tmp_path: Path,  # noqa: F811
                                         database_url: str) -> None:
    if database_url.startswith("postgresql"):
        pytest.skip("one look is enough: the page is the same on PostgreSQL (the TestClient tests cover both)")
    shots = _screenshots(tmp_path)
    page = chromium.new_context(viewport={"width": 1366, "height": 768}).new_page()
    page.goto(f"{mail_office}/admin/mail")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    assert page.url == f"{mail_office}/admin/mail"
    assert "Messages not delivered" in (page.text_content("main") or "")
    assert_accessible(page)
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(shots / f"sqlite-admin-mail-{size}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.click("button:has-text('Retry the message to later@example.org')")
    assert "Queued again" in (page.text_content("main") or "")
    assert_accessible(page)


def test_set_email_checks_the_address_and_stores_its_normal_form(server: Server,
                                                                 capsys: pytest.CaptureFixture) -> None:
    server.add_user("sam")
    url = server.database_url
    assert cli.main(["set-email", "sam", "sam@@example.org", "--database", url]) == 1
    assert "is not an e-mail address" in capsys.readouterr().err
    assert cli.main(["set-email", "sam", "sam@printer.local", "--database", url]) == 1  # a special-use domain
    assert cli.main(["set-email", "sam", "Sam@Example.ORG", "--database", url]) == 0
    assert "now has Sam@example.org" in capsys.readouterr().out
    with server.factory() as session:
        assert session.query(User).filter_by(username="sam").one().email == "Sam@example.org"
