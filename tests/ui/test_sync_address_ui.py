"""The window's sync refuses a plain http:// server on another computer: typed in the settings (the first start's
Connect goes through them) or kept in the settings by an earlier version (issue 12, item 4)."""

from __future__ import annotations

from reviewapp.store.database import Store
from reviewapp.store.settings import get_setting, set_settings
from reviewapp.sync_client.config import SERVER_URL
from reviewapp.ui.main_window import MainWindow
from reviewapp.ui.sync_controller import SyncController


def _window(qtbot, tmp_path):  # type: ignore[no-untyped-def]
    store = Store.open(tmp_path / "laptop", "alice")
    window = MainWindow(store)
    errors: list[str] = []
    window.show_error = lambda title, text: errors.append(f"{title}: {text}")
    qtbot.addWidget(window)
    return store, window, errors


def test_the_settings_dialog_refuses_plain_http_and_asks_again(qtbot, tmp_path) -> None:
    store, window, errors = _window(qtbot, tmp_path)
    controller = SyncController(window, store)
    answers = [("http://reviews.example.org", "alice", 15), ("https://reviews.example.org/", "alice", 15)]
    asked: list[tuple[str, str, int]] = []
    controller.ask_settings = lambda *values: (asked.append(values), answers.pop(0))[1]
    controller.ask_password = lambda message="": (_ for _ in ()).throw(AssertionError("no sign-in asked"))
    controller.open_settings()
    assert len(errors) == 1 and "will not connect to http://reviews.example.org" in errors[0]
    assert asked[1][0] == "http://reviews.example.org"  # asked again with what was typed, to correct it
    assert get_setting(store, SERVER_URL) == "https://reviews.example.org"
    store.close()


def test_a_plain_http_address_kept_from_before_is_never_used(qtbot, tmp_path) -> None:
    store, window, errors = _window(qtbot, tmp_path)
    set_settings(store, sync_server_url="http://192.0.2.2:8000", sync_username="alice")  # as an older version kept it
    controller = SyncController(window, store)
    opened: list[str] = []
    controller.open_settings = lambda: opened.append("settings")
    controller.ask_password = lambda message="": ("alice", "a password")
    assert controller.sync_now() is False and not controller.running
    assert "will not connect to http://192.0.2.2:8000" in errors[0] and opened == ["settings"]
    assert controller.sync_now(quiet=True) is False
    assert "Not synced" in window.statusBar().currentMessage() and len(errors) == 1
    assert controller.sign_in() is False and "will not connect" in errors[1]
    store.close()
