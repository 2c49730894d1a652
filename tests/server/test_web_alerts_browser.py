"""/alerts in a real browser (Playwright driving Debian's Chromium against `reviewapp-server serve`, SQLite and
PostgreSQL): alice's alerts, a learner named as a script shown as text, the filter by kind, dismissing with the
reason left empty (the error summary, focus on it) and then given, the dismissed alert gone but in the log, another
caseload's alert refused as an unknown one, and a manager's view of their team. axe-core on every page; screenshots
at 1366x768 and 390x844 in $REVIEWAPP_WEB_SCREENSHOTS (default: the test's temporary directory)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alert_kit import held_review, store
from server_testkit import PASSWORD, Server, serve_process
from test_web_browser import (  # noqa: F401
    XSS_NAME,
    _screenshots,
    check_and_photograph,
    chromium,
    wait_until,
    watch,
)
from web_kit import put_in_team

from reviewapp.core.dates import london_today


@pytest.fixture
def office(database_url: str) -> Iterator[dict[str, Any]]:
    setup = Server(database_url)
    for name in ("alice", "bob"):
        setup.add_user(name)
    setup.add_user("meg", role="manager")
    put_in_team(setup, "North", "alice", "meg")
    put_in_team(setup, "South", "bob")
    today = london_today()
    year_ago = (today - dt.timedelta(days=365)).isoformat()
    learners = {
        "Nia": setup.add_learner("alice", first_name="Nia", last_name="New", start_date=year_ago),
        "xss": setup.add_learner("alice", first_name=XSS_NAME, last_name="Red", start_date=year_ago),
        "Ben": setup.add_learner("bob", first_name="Ben", last_name="Baker", start_date=year_ago),
    }
    store(setup, ("review", held_review(learners["xss"], today - dt.timedelta(days=10), welfare="red")),
          ("review", held_review(learners["Ben"], today - dt.timedelta(days=10), progress="amber", assessor="bob")))
    setup.close()
    with serve_process(database_url) as base:
        yield {"base": base, "learners": learners}


def test_alerts_in_a_real_browser(chromium: Any, office: dict[str, Any], tmp_path: Path,  # noqa: F811
                                  database_url: str) -> None:
    base, learners = office["base"], office["learners"]
    shots = _screenshots(tmp_path)
    db = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    dialogs, problems = watch(page)

    def check(name: str) -> None:
        check_and_photograph(page, shots, f"{db}-alerts-{name}")

    def sign_in(username: str) -> None:
        page.goto(f"{base}/alerts")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        assert page.url == f"{base}/alerts"

    sign_in("alice")
    rows = page.locator("tbody tr")
    assert rows.count() == 3  # Nia: overdue and no first review; the script-named learner: welfare Red
    main = page.text_content("main") or ""
    assert f"{XSS_NAME} Red" in main and "Ben Baker" not in main and "Urgent" in main
    page.click("a.govuk-service-navigation__link[href='/alerts']")
    assert page.locator("a[aria-current='true']").text_content() == "Alerts"
    check("list")

    # The filter by kind, from the keyboard.
    page.focus("#kind")
    page.select_option("#kind", "rating")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/alerts?kind=rating")
    assert rows.count() == 1 and "Red or Amber rating" in (page.text_content("caption") or "")
    check("filtered")

    # Dismiss: a reason is required.
    page.click("tbody a:has-text('Dismiss')")
    assert page.url.startswith(f"{base}/alerts/dismiss?")
    assert XSS_NAME in (page.text_content(".govuk-caption-l") or "")
    check("dismiss")
    page.click("button:has-text('Dismiss the alert')")
    wait_until(page, "document.querySelector('.govuk-error-summary')")
    assert "Enter why you are dismissing this alert" in (page.text_content(".govuk-error-summary") or "")
    assert page.title().startswith("Error:")
    check("dismiss-error")
    page.click(".govuk-error-summary a[href='#reason']")
    wait_until(page, "document.activeElement && document.activeElement.id === 'reason'")
    page.keyboard.type("Welfare plan agreed with the employer")
    page.click("button:has-text('Dismiss the alert')")
    page.wait_for_url(f"{base}/alerts?dismissed=1")
    assert rows.count() == 2 and "The alert is dismissed" in (page.text_content("main") or "")
    check("dismissed")
    page.click("text=log of dismissals")
    page.wait_for_url(f"{base}/alerts/dismissed")
    assert "Welfare plan agreed with the employer" in (page.text_content("tbody") or "")
    check("log")

    # Another caseload's alert, and an unknown one: the same 403 page.
    key = f"rating:{(london_today() - dt.timedelta(days=10)).isoformat()}"
    theirs = page.goto(f"{base}/alerts/dismiss?learner={learners['Ben']}&key={key}")
    assert theirs is not None and theirs.status == 403
    theirs_text = page.text_content("main")
    unknown = page.goto(f"{base}/alerts/dismiss?learner=not-a-learner&key={key}")
    assert unknown is not None and unknown.status == 403 and page.text_content("main") == theirs_text
    check("forbidden")

    # The manager: their team's alerts (the dismissed one hidden), with the assessor named.
    page.click("text=Sign out")
    page.wait_for_url(f"{base}/sign-in")
    sign_in("meg")
    main = page.text_content("main") or ""
    assert rows.count() == 2 and "Ben Baker" not in main and "alice" in main
    check("manager")
    assert dialogs == [] and problems == []
