"""The office web app in a real browser: Playwright driving Debian's Chromium against `reviewapp-server serve` as a
real process, on SQLite and PostgreSQL. Sign in, the learners list, a learner, another caseload's learner (403), a
form without its CSRF token (403), a learner named as a script (shown as text: the test fails if a dialog opens),
sign out. axe-core (vendored, tests/web/vendor) runs on every page: no serious or critical violation. Screenshots
at 1366x768 and 390x844 go to $REVIEWAPP_WEB_SCREENSHOTS (default: the test's temporary directory).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server_testkit import PASSWORD, Server, serve_process
from web_kit import put_in_team

AXE = Path(__file__).resolve().parents[1] / "web" / "vendor" / "axe-core" / "axe.min.js"
SIZES = {"desktop": (1366, 768), "phone": (390, 844)}
XSS_NAME = "<script>alert(1)</script>"


@pytest.fixture
def chromium() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = shutil.which("chromium")
    if executable is None:
        message = "Debian's chromium is not installed (scripts/system-deps.sh test installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def office(database_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A real server process with alice and bob (team North, managed by meg), carol (team South), and learners."""
    setup = Server(database_url)
    for name in ("alice", "bob", "carol"):
        setup.add_user(name)
    setup.add_user("meg", role="manager")
    put_in_team(setup, "North", "alice", "bob", "meg")
    put_in_team(setup, "South", "carol")
    learners = {
        "Ann": setup.add_learner("alice", first_name="Ann", last_name="Archer"),
        "xss": setup.add_learner("alice", first_name=XSS_NAME, last_name="Smith"),
        "Ben": setup.add_learner("bob", first_name="Ben", last_name="Baker"),
        "Cat": setup.add_learner("carol", first_name="Cat", last_name="Carter"),
    }
    setup.close()
    with serve_process(database_url) as base:
        yield {"base": base, "learners": learners}


def _screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("REVIEWAPP_WEB_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def assert_accessible(page: Any) -> None:
    """axe-core's whole rule set on the page as it stands: no serious or critical violation. Evaluated through the
    DevTools protocol, since the pages' Content-Security-Policy (rightly) refuses a script tag injected inline."""
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
           if v["impact"] in ("serious", "critical")]
    assert not bad, f"{page.url}: {bad}"


def watch(page: Any) -> tuple[list[str], list[str]]:
    """(dialogs, problems) of `page` from now on: a dialog opened (dismissed: a script the page was made to run),
    and a console error other than a failed load (a refused script or stylesheet: the Content-Security-Policy) or
    an uncaught page error. The test asserts both stay empty."""
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return dialogs, problems


def check_and_photograph(page: Any, shots: Path, name: str) -> None:
    """The page as it stands is accessible (axe), and photographed at both SIZES as `<name>-<size>.png`; then back
    at the desktop size."""
    assert_accessible(page)
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(shots / f"{name}-{size}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})


def wait_until(page: Any, expression: str, timeout: float = 15.0) -> None:
    """Poll a JavaScript expression until it is true. Not page.wait_for_function: that evaluates its predicate with
    the page's eval(), which the pages' Content-Security-Policy (script-src 'self', no 'unsafe-eval') refuses on
    some Chromium builds; page.evaluate goes through the DevTools protocol, which CSP does not govern."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(f"Boolean({expression})"):
        if time.monotonic() > deadline:
            raise AssertionError(f"{page.url}: still false after {timeout:.0f} s: {expression}")
        time.sleep(0.05)


def test_office_web_app_in_a_real_browser(chromium: Any, office: dict[str, Any], tmp_path: Path,
                                          database_url: str) -> None:
    base, learners = office["base"], office["learners"]
    shots = _screenshots(tmp_path)
    db = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    dialogs, problems = watch(page)  # a refused script or stylesheet (the Content-Security-Policy), a page error
    refused: list[tuple[int, str]] = []  # every answer of 400 or more: only those the test asks for
    page.on("response", lambda response: refused.append((response.status, response.url.removeprefix(base)))
            if response.status >= 400 else None)
    seen: list[str] = []

    def check(name: str) -> None:
        """Accessible, and photographed at both sizes."""
        check_and_photograph(page, shots, f"{db}-{name}")
        seen.append(name)

    # Not signed in: the sign-in form, then back to the page asked for.
    page.goto(f"{base}/learners")
    assert "/sign-in" in page.url and page.title().startswith("Sign in")
    check("sign-in")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    assert "The username or password is not right" in page.text_content("main")
    check("sign-in-error")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    assert page.url == f"{base}/learners"
    cookie = next(c for c in context.cookies() if c["name"] == "reviewapp_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    # The list: alice's own learners, the script-named one as text.
    rows = page.locator("tbody tr")
    assert rows.count() == 2
    assert page.get_by_text(f"{XSS_NAME} Smith", exact=True).count() == 1
    assert "Ben Baker" not in page.text_content("main")
    check("learners")

    page.click("text=Ann Archer")
    assert page.url == f"{base}/learners/{learners['Ann']}"
    assert "Ann Archer" in page.text_content("h1")
    check("learner")
    page.goto(f"{base}/learners/{learners['xss']}")
    assert page.text_content("h1") == f"{XSS_NAME} Smith"

    # Another caseload's learner, and an unknown id: the same 403 page.
    other = page.goto(f"{base}/learners/{learners['Ben']}")
    assert other is not None and other.status == 403
    other_text = page.text_content("main")
    unknown = page.goto(f"{base}/learners/not-a-learner")
    assert unknown is not None and unknown.status == 403 and page.text_content("main") == other_text
    check("forbidden")

    # A form sent without its CSRF token is refused, and the session is untouched.
    page.goto(f"{base}/learners")
    page.evaluate("document.querySelector('form[action=\"/sign-out\"] input[name=csrf_token]').remove()")
    with page.expect_navigation():
        page.click("text=Sign out")
    assert "did not come from this site" in page.text_content("main")
    assert page.goto(f"{base}/learners").url == f"{base}/learners"

    # Sign out: back to the form, and the pages ask for a sign-in again.
    page.click("text=Sign out")
    page.wait_for_url(f"{base}/sign-in")
    page.goto(f"{base}/learners")
    assert "/sign-in" in page.url

    # A manager sees their team's caseloads, not another team's.
    page.fill("input[name=username]", "meg")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    main = page.text_content("main") or ""
    assert "Ann Archer" in main and "Ben Baker" in main and "Cat Carter" not in main
    check("learners-manager")

    assert not dialogs, f"a dialog opened: {dialogs}"
    assert not problems, problems
    assert refused == [(401, "/sign-in?next=/learners"), (403, f"/learners/{learners['Ben']}"),
                       (403, "/learners/not-a-learner"), (403, "/sign-out")], refused
    assert seen == ["sign-in", "sign-in-error", "learners", "learner", "forbidden", "learners-manager"]
    context.close()
