"""The durable outbox and its delivery, in process, against a real SMTP server (aiosmtpd) on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from mail_kit import DEFERRED, REFUSED, SmtpServer
from server_testkit import free_port
from sqlalchemy import select, update

from sync.server.db import make_engine, make_session_factory, transaction
from sync.server.mail import (
    Attachment,
    DeliveryTimings,
    MailError,
    bounced_keys,
    deliver_due,
    enqueue,
    on_bounce,
    smtp_from_env,
    status_of,
)
from sync.server.migrate import upgrade_database
from sync.server.models import MailMessage, as_utc, utcnow

FAST = DeliveryTimings(retry_seconds=0.2, retry_cap_seconds=0.8, max_attempts=4, lease_seconds=30, poll_seconds=0.2)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port()).start()
    yield server
    server.stop()


@pytest.fixture
def factory(database_url: str, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    for name, value in smtp.env().items():
        monkeypatch.setenv(name, value)
    engine = make_engine(database_url)
    upgrade_database(engine)
    yield make_session_factory(engine)
    engine.dispose()


def _queue(factory, key: str = "case:1", to: str = "dsl@example.org", **extra) -> str:  # type: ignore[no-untyped-def]
    with transaction(factory) as session:
        return enqueue(session, to=to, subject="A safeguarding case is waiting", text="Open the case: https://x/1",
                       kind=extra.pop("kind", "case"), key=key, **extra).id


def _row(factory, message_id: str) -> MailMessage:  # type: ignore[no-untyped-def]
    with factory() as session:
        return session.get(MailMessage, message_id)


def test_a_queued_message_is_delivered_once_with_its_headers_text_and_attachment(factory, smtp) -> None:
    pdf = b"%PDF-1.4 a copy of the review"
    message_id = _queue(factory, attachments=[Attachment("review.pdf", pdf, "application/pdf")],
                        html="<p>Open the case</p>")
    assert _queue(factory) == message_id  # the same key again: one message
    settings = smtp_from_env()
    run = deliver_due(factory, settings, FAST)
    assert run.sent == 1
    assert deliver_due(factory, settings, FAST).claimed == 0  # nothing left to send
    [message] = smtp.messages
    row = _row(factory, message_id)
    assert row.status == "sent" and row.attempts == 1 and row.sent_at is not None
    assert message["Message-ID"] == row.message_id
    assert message["From"] == "reviews@provider.example.org"
    assert message["To"] == "dsl@example.org"
    assert message["Subject"] == "A safeguarding case is waiting"
    assert message.get_body(("plain",)).get_content().strip() == "Open the case: https://x/1"
    assert "Open the case" in message.get_body(("html",)).get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "review.pdf"
    assert attachment.get_content() == pdf


def test_a_message_rolled_back_with_its_transaction_is_never_sent(factory, smtp) -> None:
    with pytest.raises(RuntimeError), transaction(factory) as session:
        enqueue(session, to="dsl@example.org", subject="s", text="t", kind="case", key="case:gone")
        raise RuntimeError("the case failed to save")
    assert deliver_due(factory, smtp_from_env(), FAST).claimed == 0
    assert smtp.messages == []


def test_a_malformed_address_is_refused_at_enqueue(factory) -> None:
    with pytest.raises(MailError), transaction(factory) as session:
        enqueue(session, to="not an address", subject="s", text="t", kind="case", key="k")


def test_smtp_down_retries_with_back_off_then_delivers_once(factory, smtp) -> None:
    settings = smtp_from_env()
    smtp.stop()
    message_id = _queue(factory)
    assert deliver_due(factory, settings, FAST).retried == 1
    row = _row(factory, message_id)
    assert row.status == "queued" and row.attempts == 1 and "cannot reach the SMTP server" in row.last_error
    first_wait = row.next_attempt_at
    assert deliver_due(factory, settings, FAST).claimed == 0  # not due yet: it waits its back-off
    with factory() as session, session.begin():  # make it due now, as time passing would
        session.execute(update(MailMessage).values(next_attempt_at=utcnow()))
    before = utcnow()
    assert deliver_due(factory, settings, FAST).retried == 1
    row = _row(factory, message_id)
    assert row.attempts == 2
    second_wait = as_utc(row.next_attempt_at) - before
    assert second_wait >= dt.timedelta(seconds=0.39)  # doubled: 0.2 s after the first failure, 0.4 s after this
    assert first_wait is not None
    smtp.start()
    with factory() as session, session.begin():
        session.execute(update(MailMessage).values(next_attempt_at=utcnow()))
    assert deliver_due(factory, settings, FAST).sent == 1
    assert deliver_due(factory, settings, FAST).claimed == 0
    assert len(smtp.messages) == 1
    assert _row(factory, message_id).status == "sent"


def test_too_many_failures_mark_a_message_failed(factory, smtp) -> None:
    settings = smtp_from_env()
    message_id = _queue(factory, to=DEFERRED)  # 451 every time
    for _ in range(FAST.max_attempts):
        with factory() as session, session.begin():
            session.execute(update(MailMessage).values(next_attempt_at=utcnow()))
        deliver_due(factory, settings, FAST)
    row = _row(factory, message_id)
    assert row.status == "failed" and row.attempts == FAST.max_attempts
    assert row.last_error.startswith("recipient deferred: 451")
    assert deliver_due(factory, settings, FAST).claimed == 0


def test_a_permanent_refusal_is_a_bounce_recorded_and_not_retried(factory, smtp) -> None:
    heard: list[str] = []
    on_bounce("bounce-test")(lambda session, message: heard.append(message.key))
    message_id = _queue(factory, key="invite:9", to=REFUSED, kind="bounce-test")
    assert deliver_due(factory, smtp_from_env(), FAST).bounced == 1
    row = _row(factory, message_id)
    assert row.status == "bounced" and row.attempts == 1
    assert row.last_error == "recipient refused: 550 5.1.1 No such mailbox"
    assert heard == ["invite:9"]
    with factory() as session:
        assert bounced_keys(session, kind="bounce-test") == ["invite:9"]
        assert status_of(session, "invite:9") == "bounced"
    with factory() as session, session.begin():
        session.execute(update(MailMessage).values(next_attempt_at=utcnow()))
    assert deliver_due(factory, smtp_from_env(), FAST).claimed == 0  # never retried
    assert smtp.messages == []


def test_without_settings_messages_wait_and_go_once_settings_come(factory, smtp, monkeypatch) -> None:
    monkeypatch.delenv("REVIEWAPP_SMTP_HOST")
    message_id = _queue(factory)
    assert _row(factory, message_id).status == "waiting_for_settings"
    assert deliver_due(factory, None, FAST).claimed == 0
    assert _row(factory, message_id).status == "waiting_for_settings"
    monkeypatch.setenv("REVIEWAPP_SMTP_HOST", "127.0.0.1")
    assert deliver_due(factory, smtp_from_env(), FAST).sent == 1
    assert len(smtp.messages) == 1


def test_a_claim_whose_lease_lapsed_is_taken_again_and_a_live_one_is_not(factory, smtp) -> None:
    """A worker killed mid-send leaves its row `sending`: nobody touches it until the lease lapses."""
    message_id = _queue(factory)
    with factory() as session, session.begin():
        session.execute(update(MailMessage).values(status="sending", claim="dead-worker", attempts=1,
                                                   lease_until=utcnow() + dt.timedelta(minutes=5)))
    assert deliver_due(factory, smtp_from_env(), FAST).claimed == 0
    with factory() as session, session.begin():
        session.execute(update(MailMessage).values(lease_until=utcnow() - dt.timedelta(seconds=1)))
    assert deliver_due(factory, smtp_from_env(), FAST).sent == 1
    row = _row(factory, message_id)
    assert row.status == "sent" and row.attempts == 2 and row.claim is None
    assert len(smtp.messages) == 1


def test_a_late_outcome_from_a_worker_that_lost_its_claim_is_ignored(factory, smtp) -> None:
    from sync.server.mail.delivery import _claim, _finish

    _queue(factory)
    token, [row] = _claim(factory, FAST)
    with factory() as session, session.begin():  # the lease lapsed and another worker claimed it
        session.execute(update(MailMessage).values(claim="another-worker"))
    assert not _finish(factory, row, token, status="sent", sent_at=utcnow())
    with factory() as session:
        assert session.scalar(select(MailMessage.status)) == "sending"


def test_a_failing_bounce_hook_does_not_undo_the_bounce(factory, smtp) -> None:
    def broken(session, message) -> None:  # type: ignore[no-untyped-def]
        session.add(MailMessage())  # an invalid row: the hook's savepoint rolls it back
        session.flush()

    on_bounce("broken-hook")(broken)
    message_id = _queue(factory, key="broken:1", to=REFUSED, kind="broken-hook")
    assert deliver_due(factory, smtp_from_env(), FAST).bounced == 1
    assert _row(factory, message_id).status == "bounced"


def test_message_ids_are_stable_and_carry_the_senders_domain(factory, smtp) -> None:
    message_id = _queue(factory)
    stored = _row(factory, message_id).message_id
    assert stored.startswith("<") and stored.endswith("@provider.example.org>")
    deliver_due(factory, smtp_from_env(), FAST)
    assert smtp.messages[0]["Message-ID"] == stored
