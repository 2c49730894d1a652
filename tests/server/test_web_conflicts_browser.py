"""/conflicts in a real browser (Playwright driving Debian's Chromium against `reviewapp-server serve`, SQLite and
PostgreSQL): alice's open conflict reached from the count on her learners page and the navigation, a learner named
as a script and an answer written as one shown as text, another assessor's conflict absent, then resolved (as the
laptop's resolution marks it) and shown under "Resolved". axe-core on every page; screenshots at 1366x768 and
390x844 in $REVIEWAPP_WEB_SCREENSHOTS (default: the test's temporary directory)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server_testkit import PASSWORD, Server, serve_process
from test_web_browser import (  # noqa: F401
    XSS_NAME,
    _screenshots,
    check_and_photograph,
    chromium,
    wait_until,
    watch,
)
from test_web_conflicts import _conflict
from web_kit import put_in_team

from sync.server.db import transaction
from sync.server.models import Conflict


@pytest.fixture
def office(database_url: str) -> Iterator[dict[str, Any]]:
    setup = Server(database_url)
    for name in ("alice", "bob"):
        setup.add_user(name)
    put_in_team(setup, "North", "alice")
    put_in_team(setup, "South", "bob")
    xss = setup.add_learner("alice", first_name=XSS_NAME, last_name="Red")
    ben = setup.add_learner("bob", first_name="Ben", last_name="Baker")
    ids = {
        "alice": _conflict(setup, setup.login("alice", device="Alice's ThinkPad"), xss,
                           {"progress_summary": "Finished the wiring unit"}, {"progress_summary": XSS_NAME}),
        "bob": _conflict(setup, setup.login("bob", device="Bob's laptop"), ben,
                         {"progress_rag": "amber"}, {"progress_rag": "red"}),
    }
    with serve_process(database_url) as base:
        yield {"base": base, "ids": ids, "setup": setup}
    setup.close()


def test_conflicts_in_a_real_browser(chromium: Any, office: dict[str, Any], tmp_path: Path,  # noqa: F811
                                     database_url: str) -> None:
    base, ids = office["base"], office["ids"]
    shots = _screenshots(tmp_path)
    db = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    dialogs, problems = watch(page)

    page.goto(f"{base}/learners")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    assert page.url == f"{base}/learners"
    banner = page.locator("[data-open-conflicts]")
    assert banner.get_attribute("data-open-conflicts") == "1" and "1 sync conflict waiting" in banner.inner_text()
    check_and_photograph(page, shots, f"{db}-conflicts-home")

    page.click(".govuk-notification-banner a[href='/conflicts']")
    wait_until(page, "document.querySelectorAll('tr[data-conflict-id]').length === 1")
    assert page.locator("a[aria-current='true']").text_content() == "Conflicts"
    row = page.locator(f"tr[data-conflict-id='{ids['alice']}']")
    words = row.inner_text()
    assert f"{XSS_NAME} Red" in words and "What has the learner achieved since the last review?" in words
    assert "Finished the wiring unit" in words and XSS_NAME in words and "Alice's ThinkPad" in words
    assert "Ben Baker" not in (page.text_content("main") or "")
    assert "resolved on the laptop" in (page.text_content("main") or "")
    check_and_photograph(page, shots, f"{db}-conflicts-open")

    with transaction(office["setup"].factory) as session:
        found = session.get(Conflict, ids["alice"])
        assert found is not None
        found.resolved_at = dt.datetime(2026, 12, 1, 14, 5, tzinfo=dt.UTC)
    page.reload()
    wait_until(page, "document.body.innerText.includes('There are no open conflicts.')")
    assert page.locator("tr[data-conflict-id]").count() == 1 and "01/12/2026 14:05" in page.inner_text("main")
    check_and_photograph(page, shots, f"{db}-conflicts-resolved")
    page.click("a.govuk-service-navigation__link[href='/learners']")
    assert page.locator("[data-open-conflicts]").count() == 0
    assert dialogs == [] and problems == []
    context.close()
