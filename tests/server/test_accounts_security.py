"""Account security (issue 12): disabling users, password resets and changes, sign-in limits and lockout, the
password policy, one device per laptop, and the audit trail.

Each test runs against a real app on SQLite and PostgreSQL (the `database_url` fixture), as the other server tests.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from server_testkit import PASSWORD, Server, change
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from sync.protocol import ErrorResponse
from sync.server.accounts import AccountError, create_user, disable_user, find_user, reset_password, revoke_device
from sync.server.db import transaction
from sync.server.models import AuditEvent, Device, SignInFailures, User

TOKEN = "/api/v1/auth/token"
CHANGE = "/api/v1/auth/password"
PULL = "/api/v1/sync/pull"
NEW_PASSWORD = "a fresh choice of words"


def _refused(response, status: int) -> str | None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    body = ErrorResponse.model_validate(response.json())
    assert body.server_id and body.detail
    return body.code


def _sign_in(server: Server, username: str, password: str = PASSWORD, **extra: Any):  # type: ignore[no-untyped-def]
    return server.client.post(TOKEN, json={"username": username, "password": password, "device_name": "laptop",
                                           **extra})


def _bearer(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


# --- item 3: disable and re-enable, reset and change passwords --------------------------------------------------


def test_disabling_ends_every_token_at_once_and_enabling_revives_no_revoked_device(server: Server) -> None:
    server.add_user("alice")
    server.add_user("ada", role="admin")
    ada = server.login("ada")
    kept, lost = server.login("alice", device="desk"), server.login("alice", device="lost one")
    with transaction(server.factory) as session:
        lost_id = session.execute(select(Device.id).where(Device.name == "lost one")).scalar_one()
        revoke_device(session, lost_id)
    assert server.client.get(PULL, headers=kept).status_code == 200

    answer = server.client.post("/api/v1/admin/users/alice/disable", headers=ada)
    assert answer.status_code == 200 and answer.json()["active"] is False and answer.json()["changed"] is True
    assert _refused(server.client.get(PULL, headers=kept), 401) == "account_disabled"
    assert _refused(server.client.get(PULL, headers=lost), 401) == "device_revoked"
    assert _refused(_sign_in(server, "alice"), 401) == "account_disabled"
    again = server.client.post("/api/v1/admin/users/alice/disable", headers=ada)
    assert again.status_code == 200 and again.json()["changed"] is False

    assert server.client.post("/api/v1/admin/users/alice/enable", headers=ada).json()["active"] is True
    # The old tokens stay ended (sign in again), and the revoked device stays revoked.
    assert _refused(server.client.get(PULL, headers=kept), 401) == "token_expired"
    assert _refused(server.client.get(PULL, headers=lost), 401) == "device_revoked"
    assert server.client.get(PULL, headers=server.login("alice")).status_code == 200

    myself = server.client.post("/api/v1/admin/users/ada/disable", headers=ada)
    assert myself.status_code == 422 and "your own account" in myself.json()["detail"]
    assert server.client.post("/api/v1/admin/users/nobody/disable", headers=ada).status_code == 404
    assert server.client.post("/api/v1/admin/users/ada/disable", headers=server.login("alice")).status_code == 403


def test_an_admin_reset_forces_a_change_at_the_next_sign_in(server: Server) -> None:
    server.add_user("alice")
    server.add_user("ada", role="admin")
    old = server.login("alice")
    reset = server.client.post("/api/v1/admin/users/alice/password", headers=server.login("ada"),
                               json={"new_password": "temporary words for her"})
    assert reset.status_code == 200 and reset.json()["must_change_password"] is True
    assert _refused(server.client.get(PULL, headers=old), 401) == "token_expired"
    assert _refused(_sign_in(server, "alice"), 401) == "credentials_invalid"  # the old password is gone
    required = _sign_in(server, "alice", "temporary words for her")
    assert _refused(required, 403) == "password_change_required" and "reset" in required.json()["detail"]

    body = {"username": "alice", "current_password": "temporary words for her"}
    weak = server.client.post(CHANGE, json={**body, "new_password": "password"})
    assert weak.status_code == 422 and "at least 12" in weak.json()["detail"]
    same = server.client.post(CHANGE, json={**body, "new_password": body["current_password"]})
    assert same.status_code == 422 and "differ" in same.json()["detail"]
    wrong = server.client.post(CHANGE, json={**body, "current_password": "not it at all", "new_password": NEW_PASSWORD})
    assert _refused(wrong, 401) == "credentials_invalid"
    changed = server.client.post(CHANGE, json={**body, "new_password": NEW_PASSWORD})
    assert changed.status_code == 200, changed.text
    assert server.client.get(PULL, headers=_bearer(_sign_in(server, "alice", NEW_PASSWORD))).status_code == 200

    weak_reset = server.client.post("/api/v1/admin/users/alice/password", headers=server.login("ada"),
                                    json={"new_password": "aaaaaaaaaaaa"})
    assert weak_reset.status_code == 422 and "different characters" in weak_reset.json()["detail"]


def test_a_users_own_change_ends_their_other_sign_ins(server: Server) -> None:
    server.add_user("alice")
    other_laptop = server.login("alice", device="other")
    answer = server.client.post(CHANGE, json={"username": "alice", "current_password": PASSWORD,
                                              "new_password": NEW_PASSWORD})
    assert answer.status_code == 200, answer.text
    assert _refused(server.client.get(PULL, headers=other_laptop), 401) == "token_expired"
    assert _refused(_sign_in(server, "alice"), 401) == "credentials_invalid"
    assert _sign_in(server, "alice", NEW_PASSWORD).status_code == 200
    disabled = server.add_user("bob")
    with transaction(server.factory) as session:
        disable_user(session, session.get(User, disabled))
    refused = server.client.post(CHANGE, json={"username": "bob", "current_password": PASSWORD,
                                               "new_password": NEW_PASSWORD})
    assert _refused(refused, 401) == "account_disabled"


# --- item 6: rate limits, lockout, password policy ---------------------------------------------------------------


def test_guessing_one_account_is_answered_429_with_retry_after_even_for_the_right_password(server: Server) -> None:
    server.add_user("alice")
    answers = [_sign_in(server, "alice", f"guess number {n}") for n in range(6)]
    assert [a.status_code for a in answers[:5]] == [401] * 5
    assert _refused(answers[5], 429) == "too_many_attempts"
    assert int(answers[5].headers["Retry-After"]) > 0
    right = _sign_in(server, "alice")  # the right password now is refused alike, unchecked
    assert _refused(right, 429) == "too_many_attempts" and int(right.headers["Retry-After"]) > 0
    # Another account from the same address is not held back by alice's limit (the address limit is higher).
    server.add_user("bob")
    assert _sign_in(server, "bob").status_code == 200


def test_guessing_many_accounts_from_one_address_is_limited_per_address(database_url: str) -> None:
    server = Server(database_url, sign_in_limit_per_address="4 per minute")
    try:
        server.add_user("alice")
        codes = [_sign_in(server, f"user{n}", "wrong guess here").status_code for n in range(5)]
        assert codes == [401, 401, 401, 401, 429]
        assert _refused(_sign_in(server, "alice"), 429) == "too_many_attempts"
    finally:
        server.close()


def test_repeated_failures_lock_the_account_in_the_database_for_every_worker(database_url: str) -> None:
    limits = {"sign_in_limit_per_address": "1000 per minute", "sign_in_limit_per_account": "1000 per minute"}
    first, second = Server(database_url, **limits), Server(database_url, **limits)  # two workers, one database
    try:
        first.add_user("alice")
        for n in range(10):
            worker = (first, second)[n % 2]
            assert _refused(_sign_in(worker, "alice", f"guess number {n}"), 401) == "credentials_invalid"
            assert _refused(_sign_in(worker, "nobody", f"guess number {n}"), 401) == "credentials_invalid"
        right, wrong, unknown = (_sign_in(first, "alice"), _sign_in(second, "alice", "another guess"),
                                 _sign_in(first, "nobody", PASSWORD))
        for answer in (right, wrong, unknown):
            assert _refused(answer, 429) == "account_locked"
            assert 800 <= int(answer.headers["Retry-After"]) <= 901
        # Nothing tells the right password from a wrong one, nor a real account from an unknown name.
        assert right.json() == wrong.json() == unknown.json()

        with transaction(first.factory) as session:  # unlocked by time
            session.execute(update(SignInFailures).values(locked_until=dt.datetime.now(dt.UTC)))
        assert _sign_in(second, "alice").status_code == 200
        for n in range(10):
            _sign_in(first, "alice", f"guess number {n}")
        assert _refused(_sign_in(first, "alice"), 429) == "account_locked"
        first.add_user("ada", role="admin")
        unlocked = first.client.post("/api/v1/admin/users/alice/unlock", headers=first.login("ada"))
        assert unlocked.status_code == 200 and unlocked.json()["changed"] is True
        assert _sign_in(first, "alice").status_code == 200
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("password", ["password", "12345678", "aaaaaaaa", "aaaaaaaaaaaa", "Password2026!",
                                      "qwertyuiop123", "abababababab", "alice in wonderland"])
def test_the_password_policy_refuses_short_common_repetitive_and_username_passwords(
    server: Server, password: str
) -> None:
    with transaction(server.factory) as session, pytest.raises(AccountError):
        create_user(session, "alice", password, "assessor")
    server.add_user("alice")
    with transaction(server.factory) as session, pytest.raises(AccountError):
        reset_password(session, find_user(session, "alice"), password)
    refused = server.client.post(CHANGE, json={"username": "alice", "current_password": PASSWORD,
                                               "new_password": password})
    assert refused.status_code == 422 and refused.json()["detail"]
    with transaction(server.factory) as session:
        create_user(session, "bob", "correct horse battery staple", "assessor")  # a passphrase is fine


# --- item 14: one device per laptop ------------------------------------------------------------------------------


def test_a_laptop_keeps_one_device_across_sign_ins(server: Server) -> None:
    server.add_user("alice")
    server.add_user("bob")
    first = _sign_in(server, "alice", device_name="Sam's ThinkPad", host_name="sam-tp", app_version="0.1.0")
    device_id = first.json()["device_id"]
    for n in range(5):
        again = _sign_in(server, "alice", device_name="ReviewApp on sam-tp", device_id=device_id,
                         host_name="sam-tp", app_version=f"0.1.{n + 1}")
        assert again.json()["device_id"] == device_id
    with server.factory() as session:
        devices = list(session.execute(select(Device)).scalars())
    assert len(devices) == 1
    assert (devices[0].name, devices[0].host_name, devices[0].app_version) == ("Sam's ThinkPad", "sam-tp", "0.1.5")

    bobs = _sign_in(server, "bob", device_id=device_id).json()["device_id"]  # another user's id: a new device
    assert bobs != device_id
    with transaction(server.factory) as session:
        revoke_device(session, device_id)
    after_revoke = _sign_in(server, "alice", device_id=device_id)
    assert after_revoke.json()["device_id"] not in (device_id, bobs)
    with server.factory() as session:
        assert session.get(Device, device_id).revoked_at is not None  # a revoked device stays revoked
        assert session.get(Device, bobs).user_id != devices[0].user_id  # and alice's device was not given to bob
    unknown = _sign_in(server, "alice", device_id="not-a-device").json()["device_id"]
    assert unknown not in (device_id, bobs)


# --- the audit trail -----------------------------------------------------------------------------------------------


def test_the_audit_log_is_append_only(server: Server) -> None:
    server.add_user("alice")
    with transaction(server.factory) as session:
        assert session.execute(select(AuditEvent.action)).scalars().all() == ["user_created"]
    for statement in ("UPDATE audit_events SET actor = 'someone else'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), transaction(server.factory) as session:
            session.execute(text(statement))


def test_an_accepted_change_is_logged_with_device_and_both_times(server: Server) -> None:
    server.add_user("alice")
    learner = server.add_learner("alice")
    headers = server.login("alice", device="Sam's ThinkPad")
    made_at = "2026-06-01T08:30:00+00:00"
    target = change("target", "create", fields={"learner_id": learner, "text": "Finish unit 3"}, made_at=made_at)
    assert server.push(headers, target)[0]["status"] == "applied"
    from sync.server.audit import format_line, learner_trail

    with server.factory() as session:
        from sync.server.models import Learner

        lines = [format_line(line) for line in learner_trail(session, session.get(Learner, learner))]
    pushed = next(line for line in lines if "create target" in line)
    assert "alice" in pushed and "Sam's ThinkPad" in pushed
    assert "(device time 01/06/2026 09:30)" in pushed  # BST
    assert re.match(r"\d\d/\d\d/\d{4} \d\d:\d\d  ", pushed)
    assert any("assigned a learner to alice" in line for line in lines)


def test_failures_counted_at_the_same_moment_by_many_workers_are_all_kept(server: Server) -> None:
    """Concurrent failed sign-ins for one name (a new one: its row does not exist yet) never lose a count or 500."""
    from concurrent.futures import ThreadPoolExecutor

    from sync.server.accounts import AuthFailure, check_credentials
    from sync.server.lockout import LockoutPolicy

    policy = LockoutPolicy(threshold=100)

    def fail(n: int) -> str:
        with transaction(server.factory) as session:
            try:
                check_credentials(session, "newcomer", f"guess {n}", policy)
            except AuthFailure as failure:
                return failure.code
        return "signed in"

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(fail, range(24)))
    assert codes == ["credentials_invalid"] * 24
    with server.factory() as session:
        assert session.get(SignInFailures, "newcomer").failures == 24
