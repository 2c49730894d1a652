"""Sync client fixtures: a real server process on a free port (SQLite file by default), seeded with accounts."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from synckit import Laptop, Office, Server, ServerProcess


@pytest.fixture
def server_db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'server.sqlite3'}"


@pytest.fixture
def world(tmp_path: Path, server_db: str) -> Iterator[dict[str, Any]]:
    """A running server with assessors alice and bob (two learners each), manager meg, and their clients."""
    setup = Server(server_db)
    setup.add_user("alice")
    setup.add_user("bob")
    setup.add_user("meg", role="manager")
    learners = {
        "alice": [setup.add_learner("alice", employer="Acme Ltd", first_name=n) for n in ("Ann", "Amy")],
        "bob": [setup.add_learner("bob", employer="Bobcat plc", first_name=n) for n in ("Ben", "Bea")],
    }
    process = ServerProcess(server_db, tmp_path)
    process.start()
    laptops: list[Laptop] = []
    offices: list[Office] = []

    def laptop(username: str, name: str | None = None, **options: Any) -> Laptop:
        made = Laptop(tmp_path / (name or f"{username}-laptop"), username, process.url, **options).login()
        laptops.append(made)
        return made

    def office(username: str = "meg") -> Office:
        made = Office(process.url, username)
        offices.append(made)
        return made

    try:
        yield {"setup": setup, "server": process, "learners": learners, "laptop": laptop, "office": office}
    finally:
        for made in laptops:
            made.close()
        for made_office in offices:
            made_office.close()
        process.stop()
        setup.close()
