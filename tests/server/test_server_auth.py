"""Signing in, and every way a token can fail: each a 401 with a machine-readable `code`, none a 500.

A wrong username and a wrong password stay indistinguishable; only `device_revoked` tells a laptop to wipe itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from server_testkit import PASSWORD, Server
from sqlalchemy import text, update

from sync.protocol import AUTH_ERROR_CODES, ErrorResponse
from sync.server.db import transaction
from sync.server.models import Token, User


def _code(response) -> str | None:  # type: ignore[no-untyped-def]
    assert response.status_code == 401, response.text
    body = ErrorResponse.model_validate(response.json())  # the documented error body, nothing more
    assert body.server_id and body.detail
    return body.code


def test_sign_in_returns_token_user_device_and_server_id(server: Server) -> None:
    server.add_user("alice", role="assessor")
    response = server.client.post(
        "/api/v1/auth/token", json={"username": "alice", "password": PASSWORD, "device_name": "Alice's laptop"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["username"] == "alice" and body["user"]["role"] == "assessor"
    assert body["device_id"] and body["server_id"] and len(body["token"]) >= 40
    assert dt.datetime.fromisoformat(body["expires_at"]) > dt.datetime.now(dt.UTC)
    health = server.client.get("/api/v1/health").json()
    assert health["server_id"] == body["server_id"] and health["status"] == "ok"


def test_the_database_holds_neither_a_usable_password_nor_a_usable_token(server: Server) -> None:
    """What a stolen copy of the database gives away: the raw rows, read with SQL, not through the models."""
    server.add_user("alice")
    token = server.login("alice")["Authorization"].removeprefix("Bearer ")
    with server.factory() as session:
        user = session.execute(text("SELECT * FROM users WHERE username = 'alice'")).mappings().one()
        tokens = session.execute(text("SELECT * FROM tokens WHERE user_id = :id"), {"id": user["id"]}).mappings().all()

    stored_hash = user["password_hash"]
    assert stored_hash.startswith("$argon2id$")
    assert PasswordHasher().verify(stored_hash, PASSWORD)  # a real argon2 hash, checkable by any argon2 library
    with pytest.raises(VerifyMismatchError):
        PasswordHasher().verify(stored_hash, PASSWORD + "!")
    assert not any(PASSWORD in str(value) for value in user.values())

    assert len(tokens) == 1
    assert not any(token in str(value) for value in tokens[0].values())
    assert tokens[0]["token_hash"] == hashlib.sha256(token.encode()).hexdigest()

    pull = "/api/v1/sync/pull"
    assert server.client.get(pull, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert _code(server.client.get(pull, headers={"Authorization": f"Bearer {tampered}"})) == "token_invalid"
    stolen = tokens[0]["token_hash"]  # what a copy of the database holds is not itself a token
    assert _code(server.client.get(pull, headers={"Authorization": f"Bearer {stolen}"})) == "token_invalid"


def test_bad_credentials_are_401_and_say_nothing_about_which_part(server: Server) -> None:
    server.add_user("alice")
    wrong_password = server.client.post(
        "/api/v1/auth/token", json={"username": "alice", "password": "nope", "device_name": "x"}
    )
    unknown_user = server.client.post(
        "/api/v1/auth/token", json={"username": "nobody", "password": PASSWORD, "device_name": "x"}
    )
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.json() == unknown_user.json()
    assert wrong_password.headers.get("www-authenticate") == unknown_user.headers.get("www-authenticate")
    assert _code(wrong_password) == "credentials_invalid"


def test_disabled_account_is_told_only_to_whoever_holds_the_password_or_a_token(server: Server) -> None:
    server.add_user("alice")
    headers = server.login("alice")
    with transaction(server.factory) as session:
        session.execute(update(User).where(User.username == "alice").values(active=False))
    pull = server.client.get("/api/v1/sync/pull", headers=headers)
    assert _code(pull) == "account_disabled"
    sign_in = server.client.post(
        "/api/v1/auth/token", json={"username": "alice", "password": PASSWORD, "device_name": "x"}
    )
    assert _code(sign_in) == "account_disabled" and "disabled" in sign_in.json()["detail"]
    # Without the password a disabled account looks like any wrong username or password.
    wrong_password = server.client.post(
        "/api/v1/auth/token", json={"username": "alice", "password": "nope nope", "device_name": "x"}
    )
    unknown_user = server.client.post(
        "/api/v1/auth/token", json={"username": "nobody", "password": "nope nope", "device_name": "x"}
    )
    assert wrong_password.json() == unknown_user.json() and _code(wrong_password) == "credentials_invalid"


def test_missing_malformed_expired_and_revoked_tokens_are_401(server: Server) -> None:
    server.add_user("alice")
    pull = "/api/v1/sync/pull"
    assert _code(server.client.get(pull)) == "token_invalid"
    assert _code(server.client.get(pull, headers={"Authorization": "Basic abc"})) == "token_invalid"
    assert _code(server.client.get(pull, headers={"Authorization": "Bearer not-a-token"})) == "token_invalid"

    expired = server.login("alice")
    with transaction(server.factory) as session:
        session.execute(update(Token).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    answer = server.client.get(pull, headers=expired)
    assert _code(answer) == "token_expired" and "sign in again" in answer.json()["detail"]

    headers = server.login("alice", device="lost laptop")
    assert server.client.get(pull, headers=headers).status_code == 200
    from sync.server.accounts import list_devices, revoke_device

    with transaction(server.factory) as session:
        lost = next(d for d, _ in list_devices(session) if d.name == "lost laptop")
        revoke_device(session, lost.id)
    response = server.client.get(pull, headers=headers)
    assert _code(response) == "device_revoked" and "revoked" in response.json()["detail"]
    push = server.client.post("/api/v1/sync/push", json={"batch_id": "b", "device_id": "d", "changes": []},
                              headers=headers)
    assert _code(push) == "device_revoked"
    # A revoked laptop learns it even once its token has expired too: that is when a lost laptop comes back.
    with transaction(server.factory) as session:
        session.execute(update(Token).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    assert _code(server.client.get(pull, headers=headers)) == "device_revoked"
    other = server.login("alice", device="new laptop")
    assert server.client.get(pull, headers=other).status_code == 200
    assert set(AUTH_ERROR_CODES) == {"device_revoked", "token_expired", "token_invalid", "credentials_invalid",
                                     "account_disabled", "password_change_required", "account_locked",
                                     "too_many_attempts"}


def test_malformed_sign_in_bodies_are_422_with_a_reason(server: Server) -> None:
    for body in (b"{", b"[]", b'{"username": 5}', b'{"username": "a", "password": "b"}'):
        response = server.client.post(
            "/api/v1/auth/token", content=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422, body
        assert response.json()["detail"].startswith("The request was not valid")


def test_only_admins_assign_over_http(server: Server) -> None:
    server.add_user("alice")
    server.add_user("ada", role="admin")
    server.add_user("meg", role="manager")
    learner = server.add_learner(None)
    with server.factory() as session:
        from sync.server.models import Learner

        uln = session.get(Learner, learner).uln
    body = {"uln": uln, "username": "alice"}
    assert server.client.post("/api/v1/admin/assignments", json=body).status_code == 401
    for user in ("alice", "meg"):
        response = server.client.post("/api/v1/admin/assignments", json=body, headers=server.login(user))
        assert response.status_code == 403 and response.json()["detail"]
    ada = server.login("ada")
    response = server.client.post("/api/v1/admin/assignments", json=body, headers=ada)
    assert response.status_code == 200 and response.json()["changed"] is True
    again = server.client.post("/api/v1/admin/assignments", json=body, headers=ada)
    assert again.json()["changed"] is False
    to_manager = server.client.post("/api/v1/admin/assignments", json={**body, "username": "meg"}, headers=ada)
    assert to_manager.status_code == 422 and "not an assessor" in to_manager.json()["detail"]
    unknown = server.client.post("/api/v1/admin/assignments", json={**body, "uln": "1000000000"}, headers=ada)
    assert unknown.status_code == 404
    pulled, _ = server.pull_all(server.login("alice"))
    assert learner in {c["id"] for c in pulled}
