"""The case pages in a real browser (Chromium, axe-core) against a real server process: the designated safeguarding
lead signs in, opens the case from the list, acknowledges it, records an action (meeting the error summary first);
each page accessible and photographed at 1366x768 and 390x844 (to $REVIEWAPP_WEB_SCREENSHOTS, default the test's
temporary directory). A learner named as a script is shown as text (the test fails if a dialog opens). A manager
sees counts per team, and the 403 page for the case's URL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server_testkit import PASSWORD, Server, change, serve_process
from test_cases import DISCLOSURE, draft, referral
from test_web_browser import XSS_NAME, _screenshots, check_and_photograph, chromium, watch
from web_kit import put_in_team

__all__ = ["chromium"]


@pytest.fixture
def raised(database_url: str) -> Iterator[dict[str, Any]]:
    """A real server process; alice's draft of a learner named as a script refers them to the DSL."""
    setup = Server(database_url)
    setup.add_user("alice")
    setup.add_user("dee", role="safeguarding_lead")
    setup.add_user("meg", role="manager")
    put_in_team(setup, "North", "alice", "meg")
    learner = setup.add_learner("alice", first_name=XSS_NAME, last_name="Smith")
    [result] = setup.push(setup.login("alice"), change("review", "create", None,
                                                      draft(learner, refer_safeguarding=referral(), welfare_rag="red"),
                                                      made_at="2026-12-01T09:41:00+00:00"))
    assert result["status"] == "applied"
    setup.close()
    with serve_process(database_url) as base:
        yield {"base": base}


def test_the_dsl_acknowledges_a_case_in_a_real_browser(chromium: Any, raised: dict[str, Any], tmp_path: Path,
                                                       database_url: str) -> None:
    base = raised["base"]
    shots = _screenshots(tmp_path)
    db = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    dialogs, problems = watch(page)

    def check(name: str) -> None:
        check_and_photograph(page, shots, f"{db}-{name}")

    page.goto(f"{base}/")
    page.fill("input[name=username]", "dee")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    assert page.url == f"{base}/cases"
    assert "Urgent" in page.text_content("table") and "Waiting to be acknowledged" in page.text_content("table")
    check("cases")

    page.get_by_role("link", name=f"{XSS_NAME} Smith").click()
    assert "/cases/" in page.url and XSS_NAME in page.text_content("h1")
    assert DISCLOSURE in page.text_content("main") and "01/12/2026 09:41" in page.text_content("main")
    check("case")

    page.click("#acknowledge")
    assert "recorded=acknowledged" in page.url
    assert "Recorded: acknowledged" in page.text_content("main")
    assert page.locator("#acknowledge").count() == 0
    check("case-acknowledged")

    page.check("#kind-action")
    page.get_by_role("button", name="Record", exact=True).click()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible() and page.title().startswith("Error:")
    summary.locator("a[href='#text']").click()
    assert page.evaluate("document.activeElement.id") == "text"
    check("case-errors")
    page.fill("#text", "Spoke to the learner; agreed a call tomorrow.")
    page.get_by_role("button", name="Record", exact=True).click()
    assert "recorded=action" in page.url and "agreed a call tomorrow" in page.text_content("main")
    assert dialogs == [] and problems == []
    case_url = page.url.split("?")[0]
    context.close()

    manager = chromium.new_context(viewport={"width": 1366, "height": 768}).new_page()
    manager.goto(f"{base}/cases")
    manager.fill("input[name=username]", "meg")
    manager.fill("input[name=password]", PASSWORD)
    manager.click("button[type=submit]")
    assert "Open cases by team" in manager.text_content("main") and DISCLOSURE not in manager.content()
    page = manager
    check("cases-manager")
    response = manager.goto(case_url)
    assert response is not None and response.status == 403 and DISCLOSURE not in manager.content()
    check("case-manager-403")
