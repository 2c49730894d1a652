"""Schemathesis over /openapi.json, on SQLite and PostgreSQL: generated requests, signed in and not, never a 500.

The schema is read once from an app on a scratch SQLite file; each generated request is then sent to the server
under test (SQLite or PostgreSQL, from the `database_url` fixture). Bounded (a few dozen examples per operation)
so the run takes seconds. Every error body must also carry a readable `detail`.

A manager sees everything, so the first run never reaches the assessor-scoped paths (scope.py, and the caseload
checks in sync_push.py). A second run signs in as an assessor with a caseload beside another assessor's; each
generated push is also sent re-aimed at those seeded records, since a random id never names one.
"""

from __future__ import annotations

import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from server_testkit import Server, change
from sqlalchemy import select

from sync.protocol import ENTITY_MODELS, entity_fields
from sync.server.app import create_app
from sync.server.db import new_id
from sync.server.models import Learner

_schema_app = create_app(f"sqlite:///{Path(tempfile.mkdtemp(prefix='reviewapp-schema-')) / 'schema.sqlite3'}")
schema = schemathesis.openapi.from_asgi("/openapi.json", _schema_app)


@pytest.fixture
def fuzz_server(database_url: str) -> Iterator[tuple[Server, dict[str, str]]]:
    server = Server(database_url)
    server.add_user("fuzz", role="manager")
    server.add_learner(None)
    yield server, server.login("fuzz")
    server.close()


def send(server: Server, case: schemathesis.Case, headers: dict[str, str]) -> Any:
    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    body: dict[str, Any] = {}
    if "json" in kwargs:
        body["json"] = kwargs["json"]
    elif isinstance(kwargs.get("data"), bytes | str):
        body["content"] = kwargs["data"]
    return server.client.request(
        kwargs["method"], kwargs["url"], headers=kwargs.get("headers"), params=kwargs.get("params"), **body
    )


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_500(case: schemathesis.Case, fuzz_server: tuple[Server, dict[str, str]]) -> None:
    server, signed_in = fuzz_server
    for headers in (signed_in, {}):
        response = send(server, case, headers)
        assert response.status_code < 500, case.as_curl_command()
        if response.status_code >= 400:
            assert response.json().get("detail"), response.text


@dataclass(frozen=True)
class AssessorFuzz:
    """An assessor's server: their own records, another assessor's, and an unassigned learner, by entity."""

    server: Server
    headers: dict[str, str]
    targets: dict[str, list[str]]
    learners: list[str]
    foreign: frozenset[str]


@pytest.fixture
def assessor_fuzz(database_url: str) -> Iterator[AssessorFuzz]:
    server = Server(database_url)
    server.add_user("fuzz")
    server.add_user("other")
    mine = server.add_learner("fuzz", employer="Acme Ltd")
    theirs = server.add_learner("other", employer="Bobcat plc")
    nobodys = server.add_learner(None, employer=None)
    with server.factory() as session:
        employer_of = dict(session.execute(select(Learner.id, Learner.employer_id)).all())
    headers = server.login("fuzz")
    my_item, their_item = new_id(), new_id()
    for who, item, learner in ((headers, my_item, mine), (server.login("other"), their_item, theirs)):
        pushed = server.push(who, change("plan_item", "create", item, {"learner_id": learner, "title": "Unit 1"}))
        assert pushed[0]["status"] == "applied", pushed
    yield AssessorFuzz(
        server=server,
        headers=headers,
        targets={"learner": [mine, theirs, nobodys], "employer": [employer_of[mine], employer_of[theirs]],
                 "plan_item": [my_item, their_item]},
        learners=[mine, theirs, nobodys],
        foreign=frozenset({theirs, nobodys, employer_of[theirs], their_item}),
    )
    server.close()


def aimed(body: Any, fuzz: AssessorFuzz) -> dict[str, Any] | None:
    """A generated push re-aimed at the seeded records, or None when the body is not a push to aim.

    Each change gets a fresh change id (so no receipt from an earlier example answers for it), the id of a seeded
    record of its entity when there is one, and its generated values under the entity's real field names (random
    names are refused before any scope check), with `learner_id` one of the seeded learners. Choices follow a CRC
    of the generated change, so a failing example replays the same way.
    """
    if not isinstance(body, dict) or not isinstance(body.get("changes"), list):
        return None
    changes: list[Any] = []
    for item in body["changes"]:
        entity = item.get("entity") if isinstance(item, dict) else None
        if not isinstance(entity, str) or entity not in ENTITY_MODELS:
            changes.append(item)
            continue
        seed = zlib.crc32(repr(item).encode())
        names = entity_fields(entity)
        aimed_change = {**item, "change_id": new_id()}
        if entity in fuzz.targets:
            aimed_change["id"] = fuzz.targets[entity][seed % len(fuzz.targets[entity])]
        for part in ("fields", "base"):
            values = item.get(part)
            if isinstance(values, dict):
                renamed = {names[(seed + i) % len(names)]: value for i, value in enumerate(values.values())}
                if "learner_id" in names:
                    renamed["learner_id"] = fuzz.learners[seed // 7 % len(fuzz.learners)]
                aimed_change[part] = renamed
        changes.append(aimed_change)
    return {**body, "changes": changes}


@pytest.mark.slow
@schema.include(path_regex=r"^/api/v1/(sync|admin)/").parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_as_an_assessor_gets_a_500(case: schemathesis.Case, assessor_fuzz: AssessorFuzz) -> None:
    """Signing in is role-blind (the first run covers it); here every scoped operation, and pushes at real records.

    A change aimed at another assessor's record, or an unassigned learner, must be refused whatever else it says.
    """
    server = assessor_fuzz.server
    response = send(server, case, assessor_fuzz.headers)
    assert response.status_code < 500, case.as_curl_command()
    if response.status_code >= 400:
        assert response.json().get("detail"), response.text
    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=assessor_fuzz.headers)
    body = aimed(kwargs.get("json"), assessor_fuzz) if case.operation.path == "/api/v1/sync/push" else None
    if body is None:
        return
    response = server.client.post(kwargs["url"], json=body, headers=kwargs.get("headers"))
    assert response.status_code < 500, body
    if response.status_code >= 400:
        assert response.json().get("detail"), response.text
        return
    for sent, result in zip(body["changes"], response.json()["results"], strict=True):
        if sent.get("id") in assessor_fuzz.foreign:
            assert result["status"] == "rejected", (sent, result)
