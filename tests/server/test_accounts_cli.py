"""The account commands of `reviewapp-server` (disable-user, enable-user, unlock-user, set-password, audit,
list-devices), run as real processes against the database a real app serves."""

from __future__ import annotations

import re

from server_testkit import PASSWORD, Server, change
from test_server_cli import run

from sync.server.db import transaction
from sync.server.models import Learner


def _sign_in(server: Server, username: str, password: str = PASSWORD, **extra: str):  # type: ignore[no-untyped-def]
    return server.client.post("/api/v1/auth/token", json={"username": username, "password": password,
                                                          "device_name": "Sam's ThinkPad", **extra})


def test_disable_enable_set_password_and_unlock_from_the_command_line(database_url: str) -> None:
    server = Server(database_url, sign_in_limit_per_account="100 per minute")  # the lockout, not the rate limit
    try:
        _disable_enable_set_password_and_unlock(server, database_url)
    finally:
        server.close()


def _disable_enable_set_password_and_unlock(server: Server, url: str) -> None:
    server.add_user("alice")
    headers = server.login("alice")
    assert server.client.get("/api/v1/sync/pull", headers=headers).status_code == 200

    disabled = run("disable-user", "alice", database=url)
    assert disabled.returncode == 0 and "Disabled 'alice'" in disabled.stdout
    assert server.client.get("/api/v1/sync/pull", headers=headers).json()["code"] == "account_disabled"
    assert "already disabled" in run("disable-user", "alice", database=url).stdout
    assert _sign_in(server, "alice").json()["code"] == "account_disabled"
    enabled = run("enable-user", "alice", database=url)
    assert enabled.returncode == 0 and "Enabled 'alice'" in enabled.stdout
    assert _sign_in(server, "alice").status_code == 200
    missing = run("disable-user", "nobody", database=url)
    assert missing.returncode == 1 and "no user called 'nobody'" in missing.stderr

    weak = run("set-password", "alice", database=url, stdin="12345678\n")
    assert weak.returncode == 1 and "at least 12" in weak.stderr
    common = run("set-password", "alice", database=url, stdin="password1234\n")
    assert common.returncode == 1 and "most commonly used" in common.stderr
    reset = run("set-password", "alice", "--force-change", database=url, stdin="a temporary phrase\n")
    assert reset.returncode == 0 and "must choose their own" in reset.stdout
    assert _sign_in(server, "alice", "a temporary phrase").json()["code"] == "password_change_required"
    plain = run("set-password", "alice", "--no-force-change", database=url, stdin="another phrase to use\n")
    assert plain.returncode == 0
    assert _sign_in(server, "alice", "another phrase to use").status_code == 200

    for n in range(10):
        _sign_in(server, "alice", f"wrong guess {n}")
    assert _sign_in(server, "alice", "another phrase to use").json()["code"] == "account_locked"
    assert "Unlocked 'alice'" in run("unlock-user", "alice", database=url).stdout
    assert _sign_in(server, "alice", "another phrase to use").status_code == 200
    assert "was not locked" in run("unlock-user", "alice", database=url).stdout


def test_list_devices_and_audit_read_as_an_admin_needs(server: Server) -> None:
    url = server.database_url
    made = run("create-user", "sam", "--role", "assessor", "--email", "x@example.org",
               database=url, stdin="sam's own long phrase\n")
    assert made.returncode == 1 and "must not contain the username" in made.stderr
    assert run("create-user", "sam", "--role", "assessor", "--email", "x@example.org",
               database=url, stdin="a long enough phrase\n").returncode == 0
    learner = server.add_learner(None)
    with transaction(server.factory) as session:
        uln = session.get(Learner, learner).uln
    assert run("assign", uln, "sam", database=url).returncode == 0
    first = _sign_in(server, "sam", "a long enough phrase", host_name="sam-tp", app_version="0.1.0").json()
    _sign_in(server, "sam", "a long enough phrase", device_id=first["device_id"], app_version="0.2.0")
    headers = {"Authorization": f"Bearer {first['token']}"}
    target = change("target", "create", fields={"learner_id": learner, "text": "Finish unit 3"},
                    made_at="2026-01-15T09:05:00Z")
    assert server.push(headers, target)[0]["status"] == "applied"

    devices = run("list-devices", database=url).stdout.strip().splitlines()
    assert len(devices) == 1, devices  # two sign-ins, one laptop
    assert "'Sam's ThinkPad'" in devices[0] or "\"Sam's ThinkPad\"" in devices[0]
    assert "host sam-tp" in devices[0] and "ReviewApp 0.2.0" in devices[0] and "last sync " in devices[0]
    device_id = first["device_id"]
    assert run("revoke-device", device_id, database=url).returncode == 0
    assert run("disable-user", "sam", database=url).returncode == 0

    by_learner = run("audit", "--learner", uln, database=url)
    assert by_learner.returncode == 0, by_learner.stderr
    text = by_learner.stdout
    assert f"assigned a learner to sam: learner {uln}" in text and "create target" in text and "Sam's ThinkPad" in text
    assert "(device time 15/01/2026 09:05)" in text  # GMT in January
    assert all(re.match(r"\d\d/\d\d/\d{4} \d\d:\d\d  ", line) for line in text.splitlines()[1:])
    by_user = run("audit", "--user", "sam", database=url).stdout
    for action in ("created user sam", "assigned a learner to sam", "create target", "revoked a device of sam",
                   "disabled user sam"):
        assert action in by_user, (action, by_user)
    assert "command line (" in by_user
    unknown = run("audit", "--learner", "1000000000", database=url)
    assert unknown.returncode == 1 and "No learner" in unknown.stderr


def test_create_user_takes_an_optional_email_address(server: Server) -> None:
    url = server.database_url
    bad = run("create-user", "sam", "--role", "assessor", "--email", "sam at home", database=url,
              stdin="a long enough phrase\n")
    assert bad.returncode == 1 and "not an e-mail address" in bad.stderr
    assert run("create-user", "sam", "--role", "assessor", "--email", "sam@example.org", database=url,
               stdin="a long enough phrase\n").returncode == 0
    with server.factory() as session:
        from sync.server.accounts import find_user

        assert find_user(session, "sam").email == "sam@example.org"  # type: ignore[union-attr]
