"""Issue 16 end to end, with the e-mail, on SQLite and PostgreSQL: a laptop (real store and sync client) records a
review with a safeguarding referral while the server is down; it syncs to a real `reviewapp-server serve` process
whose SMTP settings point at an aiosmtpd server in the test; the DSL's e-mail arrives within a minute, without the
disclosure and with a link to /cases/<id>; the DSL signs in (Chromium) and acknowledges it there; the laptop's next
sync shows "Acknowledged by the safeguarding lead ..."; a manager opening the case's URL gets 403. Then, with a wait
of seconds (REVIEWAPP_CASE_ACKNOWLEDGE_SECONDS), a concern nobody acknowledges e-mails the deputy exactly once (and
the acknowledged case never does), across a restart of the server."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
from mail_kit import SmtpServer, wait_for
from server_testkit import PASSWORD, Server, free_port
from sqlalchemy import select
from test_web_browser import SIZES, _screenshots, assert_accessible, chromium
from web_kit import put_in_team

from reviewapp.core.dates import LONDON
from reviewapp.core.templates import load_template
from reviewapp.store import queries, reviews
from reviewapp.store.concerns import raise_concern
from sync.server.core.config import DATABASE_URL_ENV
from sync.server.models import Case
from tests.conftest import DEMO_TODAY

sys.path.insert(0, str(Path(__file__).parents[1] / "sync"))
from synckit import Laptop

__all__ = ["chromium"]

TEMPLATE = load_template("apprenticeship-progress-review")
DISCLOSURE = "Disclosed threats from a lender (ochre-sparrow)"
SECOND = "Said a cousin takes her wages (teal-heron)"
FAST = {"REVIEWAPP_MAIL_RETRY_SECONDS": "0.5", "REVIEWAPP_MAIL_RETRY_CAP_SECONDS": "2",
        "REVIEWAPP_MAIL_POLL_SECONDS": "0.5"}


class Serve:
    """`reviewapp-server serve` on a fixed port, stoppable and restartable with other settings."""

    def __init__(self, database_url: str, smtp: SmtpServer, log: Path) -> None:
        self.database_url, self.smtp, self.log = database_url, smtp, log
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, **env: str) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "sync.server", "serve", "--port", str(self.port)],
                env={**os.environ, DATABASE_URL_ENV: self.database_url, **self.smtp.env(), **FAST, **env},
                stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the server did not start within 60 seconds"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def _to(smtp: SmtpServer, address: str) -> list[EmailMessage]:
    return [m for m in smtp.messages if address in str(m["To"])]


def _text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_a_referral_made_offline_e_mails_the_dsl_then_the_deputy_once(chromium: Any, database_url: str,
                                                                      tmp_path: Path) -> None:
    db = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    shots = _screenshots(tmp_path)
    setup = Server(database_url)
    setup.add_user("alice")
    setup.add_user("dee", role="safeguarding_lead")
    setup.add_user("dep", role="safeguarding_deputy")
    setup.add_user("meg", role="manager")
    put_in_team(setup, "North", "alice", "meg")  # meg manages alice's team: still no case content for her
    ann = setup.add_learner("alice", first_name="Annabel", last_name="Quince")
    smtp = SmtpServer(free_port()).start()
    server = Serve(database_url, smtp, tmp_path / "serve.log")
    server.start(REVIEWAPP_CASE_ACKNOWLEDGE_SECONDS="3600")  # nobody is late in this half
    alice = Laptop(tmp_path / "alice-laptop", "alice", server.url).login()
    try:
        alice.sync()

        server.stop()  # offline from here
        review_id = reviews.start_draft(alice.store, ann, TEMPLATE, DEMO_TODAY)
        reviews.save_answers(alice.store, review_id, {"refer_safeguarding": {"raised": True, "detail": DISCLOSURE}})
        server.start(REVIEWAPP_CASE_ACKNOWLEDGE_SECONDS="3600")

        synced = time.monotonic()
        assert alice.sync().rejected == 0
        [to_dee] = wait_for(lambda: _to(smtp, "dee@example.org"), seconds=60)  # type: ignore[misc]
        assert time.monotonic() - synced < 60
        with setup.factory() as session:
            [case] = session.scalars(select(Case)).all()
        text = _text(to_dee)
        whole = to_dee.as_string()
        assert DISCLOSURE not in whole and "ochre" not in whole and "Annabel" not in whole and "Quince" not in whole
        assert to_dee["Subject"] == "Urgent safeguarding case waiting"
        link = f"{server.url}/cases/{case.id}"
        assert link in text and "URGENT" in text
        print(f"\n--- {db}: the DSL's e-mail ---\nTo: {to_dee['To']}\nSubject: {to_dee['Subject']}\n\n{text}")

        context = chromium.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        _sign_in(page, server.url, "dee")
        page.goto(re.search(r"http://\S+/cases/\S+", text).group(0))  # type: ignore[union-attr]
        assert DISCLOSURE in page.text_content("main")
        assert_accessible(page)
        page.click("#acknowledge")
        assert "Recorded: acknowledged" in page.text_content("main")
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=str(shots / f"{db}-e2e-case-acknowledged-{size}.png"), full_page=True)
        context.close()
        with setup.factory() as session:
            at = dt.datetime.fromisoformat(session.get(Case, case.id).data["state_at"])  # type: ignore[union-attr]

        alice.sync()
        with alice.store.read() as session:
            states = queries.learner_detail(session, ann).case_states
        assert f"Safeguarding: Acknowledged by the safeguarding lead, {at.astimezone(LONDON):%H:%M}" in states

        manager = chromium.new_context(viewport={"width": 1366, "height": 768}).new_page()
        _sign_in(manager, server.url, "meg")
        response = manager.goto(link)
        assert response is not None and response.status == 403 and DISCLOSURE not in manager.content()
        manager.context.close()

        # Nobody acknowledges the next one: with a wait of 2 seconds the deputy is told, once, across a restart.
        server.stop()
        server.start(REVIEWAPP_CASE_ACKNOWLEDGE_SECONDS="2")
        raise_concern(alice.store, ann, "safeguarding", "routine", SECOND)
        alice.sync()
        [to_dep] = wait_for(lambda: _to(smtp, "dep@example.org"), seconds=60)  # type: ignore[misc]
        server.stop()
        server.start(REVIEWAPP_CASE_ACKNOWLEDGE_SECONDS="2")
        time.sleep(25)  # two periodic ticks and more after the restart: nothing is sent again
        assert len(_to(smtp, "dep@example.org")) == 1
        assert len(_to(smtp, "dee@example.org")) == 2  # the first case and the concern, each once
        with setup.factory() as session:
            second = session.scalars(select(Case).where(Case.concern_id.is_not(None))).one()
        dep_text = _text(to_dep)
        assert f"{server.url}/cases/{second.id}" in dep_text and case.id not in dep_text
        assert SECOND not in to_dep.as_string() and "Annabel" not in to_dep.as_string()
        assert to_dep["Subject"] == "Unacknowledged safeguarding case"
        print(f"--- {db}: the deputy's e-mail ---\nTo: {to_dep['To']}\nSubject: {to_dep['Subject']}\n\n{dep_text}")
    finally:
        alice.close()
        server.stop()
        smtp.stop()
        setup.close()

