"""Which server addresses the laptop will talk to: the one rule, used wherever an address is taken.

Why: signing in sends the assessor's password, and every sync carries learners' welfare and safeguarding records.
Over plain `http://` anyone on the café Wi-Fi (or a look-alike server) reads both, so the laptop talks only
`https://`, except to a server on this very computer (the demo's embedded server, a developer's own), where the
traffic never leaves the machine. A test rig that needs plain HTTP to another host must say so out loud
(`REVIEWAPP_ALLOW_INSECURE_HTTP=1`, or `reviewapp sync --insecure-http-for-testing`), and is warned every time.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import sys
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

#: Set to 1 to allow plain HTTP to a server on another computer: for a test rig only, never for real caseloads.
ALLOW_INSECURE_HTTP_ENV = "REVIEWAPP_ALLOW_INSECURE_HTTP"

#: Insecure addresses already warned about in this process: once per run and address, not once per sync.
_warned: set[str] = set()


class InsecureServerError(ValueError):
    """A server address the laptop refuses to use; `message` says why and `advice` what to do."""

    def __init__(self, message: str, advice: str) -> None:
        super().__init__(f"{message}\n{advice}")
        self.message = message
        self.advice = advice


def is_loopback_host(host: str) -> bool:
    """True for `localhost` and the loopback addresses (127.0.0.0/8, ::1): traffic that never leaves the computer."""
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def insecure_http_allowed() -> bool:
    return os.environ.get(ALLOW_INSECURE_HTTP_ENV, "").strip().lower() in ("1", "true", "yes")


def check_server_url(url: str, *, allow_insecure_http: bool | None = None) -> str:
    """`url` without a trailing slash if the laptop may send a password and caseload to it; else raises
    `InsecureServerError`. `allow_insecure_http` (default: the environment variable) lets plain HTTP reach another
    computer, with a warning on standard error and in the log (once per run for each address)."""
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    if parts is None or parts.scheme.lower() not in ("http", "https") or not host:
        raise InsecureServerError(
            f"{text or 'An empty address'} is not a server address ReviewApp can use.",
            "Give the full address your IT team sent, starting with https://, e.g. https://reviews.example.org",
        )
    if parts.scheme.lower() == "https" or is_loopback_host(host):
        return text.rstrip("/")
    if allow_insecure_http is None:
        allow_insecure_http = insecure_http_allowed()
    if allow_insecure_http:
        if text.rstrip("/") in _warned:
            return text.rstrip("/")
        _warned.add(text.rstrip("/"))
        warning = (f"WARNING: talking plain HTTP to {host}: the password and every record sent are readable by "
                   "anyone on the network. This is for a test rig only, never for a real caseload.")
        print(f"ReviewApp: {warning}", file=sys.stderr)
        log.warning("%s", warning)
        return text.rstrip("/")
    raise InsecureServerError(
        f"ReviewApp will not connect to {text}: it uses plain http://, so your password and your learners' "
        "records would cross the network unencrypted.",
        f"Use the server's https:// address (ask your IT team; e.g. https://{host}). Plain http:// is allowed only "
        "for a server on this computer (localhost, 127.0.0.1, ::1).",
    )
