"""Administration in a real browser (Chromium against `reviewapp-server serve`): an admin's pages, a form error,
and a caseload upload, its preview and its commit, whose progress page updates itself (htmx) until the import is
complete; the provider settings with a holiday period's form error. axe-core on every page; screenshots at
1366x768 and 390x844 as in test_web_browser.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server_testkit import PASSWORD, Server, serve_process
from test_web_browser import _screenshots, check_and_photograph, chromium, watch  # noqa: F401 (a fixture)
from web_kit import put_in_team

XSS = "<script>alert(1)</script>"
CSV = ("ULN;First name;Surname;Start date;Planned end date;Employer;Assessor;Status\r\n"
       f"9276308686;Sam;Smith;01/09/2025;31/08/2027;Acme Ltd;alice;Active\r\n"
       f"1000000035;{XSS};Lee;01/09/2025;31/08/2027;Acme Ltd;alice;\r\n"
       "1000000019;Bo;Ray;02/09/2025;;Café Bolt;bob;\r\n")


@pytest.fixture
def admin_office(database_url: str) -> Iterator[str]:
    setup = Server(database_url)
    setup.add_user("root", role="admin")
    for name in ("alice", "bob"):
        setup.add_user(name)
    setup.add_user("meg", role="manager")
    put_in_team(setup, "North", "alice", "meg")
    setup.login("alice", device="Alice's laptop", host_name="ALICE-PC", app_version="1.4.2")
    setup.close()
    with serve_process(database_url) as base:
        yield base


def test_administration_and_a_caseload_import_in_a_real_browser(chromium: Any, admin_office: str,  # noqa: F811
                                                                 tmp_path: Path, database_url: str) -> None:
    base = admin_office
    shots = _screenshots(tmp_path)
    db = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    dialogs, problems = watch(page)

    def check(name: str) -> None:
        check_and_photograph(page, shots, f"{db}-admin-{name}")

    page.goto(f"{base}/admin/users")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    assert page.url == f"{base}/admin/users"
    check("users")
    page.fill("#username", "newbie")
    page.fill("#password", "short")
    page.click("text=Add user")
    assert "There is a problem" in (page.text_content("main") or "")
    check("users-error")
    page.click("text=alice")
    assert page.text_content("h1") == "alice"
    check("user")

    page.click("text=Teams and assignments")
    assert "North" in (page.text_content("main") or "")
    check("teams")
    page.click("text=Devices")
    assert "Alice's laptop" in (page.text_content("main") or "") and "ALICE-PC" in (page.text_content("main") or "")
    check("devices")

    page.click("text=Caseload import")
    check("import")
    caseload = tmp_path / "caseload.csv"
    caseload.write_bytes(CSV.encode("cp1252"))
    page.set_input_files("#caseload", str(caseload))
    page.click("text=Upload and preview")
    main = page.text_content("main") or ""
    assert "nothing has been written" in main and "line 3: 1000000035" in main and f"{XSS} Lee" in main
    check("import-preview")
    page.click("text=Commit the import")
    page.wait_for_selector("text=Import complete", timeout=20000)
    assert "3 of 3" in (page.text_content("main") or "")
    check("import-done")
    page.goto(f"{base}/learners")
    assert page.get_by_text(f"{XSS} Lee", exact=True).count() == 1

    page.goto(f"{base}/admin/users")
    page.click("text=Provider settings")
    check("settings")
    page.fill("#start", "31/02/2027")
    page.fill("#end", "03/01/2028")
    page.click("text=Add the holiday period")
    assert "There is a problem" in (page.text_content("main") or "")
    check("settings-error")
    page.fill("#start", "20/12/2027")
    page.fill("#end", "03/01/2028")
    page.fill("#holiday_name", XSS)
    page.click("text=Add the holiday period")
    assert page.get_by_role("cell", name=XSS, exact=True).count() == 1
    check("settings-holiday")

    page.click("text=Other files")
    check("files")
    assignments = tmp_path / "assignments.csv"
    assignments.write_text("uln,assessor\n9276308686,bob\n1000000035,nobody\n")
    page.set_input_files("#upload", str(assignments))
    page.click("text=Upload and preview")
    assert "committing would write nothing" in (page.text_content("main") or "")
    check("files-bad-rows")
    page.goto(f"{base}/admin/files/assignments")
    assignments.write_text("uln,assessor\n9276308686,bob\n")
    page.set_input_files("#upload", str(assignments))
    page.click("text=Upload and preview")
    assert "1 learner(s) would be assigned" in (page.text_content("main") or "")
    check("files-preview")
    page.click("button:text-is('Commit')")
    assert "1 learner(s) assigned" in (page.text_content("main") or "")
    check("files-done")

    assert not dialogs, dialogs
    assert not problems, problems
    context.close()
