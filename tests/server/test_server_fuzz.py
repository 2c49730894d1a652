"""Schemathesis over /openapi.json: generated requests, signed in and not, must never meet a 500.

Bounded (a few dozen examples per operation) so the run takes seconds; `not_a_server_error` is the check that
matters, plus our own assertion that every error body carries a readable `detail`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from server_testkit import Server

_server = Server(f"sqlite:///{Path(tempfile.mkdtemp(prefix='reviewapp-fuzz-')) / 'server.sqlite3'}")
_server.add_user("fuzz", role="manager")
_server.add_learner(None)
_HEADERS = _server.login("fuzz")

schema = schemathesis.openapi.from_asgi("/openapi.json", _server.app)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_500(case: schemathesis.Case) -> None:
    for headers in (_HEADERS, {}):
        response = case.call(headers=headers)
        assert response.status_code < 500, case.as_curl_command()
        if response.status_code >= 400:
            assert response.json().get("detail"), response.text
