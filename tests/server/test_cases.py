"""Issue 16 items 2 and 3: cases opened by what reaches the server (a review's answers, a draft too; a concern
raised without a review), one per review and route, their append-only log, and who is told (cases/notify.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from server_testkit import Server, change
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from sync.protocol import PROTOCOL_HEADER
from sync.server.cases import notify, record_entry
from sync.server.db import transaction
from sync.server.models import Case, CaseLogEntry, MailMessage
from sync.server.scope import Caller

DISCLOSURE = "Disclosed threats from a lender (ochre-sparrow)"


def draft(learner_id: str, **answers: object) -> dict:
    return {"learner_id": learner_id, "template_id": "apprenticeship-progress-review", "template_version": 2,
            "status": "draft", "assessor": "alice", "answers": answers}


def referral(detail: str = DISCLOSURE) -> dict:
    return {"raised": True, "detail": detail}


@pytest.fixture
def people(server: Server) -> dict[str, str]:
    ids = {name: server.add_user(name, role) for name, role in (
        ("alice", "assessor"), ("bob", "assessor"), ("dee", "safeguarding_lead"), ("dep", "safeguarding_deputy"),
        ("lso", "learning_support"), ("meg", "manager"))}
    ids["sam"] = server.add_learner("alice")
    ids["other"] = server.add_learner("bob")
    return ids


def cases(server: Server) -> list[Case]:
    with server.factory() as session:
        return list(session.scalars(select(Case).order_by(Case.route)))


def log_kinds(server: Server, case_id: str) -> list[str]:
    with server.factory() as session:
        return list(session.scalars(select(CaseLogEntry.kind).where(CaseLogEntry.case_id == case_id)
                                    .order_by(CaseLogEntry.at)))


def test_a_draft_with_a_referral_opens_one_case_and_a_later_push_updates_it(server: Server, people: dict) -> None:
    alice = server.login("alice")
    review_id = "6b1f7a52-0000-4000-8000-000000000001"
    made = dt.datetime(2025, 11, 20, 10, 5, tzinfo=dt.UTC)
    [result] = server.push(alice, change("review", "create", review_id,
                                         draft(people["sam"], refer_safeguarding=referral()),
                                         made_at=made.isoformat()))
    assert result["status"] == "applied", result
    [case] = cases(server)
    assert (case.route, case.urgency, case.state, case.review_id) == ("safeguarding", "urgent", "open", review_id)
    assert case.learner_id == people["sam"] and case.raised_by_id == people["alice"]
    assert case.raised_at.replace(tzinfo=dt.UTC) == made and case.received_at is not None
    assert case.recorded == [{"question_id": "refer_safeguarding", "label": "Refer to the designated safeguarding "
                              "lead?", "recorded": DISCLOSURE}]
    assert log_kinds(server, case.id) == ["opened"]

    # The same review again, with the detail changed: the same case, an "updated" entry; no second case.
    [again] = server.push(alice, change("review", "update", review_id,
                                        {"answers": {"refer_safeguarding": referral("Now also rent arrears")}},
                                        base={"answers": {"refer_safeguarding": referral()}}, base_rev=result["rev"]))
    assert again["status"] == "applied", again
    [same] = cases(server)
    assert same.id == case.id and same.recorded[0]["recorded"] == "Now also rent arrears"
    assert log_kinds(server, case.id) == ["opened", "updated"]
    # A push that changes nothing about the concern adds nothing.
    server.push(alice, change("review", "update", review_id, {"answers": {"learner_comments": "Fine"}},
                              base={"answers": {}}, base_rev=again["rev"]))
    assert log_kinds(server, case.id) == ["opened", "updated"] and len(cases(server)) == 1


def test_each_route_opens_its_own_case(server: Server, people: dict) -> None:
    alice = server.login("alice")
    server.push(alice, change("review", "create", None, draft(
        people["sam"], welfare_rag="red", refer_learning_support=referral("Dyslexia screening"))))
    assert [(c.route, c.urgency) for c in cases(server)] == [("learning_support", "routine"),
                                                             ("safeguarding", "urgent")]


def test_a_review_raising_nothing_opens_nothing(server: Server, people: dict) -> None:
    alice = server.login("alice")
    server.push(alice, change("review", "create", None, draft(people["sam"], welfare_rag="amber",
                                                              sg_concern={"raised": False, "detail": ""})))
    assert cases(server) == []


def test_a_concern_raised_without_a_review_opens_a_case(server: Server, people: dict) -> None:
    alice = server.login("alice")
    concern_id = "6b1f7a52-0000-4000-8000-0000000000c1"
    fields = {"learner_id": people["sam"], "route": "safeguarding", "urgency": "urgent", "text": DISCLOSURE,
              "raised_at": "2025-11-20T09:00:00+00:00"}
    [result] = server.push(alice, change("concern", "create", concern_id, fields))
    assert result["status"] == "applied", result
    [case] = cases(server)
    assert case.concern_id == concern_id and case.review_id is None and case.recorded[0]["recorded"] == DISCLOSURE
    assert case.raised_at.replace(tzinfo=dt.UTC) == dt.datetime(2025, 11, 20, 9, 0, tzinfo=dt.UTC)
    # Sent again (its answer lost, or a retry with the same change id): still one case, nothing logged twice.
    again = change("concern", "create", concern_id, fields)
    assert server.push(alice, again)[0]["status"] == "applied"
    assert server.push(alice, again)[0]["status"] == "duplicate"
    assert len(cases(server)) == 1 and log_kinds(server, case.id) == ["opened"]
    # Never pulled back, not even by the assessor who raised it.
    pulled, _ = server.pull_all({**alice, PROTOCOL_HEADER: "4"})
    assert not [c for c in pulled if c["entity"] == "concern"]


def test_a_concern_for_another_caseload_answers_as_an_unknown_id(server: Server, people: dict) -> None:
    alice = server.login("alice")
    fields = {"route": "safeguarding", "text": DISCLOSURE}
    [theirs] = server.push(alice, change("concern", "create", None, {**fields, "learner_id": people["other"]}))
    [nobody] = server.push(alice, change("concern", "create", None,
                                         {**fields, "learner_id": "6b1f7a52-0000-4000-8000-00000000dead"}))
    assert theirs["status"] == nobody["status"] == "rejected" and theirs["error"] == nobody["error"]
    assert cases(server) == []


def test_a_malformed_concern_is_refused_with_a_reason(server: Server, people: dict) -> None:
    alice = server.login("alice")
    body = {"batch_id": "b1", "device_id": "d1", "changes": [
        {"change_id": "c1", "entity": "concern", "op": "create", "id": "not-a-uuid", "fields": {}}]}
    refused = server.client.post("/api/v1/sync/push", json=body, headers=alice)
    assert refused.status_code == 422 and "id" in refused.text
    [bad] = server.push(alice, change("concern", "create", None, {"learner_id": people["sam"], "route": "police",
                                                                  "text": ""}))
    assert bad["status"] == "rejected" and "route" in bad["error"] and "text" in bad["error"]
    assert cases(server) == []


def test_a_laptop_cannot_push_a_case_status(server: Server, people: dict) -> None:
    alice = server.login("alice")
    [refused] = server.push(alice, change("case_status", "create", None, {"learner_id": people["sam"],
                                                                           "route": "safeguarding"}))
    assert refused["status"] == "rejected" and "office web app" in refused["error"]


def test_the_raiser_alone_pulls_the_case_status_after_it_is_acknowledged(server: Server, people: dict) -> None:
    server.add_user("ann", "assessor")
    alice = server.login("alice")
    server.push(alice, change("review", "create", None, draft(people["sam"], sg_concern=referral())))
    [case] = cases(server)
    with transaction(server.factory) as session:
        row = session.get(Case, case.id)
        record_entry(session, Caller(people["dee"], "dee", "safeguarding_lead", None, True), row, "acknowledged", "")
    pulled, _ = server.pull_all({**alice, PROTOCOL_HEADER: "4"})
    [status] = [c for c in pulled if c["entity"] == "case_status"]
    assert status["data"]["state"] == "acknowledged" and status["data"]["state_by"] == "the safeguarding lead"
    assert DISCLOSURE not in str(status)
    # A manager's laptop (which sees every learner) and an older laptop get no case status.
    meg = server.login("meg")
    assert not [c for c in server.pull_all({**meg, PROTOCOL_HEADER: "4"})[0] if c["entity"] == "case_status"]
    assert not [c for c in server.pull_all(alice)[0] if c["entity"] == "case_status"]


def test_the_log_is_append_only(server: Server, people: dict) -> None:
    alice = server.login("alice")
    server.push(alice, change("review", "create", None, draft(people["sam"], sg_concern=referral())))
    with pytest.raises(DBAPIError, match="append-only"), transaction(server.factory) as session:
        session.execute(text("UPDATE case_log SET text = 'changed'"))
    with pytest.raises(DBAPIError, match="append-only"), transaction(server.factory) as session:
        session.execute(text("DELETE FROM case_log"))


def test_who_is_told_of_a_new_case_and_never_what_was_recorded(server: Server, people: dict) -> None:
    server.add_user("dee2", "safeguarding_lead")
    server.add_user("gone", "safeguarding_lead")
    with transaction(server.factory) as session:
        from sync.server.accounts import disable_user, find_user

        disable_user(session, find_user(session, "gone"))  # type: ignore[arg-type]
    alice = server.login("alice")
    server.push(alice, change("review", "create", None, draft(people["sam"], sg_concern=referral()),))
    server.push(alice, change("review", "create", None, draft(people["sam"], refer_learning_support=referral("x"))))
    safeguarding, learning = sorted(cases(server), key=lambda c: c.route != "safeguarding")
    with server.factory() as session:
        [told] = notify.case_opened(session, safeguarding)
        assert told.recipients == ("dee", "dee2") and told.to == ("dee@example.org", "dee2@example.org")
        assert told.subject == "Urgent safeguarding case waiting" and told.link == f"http://testserver/cases/{safeguarding.id}"
        assert DISCLOSURE not in told.text and "Sam" not in told.text and "Smith" not in told.text
        assert told.key == f"case_opened:{safeguarding.id}"
        [lso] = notify.case_opened(session, learning)
        assert lso.recipients == ("lso",) and lso.subject == "learning support case waiting"
        # Queued in the outbox with the case, one e-mail each, keyed by case and recipient.
        queued = {row.key: row for row in session.scalars(select(MailMessage))}
        assert set(queued) == {f"case_opened:{safeguarding.id}:dee", f"case_opened:{safeguarding.id}:dee2",
                               f"case_opened:{learning.id}:lso"}
        assert all(DISCLOSURE not in row.body_text and told.link in queued[f"case_opened:{safeguarding.id}:dee"]
                   .body_text for row in queued.values())


def test_deputies_are_told_of_a_case_nobody_acknowledged_in_time(server: Server, people: dict) -> None:
    alice = server.login("alice")
    server.push(alice, change("review", "create", None, draft(people["sam"], sg_concern=referral())))
    server.push(alice, change("review", "create", None, draft(people["sam"], hs_concern=referral("Ladder"))))
    first, second = sorted(cases(server), key=lambda c: c.received_at)
    with transaction(server.factory) as session:
        record_entry(session, Caller(people["dee"], "dee", "safeguarding_lead", None, True),
                     session.get(Case, second.id), "acknowledged", "")
    received = first.received_at.replace(tzinfo=dt.UTC)
    with server.factory() as session:
        assert notify.overdue_acknowledgements(session, received + dt.timedelta(hours=3)) == []
        [late] = notify.overdue_acknowledgements(session, received + dt.timedelta(hours=5))
        assert late.recipients == ("dep",) and late.link.endswith(first.id) and DISCLOSURE not in late.text
        assert late.kind == "case_unacknowledged"
