"""Helpers for the server tests: a server app under test, push changes, valid ULNs, finalised reviews.

A plain module (not conftest) so test modules can import it by name.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from reviewapp.core.finalise import finalise_review
from reviewapp.core.review_rules import ReviewContext
from reviewapp.core.templates import load_template
from reviewapp.selftest import scripted_answers
from sync.protocol import LearnerData, ReviewData, SignatureData, review_content_hash
from sync.server.accounts import NOTIFIED_ROLES, assign_learner, create_user, find_user
from sync.server.app import create_app
from sync.server.core.config import DATABASE_URL_ENV, Settings
from sync.server.db import new_id, next_rev, take_write_lock, transaction
from sync.server.models import Employer, Learner
from sync.server.records import employer_name_key, learner_columns

PASSWORD = "correct horse battery"


def valid_uln(rng: random.Random | None = None) -> str:
    """A random ULN with a correct check digit."""
    rng = rng or random.Random()
    while True:
        head = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(8))
        remainder = sum(int(d) * w for d, w in zip(head, range(10, 1, -1), strict=True)) % 11
        if remainder:
            return head + str(10 - remainder)


class Server:
    """A server app under test with helpers to set up accounts and caseloads and to talk to it."""

    def __init__(self, database_url: str, **settings: Any) -> None:
        """`settings` override fields of `core.config.Settings` (rate limits, lockout) for this app."""
        self.database_url = database_url
        self.app = create_app(database_url, settings=Settings(database_url, **settings) if settings else None)
        self.client = TestClient(self.app, raise_server_exceptions=False)
        self.factory = self.app.state.session_factory
        self.rng = random.Random(5)

    def close(self) -> None:
        self.client.close()
        self.app.state.engine.dispose()

    def add_user(self, username: str, role: str = "assessor", email: str | None = None) -> str:
        """An account; those told of cases by e-mail (accounts.NOTIFIED_ROLES) get `<username>@example.org`."""
        if email is None:
            email = f"{username}@example.org" if role in NOTIFIED_ROLES else ""
        with transaction(self.factory) as session:
            return create_user(session, username, PASSWORD, role, email=email).id

    def login(self, username: str, device: str = "laptop", password: str = PASSWORD, **extra: Any) -> dict[str, str]:
        response = self.client.post(
            "/api/v1/auth/token", json={"username": username, "password": password, "device_name": device, **extra}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}

    def add_learner(self, assessor: str | None = None, employer: str | None = "Acme Ltd", **fields: Any) -> str:
        with transaction(self.factory) as session:
            take_write_lock(session)
            employer_id = None
            if employer:
                key = employer_name_key(employer)
                found = session.execute(select(Employer).where(Employer.name_key == key)).scalar_one_or_none()
                if found is None:
                    found = Employer(id=new_id(), data={"name": employer, "contact_name": "", "contact_email": "",
                                                        "contact_phone": "", "address": ""}, name_key=key)
                    found.rev = next_rev(session, "employer", found.id, "test")
                    session.add(found)
                employer_id = found.id
            data = {
                "uln": valid_uln(self.rng), "first_name": "Sam", "last_name": "Smith", "date_of_birth": None,
                "email": "", "phone": "", "employer_id": employer_id, "programme": "Data technician", "level": 3,
                "start_date": "2025-09-01", "planned_end_date": None, "planned_otj_hours": 0.0, "assessor": "",
                "support_needs": "", "starting_points": "", "status": "active", "learner_ref": "",
                "standard_code": None,
            }
            data.update(fields)
            learner = Learner(id=new_id(), data=data, **learner_columns(data))
            learner.rev = next_rev(session, "learner", learner.id, "test")
            session.add(learner)
            session.flush()
            if assessor:
                user = find_user(session, assessor)
                assert user is not None
                assign_learner(session, learner, user)
            return learner.id

    def assign(self, learner_id: str, assessor: str) -> None:
        with transaction(self.factory) as session:
            learner = session.get(Learner, learner_id)
            user = find_user(session, assessor)
            assert learner is not None and user is not None
            assign_learner(session, learner, user)

    def pull_all(self, headers: dict[str, str], since: int = 0, limit: int = 500) -> tuple[list[dict], int]:
        changes: list[dict] = []
        while True:
            response = self.client.get("/api/v1/sync/pull", params={"since": since, "limit": limit}, headers=headers)
            assert response.status_code == 200, response.text
            body = response.json()
            changes.extend(body["changes"])
            since = body["cursor"]
            if not body["more"]:
                return changes, since

    def push(self, headers: dict[str, str], *changes: dict) -> list[dict]:
        body = {"batch_id": new_id(), "device_id": "test-device", "changes": list(changes)}
        response = self.client.post("/api/v1/sync/push", json=body, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()["results"]


def change(entity: str, op: str, record_id: str | None = None, fields: dict | None = None, **extra: Any) -> dict:
    """A push change with a fresh change_id."""
    return {"change_id": new_id(), "entity": entity, "op": op, "id": record_id or new_id(), "fields": fields or {},
            **extra}


TEMPLATE_ID = "apprenticeship-progress-review"
REVIEW_VISIT = dt.date(2025, 11, 20)
#: Who signs a review in these tests, by role.
SIGNERS: tuple[tuple[str, str], ...] = (("learner", "Sam Smith"), ("employer", "Pat Boss"), ("assessor", "Alice"))


def drawn_signature(review_id: str, role: str, name: str, **fields: Any) -> dict[str, Any]:
    """A signature drawn on the laptop's pad, in wire form."""
    return {"review_id": review_id, "role": role, "name": name, "signed_at": "2025-11-20T10:29:00+00:00",
            "strokes": [[[0.0, 1.0], [2.0, 3.0]]], **fields}


def finalised_review(
    learner_id: str, review_id: str, signatures: Sequence[dict[str, Any]] | None = None
) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    """A review finalised as the laptop finalises one, in wire form, with its signatures as (id, data).

    The laptop's own code does it: core's `finalise_review` over the real template and the self-test's complete
    answers (no open targets, no plan items), signed by `signatures` (by default all three parties, drawn).
    """
    template = load_template(TEMPLATE_ID)
    learner = LearnerData(uln="1234567890", first_name="Sam", last_name="Smith", start_date=dt.date(2025, 9, 1))
    context = ReviewContext(review_id=review_id, learner=learner)
    if signatures is None:
        signatures = [drawn_signature(review_id, role, name) for role, name in SIGNERS]
    draft = ReviewData(learner_id=learner_id, template_id=template.id, template_version=template.version,
                       assessor="alice", answers=scripted_answers(context, REVIEW_VISIT))
    finalised = finalise_review(template, draft, [SignatureData.model_validate(s) for s in signatures], context,
                                dt.datetime(2025, 11, 20, 10, 30, tzinfo=dt.UTC))
    return finalised.review.model_dump(mode="json"), [(new_id(), dict(s)) for s in signatures]


def rehashed(review_id: str, review: dict[str, Any], signatures: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The review with the content hash of these answers and signatures: what any client can compute."""
    hashed = review_content_hash(review_id, ReviewData.model_validate(review),
                                 [SignatureData.model_validate(s) for s in signatures])
    return {**review, "content_hash": hashed}


def wait_for_health(base: str, process: subprocess.Popen[Any], seconds: float = 30) -> None:
    """Wait until a server process started by a test answers its health check (asserting it neither exits nor
    takes longer than `seconds`)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert process.poll() is None, "the server exited at start"
        assert time.monotonic() < deadline, f"the server did not start within {seconds:g} seconds"
        time.sleep(0.2)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve_process(database_url: str) -> Iterator[str]:
    """`reviewapp-server serve` as a real process on a free port, once it answers; yields its base URL."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "sync.server", "serve", "--port", str(port)],
                               env={**os.environ, DATABASE_URL_ENV: database_url},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(base, process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
