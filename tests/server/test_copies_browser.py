"""The two figures of issue 15 item 4 added last, in a real browser: "Copies shared" and "Learning plans amended at
reviews" on the dashboard, each with its chart and table, and the list behind "Copies shared" with the reviews
without both copies first. axe-core on each page; screenshots at 1366x768 and 390x844 to
$REVIEWAPP_WEB_SCREENSHOTS (default: the test's temporary directory)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server_testkit import PASSWORD, Server, serve_process
from test_copies_figures import _held_review, _planned, deliver
from test_office_figures import build_caseload
from test_web_browser import _screenshots, check_and_photograph, chromium, wait_until  # noqa: F401 (a fixture)


@pytest.fixture
def office(database_url: str) -> Iterator[str]:
    setup = Server(database_url)
    built = build_caseload(setup)
    ann_nov = _held_review(setup, built["ann"], "2025-11-20")
    deliver(setup, ann_nov, built["ann"], "learner")
    deliver(setup, ann_nov, built["ann"], "employer", "saved")
    amy_nov = _held_review(setup, built["amy"], "2025-11-10")
    deliver(setup, amy_nov, built["amy"], "learner")
    pam = setup.add_learner("alice", first_name="Pam")
    _planned(setup, pam, "2025-10-15", {"a": {"progress": 10, "comment": ""}})
    _planned(setup, pam, "2025-11-15", {"a": {"progress": 40, "comment": "Unit 2 evidenced"}})
    setup.close()
    with serve_process(database_url) as base:
        yield base


def test_the_copies_and_plans_figures_in_a_real_browser(chromium: Any, office: str, tmp_path: Path,  # noqa: F811
                                                        database_url: str) -> None:
    base = office
    shots = _screenshots(tmp_path)
    db = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    page = chromium.new_context(viewport={"width": 1366, "height": 768}).new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    def check(name: str) -> None:
        check_and_photograph(page, shots, f"{db}-{name}")

    page.goto(f"{base}/dashboard?start=2025-11-01&end=2025-11-30")
    page.fill("input[name=username]", "quinn")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    assert page.url.startswith(f"{base}/dashboard")
    chart = "document.querySelector('[aria-labelledby=figure-copies-shared] canvas.office-chart')"
    wait_until(page, f"window.Chart && {chart} !== null && window.Chart.getChart({chart}) !== undefined")
    # Ann's 20/11 of 7 reviews held in November (Pam's too): 1 of 7; plans: Pam's amended, the rest record none.
    copies = page.locator("#figure-copies-shared ~ p a.office-figure__value")
    assert (copies.text_content() or "").strip().startswith("14.3%")
    plans = page.locator("#figure-plans-amended ~ p a.office-figure__value")
    assert (plans.text_content() or "").strip().startswith("14.3%")
    check("dashboard-copies")

    copies.click()
    page.wait_for_url(f"{base}/figures/copies-shared?*")
    rows = page.locator("tbody tr")
    assert rows.count() == 7
    assert "Ann Smith" in (rows.nth(6).text_content() or "")  # the one shared comes last
    assert "No" in (rows.nth(0).text_content() or "")
    check("figure-copies-shared")
    assert problems == []
