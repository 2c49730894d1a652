"""Central administration in the office web app (issue 14 items 6 and 7, the web part): users, teams, assignments,
devices and the caseload import's upload, preview and commit, for admins only, through the CLI's own functions.

Every action: admins only (403 for anyone else), CSRF on every form, bad input shown on the form with nothing
changed. The browser checks (axe, screenshots) are in test_web_browser.py.
"""

from __future__ import annotations

import time

import httpx
import pytest
from fastapi.testclient import TestClient
from server_testkit import PASSWORD, Server, valid_uln
from sqlalchemy import func, select
from web_kit import browser, csrf_of, put_in_team, sign_in

from sync.server.db import transaction
from sync.server.models import (
    ASSIGNED_AT_OFFICE,
    Assignment,
    AuditEvent,
    Device,
    ImportRun,
    Learner,
    Team,
    TeamMember,
    User,
)
from sync.server.teams import find_team
from sync.server.web import admin

HEADER = "ULN;First name;Surname;Start date;Planned end date;Employer;Assessor;Status"
SAM, ANN, BO = "9276308686", "1000000035", "1000000019"


def caseload_csv(*lines: str) -> bytes:
    return ("\r\n".join([HEADER, *lines]) + "\r\n").encode("cp1252")


GOOD = caseload_csv(f"{SAM};Sam;Smith;01/09/2025;31/08/2027;Acme Ltd;alice;Active",
                    f"{ANN};<script>alert(1)</script>;Lee;01/09/2025;31/08/2027;Acme Ltd;alice;")


def signed_in(server: Server, username: str = "root", role: str = "admin") -> TestClient:
    server.add_user(username, role)
    client = browser(server)
    assert sign_in(client, username).status_code == 303
    return client


def form(client: TestClient, page: str) -> str:
    shown = client.get(page)
    assert shown.status_code == 200, shown.text
    return csrf_of(shown.text)


def events(server: Server, action: str) -> list[AuditEvent]:
    with server.factory() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def user(server: Server, username: str) -> User:
    with server.factory() as session:
        found = session.scalar(select(User).where(User.username == username))
        assert found is not None
        session.expunge(found)
        return found


PAGES = ("/admin/users", "/admin/teams", "/admin/devices", "/admin/import")


@pytest.mark.parametrize("role", ["assessor", "manager", "quality_lead"])
def test_only_admins_see_or_use_administration(server: Server, role: str) -> None:
    target = server.add_user("target")
    client = signed_in(server, "someone", role)
    token = csrf_of(client.get("/learners").text)
    for path in (*PAGES, f"/admin/users/{target}"):
        refused = client.get(path)
        assert refused.status_code == 403 and "not allowed" in refused.text, path
    for path, data in (("/admin/users", {"username": "x", "role": "admin", "password": "a long enough passphrase"}),
                       (f"/admin/users/{target}/disable", {}), ("/admin/teams", {"name": "North"}),
                       ("/admin/assign", {"uln": SAM, "assessor": "target"})):
        assert client.post(path, data={**data, "csrf_token": token}).status_code == 403, path
    assert client.post("/admin/import", data={"csrf_token": token},
                       files={"caseload": ("c.csv", GOOD, "text/csv")}).status_code == 403
    assert user(server, "target").active and len(events(server, "user_created")) == 2  # the test's own two
    assert "/admin/users" not in client.get("/learners").text  # no Administration in the menu either
    anonymous = browser(server).get("/admin/users", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/sign-in")


def test_every_admin_form_needs_its_csrf_token(server: Server) -> None:
    target = server.add_user("target")
    client = signed_in(server)
    for path, data in (("/admin/users", {"username": "x", "role": "admin", "password": "a long enough passphrase"}),
                       (f"/admin/users/{target}/disable", {}), (f"/admin/users/{target}/password",
                                                                  {"new_password": "a long enough passphrase"}),
                       ("/admin/teams", {"name": "North"}), ("/admin/reassign", {})):
        for token in ({}, {"csrf_token": "guessed"}):
            assert client.post(path, data={**data, **token}).status_code == 403, path
    assert client.post("/admin/import", files={"caseload": ("c.csv", GOOD, "text/csv")}).status_code == 403
    assert user(server, "target").active
    with server.factory() as session:
        assert session.scalar(select(func.count()).select_from(Team)) == 0
        assert session.scalar(select(func.count()).select_from(User)) == 2


def test_an_admin_adds_a_user_through_the_password_policy_and_it_is_audited(server: Server) -> None:
    client = signed_in(server)
    token = form(client, "/admin/users")
    weak = client.post("/admin/users", data={"username": "sam", "role": "assessor", "password": "short",
                                             "email": "sam@example.org", "csrf_token": token})
    assert weak.status_code == 400 and "There is a problem" in weak.text and 'value="sam"' in weak.text
    assert 'id="password-error"' in weak.text
    clash = client.post("/admin/users", data={"username": "root", "role": "assessor", "email": "r@example.org",
                                              "password": "a long enough passphrase", "csrf_token": token})
    assert clash.status_code == 400 and "already a user" in clash.text
    bad_role = client.post("/admin/users", data={"username": "sam", "role": "boss", "email": "sam@example.org",
                                                 "password": "a long enough passphrase", "csrf_token": token})
    assert bad_role.status_code == 400 and "Unknown role" in bad_role.text
    bad_email = client.post("/admin/users", data={"username": "sam", "role": "assessor", "email": "sam at home",
                                                  "password": "a long enough passphrase", "csrf_token": token})
    assert bad_email.status_code == 400 and 'id="email-error"' in bad_email.text
    no_email = client.post("/admin/users", data={"username": "sam", "role": "assessor",
                                                 "password": "a long enough passphrase", "csrf_token": token})
    assert no_email.status_code == 400 and 'id="email-error"' in no_email.text and "e-mail address" in no_email.text
    assert [e.detail for e in events(server, "user_created")] == ["admin root"]  # only the test's own
    made = client.post("/admin/users", data={"username": "<b>sam</b>", "display_name": "Sam Smith", "role": "assessor",
                                             "email": "sam@example.org", "password": "a long enough passphrase",
                                             "csrf_token": token}, follow_redirects=True)
    assert made.status_code == 200 and "&lt;b&gt;sam&lt;/b&gt;" in made.text and "<b>sam</b>" not in made.text
    created = user(server, "<b>sam</b>")
    assert created.role == "assessor" and created.display_name == "Sam Smith" and created.email == "sam@example.org"
    assert [e.actor for e in events(server, "user_created")][-1] == "root"


def test_disable_enable_and_reset_a_password_end_the_users_sign_ins(server: Server) -> None:
    client = signed_in(server)
    sam = server.add_user("sam")
    sams_browser = browser(server)
    sign_in(sams_browser, "sam")
    laptop = server.login("sam")
    token = form(client, f"/admin/users/{sam}")
    assert client.post(f"/admin/users/{sam}/disable", data={"csrf_token": token}).status_code == 200
    assert not user(server, "sam").active
    assert sams_browser.get("/learners", follow_redirects=False).status_code == 303
    assert server.client.get("/api/v1/sync/pull", headers=laptop).status_code == 401
    assert client.post(f"/admin/users/{sam}/enable", data={"csrf_token": token}).status_code == 200
    assert user(server, "sam").active
    weak = client.post(f"/admin/users/{sam}/password", data={"new_password": "short", "csrf_token": token})
    assert weak.status_code == 400 and 'id="new_password-error"' in weak.text
    before = user(server, "sam")
    assert before.password_hash and not before.must_change_password
    reset = client.post(f"/admin/users/{sam}/password", data={"new_password": "a new long passphrase",
                                                             "csrf_token": token})
    assert reset.status_code == 200 and "Password reset" in reset.text
    after = user(server, "sam")
    assert after.must_change_password and after.password_hash != before.password_hash
    assert [e.actor for e in events(server, "password_reset")] == ["root"]
    assert {e.actor for e in events(server, "user_disabled") + events(server, "user_enabled")} == {"root"}
    me = user(server, "root").id
    own = client.post(f"/admin/users/{me}/disable", data={"csrf_token": token})
    assert own.status_code == 400 and "your own account" in own.text and user(server, "root").active
    assert client.get("/admin/users/no-such-user").status_code == 404
    assert client.post("/admin/users/no-such-user/disable", data={"csrf_token": token}).status_code == 404


def test_an_admin_changes_a_users_role_by_the_set_role_rule_and_their_email(server: Server) -> None:
    client = signed_in(server)
    alice, bob = server.add_user("alice"), server.add_user("bob")
    server.add_learner("alice", uln=SAM)
    token = form(client, f"/admin/users/{bob}")
    assert 'action="/admin/users/' + bob + '/role"' in client.get(f"/admin/users/{bob}").text
    for path, data in ((f"/admin/users/{bob}/role", {"role": "manager"}),
                       (f"/admin/users/{bob}/email", {"email": "bob@example.org"})):
        assert client.post(path, data=data).status_code == 403  # no CSRF token
        assert client.post(path, data={**data, "csrf_token": "guessed"}).status_code == 403
    unknown = client.post(f"/admin/users/{bob}/role", data={"role": "wizard", "csrf_token": token})
    assert unknown.status_code == 400 and "Unknown role" in unknown.text and 'id="role-error"' in unknown.text
    assert "govuk-error-summary" in unknown.text
    holding = client.post(f"/admin/users/{alice}/role", data={"role": "manager", "csrf_token": token})
    assert holding.status_code == 400 and "still holds 1 learner" in holding.text
    me = user(server, "root").id
    own = client.post(f"/admin/users/{me}/role", data={"role": "assessor", "csrf_token": token})
    assert own.status_code == 400 and "your own role" in own.text
    assert (user(server, "alice").role, user(server, "bob").role, user(server, "root").role) == (
        "assessor", "assessor", "admin")
    changed = client.post(f"/admin/users/{bob}/role", data={"role": "quality_lead", "csrf_token": token})
    assert changed.status_code == 200 and "Role changed to quality lead" in changed.text
    assert user(server, "bob").role == "quality_lead"
    assert [(e.actor, e.detail) for e in events(server, "role_changed")] == [("root", "assessor to quality_lead")]

    bad = client.post(f"/admin/users/{bob}/email", data={"email": "not an address", "csrf_token": token})
    assert bad.status_code == 400 and 'id="email-error"' in bad.text and user(server, "bob").email == ""
    shown = client.post(f"/admin/users/{bob}/email", data={"email": "<script>x</script>@a.b", "csrf_token": token})
    assert shown.status_code == 400 and "<script>x</script>" not in shown.text and "&lt;script&gt;" in shown.text
    assert user(server, "bob").email == ""  # refused by email-validator: < and > have no place in an address
    assert client.post(f"/admin/users/{bob}/email", data={"email": "Bob@Example.ORG", "csrf_token": token}
                       ).status_code == 200
    assert user(server, "bob").email == "Bob@example.org"  # stored in its normal form: the domain lower-cased
    done = client.post(f"/admin/users/{bob}/email", data={"email": " bob@example.org ", "csrf_token": token})
    assert done.status_code == 200 and "bob@example.org" in done.text and user(server, "bob").email == "bob@example.org"
    assert client.post(f"/admin/users/{bob}/email", data={"email": "", "csrf_token": token}).status_code == 200
    assert user(server, "bob").email == "" and [e.actor for e in events(server, "email_changed")] == ["root"] * 3
    outsider = signed_in(server, "mo", "manager")
    mo_token = csrf_of(outsider.get("/learners").text)
    assert outsider.get(f"/admin/users/{bob}").status_code == 403
    assert outsider.post(f"/admin/users/{bob}/role", data={"role": "admin", "csrf_token": mo_token}).status_code == 403
    assert outsider.post(f"/admin/users/{bob}/email", data={"email": "m@x.org", "csrf_token": mo_token}
                         ).status_code == 403
    assert user(server, "bob").role == "quality_lead"


def test_teams_are_made_and_manned_and_learners_assigned_singly_or_all_at_once(server: Server) -> None:
    client = signed_in(server)
    server.add_user("alice")
    server.add_user("bob")
    server.add_user("quinn", "quality_lead")
    ids = [server.add_learner("alice", uln=uln) for uln in (SAM, ANN)]
    token = form(client, "/admin/teams")
    assert client.post("/admin/teams", data={"name": "  ", "csrf_token": token}).status_code == 400
    assert client.post("/admin/teams", data={"name": "North", "csrf_token": token}).status_code == 200
    again = client.post("/admin/teams", data={"name": "North", "csrf_token": token})
    assert again.status_code == 400 and "already a team" in again.text
    with server.factory() as session:
        team = find_team(session, "North")
        assert team is not None
        team_id = team.id
    member = f"/admin/teams/{team_id}/members"
    assert client.post(member, data={"username": "alice", "csrf_token": token}).status_code == 200
    lead = client.post(member, data={"username": "quinn", "csrf_token": token})
    assert lead.status_code == 400 and "only assessors and managers" in lead.text
    with server.factory() as session:
        assert session.scalar(select(func.count()).select_from(TeamMember)) == 1
    assert client.post(member, data={"username": "alice", "remove": "1", "csrf_token": token}).status_code == 200
    with server.factory() as session:
        assert session.scalar(select(func.count()).select_from(TeamMember)) == 0
    assert [e.actor for e in events(server, "team_member_removed")] == ["root"]

    unknown = client.post("/admin/assign", data={"uln": "1234567890", "assessor": "bob", "csrf_token": token})
    assert unknown.status_code == 400 and "No learner has the ULN" in unknown.text
    not_assessor = client.post("/admin/assign", data={"uln": SAM, "assessor": "quinn", "csrf_token": token})
    assert not_assessor.status_code == 400 and "not an assessor" in not_assessor.text
    assert client.post("/admin/assign", data={"uln": SAM, "assessor": "bob", "csrf_token": token}).status_code == 200

    def holders() -> dict[str, tuple[str, str]]:
        with server.factory() as session:
            names = {u.id: u.username for u in session.scalars(select(User))}
            return {a.learner_id: (names[a.assessor_id], a.source) for a in session.scalars(select(Assignment))}

    assert holders()[ids[0]] == ("bob", ASSIGNED_AT_OFFICE) and holders()[ids[1]][0] == "alice"
    same = client.post("/admin/reassign", data={"from_assessor": "bob", "to_assessor": "bob", "csrf_token": token})
    assert same.status_code == 400
    moved = client.post("/admin/reassign", data={"from_assessor": "bob", "to_assessor": "alice", "csrf_token": token})
    assert moved.status_code == 200 and "1 learner(s) moved to alice" in moved.text
    assert {holder for holder, _ in holders().values()} == {"alice"}
    empty = client.post("/admin/reassign", data={"from_assessor": "bob", "to_assessor": "alice", "csrf_token": token})
    assert empty.status_code == 400 and "holds no learners" in empty.text


def test_devices_are_listed_with_what_the_laptop_reported_and_revoking_ends_the_token(server: Server) -> None:
    client = signed_in(server)
    server.add_user("sam")
    laptop = server.login("sam", device="Sam's <ThinkPad>", host_name="SAM-PC", app_version="1.4.2")
    shown = client.get("/admin/devices")
    assert "Sam&#39;s &lt;ThinkPad&gt;" in shown.text and "SAM-PC" in shown.text and "1.4.2" in shown.text
    with server.factory() as session:
        device_id = session.scalar(select(Device.id))
    token = csrf_of(shown.text)
    assert client.post(f"/admin/devices/{device_id}/revoke", data={}).status_code == 403
    assert client.post("/admin/devices/nope/revoke", data={"csrf_token": token}).status_code == 404
    revoked = client.post(f"/admin/devices/{device_id}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 200 and "Revoked" in revoked.text
    refused = server.client.get("/api/v1/sync/pull", headers=laptop)
    assert refused.status_code == 401 and refused.json()["code"] == "device_revoked"
    assert [e.actor for e in events(server, "device_revoked")] == ["root"]


def upload(client: TestClient, data: bytes, name: str = "caseload.csv") -> httpx.Response:
    return client.post("/admin/import", data={"csrf_token": form(client, "/admin/import")},
                       files={"caseload": (name, data, "text/csv")})


def wait_for(client: TestClient, url: str, text: str) -> str:
    for _ in range(100):
        shown = client.get(url)
        if text in shown.text:
            return shown.text
        time.sleep(0.1)
    raise AssertionError(shown.text)


def test_upload_previews_what_the_import_would_do_then_commits_it_in_the_background(server: Server) -> None:
    client = signed_in(server)
    server.add_user("alice")
    preview = upload(client, GOOD)
    assert preview.status_code == 200 and "nothing has been written" in preview.text
    assert "line 2: 9276308686 Sam Smith" in preview.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in preview.text and "<script>alert" not in preview.text
    assert "Commit the import" in preview.text
    with server.factory() as session:
        assert session.scalar(select(func.count()).select_from(Learner)) == 0  # a preview writes nothing
    url = str(preview.url)
    token = csrf_of(preview.text)
    assert client.post(f"{url}/commit", data={}).status_code == 403
    done = client.post(f"{url}/commit", data={"csrf_token": token})
    assert done.status_code == 200
    text = wait_for(client, f"{url}/progress", "Import complete")
    assert "Rows written</dt><dd class=\"govuk-summary-list__value\">2 of 2" in text
    with server.factory() as session:
        assert session.scalar(select(func.count()).select_from(Learner)) == 2
        run = session.scalar(select(ImportRun))
        assert run is not None and run.status == "completed" and run.started_by == "root"
    assert [e.actor for e in events(server, "caseload_imported")] == ["root"]
    # Committing twice does not import twice; the page is the run's.
    client.post(f"{url}/commit", data={"csrf_token": token})
    with server.factory() as session:
        assert session.scalar(select(func.count()).select_from(ImportRun)) == 1
    # The same file again: the preview says it would leave both as they are.
    again = upload(client, GOOD)
    assert "Leave as they are</th><td class=\"govuk-table__cell govuk-table__cell--numeric\">2" in again.text


def test_a_file_with_bad_rows_is_previewed_with_line_numbers_and_cannot_be_committed(
        server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    client = signed_in(server)
    server.add_user("alice")
    bad = caseload_csv(f"{SAM};Sam;Smith;01/09/2025;31/08/2027;Acme Ltd;alice;Active",
                       "123;Ann;Lee;01/09/2025;31/08/2027;Acme Ltd;alice;",
                       f"{BO};Bo;Ray;02/09/2025;;Acme Ltd;nobody;")
    preview = upload(client, bad)
    assert preview.status_code == 200 and "2 rows will be rejected" in preview.text
    assert "line 3" in preview.text and "line 4" in preview.text and "nobody" in preview.text
    assert "Commit the import" not in preview.text
    monkeypatch.setattr(admin, "PREVIEW_NAMED", 1)
    assert "and 1 more" in client.get(str(preview.url)).text
    key = str(preview.url).rsplit("/", 1)[1]
    client.post(f"/admin/import/{key}/commit", data={"csrf_token": csrf_of(preview.text)})
    time.sleep(0.5)
    with server.factory() as session:
        assert session.scalar(select(func.count()).select_from(Learner)) == 0  # all or nothing


def test_bad_uploads_are_refused_on_the_form(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    client = signed_in(server)
    token = form(client, "/admin/import")
    none = client.post("/admin/import", data={"csrf_token": token})
    assert none.status_code == 400 and "Choose a caseload file" in none.text
    empty = upload(client, b"")
    assert empty.status_code == 400 and "The file is empty" in empty.text
    discarded = upload(client, GOOD)
    gone = client.post(f"{discarded.url}/discard", data={"csrf_token": csrf_of(discarded.text)})
    assert gone.status_code == 200 and str(gone.url).endswith("/admin/import")
    assert client.get(str(discarded.url)).status_code == 404
    monkeypatch.setattr(admin, "UPLOAD_LIMIT", 100)
    big = upload(client, GOOD * 3)
    assert big.status_code == 400 and "larger than" in big.text
    junk = upload(client, b"\x00\x01 not a caseload")
    assert junk.status_code == 200 and "Commit the import" not in junk.text
    assert client.get("/admin/import/unknown-key").status_code == 404
    assert client.get("/admin/import/..%2F..%2Fetc").status_code == 404
    # Another admin cannot see or commit someone else's upload.
    key = str(junk.url).rsplit("/", 1)[1]
    other = signed_in(server, "root2")
    assert other.get(f"/admin/import/{key}").status_code == 404
    with server.factory() as session:
        assert session.scalar(select(func.count()).select_from(ImportRun)) == 0


def test_an_admin_sees_administration_in_the_menu(server: Server) -> None:
    client = signed_in(server)
    put_in_team(server, "North")
    shown = client.get("/learners")
    assert 'href="/admin/users"' in shown.text
    teams = client.get("/admin/teams")
    assert "North" in teams.text
    assert client.get("/admin", follow_redirects=False).headers["location"] == "/admin/users"
    _ = PASSWORD, transaction


def test_an_upload_is_seen_by_every_worker_and_a_large_import_leaves_sync_going(server: Server,
                                                                                   database_url: str) -> None:
    client = signed_in(server)
    server.add_user("alice")
    laptop = server.login("alice")
    rows = [f"{valid_uln(server.rng)};Learner;{n};01/09/2025;31/08/2027;Acme Ltd;alice;" for n in range(3000)]
    ulns = {row.split(";")[0] for row in rows}
    preview = upload(client, caseload_csv(*rows))
    assert f"Add</th><td class=\"govuk-table__cell govuk-table__cell--numeric\">{len(ulns)}" in preview.text
    # Another worker process of the server (here another app on the same database) takes the commit.
    other = Server(database_url)
    try:
        worker = TestClient(other.app, raise_server_exceptions=False)
        worker.cookies = client.cookies
        url = str(preview.url).removeprefix("http://testserver")
        assert worker.get(url).status_code == 200
        assert worker.post(f"{url}/commit", data={"csrf_token": csrf_of(preview.text)}).status_code == 200
        pulls = 0
        while "Importing" in (shown := client.get(f"{url}/progress")).text:  # the first worker shows its progress
            assert 'hx-get="' in shown.text and 'hx-trigger="every 2s"' in shown.text
            assert server.client.get("/api/v1/sync/pull", headers=laptop).status_code == 200  # sync goes on
            pulls += 1
        assert pulls, "the import ended before the progress page was first asked for"
        assert "Import complete" in shown.text and f"{len(ulns)} of {len(ulns)}" in shown.text
    finally:
        other.close()
    with server.factory() as session:
        assert session.scalar(select(func.count()).select_from(Learner)) == len(ulns)


def test_old_uploads_are_forgotten(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    client = signed_in(server)
    first = upload(client, GOOD)
    assert first.status_code == 200
    monkeypatch.setattr(admin, "UPLOAD_KEPT", -1)
    upload(client, GOOD)
    assert client.get(str(first.url)).status_code == 404
