"""The learner page (with its ratings chart), a review and an assessor's page in a real browser (Debian's Chromium
by Playwright, against `reviewapp-server serve`): axe-core on each, no error or refused script (the chart runs under
the Content-Security-Policy), a learner and an answer named as scripts shown as text, screenshots at 1366x768 and
390x844 in $REVIEWAPP_WEB_SCREENSHOTS (default: the test's temporary directory)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server_testkit import PASSWORD, Server, change, serve_process
from test_web_browser import SIZES, XSS_NAME, _screenshots, assert_accessible, chromium  # noqa: F401
from test_web_review_pages import push_review
from web_kit import put_in_team


@pytest.fixture
def office(database_url: str) -> Iterator[dict[str, Any]]:
    setup = Server(database_url)
    for name in ("alice", "bob"):
        setup.add_user(name)
    put_in_team(setup, "North", "alice", "bob")
    ann = setup.add_learner("alice", first_name="Ann", last_name="Archer", start_date="2025-09-01",
                            planned_end_date="2026-12-31", planned_otj_hours=400.0)
    xss = setup.add_learner("alice", first_name=XSS_NAME, last_name="Smith")
    setup.add_learner("bob", first_name="Ben", last_name="Baker")
    first = push_review(setup, "alice", ann, visit_date="2025-09-25", progress_rag="amber", welfare_rag="red")
    second = push_review(setup, "alice", ann, visit_date="2025-10-23", progress_rag="amber", welfare_rag="amber")
    latest = push_review(setup, "alice", ann)
    xss_review = push_review(setup, "alice", xss, answers={"progress_summary": "<img src=x onerror=alert(2)>"})
    setup.push(
        setup.login("alice"),
        change("plan_item", "create", None, {"learner_id": ann, "code": "K1", "title": "Data protection",
                                              "progress": 70, "starting_value": 40}),
        change("plan_item", "create", None, {"learner_id": ann, "code": "S2", "title": "Spreadsheets",
                                              "progress": 20}),
        change("target", "create", None, {"learner_id": ann, "text": "Finish the GDPR module", "status": "met",
                                           "due_date": "2025-10-20", "set_in_review_id": first,
                                           "followed_up_in_review_id": second, "follow_up_comment": "Done early"}),
        change("target", "create", None, {"learner_id": ann, "text": "Build a pivot table of the stock take",
                                           "due_date": "2026-01-10", "set_in_review_id": latest}),
        change("otj_entry", "create", None, {"learner_id": ann, "date": "2025-09-10", "hours": 7.5,
                                              "activity": "Workshop"}),
    )
    setup.close()
    with serve_process(database_url) as base:
        yield {"base": base, "ann": ann, "xss": xss, "latest": latest, "xss_review": xss_review}


def test_learner_review_and_assessor_pages_in_a_real_browser(chromium: Any, office: dict[str, Any],  # noqa: F811
                                                              tmp_path: Path, database_url: str) -> None:
    base = office["base"]
    shots = _screenshots(tmp_path)
    db = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
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
            page.wait_for_timeout(150)  # the chart redraws at the new width
            page.screenshot(path=str(shots / f"{db}-{name}-{size}.png"), full_page=True)
        page.set_viewport_size({"width": 1366, "height": 768})

    page.goto(f"{base}/sign-in")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/learners")

    page.goto(f"{base}/learners/{office['ann']}")
    page.wait_for_selector("#ratings-chart-panel:not([hidden])")  # drawn by Chart.js under the CSP
    assert page.evaluate("Chart.getChart('ratings-chart').data.datasets[1].data") == [1, 2, 3]
    main = page.text_content("main") or ""
    assert "40% → 70% (+30)" in main and "Done early" in main and "7.5 hours" in main
    check("learner-record")

    page.click(f"a[href='/reviews/{office['latest']}']")
    page.wait_for_url(f"{base}/reviews/{office['latest']}")
    assert "Has taken over the post log" in (page.text_content("main") or "")
    check("review")
    pdf = page.request.get(f"{base}/reviews/{office['latest']}.pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF-")

    page.goto(f"{base}/reviews/{office['xss_review']}")
    assert "<img src=x onerror=alert(2)>" in (page.text_content("main") or "")
    assert f"{XSS_NAME} Smith" in (page.text_content("main") or "")

    page.goto(f"{base}/assessors/alice")
    assert page.locator("[data-figure=learners]").text_content() == "2"
    assert page.locator("[data-team-figure=learners]").text_content() == "3"
    check("assessor")

    assert not dialogs, f"a dialog opened: {dialogs}"
    assert not problems, problems
    context.close()
