"""Issue 16 end to end, without the e-mail: a laptop records a safeguarding referral in a draft and raises a concern
without a review while the server is down; it syncs (the concern first); the designated safeguarding lead opens and
acknowledges the case in the office web app; the laptop's next sync shows the case as acknowledged; a manager
opening the case's URL gets the 403 of an unknown id."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from test_sync_postgres import PG_SERVER_URL
from test_web_sampling import signed_in
from web_kit import csrf_of

from reviewapp.core.dates import LONDON
from reviewapp.core.templates import load_template
from reviewapp.store import queries, reviews
from reviewapp.store.concerns import raise_concern
from reviewapp.store.models import CaseStatus, Concern
from sync.server.models import Case, ChangeLog
from sync.server.models import Concern as ServerConcern
from tests.conftest import DEMO_TODAY

TEMPLATE = load_template("apprenticeship-progress-review")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The server's database for `world`: a SQLite file, and PostgreSQL (as test_sync_postgres.py makes it)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.sqlite3'}"
        return
    admin = create_engine(PG_SERVER_URL, isolation_level="AUTOCOMMIT")
    name = f"reviewapp_cases_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_SERVER_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
DISCLOSURE = "Disclosed threats from a lender (ochre-sparrow)"


def test_a_referral_made_offline_reaches_the_dsl_and_the_laptop_sees_it_acknowledged(world: dict[str, Any]) -> None:
    setup, server = world["setup"], world["server"]
    setup.add_user("dee", role="safeguarding_lead")
    ann = world["learners"]["alice"][0]
    alice = world["laptop"]("alice")
    alice.sync()

    server.stop()  # offline from here
    review_id = reviews.start_draft(alice.store, ann, TEMPLATE, DEMO_TODAY)
    reviews.save_answers(alice.store, review_id, {"refer_safeguarding": {"raised": True, "detail": DISCLOSURE}})
    concern_id = raise_concern(alice.store, ann, "learning_support", "routine", "Struggles to read the manuals")
    with alice.store.read() as session:
        assert queries.learner_detail(session, ann).case_states == (
            "Learning support: concern raised, sent at the next sync",)
    server.start()

    summary = alice.sync()
    assert summary.rejected == 0
    with setup.factory() as session:
        cases = {c.route: c for c in session.scalars(select(Case))}
        assert set(cases) == {"safeguarding", "learning_support"}
        assert cases["safeguarding"].review_id == review_id and cases["learning_support"].concern_id == concern_id
        assert cases["safeguarding"].recorded[0]["recorded"] == DISCLOSURE
        # When: the laptop's time (it recorded them while the server was down) and the server's receipt, later.
        for case in cases.values():
            assert case.raised_at is not None and case.raised_at <= case.received_at
        assert session.get(ServerConcern, concern_id) is not None
        # The concern went up first in the push.
        revs = {row.entity: row.rev for row in session.scalars(select(ChangeLog).where(ChangeLog.op == "create"))
                if row.record_id in (review_id, concern_id)}
        assert revs["concern"] < revs["review"]
    case_id = cases["safeguarding"].id
    with alice.store.read() as session:
        [status] = session.scalars(select(CaseStatus).where(CaseStatus.route == "safeguarding")).all()
        assert status.state == "open"

    dee = signed_in(setup, "dee")
    page = dee.get(f"/cases/{case_id}")
    assert page.status_code == 200 and DISCLOSURE in page.text
    acknowledged = dee.post(f"/cases/{case_id}/entries",
                            data={"kind": "acknowledged", "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert acknowledged.status_code == 303
    with setup.factory() as session:
        at = dt.datetime.fromisoformat(session.get(Case, case_id).data["state_at"])  # type: ignore[union-attr]

    alice.sync()
    with alice.store.read() as session:
        states = queries.learner_detail(session, ann).case_states
        concern = session.get(Concern, concern_id)
        assert concern is not None and concern.rev > 0  # sent: no longer waiting
    # "Acknowledged by the safeguarding lead, 14:02", in London time.
    assert f"Safeguarding: Acknowledged by the safeguarding lead, {at.astimezone(LONDON):%H:%M}" in states
    assert "Learning support: Waiting to be acknowledged" in states

    meg = signed_in(setup, "meg")
    unknown = meg.get("/cases/6b1f7a52-0000-4000-8000-00000000dead")
    refused = meg.get(f"/cases/{case_id}")
    assert refused.status_code == unknown.status_code == 403 and DISCLOSURE not in refused.text

    # Bob's laptop holds nothing of alice's cases.
    bob = world["laptop"]("bob")
    bob.sync()
    with bob.store.read() as session:
        assert session.scalars(select(CaseStatus)).all() == []
