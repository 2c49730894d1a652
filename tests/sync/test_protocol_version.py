"""The laptop and the server check each other's protocol version (issue 12, "Also"): a laptop too old for the
server, or one meeting a server on a newer protocol it cannot read, is told "update ReviewApp", not odd errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from synckit import PASSWORD, Server

from reviewapp.store.database import Store
from reviewapp.sync_client.engine import SyncClient
from reviewapp.sync_client.errors import NotSignedInError, UpdateNeededError
from sync.protocol import CLIENT_TOO_OLD, PROTOCOL_HEADER, PROTOCOL_VERSION
from sync.server.api import protocol_check


@pytest.fixture
def setup(tmp_path: Path):  # type: ignore[no-untyped-def]
    server = Server(f"sqlite:///{tmp_path / 'server.sqlite3'}")
    server.add_user("alice")
    yield server
    server.close()


def test_the_server_answers_a_client_older_than_it_serves_with_426(setup: Server, monkeypatch) -> None:
    client = setup.client
    assert client.get("/api/v1/health").status_code == 200  # no header: protocol 1, as every client before it
    assert client.get("/api/v1/health", headers={PROTOCOL_HEADER: str(PROTOCOL_VERSION)}).status_code == 200
    assert client.get("/api/v1/health", headers={PROTOCOL_HEADER: "soon"}).status_code == 400
    monkeypatch.setattr(protocol_check, "MIN_CLIENT_PROTOCOL", PROTOCOL_VERSION + 1)  # the server moved on
    for method, path in (("GET", "/api/v1/health"), ("GET", "/api/v1/sync/pull"), ("POST", "/api/v1/sync/push"),
                         ("POST", "/api/v1/auth/token")):
        answer = client.request(method, path, headers={PROTOCOL_HEADER: str(PROTOCOL_VERSION)})
        assert answer.status_code == 426, (path, answer.text)
        assert answer.json()["detail"] == CLIENT_TOO_OLD and answer.json()["server_id"]


def test_a_laptop_the_server_no_longer_serves_is_told_to_update(setup: Server, tmp_path: Path, monkeypatch) -> None:
    with Store.open(tmp_path / "laptop", "alice") as store:
        client = SyncClient(store, "http://127.0.0.1", "alice", http=setup.client)
        client.login(PASSWORD)
        assert setup.client.headers[PROTOCOL_HEADER] == str(PROTOCOL_VERSION)  # sent on every request
        client.sync()
        monkeypatch.setattr(protocol_check, "MIN_CLIENT_PROTOCOL", PROTOCOL_VERSION + 1)
        with pytest.raises(UpdateNeededError, match="too old for the server: update ReviewApp"):
            client.sync()


def _future_server(**health: Any) -> TestClient:
    """A server of a later protocol, whose answers this laptop cannot read."""
    app = FastAPI()

    @app.get("/api/v1/health")
    def answer() -> dict[str, Any]:
        return {"server_id": "future", "status": "ok", "protocol_version": PROTOCOL_VERSION + 1,
                "database": "sqlite", **health}

    return TestClient(app)


def test_a_laptop_meeting_a_newer_server_it_cannot_read_is_told_to_update(tmp_path: Path) -> None:
    with Store.open(tmp_path / "laptop", "alice") as store:
        client = SyncClient(store, "http://127.0.0.1", "alice", http=_future_server(status="busy", shards=3))
        with pytest.raises(UpdateNeededError, match=r"newer version of the sync protocol .* update ReviewApp"):
            client.sync()


def test_a_newer_server_that_still_serves_this_laptop_is_noted_not_refused(tmp_path: Path) -> None:
    with Store.open(tmp_path / "laptop", "alice") as store:
        client = SyncClient(store, "http://127.0.0.1", "alice", http=_future_server())
        with pytest.raises(NotSignedInError):  # past the health check, to where a sign-in is needed
            client.sync()


def test_resolutions_are_told_only_to_a_server_that_takes_them(setup: Server, tmp_path: Path, monkeypatch) -> None:
    """`PushRequest.resolved` is new at protocol 5: a server older than that forbids unknown fields, so the laptop
    keeps its resolutions untold until it meets one that speaks 5 (issue 19)."""
    from functools import partial

    from sqlalchemy import select

    from reviewapp.core.templates import load_template
    from reviewapp.store import reviews
    from reviewapp.store.models import Review, SyncConflict
    from reviewapp.store.sync.conflicts import keep_theirs, open_conflicts
    from sync.protocol import HealthResponse
    from sync.server.api.routes import health
    from sync.server.db import transaction
    from sync.server.models import Conflict
    from tests.conftest import DEMO_TODAY

    learner = setup.add_learner("alice")
    spare = {**setup.login("alice", device="spare"), PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
    with Store.open(tmp_path / "laptop", "alice") as store:
        client = SyncClient(store, "http://127.0.0.1", "alice", http=setup.client)
        client.login(PASSWORD)
        client.sync()
        review_id = reviews.start_draft(store, learner, load_template("apprenticeship-progress-review"), DEMO_TODAY)
        reviews.save_answers(store, review_id, {"hs_discussion": "Ladders."})
        client.sync()
        with store.read() as session:
            answers = dict(session.get(Review, review_id).answers)
        assert setup.push(spare, {"change_id": "spare-1", "entity": "review", "op": "update", "id": review_id,
                                  "base": {"answers": answers},
                                  "fields": {"answers": {**answers, "hs_discussion": "Spare's words."}}}
                          )[0]["status"] == "applied"
        reviews.save_answers(store, review_id, {"hs_discussion": "Laptop's words."})
        client.sync()
        with store.read() as session:
            [conflict] = open_conflicts(session)
        keep_theirs(store, conflict.id)

        def told() -> tuple[bool, bool]:
            with transaction(setup.factory) as session:
                on_server = session.scalars(select(Conflict)).one().resolved_at is not None
            with store.read() as session:
                return on_server, session.get(SyncConflict, conflict.id).server_told

        monkeypatch.setattr(health, "HealthResponse", partial(HealthResponse, protocol_version=4))
        client.sync()
        assert told() == (False, False)
        monkeypatch.undo()
        client.sync()
        assert told() == (True, True)
