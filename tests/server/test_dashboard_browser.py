"""The dashboard in a real browser (issue 15 items 4, 5): a manager signs in, sees the figures of their team with a
chart and a table for each, follows one to the list behind it, sorts and filters it and downloads the CSV. axe-core
on every page; screenshots at 1366x768 and 390x844 to $REVIEWAPP_WEB_SCREENSHOTS (default: the test's temporary
directory). Playwright drives Debian's Chromium against `reviewapp-server serve` as a real process."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server_testkit import PASSWORD, Server, serve_process
from test_office_figures import _review, build_caseload
from test_web_browser import SIZES, _screenshots, assert_accessible, chromium, wait_until  # noqa: F401 (a fixture)

from sync.server.db import transaction
from sync.server.due_dates import refresh_learners

XSS_NAME = "<script>alert(1)</script>"


@pytest.fixture
def office(database_url: str) -> Iterator[str]:
    setup = Server(database_url)
    build_caseload(setup)
    xss = setup.add_learner("alice", first_name=XSS_NAME, last_name="Smith")
    _review(setup, xss, "2025-11-12", progress="amber")
    with transaction(setup.factory) as session:  # written past the push, so its due dates too
        refresh_learners(session, [xss])
    setup.close()
    with serve_process(database_url) as base:
        yield base


def test_dashboard_drill_down_and_csv_in_a_real_browser(chromium: Any, office: str, tmp_path: Path,  # noqa: F811
                                                        database_url: str) -> None:
    base = office
    shots = _screenshots(tmp_path)
    db = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    context = chromium.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    page = context.new_page()
    dialogs: list[str] = []
    problems: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    def check(name: str) -> None:
        assert_accessible(page)
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, (name, size, wide)
            page.screenshot(path=str(shots / f"{db}-{name}-{size}.png"), full_page=True)
        page.set_viewport_size({"width": 1366, "height": 768})

    page.goto(f"{base}/dashboard?start=2025-11-01&end=2025-11-30")
    page.fill("input[name=username]", "meg")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    assert page.url.startswith(f"{base}/dashboard")
    wait_until(page, "window.Chart && document.querySelectorAll('canvas.office-chart').length === 9 && "
                           "[...document.querySelectorAll('canvas.office-chart')].every(c => window.Chart.getChart(c))")
    main = page.text_content("main") or ""
    # North (meg's): Ann, Amy, the script-named learner and Ben; at risk Amy, Ben and the script-named one.
    assert "Employer at the review" in main and "Learners at risk" in main
    at_risk = page.locator("#figure-learners-at-risk ~ p a.office-figure__value")
    assert (at_risk.text_content() or "").startswith("3")
    check("dashboard")
    # Nothing wider than a phone even before the charts redraw at its width: Chart.js told not to follow the window,
    # each canvas keeps the desktop card's width it was drawn at (which made the phone page 483px wide until
    # Chart.js's resize observer ran), and only the page's own styles keep it inside its card.
    page.evaluate("() => document.querySelectorAll('canvas.office-chart').forEach((canvas) => {"
                  " const chart = window.Chart.getChart(canvas); chart.options.responsive = false; chart.update(); })")
    page.set_viewport_size({"width": SIZES["phone"][0], "height": SIZES["phone"][1]})
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES["phone"][0]
    page.set_viewport_size({"width": 1366, "height": 768})

    at_risk.click()
    page.wait_for_url(f"{base}/figures/learners-at-risk?*")
    names = page.locator("tbody tr td:first-child").all_text_contents()
    assert sorted(names) == sorted(["Amy Smith", "Ben Smith", f"{XSS_NAME} Smith"])
    check("figure-list")
    page.click("thead >> text=Progress")
    page.wait_for_url("**sort=progress_rag**")
    page.select_option("#filter-status", "active")
    page.fill("#filter-employer", "acme")
    page.click("text=Apply filters")
    page.wait_for_url("**employer=acme**")
    # Acme's active learners at risk, by progress: Amber before Red.
    assert page.locator("tbody tr td:first-child").all_text_contents() == [f"{XSS_NAME} Smith", "Ben Smith"]
    check("figure-list-filtered")

    with page.expect_download() as download:
        page.click("text=Download the whole list as CSV")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert [(row["Learner"], row["Progress"], row["Employer"]) for row in rows] == [
        (f"{XSS_NAME} Smith", "Amber", "Acme Ltd"), ("Ben Smith", "Red", "Acme Ltd")]

    assert not dialogs, dialogs
    assert not problems, problems
    context.close()
