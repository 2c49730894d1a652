"""The main sync scenarios with the server on PostgreSQL (skipped where the machine's PostgreSQL is not running,
failing under CI), so the client is tested against the production database too."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from reviewapp.store.sync.conflicts import keep_mine

PG_SERVER_URL = os.environ.get("REVIEWAPP_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")

pytestmark = pytest.mark.postgres


@pytest.fixture
def server_db() -> Iterator[str]:
    admin = create_engine(PG_SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as error:
        admin.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable: {error.orig}")
        pytest.skip(f"PostgreSQL is not reachable: {error.orig}")
    name = f"reviewapp_sync_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_SERVER_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_two_laptops_office_conflict_and_reassignment_on_postgresql(world: dict[str, Any]) -> None:
    ann, amy = world["learners"]["alice"]
    first, second = world["laptop"]("alice"), world["laptop"]("alice", "second")
    office = world["office"]()
    first.sync(), second.sync()
    first.edit("learner", ann, phone="first")
    second.edit("learner", ann, phone="second")
    office.edit("learner", amy, email="office@example.org")
    first.sync()
    assert second.sync().conflicts == 1
    [conflict] = second.conflicts()
    keep_mine(second.store, conflict.id)
    second.sync(), first.sync()
    server = office.as_assessor("alice").records()
    assert server[("learner", ann)]["phone"] == "second"
    assert first.records() == second.records() == server
    world["setup"].assign(amy, "bob")
    assert first.sync().purged_learners == 1
    assert first.records() == world["office"]("alice").records()
