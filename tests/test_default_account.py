"""One default-account rule for the window and every command line (`reviewapp.store.locations.default_account`).

Without `--account`, `sync --username alice` used to fill `alice.db`, a file the app never opens, and `export-pdf`
read the demo's caseload: each command now opens the caseload the window opens.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from reviewapp import DEMO_ACCOUNT, OWN_ACCOUNT
from reviewapp.app import start_account
from reviewapp.reports import cli as export_cli
from reviewapp.store.database import Store
from reviewapp.store.locations import database_path, default_account
from reviewapp.sync_client import cli as sync_cli


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_rule_is_the_windows_own(tmp_path: Path, temp_keyring) -> None:  # type: ignore[no-untyped-def]
    assert default_account(tmp_path) == OWN_ACCOUNT == start_account(tmp_path, None, demo=False)[0]
    Store.open(tmp_path, DEMO_ACCOUNT).close()  # someone who chose the demo at the first start
    assert default_account(tmp_path) == DEMO_ACCOUNT and start_account(tmp_path, None, demo=False)[1]
    assert default_account(tmp_path, "assessor1") == "assessor1"


def test_sync_fills_the_caseload_the_app_opens(tmp_path: Path, temp_keyring,  # type: ignore[no-untyped-def]
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(sync_cli.PASSWORD_ENV, "not used: nothing listens there")
    code = sync_cli.main(["--data-dir", str(tmp_path), "--server", f"http://127.0.0.1:{_free_port()}",
                          "--username", "alice"])
    assert code == 1  # no server; what matters is the file it opened
    assert database_path(tmp_path, OWN_ACCOUNT).exists()
    assert not database_path(tmp_path, "alice").exists()


def test_export_pdf_reads_the_caseload_the_app_opens(tmp_path: Path, temp_keyring) -> None:  # type: ignore[no-untyped-def]
    Store.open(tmp_path, OWN_ACCOUNT).close()
    code = export_cli.main(["--data-dir", str(tmp_path), "--all-finalised", "--out-dir", str(tmp_path / "out")])
    assert code == 0  # it used to look for the demo's caseload, which is not here
