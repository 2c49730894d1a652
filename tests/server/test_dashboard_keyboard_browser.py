"""The dashboard and a figure's list by keyboard alone (issue 15): Tab to a figure's link, Enter; Tab to a column's
sort link, Enter. Playwright drives Debian's Chromium against a real server process; axe-core and screenshots at
1366x768 and 390x844 (to $REVIEWAPP_WEB_SCREENSHOTS, default the test's temporary directory)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from server_testkit import PASSWORD
from test_dashboard_browser import office  # noqa: F401 (a fixture)
from test_web_browser import SIZES, _screenshots, assert_accessible, chromium  # noqa: F401 (a fixture)


def _tab_to(page: Any, selector: str, text: str = "", most: int = 200) -> int:
    """Press Tab until an element matching `selector` (and containing `text`) has the focus; how many presses."""
    for presses in range(1, most + 1):
        page.keyboard.press("Tab")
        if page.evaluate("([s, t]) => { const e = document.activeElement; "
                         "return !!e && e.matches(s) && e.textContent.includes(t); }", [selector, text]):
            return presses
    raise AssertionError(f"Tab never reached {selector}")


def test_the_dashboard_and_a_list_by_keyboard_alone(chromium: Any, office: str, tmp_path: Path,  # noqa: F811
                                                   database_url: str) -> None:
    base = office
    shots = _screenshots(tmp_path)
    db = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(f"{base}/dashboard?start=2025-11-01&end=2025-11-30")
    page.fill("input[name=username]", "meg")
    page.fill("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/dashboard*")
    assert page.locator("#sampled-heading").is_visible()
    assert_accessible(page)
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(shots / f"{db}-keyboard-dashboard-{size}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})

    _tab_to(page, "#figure-learners-at-risk ~ p a.office-figure__value")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/figures/learners-at-risk?*")
    _tab_to(page, "thead a", "Progress")
    page.keyboard.press("Enter")
    page.wait_for_url("**sort=progress_rag**")
    assert page.locator("tbody tr").count() == 3
    assert_accessible(page)
    page.screenshot(path=str(shots / f"{db}-keyboard-list-desktop.png"), full_page=True)
    context.close()
