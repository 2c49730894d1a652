"""A scanned copy verifies, in a real browser (issue 17 item 4): the provider copy the office downloads from
`reviewapp-server serve` (a real process) carries a QR code that zbarimg reads from its page rendered by pdftoppm;
the code is the server's public address, and opening it in Chromium (Playwright) says "Genuine copy", with its date,
initials and copy. An altered fingerprint and an unknown id say so. axe-core on each page; screenshots at 1366x768 and
390x844 in $REVIEWAPP_WEB_SCREENSHOTS (default: the test's temporary directory)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from server_testkit import PASSWORD, Server, serve_process
from test_web_browser import SIZES, _screenshots, assert_accessible, chromium  # noqa: F401
from test_web_review_pages import push_review
from web_kit import sign_in

from reviewapp.reports.verify_cli import qr_references
from sync.server.db import new_id, transaction
from sync.server.provider_settings import set_public_address

pytestmark = pytest.mark.skipif(not shutil.which("zbarimg") or not shutil.which("pdftoppm"),
                                reason="needs zbar-tools and poppler-utils (scripts/system-deps.sh)")


@pytest.fixture
def office(database_url: str) -> Iterator[dict[str, Any]]:
    setup = Server(database_url)
    setup.add_user("alice")
    setup.add_user("root", role="admin")
    learner = setup.add_learner("alice", first_name="Zoë", last_name="Ødegård")
    review = push_review(setup, "alice", learner)
    with serve_process(database_url) as base:
        with transaction(setup.factory) as session:
            set_public_address(session, base, "test")  # the address copies are checked at: this server's
        setup.close()
        yield {"base": base, "review": review}


def test_a_scanned_copy_verifies_in_the_browser(chromium: Any, office: dict[str, Any],  # noqa: F811
                                                tmp_path: Path, database_url: str) -> None:
    base, review = office["base"], office["review"]
    with httpx.Client(base_url=base) as client:
        assert sign_in(client, "alice").status_code == 303
        copy = client.get(f"/reviews/{review}.pdf")
    assert copy.status_code == 200
    (tmp_path / "copy.pdf").write_bytes(copy.content)
    [scanned] = qr_references(tmp_path / "copy.pdf")
    assert scanned.url is not None and scanned.url.startswith(f"{base}/verify/{review}?h=")

    shots = _screenshots(tmp_path)
    db = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    tampered = scanned.fingerprint[:-1] + ("0" if scanned.fingerprint[-1] != "0" else "1")
    pages = {"genuine": scanned.url, "altered": f"{base}/verify/{review}?h={tampered}",
             "unknown": f"{base}/verify/{new_id()}?h={scanned.fingerprint}"}
    expected = {"genuine": ["Genuine copy", "20/11/2025", "Z. Ø.", "the provider's copy"],
                "altered": ["This copy does not match", "Altered"],
                "unknown": ["This copy is not known", "Unknown"]}
    for size, (width, height) in SIZES.items():
        context = chromium.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda message, seen=problems: seen.append(message.text)
                if message.type == "error" else None)
        for name, url in pages.items():
            answer = page.goto(url)
            assert answer is not None and answer.status == 200
            body = page.inner_text("main")
            for words in expected[name]:
                assert words in body, (name, words)
            assert "Zoë" not in body and "Ødegård" not in body  # initials only
            assert_accessible(page)
            page.screenshot(path=str(shots / f"verify-{name}-{size}-{db}.png"), full_page=True)
        page.goto(f"{base}/sign-in?next=/admin/settings")  # where the admin sets the public address
        page.fill("#username", "root")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/admin/settings")
        assert page.input_value("#public_address") == base
        assert_accessible(page)
        page.screenshot(path=str(shots / f"admin-settings-public-address-{size}-{db}.png"), full_page=True)
        assert problems == []
        context.close()
