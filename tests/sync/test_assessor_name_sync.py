"""Signing in keeps the assessor's display name from their account, for the name beside their signature (issue 13
item 8: the three signature names were blank although the app knew them all)."""

from __future__ import annotations

from typing import Any

from reviewapp.store.settings import get_setting
from sync.server.accounts import find_user
from sync.server.db import transaction


def test_signing_in_keeps_the_assessors_display_name(world: dict[str, Any]) -> None:
    with transaction(world["setup"].factory) as session:
        find_user(session, "alice").display_name = "Alice Jones"
    alice = world["laptop"]("alice")
    assert get_setting(alice.store, "assessor.display_name") == "Alice Jones"
