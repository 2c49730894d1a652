"""The laptop sends a password and a caseload only over https://, or plain HTTP to this very computer (issue 12, 4)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from synckit import ROOT

from reviewapp.sync_client.server_address import (
    ALLOW_INSECURE_HTTP_ENV,
    InsecureServerError,
    check_server_url,
    is_loopback_host,
)


@pytest.mark.parametrize("url", [
    "https://reviews.example.org", "https://reviews.example.org:8443/", "http://127.0.0.1:8000",
    "http://127.5.6.7", "http://localhost:9000/", "http://LOCALHOST", "http://[::1]:8000",
])
def test_https_anywhere_and_plain_http_on_this_computer_are_used(url: str) -> None:
    assert check_server_url(url, allow_insecure_http=False) == url.rstrip("/")


@pytest.mark.parametrize("url", [
    "http://reviews.example.org", "http://192.0.2.2:8000", "http://[fd00::2]/", "http://127.0.0.1.example.org",
    "http://localhost.example.org", "http://10.0.0.1",
])
def test_plain_http_to_another_computer_is_refused_with_advice(url: str) -> None:
    with pytest.raises(InsecureServerError) as caught:
        check_server_url(url, allow_insecure_http=False)
    assert "plain http://" in caught.value.message and "https://" in caught.value.advice


@pytest.mark.parametrize("url", ["reviews.example.org", "ftp://reviews.example.org", "", "https://", "localhost:80"])
def test_something_that_is_not_a_server_address_is_refused(url: str) -> None:
    with pytest.raises(InsecureServerError, match="https://"):
        check_server_url(url, allow_insecure_http=True)


def test_the_test_rig_option_allows_plain_http_loudly(monkeypatch, capsys) -> None:
    monkeypatch.setenv(ALLOW_INSECURE_HTTP_ENV, "1")
    assert check_server_url("http://rig-a.example.org:8000/") == "http://rig-a.example.org:8000"
    assert "WARNING: talking plain HTTP to rig-a.example.org" in capsys.readouterr().err
    monkeypatch.setenv(ALLOW_INSECURE_HTTP_ENV, "0")
    with pytest.raises(InsecureServerError):
        check_server_url("http://rig-b.example.org")


def test_loopback_hosts() -> None:
    assert all(map(is_loopback_host, ["localhost", "127.0.0.1", "127.255.0.9", "::1", "[::1]"]))
    assert not any(map(is_loopback_host, ["192.0.2.2", "example.org", "0.0.0.0", "::", "fd00::2"]))


def _outward_address() -> str:
    """This computer's address on its network (not loopback), where a listener can be reached over the LAN."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.254", 9))  # no packet is sent: this only picks the outgoing interface
            address = probe.getsockname()[0]
        except OSError:
            address = ""
    if not address or is_loopback_host(address):
        pytest.skip("this computer has no non-loopback IPv4 address to listen on")
    return address


class Listener:
    """A real TCP server on the LAN address that records whatever reaches it and answers 401."""

    def __init__(self, host: str) -> None:
        self.sock = socket.create_server((host, 0))
        self.sock.settimeout(0.2)
        self.url = f"http://{host}:{self.sock.getsockname()[1]}"
        self.received = b""
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(2)
                data = b""
                while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < _length(data):
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                self.received += data
                body = b'{"detail": "no"}'
                conn.sendall(b"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: "
                             + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


def _length(data: bytes) -> int:
    for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":", 1)[1])
    return 0


def _run_sync(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "REVIEWAPP_PASSWORD": "secret-password-9"}
    full_env.pop(ALLOW_INSECURE_HTTP_ENV, None)
    full_env.update(env)
    return subprocess.run([sys.executable, "-m", "reviewapp", "sync", *args], env=full_env, capture_output=True,
                          text=True, timeout=120, cwd=ROOT)


def test_headless_sync_never_sends_the_password_over_plain_http_to_another_computer(tmp_path: Path) -> None:
    listener = Listener(_outward_address())
    try:
        args = ["--data-dir", str(tmp_path / "laptop"), "--username", "alice"]
        for server in (listener.url, "http://reviews.example.org"):
            refused = _run_sync([*args, "--server", server])
            assert refused.returncode == 2, refused.stderr
            assert "will not connect" in refused.stderr and "https://" in refused.stderr
            assert "Traceback" not in refused.stderr
        assert listener.connections == 0 and listener.received == b""
        assert not (tmp_path / "laptop").exists()  # refused before even the local caseload was opened

        # The control: the loudly named option does connect, so the listener would have seen a refused run.
        allowed = _run_sync([*args, "--server", listener.url, "--insecure-http-for-testing"])
        assert allowed.returncode == 1
        assert "WARNING: talking plain HTTP" in allowed.stderr
        assert b"POST /api/v1/auth/token" in listener.received and b"secret-password-9" in listener.received
    finally:
        listener.close()
