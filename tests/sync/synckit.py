"""Helpers for the sync client tests: a real server process, laptops (stores in their own data dirs), the office.

A plain module (not conftest) so test modules can import it by name.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent.parent / "server"))

from server_testkit import PASSWORD, Server, valid_uln

from reviewapp.store.database import Store
from reviewapp.store.models import SYNCABLE_MODELS, SyncConflict, data_fields
from reviewapp.sync_client.engine import SyncClient
from sync.protocol import ENTITY_MODELS, PROTOCOL_HEADER, PROTOCOL_VERSION
from sync.server.db import new_id

__all__ = ["PASSWORD", "Laptop", "Office", "Server", "ServerProcess", "valid_uln"]

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """`sync.server` under uvicorn in its own process on 127.0.0.1, restartable, with a kill plan."""

    def __init__(self, database_url: str, workdir: Path) -> None:
        self.database_url = database_url
        self.port = free_port()
        self.plan_file = workdir / "fault-plan.json"
        self.log_file = workdir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def plan(self, **plan: int) -> None:
        """Die at the Nth push/pull from now on."""
        self.plan_file.write_text(json.dumps({**plan, "written": time.monotonic_ns()}))

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(Path(__file__).parent / "faulty_server.py"), self.database_url, str(self.port),
                 str(self.plan_file)],
                env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
            )
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"the server process ended: {self.log_file.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start within 30 seconds")
            time.sleep(0.05)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.plan()
        self.start()


class Laptop:
    """An assessor's laptop: its own data directory and encrypted store, signed in to the server."""

    def __init__(self, data_dir: Path, username: str, server_url: str, **client_options: Any) -> None:
        self.data_dir = data_dir
        self.username = username
        self.store = Store.open(data_dir, username)
        self.client = SyncClient(self.store, server_url, username, device_name=f"{username}-laptop",
                                 **{"backoff": 0.02, "max_attempts": 3, **client_options})

    def login(self) -> Laptop:
        self.client.login(PASSWORD)
        return self

    def sync(self):  # type: ignore[no-untyped-def]
        return self.client.sync()

    def close(self) -> None:
        self.client.close()
        self.store.close()

    def records(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Every live record on the laptop in the server's JSON form."""
        out: dict[tuple[str, str], dict[str, Any]] = {}
        with self.store.read() as session:
            for entity, model in SYNCABLE_MODELS.items():
                for row in session.execute(
                    model.__table__.select().where(model.__table__.c.deleted.is_(False))
                ).mappings():
                    fields = {name: row[name] for name in data_fields(model)}
                    out[(entity, row["id"])] = ENTITY_MODELS[entity].model_validate(fields).model_dump(mode="json")
        return out

    def conflicts(self) -> list[SyncConflict]:
        with self.store.read() as session:
            return list(session.query(SyncConflict).order_by(SyncConflict.created_at))

    def edit(self, entity: str, record_id: str, **values: Any) -> None:
        with self.store.write() as session:
            row = session.get(SYNCABLE_MODELS[entity], record_id)
            for name, value in values.items():
                setattr(row, name, value)


class Office:
    """A manager (or admin) talking to the server's API directly, as the office's own tools would."""

    def __init__(self, server_url: str, username: str, protocol: int | None = PROTOCOL_VERSION) -> None:
        """`protocol` is what the office's tool says it speaks (None: no header, as a tool older than it)."""
        self.http = httpx.Client(base_url=server_url, timeout=10)
        if protocol is not None:
            self.http.headers[PROTOCOL_HEADER] = str(protocol)
        token = self.http.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD,
                                                          "device_name": "office"}).json()
        self.headers = {"Authorization": f"Bearer {token['token']}"}

    def close(self) -> None:
        self.http.close()

    def records(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Every live record the caller sees: a fresh pull from 0."""
        found: dict[tuple[str, str], dict[str, Any]] = {}
        since = 0
        while True:
            body = self.http.get("/api/v1/sync/pull", params={"since": since, "limit": 1000},
                                 headers=self.headers).json()
            for change in body["changes"]:
                key = (change["entity"], change["id"])
                if change["op"] == "upsert":
                    found[key] = change["data"]
                else:
                    found.pop(key, None)
            since = body["cursor"]
            if not body["more"]:
                return found

    def record(self, entity: str, record_id: str) -> dict[str, Any]:
        return self.records()[(entity, record_id)]

    def edit(self, entity: str, record_id: str, **values: Any) -> dict[str, Any]:
        current = self.record(entity, record_id)
        body = {"batch_id": new_id(), "device_id": "office", "changes": [{
            "change_id": new_id(), "entity": entity, "id": record_id, "op": "update",
            "base": {name: current[name] for name in values}, "fields": values}]}
        result = self.http.post("/api/v1/sync/push", json=body, headers=self.headers).json()["results"][0]
        assert result["status"] == "applied", result
        return result

    def as_assessor(self, username: str) -> Office:
        return Office(str(self.http.base_url), username)


def caseload_view(records: dict[tuple[str, str], dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return dict(sorted(records.items()))
