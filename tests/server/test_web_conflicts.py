"""The office's conflicts page (issue 19 item 2) through the real app, on SQLite and PostgreSQL: conflicts made by
real pushes from two laptops, shown only where the shared scope shows their review (assessor: own; manager: their
teams'; quality lead: all), both answers in the wizard's words, who/laptop/when in London time, text escaped,
resolved ones under "Resolved", and the count on the learners page (the assessor's home)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from server_testkit import TEMPLATE_ID, Server, change
from web_kit import browser, put_in_team, sign_in

from sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION
from sync.server.db import transaction
from sync.server.models import Conflict

BASE = {"progress_rag": "green", "progress_summary": "Started the unit"}
ROW = re.compile(r'data-conflict-id="([^"]+)"')


def _conflict(server: Server, headers: dict[str, str], learner_id: str, office: dict, laptop: dict) -> str:
    """A draft edited on two laptops from the same base: the second push is a conflict on the question both changed."""
    created = change("review", "create", fields={"learner_id": learner_id, "template_id": TEMPLATE_ID,
                                                 "template_version": 1, "answers": BASE, "visit_date": "2026-11-30"})
    assert server.push(headers, created)[0]["status"] == "applied"
    first = server.push(headers, change("review", "update", created["id"], {"answers": {**BASE, **office}},
                                        base={"answers": BASE}, made_at="2026-07-01T09:30:00Z"))[0]
    assert first["status"] == "applied", first
    second = server.push(headers, change("review", "update", created["id"], {"answers": {**BASE, **laptop}},
                                         base={"answers": BASE}))[0]
    assert second["status"] == "conflict", second
    return second["conflicts"][0]["conflict_id"]


@pytest.fixture
def office(server: Server) -> dict[str, str]:
    """alice (team North, managed by meg) and bob (team South), each with one open conflict; quinn sees all."""
    for name, role in (("alice", "assessor"), ("bob", "assessor"), ("meg", "manager"), ("quinn", "quality_lead")):
        server.add_user(name, role)
    put_in_team(server, "North", "meg", "alice")
    put_in_team(server, "South", "bob")
    alice_learner = server.add_learner("alice", first_name="<b>Ann</b>", last_name="Able")
    bob_learner = server.add_learner("bob", first_name="Ben", last_name="Bobs")
    return {
        "alice": _conflict(server, server.login("alice", device="Alice's ThinkPad"), alice_learner,
                           {"progress_rag": "amber"}, {"progress_rag": "red"}),
        "bob": _conflict(server, server.login("bob", device="Bob's laptop"), bob_learner,
                         {"progress_summary": "Office words"}, {"progress_summary": "<script>alert(1)</script>"}),
    }


def signed_in(server: Server, username: str):  # type: ignore[no-untyped-def]
    client = browser(server)
    assert sign_in(client, username).status_code == 303
    return client


def test_each_role_sees_the_conflicts_of_its_scope(server: Server, office: dict[str, str]) -> None:
    seen = {name: ROW.findall(signed_in(server, name).get("/conflicts").text)
            for name in ("alice", "bob", "meg", "quinn")}
    assert seen["alice"] == [office["alice"]] and seen["bob"] == [office["bob"]]
    assert seen["meg"] == [office["alice"]]  # her team's assessor, not another team's
    assert sorted(seen["quinn"]) == sorted(office.values())


def test_a_conflict_shows_the_question_both_answers_and_who_where_when(server: Server,
                                                                       office: dict[str, str]) -> None:
    page = signed_in(server, "alice").get("/conflicts")
    assert page.status_code == 200
    text = page.text
    assert "Overall progress" in text  # the question's label from the review's template
    assert "Amber — a little behind; can catch up before the next review" in text  # the office's, in words
    assert "Red — well behind; completing on time is at risk" in text  # the laptop's
    assert "&lt;b&gt;Ann&lt;/b&gt; Able" in text and "<b>Ann</b>" not in text
    assert "Draft review, 30/11/2026" in text
    assert "Changed by alice on Alice&#39;s ThinkPad, 01/07/2026 10:30" in text  # London summer time
    assert "resolved on the laptop" in text and "Ben Bobs" not in text
    assert 'aria-current="true">Conflicts</a>' in text
    bobs = signed_in(server, "bob").get("/conflicts").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in bobs and "<script>alert(1)</script>" not in bobs
    assert "What has the learner achieved since the last review?" in bobs and "Office words" in bobs


def test_resolved_conflicts_move_under_resolved_and_leave_the_count(server: Server, office: dict[str, str]) -> None:
    alice = signed_in(server, "alice")
    home = alice.get("/learners").text
    assert 'data-open-conflicts="1"' in home and "1 sync conflict waiting" in home and 'href="/conflicts"' in home
    with transaction(server.factory) as session:
        conflict = session.get(Conflict, office["alice"])
        assert conflict is not None
        conflict.resolved_at = dt.datetime(2026, 12, 1, 14, 5, tzinfo=dt.UTC)
    page = alice.get("/conflicts").text
    opened, resolved = page.split('<h2 class="govuk-heading-m">Resolved</h2>')
    assert "There are no open conflicts." in opened and ROW.findall(resolved) == [office["alice"]]
    assert "01/12/2026 14:05" in resolved
    assert "data-open-conflicts" not in alice.get("/learners").text
    assert 'data-open-conflicts="1"' in signed_in(server, "bob").get("/learners").text


def test_signed_out_is_sent_to_sign_in(server: Server, office: dict[str, str]) -> None:
    answer = browser(server).get("/conflicts", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/sign-in?next=%2Fconflicts"


def test_a_plan_row_conflict_names_its_item_alone(server: Server, office: dict[str, str]) -> None:
    """Two laptops moved the same plan item (a per-item conflict, path [question, item id]): the row words that
    item alone, as the wizard's summary words a plan row, not the learner's whole plan."""
    alice = {**server.login("alice"), PROTOCOL_HEADER: str(PROTOCOL_VERSION)}  # the path goes to protocol 5+
    learner = server.add_learner("alice", first_name="Pat", last_name="Plan")
    items = [change("plan_item", "create", None, {"learner_id": learner, "title": title, "progress": 10})
             for title in ("Data protection", "Spreadsheets")]
    assert all(r["status"] == "applied" for r in server.push(alice, *items))
    first, second = (item["id"] for item in items)
    plan = {first: {"progress": 10, "comment": ""}, second: {"progress": 10, "comment": ""}}
    base = {"plan_progress": plan}
    created = change("review", "create", fields={"learner_id": learner, "template_id": TEMPLATE_ID,
                                                 "template_version": 1, "answers": base})
    assert server.push(alice, created)[0]["status"] == "applied"
    for progress, expected in ((40, "applied"), (70, "conflict")):
        moved = {"plan_progress": {**plan, first: {"progress": progress, "comment": ""}}}
        result = server.push(alice, change("review", "update", created["id"], {"answers": moved},
                                           base={"answers": base}))[0]
        assert result["status"] == expected, result
    assert result["conflicts"][0]["path"] == ["plan_progress", first]
    text = signed_in(server, "alice").get("/conflicts").text
    assert "Progress on each part of the learning plan" in text
    assert "Data protection: 40% (was 10%)" in text and "Data protection: 70% (was 10%)" in text
    assert "Spreadsheets" not in text
