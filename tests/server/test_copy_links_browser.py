"""A copy's time-limited link against a real server process (issue 17 item 1): the link e-mailed opens the learner's
copy (a PDF) without signing in; an expired or a changed link shows, in Chromium (Playwright), a page saying why,
checked by axe-core, screenshots at 1366x768 and 390x844 in $REVIEWAPP_WEB_SCREENSHOTS."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from server_testkit import Server, serve_process
from sqlalchemy import select
from test_email_copies import LEARNER, agree, push_review
from test_web_browser import SIZES, _screenshots, assert_accessible, chromium  # noqa: F401

from sync.server.copy_links import make_token, set_copy_delivery
from sync.server.db import transaction
from sync.server.models import MailMessage, utcnow
from sync.server.provider_settings import set_public_address


@pytest.fixture
def office(database_url: str) -> Iterator[dict[str, Any]]:
    setup = Server(database_url)
    setup.add_user("alice")
    learner = setup.add_learner("alice")
    agree(setup, learner)
    with serve_process(database_url) as base:
        with transaction(setup.factory) as session:
            set_public_address(session, base, "test")
            set_copy_delivery(session, "link", 14, "test")
        review, _ = push_review(setup, learner)
        with setup.factory() as session:
            text = session.scalars(select(MailMessage.body_text).where(MailMessage.to_address == LEARNER)).one()
        with transaction(setup.factory) as session:
            expired = make_token(session, review, "learner", utcnow() - dt.timedelta(minutes=1))
        setup.close()
        [link] = re.findall(rf"{re.escape(base)}/copies/\S+", text)
        yield {"base": base, "link": link, "expired": f"{base}/copies/{expired}"}


def test_the_link_opens_the_copy_and_a_stale_or_changed_one_says_why(chromium: Any, office: dict[str, Any],  # noqa: F811
                                                                     tmp_path: Path, database_url: str) -> None:
    copy = httpx.get(office["link"])
    assert copy.status_code == 200 and copy.content[:5] == b"%PDF-"
    shots = _screenshots(tmp_path)
    db = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    pages = {"expired": (office["expired"], "This link has expired"),
             "changed": (office["link"][:-4] + "abcd", "not complete or has been changed")}
    for size, (width, height) in SIZES.items():
        context = chromium.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        for name, (url, words) in pages.items():
            answer = page.goto(url)
            assert answer is not None and answer.status == 403
            assert words in page.inner_text("main")
            assert_accessible(page)
            page.screenshot(path=str(shots / f"copy-link-{name}-{size}-{db}.png"), full_page=True)
        context.close()
