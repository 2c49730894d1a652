"""The office web app's foundation (issue 15 items 1-3), through the real app: sign-in by the form with the API's
own limits and lockout, the session cookie, CSRF on every form, and who sees which learners by role and team.

The browser-level checks (a real Chromium, axe-core, screenshots) are in test_web_browser.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from server_testkit import PASSWORD, Server
from sqlalchemy import delete, func, select, update
from test_server_cli import run
from web_kit import browser, csrf_of, put_in_team, sign_in

from reviewapp.core.caseload import caseload_rows
from sync.server.accounts import find_user, reset_password
from sync.server.db import transaction
from sync.server.models import TeamMember, User, WebSession
from sync.server.web.caseload import visible_learners
from sync.server.web.sessions import COOKIE_NAME


def test_pages_send_a_browser_to_sign_in_and_back(server: Server) -> None:
    server.add_user("alice")
    client = browser(server)
    first = client.get("/learners/abc?x=1", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/sign-in?next=%2Flearners%2Fabc%3Fx%3D1"
    form = client.get(first.headers["location"])
    assert 'name="username"' in form.text and 'name="password"' in form.text
    signed = client.post("/sign-in?next=%2Flearners", data={"username": "alice", "password": PASSWORD,
                                                            "csrf_token": csrf_of(form.text)}, follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/learners"
    cookie = signed.headers["set-cookie"]
    assert f"{COOKIE_NAME}=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain HTTP here; behind TLS it is Secure (next test)
    assert client.get("/learners").status_code == 200
    # An address elsewhere is never a redirect target.
    assert sign_in(client, "alice").headers["location"] == "/learners"


def test_the_cookie_is_secure_over_tls(server: Server) -> None:
    server.add_user("alice")
    client = browser(server)
    client.base_url = "https://testserver"  # type: ignore[assignment]
    assert "Secure" in sign_in(client, "alice").headers["set-cookie"]


def test_a_wrong_password_is_shown_on_the_form_and_counts_towards_the_api_lockout(database_url: str) -> None:
    server = Server(database_url, sign_in_limit_per_account="1000 per minute")
    try:
        server.add_user("alice")
        client = browser(server)
        wrong = sign_in(client, "alice", "not the password")
        assert wrong.status_code == 401 and "The username or password is not right" in wrong.text
        assert COOKIE_NAME not in wrong.headers.get("set-cookie", "")
        for n in range(9):
            sign_in(client, "alice", f"guess {n}")
        # Ten failures through the web form lock the name for the laptops too, right password or not.
        api = server.client.post("/api/v1/auth/token",
                                 json={"username": "alice", "password": PASSWORD, "device_name": "laptop"})
        assert api.status_code == 429 and api.json()["code"] == "account_locked"
        locked = sign_in(client, "alice")
        assert locked.status_code == 429 and "locked" in locked.text and int(locked.headers["Retry-After"]) > 60
    finally:
        server.close()


def test_the_rate_limit_per_account_is_the_apis(database_url: str) -> None:
    server = Server(database_url, sign_in_limit_per_account="2 per minute")
    try:
        server.add_user("alice")
        client = browser(server)
        assert sign_in(client, "alice", "guess one").status_code == 401
        server.client.post("/api/v1/auth/token", json={"username": "alice", "password": "guess two",
                                                       "device_name": "laptop"})
        limited = sign_in(client, "alice")
        assert limited.status_code == 429 and "wait" in limited.text and "Retry-After" in limited.headers
    finally:
        server.close()


def test_every_form_needs_its_csrf_token(server: Server) -> None:
    server.add_user("alice")
    client = browser(server)
    client.get("/sign-in")
    refused = client.post("/sign-in", data={"username": "alice", "password": PASSWORD}, follow_redirects=False)
    assert refused.status_code == 403 and COOKIE_NAME not in refused.headers.get("set-cookie", "")
    forged = client.post("/sign-in", data={"username": "alice", "password": PASSWORD, "csrf_token": "guessed"},
                         follow_redirects=False)
    assert forged.status_code == 403
    too_long = client.post("/sign-in", data={"username": "a" * 151, "password": "x", "csrf_token": "guessed"})
    assert too_long.status_code == 422 and "not right" in too_long.text and "<html" in too_long.text
    assert sign_in(client, "alice").status_code == 303
    page = client.get("/learners")
    assert client.post("/sign-out", data={}).status_code == 403
    assert client.post("/sign-out", data={"csrf_token": "guessed"}).status_code == 403
    assert client.get("/learners", follow_redirects=False).status_code == 200  # still signed in
    out = client.post("/sign-out", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/sign-in"
    assert client.get("/learners", follow_redirects=False).status_code == 303


def test_signing_out_ends_the_session_on_the_server(server: Server) -> None:
    server.add_user("alice")
    client = browser(server)
    sign_in(client, "alice")
    stolen = client.cookies[COOKIE_NAME]
    client.post("/sign-out", data={"csrf_token": csrf_of(client.get("/learners").text)})
    replay = browser(server)
    replay.cookies.set(COOKIE_NAME, stolen)
    assert replay.get("/learners", follow_redirects=False).status_code == 303


def test_a_session_ends_after_inactivity_and_with_the_accounts_other_sign_ins(server: Server) -> None:
    server.add_user("alice")
    client = browser(server)
    sign_in(client, "alice")
    with transaction(server.factory) as session:  # idle for longer than the limit (30 minutes)
        session.execute(update(WebSession).values(last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31)))
    assert client.get("/learners", follow_redirects=False).status_code == 303
    with transaction(server.factory) as session:  # a browser closed long ago, never to come back
        session.add(WebSession(token_hash="f" * 64, user_id=find_user(session, "alice").id, csrf_token="x",  # type: ignore[union-attr]
                               last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=3)))
    sign_in(client, "alice")
    with server.factory() as session:  # forgotten at the next sign-in
        assert session.scalar(select(func.count()).select_from(WebSession)) == 1
    with transaction(server.factory) as session:  # idle, but within the limit
        session.execute(update(WebSession).values(last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=29)))
    assert client.get("/learners", follow_redirects=False).status_code == 200
    with transaction(server.factory) as session:
        user = find_user(session, "alice")
        assert user is not None
        reset_password(session, user, "a brand new passphrase")
    assert client.get("/learners", follow_redirects=False).status_code == 303
    forced = sign_in(client, "alice", "a brand new passphrase")
    assert forced.status_code == 403 and "choose a new one" in forced.text


def _names(client) -> set[str]:  # type: ignore[no-untyped-def]
    page = client.get("/learners")
    assert page.status_code == 200, page.text
    return {name for name in ("Ann", "Amy", "Ben", "Cat") if f">{name} Smith<" in page.text}


@pytest.fixture
def teams(server: Server) -> dict[str, str]:
    """Assessors alice and bob in team North (managed by meg), carol in South; a quality lead and an admin."""
    for name in ("alice", "bob", "carol"):
        server.add_user(name)
    server.add_user("meg", role="manager")
    server.add_user("quinn", role="quality_lead")
    server.add_user("ada", role="admin")
    put_in_team(server, "North", "alice", "bob", "meg")
    put_in_team(server, "South", "carol")
    return {
        "Ann": server.add_learner("alice", first_name="Ann"), "Amy": server.add_learner("alice", first_name="Amy"),
        "Ben": server.add_learner("bob", first_name="Ben"), "Cat": server.add_learner("carol", first_name="Cat"),
    }


def test_each_role_sees_its_own_learners(server: Server, teams: dict[str, str]) -> None:
    seen = {}
    for who in ("alice", "bob", "carol", "meg", "quinn", "ada"):
        client = browser(server)
        assert sign_in(client, who).status_code == 303
        seen[who] = _names(client)
    assert seen == {"alice": {"Ann", "Amy"}, "bob": {"Ben"}, "carol": {"Cat"}, "meg": {"Ann", "Amy", "Ben"},
                    "quinn": {"Ann", "Amy", "Ben", "Cat"}, "ada": {"Ann", "Amy", "Ben", "Cat"}}
    put_in_team(server, "South", "meg")  # a manager of two teams sees both
    client = browser(server)
    sign_in(client, "meg")
    assert _names(client) == {"Ann", "Amy", "Ben", "Cat"}


def test_another_caseloads_learner_is_403_exactly_as_an_unknown_id(server: Server, teams: dict[str, str]) -> None:
    client = browser(server)
    sign_in(client, "alice")
    own = client.get(f"/learners/{teams['Ann']}")
    assert own.status_code == 200 and "Ann Smith" in own.text and "alice" in own.text
    other, unknown = client.get(f"/learners/{teams['Ben']}"), client.get("/learners/no-such-learner")
    assert other.status_code == unknown.status_code == 403
    assert other.text == unknown.text and "Ben" not in other.text
    assert client.get(f"/learners/{teams['Ann']}x").text == unknown.text  # an id with more after it is not Ann
    manager = browser(server)
    sign_in(manager, "meg")
    assert manager.get(f"/learners/{teams['Ben']}").status_code == 200
    assert manager.get(f"/learners/{teams['Cat']}").status_code == 403


def test_the_sync_api_still_lets_a_managers_laptop_see_everything(server: Server, teams: dict[str, str]) -> None:
    """The team scope is the web app's: the office's laptop edits every learner through the sync API."""
    pulled, _ = server.pull_all(server.login("meg"))
    assert set(teams.values()) <= {c["id"] for c in pulled if c["entity"] == "learner"}


def test_a_learners_name_is_shown_as_text(server: Server) -> None:
    server.add_user("alice")
    learner = server.add_learner("alice", first_name="<script>alert(1)</script>", last_name="<b>x</b>")
    client = browser(server)
    sign_in(client, "alice")
    for page in (client.get("/learners"), client.get(f"/learners/{learner}")):
        assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        assert "<b>x</b>" not in page.text


def test_the_next_review_due_is_the_laptops_rule(server: Server) -> None:
    """The list's date is reviewapp.core's: the same facts through caseload_rows give the same date."""
    server.add_user("alice")
    server.add_learner("alice", first_name="Ann", start_date="2025-09-01")
    with server.factory() as session:
        from sync.server.scope import Caller

        caller = Caller(user_id=find_user(session, "alice").id, username="alice", role="assessor",  # type: ignore[union-attr]
                        device_id=None, by_team=True)
        today = dt.date(2025, 12, 1)
        (line,) = visible_learners(session, caller, today)
    (row,) = caseload_rows([line.caseload.facts], today)
    assert line.caseload.next_review_due == row.next_review_due == dt.date(2025, 10, 27)  # 8 weeks after the start
    assert line.caseload.timing.value == "overdue"


def test_the_web_app_serves_its_vendored_assets_and_no_cdn(server: Server) -> None:
    client = browser(server)
    page = client.get("/sign-in").text
    for asset in ("/static/vendor/govuk-frontend/govuk-frontend.min.css", "/static/vendor/htmx/htmx.min.js",
                  "/static/app/init.js", "/static/vendor/govuk-frontend/govuk-frontend.min.js"):
        assert client.get(asset).status_code == 200, asset
    assert "https://" not in page and "//cdn" not in page
    css = client.get("/static/vendor/govuk-frontend/govuk-frontend.min.css").text
    assert "GDS Transport" not in css and "system-ui" in css
    assert client.get("/api/v1/health").json()["status"] == "ok"  # the API is where it was
    # Pages run only this server's scripts, none inline, and cannot be framed; the API's answers are left alone.
    policy = client.get("/sign-in").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert "content-security-policy" not in client.get("/api/v1/health").headers


def test_team_and_role_commands(database_url: str) -> None:
    setup = Server(database_url)
    setup.add_user("alice")
    setup.add_user("meg")
    setup.close()
    assert run("create-team", "North", database=database_url).returncode == 0
    again = run("create-team", "North", database=database_url)
    assert again.returncode == 1 and "already a team called 'North'" in again.stderr
    promoted = run("set-role", "meg", "manager", database=database_url)
    assert promoted.returncode == 0 and "'meg' is now a manager" in promoted.stdout
    added = run("add-to-team", "North", "meg", database=database_url)
    assert added.returncode == 0 and "'meg' now manages team 'North'" in added.stdout
    assert "now works in team 'North'" in run("add-to-team", "North", "alice", database=database_url).stdout
    assert "already works in" in run("add-to-team", "North", "alice", database=database_url).stdout
    missing = run("add-to-team", "South", "alice", database=database_url)
    assert missing.returncode == 1 and "no team called 'South'" in missing.stderr
    server = Server(database_url)
    try:
        server.add_learner("alice", first_name="Ann")
        held = run("set-role", "alice", "manager", database=database_url)
        assert held.returncode == 1 and "still holds 1 learner" in held.stderr
        assert run("set-role", "meg", "quality_lead", database=database_url).returncode == 0
        lead = run("add-to-team", "North", "meg", database=database_url)
        assert lead.returncode == 1 and "sees every learner already" in lead.stderr
        client = browser(server)
        sign_in(client, "meg")
        assert _names(client) == {"Ann"}
        trail = run("audit", "--user", "meg", database=database_url).stdout
        assert "changed the role of" in trail and "added to a team" in trail
    finally:
        server.close()


def test_the_demo_manager_signs_in_to_the_demo_servers_office_and_sees_the_demo_caseload(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from reviewapp.sync_client.demo_server import (
        DEMO_MANAGER,
        DEMO_PASSWORD,
        DEMO_SAFEGUARDING_LEAD,
        seed_demo_server,
    )

    url = f"sqlite:///{tmp_path / 'demo-server.sqlite3'}"
    assert seed_demo_server(url, learners=3)
    server = Server(url)
    try:
        client = browser(server)
        assert sign_in(client, DEMO_MANAGER, DEMO_PASSWORD).status_code == 303
        assert client.get("/learners").text.count('href="/learners/') == 3
        lead = browser(server)  # the demo's safeguarding lead reads the cases (none yet)
        assert sign_in(lead, DEMO_SAFEGUARDING_LEAD, DEMO_PASSWORD).status_code == 303
        assert lead.get("/cases").status_code == 200
        with transaction(server.factory) as session:  # a demo seeded before the office web app had no manager
            session.execute(delete(TeamMember))
            session.execute(delete(WebSession))
            session.execute(delete(User).where(User.username == DEMO_MANAGER))
    finally:
        server.close()
    assert seed_demo_server(url, learners=3) is False
    server = Server(url)
    try:
        client = browser(server)
        assert sign_in(client, DEMO_MANAGER, DEMO_PASSWORD).status_code == 303
        assert client.get("/learners").text.count('href="/learners/') == 3
    finally:
        server.close()
