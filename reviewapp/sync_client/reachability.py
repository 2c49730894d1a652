"""What a failure to reach the sync server means, in words an assessor can act on, and whether trying again at once
could help.

A refused connection or a name that does not resolve will not mend in the next few seconds, so it is tried once more
at most (a Wi-Fi that has just woken gets that one chance) and then said plainly; a timeout, a dropped connection or
a server error (5xx) may pass, so those keep their retries with back-off. The technical detail goes to the log, not
the message.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

#: What to do, said after every "could not reach" message.
WHAT_TO_DO = ("Check this laptop's network connection, and the server address in Sync > Sync settings. Your "
              "changes are kept on this laptop, and ReviewApp will try again at the next sync.")

#: What to do when the server answered but could not do the work (5xx).
SERVER_TROUBLE_ADVICE = ("Your changes are kept on this laptop, and ReviewApp will try again at the next sync; if "
                         "this keeps happening, tell IT.")

#: Attempts for a failure that trying again at once will not mend: the first and one retry.
FAST_FAIL_ATTEMPTS = 2


@dataclass(frozen=True)
class Problem:
    """One failed attempt to reach the server: what happened, in words, and whether retrying at once is futile."""

    words: str
    fail_fast: bool
    #: What to do about it: for a server that is there but failing, the network and the address are not the cause.
    advice: str = WHAT_TO_DO


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and the exceptions it was raised from (httpx wraps the socket's own error)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _host(server_url: str) -> str:
    return urlsplit(server_url).hostname or server_url


def transport_problem(exc: httpx.TransportError, server_url: str) -> Problem:
    """What a transport error from httpx means for the assessor."""
    causes = _causes(exc)
    text = " ".join(str(c) for c in causes).lower()
    if isinstance(exc, httpx.TimeoutException):
        return Problem(f"The sync server at {server_url} did not answer in time.", fail_fast=False)
    if any(isinstance(c, socket.gaierror) for c in causes) or any(
            words in text for words in ("name or service not known", "name resolution", "nodename nor servname",
                                        "getaddrinfo failed", "no address associated")):
        return Problem(f"The sync server's name, {_host(server_url)}, could not be found: this laptop may be "
                       "offline, or the address may be mistyped.", fail_fast=True)
    if any(isinstance(c, ConnectionRefusedError) for c in causes) or "connection refused" in text \
            or "actively refused" in text:
        return Problem(f"The sync server at {server_url} is not reachable: nothing there accepted the connection "
                       "(the server may be down, or the address may be wrong).", fail_fast=True)
    if any(isinstance(c, ssl.SSLError) for c in causes) or "certificate" in text:
        return Problem(f"The sync server at {server_url} could not be reached safely: its certificate could not "
                       "be checked (ask IT whether the address is right).", fail_fast=True)
    if isinstance(exc, httpx.ConnectError):
        return Problem(f"The sync server at {server_url} is not reachable: this laptop could not connect to it.",
                       fail_fast=True)
    return Problem(f"The connection to the sync server at {server_url} was lost part-way.", fail_fast=False)


def server_error_problem(status: int, server_url: str) -> Problem:
    """A 5xx answer: the server is there but could not do it; it may recover, so it is retried."""
    return Problem(f"The sync server at {server_url} had a problem of its own (HTTP {status}) and could not "
                   "finish the sync.", fail_fast=False, advice=SERVER_TROUBLE_ADVICE)


def unreachable_message(problem: Problem, attempts: int) -> str:
    """The whole message for a sync that gave up: what happened, how many tries, what to do."""
    tries = "once" if attempts == 1 else "twice" if attempts == 2 else f"{attempts} times"
    return f"{problem.words} (Tried {tries}.) {problem.advice}"
