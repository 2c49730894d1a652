"""Server test fixtures: a database per test on SQLite and, when reachable, on the machine's PostgreSQL.

PostgreSQL: one uniquely named database is created for the test session (user postgres on 127.0.0.1:5432, trust
authentication, as scripts/postgres.sh arranges) and dropped at the end; each test starts from an empty schema.
When it cannot be reached the PostgreSQL cases skip, except under CI, where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server_testkit import Server
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

PG_SERVER_URL = os.environ.get("REVIEWAPP_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")



@pytest.fixture(autouse=True)
def upload_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own folder of waiting uploads (a server process it starts inherits it): the next upload forgets
    old ones, so a test that ages uploads would otherwise remove those of a test running beside it."""
    root = tmp_path_factory.mktemp("uploads")
    monkeypatch.setenv("REVIEWAPP_UPLOAD_DIR", str(root))
    return root


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """The URL of a fresh PostgreSQL database for this test session."""
    admin = create_engine(PG_SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as error:
        admin.dispose()
        message = f"PostgreSQL is not reachable at {PG_SERVER_URL}: {error.orig}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    name = f"reviewapp_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_SERVER_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _empty_postgres(url: str) -> str:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("DROP SCHEMA IF EXISTS reviewapp_jobs CASCADE"))  # the job queue's (migration 0015)
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.sqlite3'}"
    return _empty_postgres(request.getfixturevalue("postgres_database"))


@pytest.fixture
def postgres_url(postgres_database: str) -> str:
    return _empty_postgres(postgres_database)


@pytest.fixture
def server(database_url: str) -> Iterator[Server]:
    srv = Server(database_url)
    yield srv
    srv.close()


@pytest.fixture
def caseloads(server: Server) -> dict[str, Any]:
    """Two assessors with one learner each, a manager, and a signed-in client for each."""
    server.add_user("alice")
    server.add_user("bob")
    server.add_user("meg", role="manager")
    return {
        "alice_learner": server.add_learner("alice", employer="Acme Ltd"),
        "bob_learner": server.add_learner("bob", employer="Bobcat plc"),
        "alice": server.login("alice"),
        "bob": server.login("bob"),
        "meg": server.login("meg"),
    }
