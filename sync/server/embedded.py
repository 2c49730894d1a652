"""An in-process server for the desktop app's demo mode: `create_app` on a URL, served by uvicorn in a thread.

    with EmbeddedServer("sqlite:////path/demo-server.sqlite3") as server:
        ...  # talk to server.url

The port is chosen by the operating system unless given, and the server listens on 127.0.0.1 only. Every
`archive_interval` seconds (None: never) a background thread makes the signed archival copies of newly finalised
reviews (archive/copies.py), as a provider's server does with `reviewapp-server archive`.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

from .app import create_app

log = logging.getLogger(__name__)


class EmbeddedServer:
    def __init__(self, database_url: str, host: str = "127.0.0.1", port: int = 0,
                 archive_interval: float | None = 60.0) -> None:
        self.app = create_app(database_url)
        self.archive_interval = archive_interval
        self.archive_loop: Any = None
        self.host = host
        if port == 0:
            with socket.socket() as sock:
                sock.bind((host, 0))
                port = sock.getsockname()[1]
        self.port = port
        self._server = uvicorn.Server(uvicorn.Config(self.app, host=host, port=port, log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, name="reviewapp-embedded-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 15) -> None:
        """Start serving and return once the server accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"The embedded sync server could not start on {self.url}.")
            time.sleep(0.02)
        if self.archive_interval is not None:
            try:
                from .archive.copies import ArchiveLoop
            except ImportError:  # pikepdf or pyHanko missing: the server extra is not installed
                log.warning("Archival copies are not made: install reviewapp[server] for pikepdf and pyHanko.")
            else:
                self.archive_loop = ArchiveLoop(self.app.state.session_factory, self.archive_interval)
                self.archive_loop.start()

    def stop(self) -> None:
        if self.archive_loop is not None:
            self.archive_loop.stop()
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self.app.state.engine.dispose()

    def __enter__(self) -> EmbeddedServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
