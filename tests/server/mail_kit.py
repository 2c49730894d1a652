"""A real SMTP server for the mail tests (aiosmtpd on a free port), recording what it is given."""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
import time
from collections.abc import Callable
from email.message import EmailMessage

from aiosmtpd.controller import Controller

#: Recipients the test server refuses for good (a 5xx: a bounce) or for now (a 4xx).
REFUSED = "nobody@example.org"
DEFERRED = "later@example.org"


class Recorder:
    def __init__(self) -> None:
        #: While set, DATA hangs without accepting (a slow server), recording nothing: `stalled` says one arrived.
        self.stall = False
        self.stalled = threading.Event()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address == REFUSED:
            return "550 5.1.1 No such mailbox"
        if address == DEFERRED:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if self.stall:
            self.stalled.set()
            await asyncio.sleep(120)
            return "451 4.3.0 Timed out"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SmtpServer:
    """`start()` / `stop()` on a fixed port, so a test can take the mail server down and bring it back."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.recorder = Recorder()
        self.controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        with self.recorder.lock:
            return list(self.recorder.messages)

    def start(self) -> SmtpServer:
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def env(self) -> dict[str, str]:
        return {"REVIEWAPP_SMTP_HOST": "127.0.0.1", "REVIEWAPP_SMTP_PORT": str(self.port),
                "REVIEWAPP_SMTP_TLS": "none", "REVIEWAPP_SMTP_FROM": "reviews@provider.example.org"}


def wait_for(check: Callable[[], object], seconds: float = 30, step: float = 0.1) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"not true within {seconds} s")
