"""Issue 17 item 1 end to end: the learner's and the employer contact's consent to e-mail, recorded on the laptop,
reach the server; a review finalised on the laptop and synced to a real server process has its copies queued there;
the mail workers send them to a real SMTP server (aiosmtpd), one bounces; the laptop pulls both deliveries into the
review history: "Learner's copy e-mailed 01/12/2026 19:30", "Employer's copy e-mailed … (bounced)"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from mail_kit import REFUSED, SmtpServer
from server_testkit import free_port
from sqlalchemy import select
from test_email_copies import LEARNER, agree, send
from test_sync_client import _finalised_review

from reviewapp.core.dates import format_datetime
from reviewapp.core.deliveries import deliveries_text
from reviewapp.store import queries
from reviewapp.store.email_consent import set_email_consent
from reviewapp.store.models import Delivery, Employer, Learner
from sync.server.models import Employer as ServerEmployer
from sync.server.models import Learner as ServerLearner


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """A real SMTP server, its settings in the environment before the server process starts (`world`)."""
    mail = SmtpServer(free_port()).start()
    for name, value in mail.env().items():
        monkeypatch.setenv(name, value)
    yield mail
    mail.stop()


def test_e_mailed_copies_and_a_bounce_reach_the_laptops_history(smtp: SmtpServer, world: dict[str, Any]) -> None:
    setup = world["setup"]
    ann = world["learners"]["alice"][0]
    agree(setup, ann, learner=(LEARNER, None), contact=(REFUSED, None))  # the addresses the office holds
    alice = world["laptop"]("alice")
    alice.sync()
    # Asked at the visit: both agree, recorded on the laptop; the next sync takes it to the server.
    set_email_consent(alice.store, ann, learner=True, employer=True)
    assert alice.sync().rejected == 0
    with setup.factory() as session:
        learner_row = session.get(ServerLearner, ann)
        assert learner_row is not None and learner_row.data["email_consent"] is True
        assert session.get(ServerEmployer, learner_row.employer_id).data["email_consent"] is True  # type: ignore[union-attr]
    with alice.store.read() as session:
        learner = session.get(Learner, ann)
        assert learner is not None and learner.email_consent is True and learner.email == LEARNER
        employer = session.get(Employer, learner.employer_id)
        assert employer is not None and employer.email_consent is True

    review_id = _finalised_review(alice.store, ann)
    pushed = alice.sync()
    assert pushed.rejected == 0, pushed.log
    run = send(setup)  # the mail workers' job, on the server's database
    # each address gets its copy and the invitation to the review this one booked (issue 17 item 3)
    assert (run.sent, run.bounced) == (2, 2)
    copies = [m for m in smtp.messages if not str(m["Subject"]).startswith("Progress review booked")]
    assert [str(m["To"]) for m in copies] == [LEARNER] and len(smtp.messages) == 2

    alice.sync()
    with alice.store.read() as session:
        assert queries.pending_change_count(session) == 0
        [summary] = [r for r in queries.learner_detail(session, ann).reviews if r.id == review_id]
        rows = {d.copy_for: d for d in session.scalars(select(Delivery))}
    assert sorted(rows) == ["employer", "learner"]
    assert rows["learner"].recipient == LEARNER and rows["learner"].consent_recorded is True
    sent = rows["learner"].delivered_at
    text = deliveries_text(summary.deliveries)
    assert f"Learner's copy e-mailed {format_datetime(sent)}" in text.splitlines()
    assert f"Employer's copy e-mailed {format_datetime(rows['employer'].delivered_at)} (bounced)" in text
