"""The portal end to end at a phone's 390x844 (issue 17 item 2), on SQLite and PostgreSQL: Chromium (Playwright)
against `reviewapp-server serve` as a real process whose mail goes to a real SMTP server (aiosmtpd). A learner asks
for a link, reads it from the mailbox, signs in, sees their targets, ticks an action off and downloads their copy;
the link used twice and a link after expiry are refused; the employer writes feedback and gets 403 for another
employer's apprentice (the page of an unknown id). The assessor's laptop (real store and sync client) then syncs,
and the tick and the feedback show in the wizard's "Targets from the last review" and "The employer" steps
(pytest-qt; grabbed as PNGs). axe on every portal page; screenshots at 390x844 and 1366x768."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
from mail_kit import SmtpServer, wait_for
from pypdf import PdfReader
from server_testkit import Server, change, free_port
from sqlalchemy import select, update
from test_case_email_e2e import Serve
from test_portal import set_employer_contact
from test_web_browser import SIZES, _screenshots, assert_accessible, chromium, wait_until
from test_web_review_pages import push_review

from reviewapp.core.templates import load_template
from reviewapp.store import reviews
from reviewapp.store.errors import StoreError
from reviewapp.store.models import PortalNote
from reviewapp.ui.wizard.review_wizard import ReviewWizard
from sync.server.db import transaction
from sync.server.models import PortalLink, utcnow
from tests.conftest import DEMO_TODAY

sys.path.insert(0, str(Path(__file__).parents[1] / "sync"))
from synckit import Laptop

__all__ = ["chromium"]
TEMPLATE = load_template("apprenticeship-progress-review")
TARGET = "00000000-0000-4000-8000-0000000000aa"
PHONE = {"width": 390, "height": 844}


def _link(smtp: SmtpServer, to: str, count: int) -> str:
    found = wait_for(lambda: [m for m in smtp.messages if to in str(m["To"])][count - 1:] or None, seconds=30)
    text = found[-1].get_body(preferencelist=("plain",)).get_content()  # type: ignore[index]
    match = re.search(r"(http://\S+/portal/link/[A-Za-z0-9_-]+)", text)
    assert match, text
    return match.group(1)


def test_the_portal_on_a_phone_and_the_tick_reaching_the_laptop(chromium: Any, database_url: str, tmp_path: Path,
                                                                 qtbot: Any) -> None:
    db = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    shots = _screenshots(tmp_path)
    setup = Server(database_url)
    setup.add_user("alice")
    setup.add_user("bob")
    ann = setup.add_learner("alice", employer="Acme Ltd", first_name="Ann", last_name="Archer",
                            email="ann@example.org")
    ben = setup.add_learner("bob", employer="Bolt plc", first_name="Ben", last_name="Baker")
    set_employer_contact(setup, ann, "pat@acme.example.org")
    set_employer_contact(setup, ben, "bo@bolt.example.org", name="Bo Bolt")
    review = push_review(setup, "alice", ann)
    setup.push(setup.login("alice"), change("target", "create", TARGET, {
        "learner_id": ann, "text": "Build a pivot table of the stock take", "due_date": "2026-01-10",
        "set_in_review_id": review, "actions": ["Ask Pat for last month's figures", "Watch the pivot video"]}))
    smtp = SmtpServer(free_port()).start()
    server = Serve(database_url, smtp, tmp_path / "serve.log")
    server.start()
    alice = Laptop(tmp_path / "alice-laptop", "alice", server.url).login()
    base = server.url
    try:
        alice.sync()
        context = chromium.new_context(viewport=PHONE, accept_downloads=True)
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

        def check(name: str) -> None:
            assert_accessible(page)
            for size in ("phone", "desktop"):
                width, height = SIZES[size]
                page.set_viewport_size({"width": width, "height": height})
                page.screenshot(path=str(shots / f"{db}-portal-{name}-{size}.png"), full_page=True)
            page.set_viewport_size(PHONE)

        page.goto(f"{base}/portal")
        check("start")
        page.fill("#email", "ann@example.org")
        page.click("button[type=submit]")
        wait_until(page, "document.querySelector('h1') && document.querySelector('h1').textContent.includes('Check')")
        check("sent")
        link = _link(smtp, "ann@example.org", 1)
        page.goto(link)
        check("link")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/portal/learners/{ann}")
        assert "Build a pivot table of the stock take" in page.content()
        check("learner")
        page.click("#target-" + TARGET + " li:nth-child(2) button[type=submit]")
        page.wait_for_url(re.compile(r".*saved=tick.*"))
        assert page.locator("s", has_text="Watch the pivot video").count() == 1
        assert "Ticked off by Ann Archer (learner)" in page.content()
        check("ticked")
        with page.expect_download() as download:
            page.click("a[href$='.pdf']")
        saved = shots / f"{db}-portal-learner-copy.pdf"
        download.value.save_as(saved)
        assert PdfReader(saved).metadata.subject == "Learner copy"  # their own copy, not the provider's

        again = context.new_page()
        again.goto(link)  # the same link a second time
        assert "already been used" in again.locator("#reason").inner_text()
        page_before = page
        page = again
        check("used-twice")
        page = page_before

        stale = context.new_page()
        stale.goto(f"{base}/portal")
        stale.fill("#email", "ann@example.org")
        stale.click("button[type=submit]")
        late = _link(smtp, "ann@example.org", 2)
        with transaction(setup.factory) as session:
            session.execute(update(PortalLink).where(PortalLink.used_at.is_(None)).values(expires_at=utcnow()))
        stale.goto(late)
        assert "expired" in stale.locator("#reason").inner_text()

        employer = chromium.new_context(viewport=PHONE).new_page()
        employer.goto(f"{base}/portal")
        employer.fill("#email", "pat@acme.example.org")
        employer.click("button[type=submit]")
        employer.goto(_link(smtp, "pat@acme.example.org", 1))
        employer.click("button[type=submit]")
        employer.wait_for_url(f"{base}/portal/home")
        page = employer
        check("employer-home")
        employer.click(f"a[href='/portal/learners/{ann}']")
        employer.fill("#feedback", "A good month: <b>ran</b> the stock take alone")
        employer.click("form[action$='/feedback'] button[type=submit]")
        employer.wait_for_url(re.compile(r".*saved=feedback.*"))
        assert "<b>ran</b>" in employer.locator("main").inner_text()  # shown as text
        check("employer-learner")
        response = employer.goto(f"{base}/portal/learners/{ben}")
        assert response is not None and response.status == 403
        other = employer.content()
        check("employer-403")
        unknown = employer.goto(f"{base}/portal/learners/00000000-0000-4000-8000-000000000999")
        assert unknown is not None and unknown.status == 403 and employer.content() == other
        assert dialogs == []

        # The assessor's next sync: both reach the laptop and show in the wizard.
        assert alice.sync().rejected == 0
        with alice.store.read() as session:
            notes = session.scalars(select(PortalNote)).all()
            assert {n.kind for n in notes} == {"action_done", "feedback"}
            note_id = notes[0].id
        with pytest.raises(StoreError), alice.store.write() as session:  # theirs: read-only on the laptop
            session.get(PortalNote, note_id).text = "changed on the laptop"
        draft = reviews.start_draft(alice.store, ann, TEMPLATE, DEMO_TODAY)
        wizard = ReviewWizard(alice.store, draft)
        qtbot.addWidget(wizard)
        wizard.show()
        qtbot.waitExposed(wizard)
        for section, expected in (("previous_targets", "“Watch the pivot video”"),
                                  ("employer", "Pat Boss, Acme Ltd (employer)")):
            wizard.go_to(wizard.section_index(section))
            label = wizard.findChild(type(wizard.status_label), f"portalNotes_{section}")
            assert label is not None and label.isVisible(), section
            assert expected in label.text() and re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", label.text())
            wizard.grab().save(str(shots / f"{db}-portal-wizard-{section}.png"))
        wizard.close()
    finally:
        alice.close()
        server.stop()
        smtp.stop()
        setup.close()
