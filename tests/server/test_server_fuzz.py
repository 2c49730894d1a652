"""Schemathesis over /openapi.json, on SQLite and PostgreSQL: generated requests, signed in and not, never a 500.

The schema is read once from an app on a scratch SQLite file; each generated request is then sent to the server
under test (SQLite or PostgreSQL, from the `database_url` fixture). Bounded (a few dozen examples per operation)
so the run takes seconds. Every error body must also carry a readable `detail`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from server_testkit import Server

from sync.server.app import create_app

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
