"""The quality sample form and the samples list in a real browser (Chromium, axe-core), against a real server
process: the form as a quality lead sees it, its error summary, the list after recording; each accessible (no serious
or critical axe violation) and photographed at 1366x768 and 390x844 (to $REVIEWAPP_WEB_SCREENSHOTS, default the
test's temporary directory). A learner named as a script is shown as text (the test fails if a dialog opens)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server_testkit import PASSWORD, Server, serve_process
from test_web_browser import XSS_NAME, _screenshots, check_and_photograph, chromium, watch
from test_web_sampling import push_finalised

__all__ = ["chromium"]


@pytest.fixture
def sampled(database_url: str) -> Iterator[dict[str, Any]]:
    """A real server process; alice has finalised a review of a learner named as a script; quinn samples it."""
    setup = Server(database_url)
    setup.add_user("alice")
    setup.add_user("quinn", role="quality_lead")
    learner = setup.add_learner("alice", first_name=XSS_NAME, last_name="Smith")
    review_id = push_finalised(setup, "alice", learner)
    setup.close()
    with serve_process(database_url) as base:
        yield {"base": base, "review_id": review_id}


def test_the_sample_form_in_a_real_browser(chromium: Any, sampled: dict[str, Any], tmp_path: Path,
                                           database_url: str) -> None:
    base, review_id = sampled["base"], sampled["review_id"]
    shots = _screenshots(tmp_path)
    db = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    page = chromium.new_context(viewport={"width": 1366, "height": 768}).new_page()
    dialogs, problems = watch(page)

    def check(name: str) -> None:
        check_and_photograph(page, shots, f"{db}-{name}")

    page.goto(f"{base}/reviews/{review_id}/sample")
    page.fill("input[name=username]", "quinn")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    assert page.url == f"{base}/reviews/{review_id}/sample"
    assert f"{XSS_NAME} Smith" in page.text_content("h1")
    check("sample-form")

    page.click("text=Record the sample")  # nothing answered
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible() and page.title().startswith("Error:")
    assert summary.locator("a").count() == 5  # four questions and the feedback
    summary.locator("a[href='#feedback']").click()
    assert page.evaluate("document.activeElement.id") == "feedback"
    check("sample-form-errors")

    page.check("#targets_smart-partly")
    page.fill("#targets_smart_note", "The second target has no date.")
    page.check("#learning_plan_used")
    page.check("#safety_equality_reinforced")
    page.check("#welfare_followed_up-no")
    page.fill("#feedback", "Good review; put a date on every target and follow up welfare.")
    page.click("text=Record the sample")
    assert page.url == f"{base}/samples?recorded=1"
    assert "The sample is recorded" in page.text_content("main")
    assert page.get_by_text(f"{XSS_NAME} Smith", exact=True).count() == 1
    check("samples")
    assert dialogs == [] and problems == []
