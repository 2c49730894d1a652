"""The learner page's "Archived signed copy (PDF/A)" link in a real browser (Debian's Chromium by Playwright,
against `reviewapp-server serve`): a manager follows it and gets the signed copy as a download; axe-core on the page;
screenshots at 1366x768 and 390x844 in $REVIEWAPP_WEB_SCREENSHOTS (default: the test's temporary directory)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server_testkit import PASSWORD, Server, serve_process
from test_archive import pdfsig, signing_folder  # noqa: F401
from test_web_browser import SIZES, XSS_NAME, _screenshots, assert_accessible, chromium  # noqa: F401
from test_web_review_pages import push_review
from web_kit import put_in_team

from sync.server.archive.copies import archive_pending


@pytest.fixture
def office(database_url: str, signing_folder: Path) -> Iterator[dict[str, Any]]:  # noqa: F811
    setup = Server(database_url)
    setup.add_user("alice")
    setup.add_user("meg", role="manager")
    put_in_team(setup, "North", "alice", "meg")
    learner = setup.add_learner("alice", first_name=XSS_NAME, last_name="Ødegård", planned_end_date="2027-03-31")
    archived = push_review(setup, "alice", learner, visit_date="2025-10-23")
    with setup.factory() as session:
        assert archive_pending(session).archived == [archived]
    later = push_review(setup, "alice", learner)  # not archived yet: no link
    setup.close()
    with serve_process(database_url) as base:
        yield {"base": base, "learner": learner, "archived": archived, "later": later}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_manager_downloads_the_archived_copy_from_the_learner_page(chromium: Any, office: dict[str, Any],  # noqa: F811
                                                                     tmp_path: Path) -> None:
    base = office["base"]
    shots = _screenshots(tmp_path)
    context = chromium.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{base}/sign-in")
    page.fill("input[name=username]", "meg")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/learners")
    page.goto(f"{base}/learners/{office['learner']}")
    link = page.locator(f"a[href='/reviews/{office['archived']}/archived.pdf']")
    assert link.count() == 1 and "Archived signed copy (PDF/A)" in (link.text_content() or "")
    assert "of the review of 23/10/2025" in (link.text_content() or "")  # told apart for a screen reader
    assert page.locator(f"a[href='/reviews/{office['later']}/archived.pdf']").count() == 0
    assert f"{XSS_NAME} Ødegård" in (page.text_content("h1") or "")
    assert_accessible(page)
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(150)
        page.screenshot(path=str(shots / f"archive-learner-page-{size}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    with page.expect_download() as download_info:
        link.click()
    saved = tmp_path / "downloaded.pdf"
    download_info.value.save_as(saved)
    assert download_info.value.suggested_filename.endswith("archived signed copy.pdf")
    assert "Signature Validation: Signature is Valid." in pdfsig(saved)
    assert not dialogs
    context.close()
