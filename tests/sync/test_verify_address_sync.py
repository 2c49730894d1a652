"""The address in a copy's QR code (issue 17 item 4), on a laptop syncing with a real server process: the provider's
public address once the office sets it (pulled with the provider settings), the laptop's sync server until then, and
the plain reference on a laptop that was never connected. Settings kept by an older app are fetched whole again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from synckit import Laptop

from reviewapp.store.database import Store
from reviewapp.store.office_settings import RECEIVED_BY_PROTOCOL, VERIFY_ADDRESS, version_to_ask
from reviewapp.store.review_documents import report_settings
from reviewapp.store.settings import get_setting, set_settings
from sync.server.cli import main as server_cli


def _verify_address(store: Store) -> str | None:
    with store.read() as session:
        return report_settings(session).verify_address


def test_the_qr_address_follows_the_office_setting(world: dict[str, Any], server_db: str, tmp_path: Path) -> None:
    laptop: Laptop = world["laptop"]("alice")
    laptop.sync()
    assert _verify_address(laptop.store) == world["server"].url  # not set at the office: the sync server's

    assert server_cli(["settings", "set", "public-address", "https://reviews.example.ac.uk/", "--database",
                       server_db]) == 0
    laptop.sync()
    assert _verify_address(laptop.store) == "https://reviews.example.ac.uk"

    assert server_cli(["settings", "set", "public-address", "", "--database", server_db]) == 0
    laptop.sync()
    assert get_setting(laptop.store, VERIFY_ADDRESS) is None
    assert _verify_address(laptop.store) == world["server"].url


def test_a_laptop_never_connected_prints_the_plain_reference(tmp_path: Path, temp_keyring: Any) -> None:
    with Store.open(tmp_path / "fresh", "someone") as store:
        assert _verify_address(store) is None
        set_settings(store, sync_server_url="http://127.0.0.1:8765", sync_embedded=True)  # the demo's own server
        assert _verify_address(store) is None


def test_settings_kept_by_an_older_app_are_fetched_whole(world: dict[str, Any], server_db: str) -> None:
    laptop: Laptop = world["laptop"]("alice")
    laptop.sync()
    assert version_to_ask(laptop.store) is not None
    set_settings(laptop.store, office_received_by_protocol=None)  # as an app before protocol 4 left them
    assert get_setting(laptop.store, RECEIVED_BY_PROTOCOL) is None and version_to_ask(laptop.store) is None
    assert server_cli(["settings", "set", "public-address", "https://reviews.example.ac.uk", "--database",
                       server_db]) == 0
    laptop.sync()
    assert _verify_address(laptop.store) == "https://reviews.example.ac.uk"
