"""Helpers for the office web app's tests: signing in through the real form, the CSRF token a page carries, and
teams, so each test reads as what a person does."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient
from server_testkit import PASSWORD, Server

from sync.server.accounts import find_user
from sync.server.db import transaction
from sync.server.teams import add_to_team, create_team, find_team

CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient | httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    """Open the sign-in form and send it as a browser does (without following the redirect)."""
    form = client.get("/sign-in")
    assert form.status_code == 200, form.text
    return client.post("/sign-in", data={"username": username, "password": password, "csrf_token": csrf_of(form.text)},
                       follow_redirects=False)


def browser(server: Server) -> TestClient:
    """A fresh browser (its own cookies) on the server under test."""
    return TestClient(server.app, raise_server_exceptions=False)


def put_in_team(server: Server, team: str, *usernames: str) -> None:
    with transaction(server.factory) as session:
        found = find_team(session, team) or create_team(session, team)
        for name in usernames:
            user = find_user(session, name)
            assert user is not None
            add_to_team(session, found, user)
