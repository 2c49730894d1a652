"""A sync server that is not there is said in words, quickly (issue 13 item 14): a refused connection or an unknown
name is tried once more at most, not six times with back-off; timeouts and server errors keep their retries. And the
status bar names the server sync was pointed at, not the demo's."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from reviewapp.store.database import Store
from reviewapp.store.settings import set_settings
from reviewapp.sync_client.engine import SyncClient
from reviewapp.sync_client.errors import ServerUnreachableError

TECHNICAL = ("Errno", "ConnectError", "attempts", "Traceback")


def _closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: bound, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _counting_client(store: Store, url: str, counted: list[str], **options: Any) -> SyncClient:
    http = httpx.Client(base_url=url, timeout=5,
                        event_hooks={"request": [lambda request: counted.append(request.url.path)]})
    return SyncClient(store, url, "alice", http=http, **options)


def test_a_closed_port_fails_within_two_attempts_in_plain_words(tmp_path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    counted: list[str] = []
    with Store.open(tmp_path / "laptop", "alice") as store, _counting_client(store, url, counted) as client:
        started = time.monotonic()
        with pytest.raises(ServerUnreachableError) as caught:
            client.sync()  # the default retries and back-off, as the app uses them
        took = time.monotonic() - started
    message = str(caught.value)
    assert len(counted) <= 2, counted
    assert took < 3, f"took {took:.1f} s"
    assert f"The sync server at {url} is not reachable" in message
    assert "network connection" in message and "server address" in message
    assert "try again at the next sync" in message and "kept on this laptop" in message
    assert not [word for word in TECHNICAL if word in message], message


def test_a_name_that_does_not_resolve_fails_fast_in_plain_words(tmp_path) -> None:
    url = "https://no-such-server.invalid"
    counted: list[str] = []
    with (Store.open(tmp_path / "laptop", "alice") as store, _counting_client(store, url, counted) as client,
          pytest.raises(ServerUnreachableError) as caught):
        client.sync()
    message = str(caught.value)
    assert len(counted) <= 2, counted
    assert "no-such-server.invalid, could not be found" in message
    assert not [word for word in TECHNICAL if word in message], message


class _Unavailable(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # the name http.server calls
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


def test_a_server_error_is_still_retried_with_back_off(tmp_path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Unavailable)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    counted: list[str] = []
    try:
        with (Store.open(tmp_path / "laptop", "alice") as store,
              _counting_client(store, url, counted, backoff=0.01, max_attempts=4) as client,
              pytest.raises(ServerUnreachableError) as caught):
            client.sync()
    finally:
        server.shutdown()
        server.server_close()
    assert len(counted) == 4
    message = str(caught.value)
    assert "had a problem of its own (HTTP 503)" in message and "Tried 4 times" in message
    assert "tell IT" in message and "network connection" not in message


def test_the_status_bar_names_the_server_sync_was_pointed_at_not_the_demos(qtbot, tmp_path) -> None:
    from reviewapp.ui.main_window import MainWindow
    from reviewapp.ui.sync_controller import SyncController

    store = Store.open(tmp_path / "laptop", "demo")
    try:
        set_settings(store, sync_server_url="http://127.0.0.1:8765", sync_username="demo", sync_embedded=True)
        window = MainWindow(store)
        qtbot.addWidget(window)
        controller = SyncController(window, store)
        assert window.connection_label.text() == "Server: the demo server on this computer"
        assert controller.save_settings("https://reviews.example.org", "alice", 0)
        assert window.connection_label.text() == "Server: https://reviews.example.org"
        window.runner.wait()
    finally:
        store.close()


def test_the_window_says_an_unreachable_server_in_words(qtbot, tmp_path) -> None:
    from reviewapp.ui.main_window import MainWindow
    from reviewapp.ui.sync_controller import SyncController

    store = Store.open(tmp_path / "laptop", "alice")
    try:
        window = MainWindow(store)
        errors: list[str] = []
        window.show_error = lambda title, text: errors.append(f"{title}: {text}")
        qtbot.addWidget(window)
        controller = SyncController(window, store)
        url = f"http://127.0.0.1:{_closed_port()}"
        controller.save_settings(url, "alice", 0)
        # Signed in earlier: a token is kept, so the sync goes as far as the server.
        from reviewapp.sync_client.tokens import save_token

        save_token(store, url, "a-token-from-an-earlier-sign-in")
        started = time.monotonic()
        with qtbot.waitSignal(controller.sync_failed, timeout=10000) as failed:
            controller.sync_now()
        assert time.monotonic() - started < 3
        assert f"The sync server at {url} is not reachable" in failed.args[0]
        assert errors and errors[0].startswith(f"Sync did not finish: The sync server at {url} is not reachable")
        assert not [word for word in TECHNICAL if word in errors[0]], errors[0]
        assert window.connection_label.text() == f"Offline (server not reachable): {url}"
        window.runner.wait()
    finally:
        store.close()
