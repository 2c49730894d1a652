"""Exactly once, with real processes: `reviewapp-server serve` (and its mail worker) killed with SIGKILL while the
SMTP server is down, restarted, the SMTP server back: one message arrives. Two processes on one PostgreSQL: once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from mail_kit import SmtpServer, wait_for
from server_testkit import free_port, wait_for_health
from sqlalchemy import select

from sync.server.core.config import DATABASE_URL_ENV
from sync.server.db import make_engine, make_session_factory, transaction
from sync.server.mail import DeliveryTimings, deliver_due, enqueue, smtp_from_env
from sync.server.migrate import upgrade_database
from sync.server.models import MailMessage, as_utc

FAST = {"REVIEWAPP_MAIL_RETRY_SECONDS": "0.3", "REVIEWAPP_MAIL_RETRY_CAP_SECONDS": "1",
        "REVIEWAPP_MAIL_MAX_ATTEMPTS": "1000", "REVIEWAPP_MAIL_POLL_SECONDS": "0.3",
        "REVIEWAPP_MAIL_LEASE_SECONDS": "5"}


def _env(database_url: str, smtp: SmtpServer) -> dict[str, str]:
    return {**os.environ, DATABASE_URL_ENV: database_url, **smtp.env(), **FAST}


@contextmanager
def _serve(database_url: str, smtp: SmtpServer, *options: str, env: dict[str, str] | None = None,
           stdout: int = subprocess.DEVNULL) -> Iterator[subprocess.Popen[bytes]]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "sync.server", "serve", "--port", str(port), *options],
                               env=env or _env(database_url, smtp), stdout=stdout, stderr=subprocess.DEVNULL)
    try:
        wait_for_health(f"http://127.0.0.1:{port}", process)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _cli(database_url: str, smtp: SmtpServer, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "sync.server", *args], env=_env(database_url, smtp),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _rows(database_url: str) -> list[MailMessage]:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            return list(session.scalars(select(MailMessage)))
    finally:
        engine.dispose()


def test_killed_server_and_smtp_down_still_delivers_exactly_once(database_url: str) -> None:
    smtp = SmtpServer(free_port())  # not started: the mail server is down
    _cli(database_url, smtp, "init-db")
    with _serve(database_url, smtp) as first:
        out = _cli(database_url, smtp, "send-test-email", "dsl@example.org", "--queue", "--key", "case:42")
        assert "Queued message" in out
        wait_for(lambda: [row for row in _rows(database_url) if row.attempts >= 2], seconds=60)
        first.send_signal(signal.SIGKILL)
        first.wait()
    [row] = _rows(database_url)
    assert row.status in ("queued", "sending") and row.sent_at is None
    smtp.start()
    try:
        with _serve(database_url, smtp):
            wait_for(lambda: smtp.messages, seconds=60)
            time.sleep(3)  # anything sent twice would arrive by now
        [message] = smtp.messages
        [row] = _rows(database_url)
        assert row.status == "sent"
        assert message["Message-ID"] == row.message_id
        assert message["To"] == "dsl@example.org"
    finally:
        smtp.stop()


def test_a_server_killed_mid_send_leaves_the_message_to_the_next_after_its_lease(database_url: str) -> None:
    """SIGKILL while the SMTP server holds the message unaccepted: the row stays `sending` under the dead process's
    lease; a new process leaves it alone until the lease lapses, then sends it, once."""
    smtp = SmtpServer(free_port()).start()
    smtp.recorder.stall = True
    env = {**_env(database_url, smtp), "REVIEWAPP_MAIL_LEASE_SECONDS": "15"}  # longer than a restart takes
    try:
        _cli(database_url, smtp, "init-db")
        with _serve(database_url, smtp, env=env) as first:
            _cli(database_url, smtp, "send-test-email", "dsl@example.org", "--queue", "--key", "case:43")
            assert smtp.recorder.stalled.wait(60)
            first.send_signal(signal.SIGKILL)
            first.wait()
        [row] = _rows(database_url)
        assert row.status == "sending" and row.attempts == 1 and row.lease_until is not None
        lease_until = as_utc(row.lease_until)
        smtp.recorder.stall = False
        with _serve(database_url, smtp, env=env):
            wait_for(lambda: smtp.messages, seconds=60)
            [row] = _rows(database_url)
            assert row.status == "sent" and row.attempts == 2
            assert as_utc(row.sent_at) >= lease_until  # not before the dead process's lease lapsed
            time.sleep(2)
        assert len(smtp.messages) == 1
    finally:
        smtp.stop()


@pytest.mark.postgres
def test_two_server_processes_on_one_postgresql_send_each_message_once(postgres_url: str) -> None:
    smtp = SmtpServer(free_port()).start()
    try:
        _cli(postgres_url, smtp, "init-db")
        with _serve(postgres_url, smtp), _serve(postgres_url, smtp):
            engine = make_engine(postgres_url)
            factory = make_session_factory(engine)
            for number in range(20):
                with transaction(factory) as session:
                    enqueue(session, to=f"user{number}@example.org", subject=f"Message {number}", text="t",
                            kind="test", key=f"two:{number}")
            engine.dispose()
            wait_for(lambda: len(smtp.messages) >= 20, seconds=90)
            time.sleep(3)
        subjects = sorted(message["Subject"] for message in smtp.messages)
        assert subjects == sorted(f"Message {number}" for number in range(20))
        assert {row.status for row in _rows(postgres_url)} == {"sent"}
    finally:
        smtp.stop()


@pytest.mark.postgres
def test_workers_racing_in_threads_on_postgresql_send_each_message_once(postgres_url: str,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The claim itself (FOR UPDATE SKIP LOCKED): six delivery runs at once over 40 messages."""
    smtp = SmtpServer(free_port()).start()
    for name, value in smtp.env().items():
        monkeypatch.setenv(name, value)
    engine = make_engine(postgres_url)
    upgrade_database(engine)
    factory = make_session_factory(engine)
    try:
        with transaction(factory) as session:
            for number in range(40):
                enqueue(session, to="dsl@example.org", subject=f"Message {number}", text="t", kind="test",
                        key=f"race:{number}")
        settings, timings = smtp_from_env(), DeliveryTimings()
        start = threading.Barrier(6)

        def run() -> None:
            start.wait()
            deliver_due(factory, settings, timings)

        threads = [threading.Thread(target=run) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        subjects = sorted(message["Subject"] for message in smtp.messages)
        assert subjects == sorted(f"Message {number}" for number in range(40))
    finally:
        smtp.stop()
        engine.dispose()


def test_serve_no_worker_sends_nothing_and_the_worker_command_sends(database_url: str) -> None:
    smtp = SmtpServer(free_port()).start()
    try:
        _cli(database_url, smtp, "init-db")
        with _serve(database_url, smtp, "--no-worker"):
            _cli(database_url, smtp, "send-test-email", "dsl@example.org", "--queue", "--key", "case:7")
            time.sleep(2)
            assert smtp.messages == [] and [row.status for row in _rows(database_url)] == ["queued"]
            worker = subprocess.Popen([sys.executable, "-m", "sync.server", "worker"], env=_env(database_url, smtp),
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            try:
                wait_for(lambda: smtp.messages, seconds=60)
            finally:
                worker.terminate()
                out, _ = worker.communicate(timeout=30)
        expected = "procrastinate worker" if database_url.startswith("postgresql") else "mail worker"
        assert f"Running the {expected}" in out and "E-mail through 127.0.0.1" in out
        assert len(smtp.messages) == 1 and [row.status for row in _rows(database_url)] == ["sent"]
    finally:
        smtp.stop()


def test_without_a_host_serve_says_once_that_email_is_off_and_messages_wait(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    smtp = SmtpServer(free_port())
    env = {key: value for key, value in _env(url, smtp).items() if not key.startswith("REVIEWAPP_SMTP_")}
    with _serve(url, smtp, env=env, stdout=subprocess.PIPE) as process:
        done = subprocess.run([sys.executable, "-m", "sync.server", "send-test-email", "dsl@example.org", "--queue"],
                              env=env, capture_output=True, text=True, timeout=60)
        assert "waiting for settings" in done.stdout
        time.sleep(1)
        assert [row.status for row in _rows(url)] == ["waiting_for_settings"]
        process.terminate()
        out = process.communicate(timeout=30)[0].decode()
    assert out.count("E-mail is off") == 1
