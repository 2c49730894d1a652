"""`reviewapp-server serve` as a real process: a plain HTTP client signs in, pulls its caseload and pushes."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest
from server_testkit import PASSWORD, Server, free_port

from sync.server.core.config import DATABASE_URL_ENV
from sync.server.db import new_id


@pytest.mark.slow
def test_serve_process_with_plain_httpx(database_url: str) -> None:
    setup = Server(database_url)
    setup.add_user("alice")
    learner = setup.add_learner("alice")
    setup.close()
    port = free_port()
    workers = "2" if database_url.startswith("postgresql") else "1"
    env = {**os.environ, DATABASE_URL_ENV: database_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "sync.server", "serve", "--port", str(port), "--workers", workers],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            assert time.monotonic() < deadline, "the server did not start within 30 seconds"
            time.sleep(0.2)
        with httpx.Client(base_url=base, timeout=10) as client:
            token = client.post("/api/v1/auth/token",
                                json={"username": "alice", "password": PASSWORD, "device_name": "curl"}).json()
            headers = {"Authorization": f"Bearer {token['token']}"}
            pulled = client.get("/api/v1/sync/pull", params={"since": 0}, headers=headers).json()
            assert learner in {c["id"] for c in pulled["changes"]} and pulled["server_id"] == token["server_id"]
            learner_rev = next(c["rev"] for c in pulled["changes"] if c["id"] == learner)
            pushed = client.post("/api/v1/sync/push", headers=headers, json={
                "batch_id": new_id(), "device_id": token["device_id"], "changes": [{
                    "change_id": new_id(), "entity": "learner", "id": learner, "op": "update",
                    "base_rev": learner_rev, "base": {"phone": ""}, "fields": {"phone": "07700 900123"}}],
            }).json()
            assert pushed["results"][0]["status"] == "applied"
            after = client.get("/api/v1/sync/pull", params={"since": pulled["cursor"]}, headers=headers).json()
            assert after["changes"][0]["data"]["phone"] == "07700 900123"
            assert client.get("/openapi.json").json()["info"]["title"] == "ReviewApp sync server"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_embedded_server_for_demo_mode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sync.server.embedded import EmbeddedServer

    with EmbeddedServer(f"sqlite:///{tmp_path / 'demo.sqlite3'}") as server:
        health = httpx.get(f"{server.url}/api/v1/health", timeout=5).json()
        assert health["status"] == "ok" and health["database"] == "sqlite"
