"""Which caseload a start opens: the assessor's own, never the demo's file, unless the demo is what they chose."""

from __future__ import annotations

from reviewapp import DEMO_ACCOUNT
from reviewapp.app import OWN_ACCOUNT, start_account
from reviewapp.store.locations import database_path


def test_a_plain_start_opens_the_assessors_own_caseload(tmp_path) -> None:
    assert start_account(tmp_path, None, demo=False) == (OWN_ACCOUNT, False)
    assert OWN_ACCOUNT != DEMO_ACCOUNT  # a real caseload never lives under the demo's name


def test_someone_who_chose_the_demo_gets_it_again_until_they_have_their_own(tmp_path) -> None:
    database_path(tmp_path, DEMO_ACCOUNT).write_bytes(b"")
    assert start_account(tmp_path, None, demo=False) == (OWN_ACCOUNT, True)
    database_path(tmp_path, OWN_ACCOUNT).write_bytes(b"")
    assert start_account(tmp_path, None, demo=False) == (OWN_ACCOUNT, False)


def test_named_accounts_and_demo_mode_are_taken_as_asked(tmp_path) -> None:
    database_path(tmp_path, DEMO_ACCOUNT).write_bytes(b"")
    assert start_account(tmp_path, "assessor1", demo=False) == ("assessor1", False)
    assert start_account(tmp_path, None, demo=True) == (OWN_ACCOUNT, True)
