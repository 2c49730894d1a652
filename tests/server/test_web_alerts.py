"""The office web app's alerts (issue 16 item 5) through the real app: the core's rules over the server's data,
scoped by the shared caller (assessor: own; manager: their teams; quality lead and admin: all), a filter by kind,
dismissing with a reason (CSRF, a reason required, 403 for another caseload's alert as for an unknown one), the
dismissed hidden but in the log; and the API's side: dismissals pushed by laptops, the alert settings pulled."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest
from alert_kit import held_review, store
from server_testkit import Server, change
from web_kit import browser, csrf_of, put_in_team, sign_in

from reviewapp.core.dates import london_today
from sync.protocol import PROTOCOL_HEADER
from sync.server.audit import format_line, learner_trail
from sync.server.db import transaction
from sync.server.models import Learner
from sync.server.provider_settings import SettingsError, set_alert_settings

TODAY = london_today()
ROW = re.compile(r'data-alert-key="([^"]+)"')


@pytest.fixture
def office(server: Server) -> dict[str, str]:
    """alice (team North, managed by meg) and bob (team South): each with a learner alerting known ways."""
    for name, role in (("alice", "assessor"), ("bob", "assessor"), ("meg", "manager"), ("quinn", "quality_lead")):
        server.add_user(name, role)
    put_in_team(server, "North", "meg", "alice")
    put_in_team(server, "South", "bob")
    year_ago = (TODAY - dt.timedelta(days=365)).isoformat()
    ids = {
        # Started a year ago, never reviewed: overdue and the first review not held.
        "new": server.add_learner("alice", first_name="Nia", last_name="New", start_date=year_ago),
        # Reviewed 10 days ago with welfare Red.
        "red": server.add_learner("alice", first_name="<script>alert(1)</script>", last_name="Red",
                                  start_date=year_ago),
        "bobs": server.add_learner("bob", first_name="Ben", last_name="Bobs", start_date=year_ago),
    }
    store(server, ("review", held_review(ids["red"], TODAY - dt.timedelta(days=10), welfare="red")),
          ("review", held_review(ids["bobs"], TODAY - dt.timedelta(days=10), progress="amber", assessor="bob")))
    return ids


def keys(page: httpx.Response) -> list[str]:
    return ROW.findall(page.text)


def signed_in(server: Server, username: str):  # type: ignore[no-untyped-def]
    client = browser(server)
    assert sign_in(client, username).status_code == 303
    return client


def test_each_role_sees_the_alerts_of_its_scope(server: Server, office: dict[str, str]) -> None:
    alice = signed_in(server, "alice").get("/alerts")
    assert alice.status_code == 200
    assert sorted(keys(alice)) == sorted([f"first_review_missing:{(TODAY - dt.timedelta(days=365)).isoformat()}",
                                          *[k for k in keys(alice) if k.startswith("review_overdue:")],
                                          f"rating:{(TODAY - dt.timedelta(days=10)).isoformat()}"])
    assert len(keys(alice)) == 3 and "Ben Bobs" not in alice.text
    assert "Assessor</th>" not in alice.text  # an assessor's own list names no assessor
    meg = signed_in(server, "meg").get("/alerts")
    assert len(keys(meg)) == 3 and "Ben Bobs" not in meg.text and "Assessor</th>" in meg.text
    quinn = signed_in(server, "quinn").get("/alerts")
    assert len(keys(quinn)) == 4 and "Ben Bobs" in quinn.text
    bob = signed_in(server, "bob").get("/alerts")
    assert keys(bob) == [f"rating:{(TODAY - dt.timedelta(days=10)).isoformat()}"]


def test_names_are_text_and_the_urgent_say_so_in_words(server: Server, office: dict[str, str]) -> None:
    page = signed_in(server, "alice").get("/alerts")
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt; Red" in page.text
    assert "Urgent</strong> Red or Amber rating" in page.text
    assert "Welfare was rated Red at the last review" in page.text
    assert '<caption class="govuk-table__caption govuk-table__caption--m">Every alert not dismissed' in page.text


def test_the_filter_by_kind(server: Server, office: dict[str, str]) -> None:
    client = signed_in(server, "alice")
    rating = client.get("/alerts", params={"kind": "rating"})
    assert [k.split(":")[0] for k in keys(rating)] == ["rating"]
    assert '<option value="rating" selected>' in rating.text
    assert keys(client.get("/alerts", params={"kind": "otj_behind"})) == []
    bad = client.get("/alerts", params={"kind": "nonsense"})
    assert bad.status_code == 400 and "no such kind" in bad.text


def test_dismissing_needs_csrf_and_a_reason_and_leaves_it_in_the_log(server: Server, office: dict[str, str]) -> None:
    client = signed_in(server, "alice")
    key = next(k for k in keys(client.get("/alerts")) if k.startswith("rating:"))
    form = client.get("/alerts/dismiss", params={"learner": office["red"], "key": key})
    assert form.status_code == 200 and 'name="reason"' in form.text and "&lt;script&gt;" in form.text
    fields = {"learner": office["red"], "key": key, "reason": "Welfare plan agreed"}
    assert client.post("/alerts/dismiss", data=fields).status_code == 403  # no CSRF token
    empty = client.post("/alerts/dismiss", data={**fields, "reason": "  ", "csrf_token": csrf_of(form.text)})
    assert empty.status_code == 400 and "govuk-error-summary" in empty.text
    assert "Enter why you are dismissing this alert" in empty.text
    done = client.post("/alerts/dismiss", data={**fields, "csrf_token": csrf_of(form.text)}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/alerts?dismissed=1"
    after = client.get("/alerts?dismissed=1")
    assert key not in keys(after) and len(keys(after)) == 2 and "The alert is dismissed" in after.text
    log = client.get("/alerts/dismissed")
    assert "Welfare plan agreed" in log.text and "Red or Amber rating" in log.text and "alice" in log.text
    assert "&lt;script&gt;" in log.text
    # The manager sees it gone too, and the log; another team's manager does not.
    assert key not in keys(signed_in(server, "meg").get("/alerts"))
    assert "Welfare plan agreed" in signed_in(server, "meg").get("/alerts/dismissed").text
    assert "Welfare plan agreed" not in signed_in(server, "bob").get("/alerts/dismissed").text
    # Dismissed already: the same answer as for an alert that never was.
    again = client.post("/alerts/dismiss", data={**fields, "csrf_token": csrf_of(form.text)})
    assert again.status_code == 403


def test_another_caseloads_alert_answers_as_an_unknown_one(server: Server, office: dict[str, str]) -> None:
    bob_key = keys(signed_in(server, "bob").get("/alerts"))[0]
    alice = signed_in(server, "alice")
    theirs = alice.get("/alerts/dismiss", params={"learner": office["bobs"], "key": bob_key})
    unknown = alice.get("/alerts/dismiss", params={"learner": "no-such-learner", "key": bob_key})
    assert theirs.status_code == unknown.status_code == 403
    assert theirs.text == unknown.text and "There is no alert here that you may dismiss." in theirs.text
    token = csrf_of(alice.get("/alerts").text)
    post = alice.post("/alerts/dismiss", data={"learner": office["bobs"], "key": bob_key, "reason": "x",
                                               "csrf_token": token})
    assert post.status_code == 403 and "There is no alert here" in post.text
    assert len(keys(signed_in(server, "bob").get("/alerts"))) == 1


def test_a_laptop_pushes_a_dismissal_it_cannot_change_and_not_for_another_caseload(
        server: Server, office: dict[str, str]) -> None:
    headers = server.login("alice")
    fields = {"learner_id": office["new"], "alert_key": "first_review_missing:x", "reason": "Booked",
              "dismissed_by": "Alice", "dismissed_at": "2026-12-01T10:00:00+00:00"}
    made = change("alert_dismissal", "create", fields=fields)
    [result] = server.push(headers, made)
    assert result["status"] == "applied"
    [edit] = server.push(headers, change("alert_dismissal", "update", made["id"], {"reason": "changed"}))
    assert edit["status"] == "rejected" and "kept as made" in edit["error"]
    [theirs] = server.push(headers, change("alert_dismissal", "create", fields={**fields,
                                                                               "learner_id": office["bobs"]}))
    assert theirs["status"] == "rejected"
    [blank] = server.push(headers, change("alert_dismissal", "create", fields={**fields, "reason": ""}))
    assert blank["status"] == "rejected"
    changes, _ = server.pull_all(server.login("bob"))
    assert not [c for c in changes if c["entity"] == "alert_dismissal"]
    # alice's laptop gets it back; a protocol-3 laptop (which knows no such entity) is not sent it.
    mine = server.client.get("/api/v1/sync/pull", params={"since": 0}, headers={**headers, PROTOCOL_HEADER: "4"})
    assert [c["id"] for c in mine.json()["changes"] if c["entity"] == "alert_dismissal"] == [made["id"]]
    older = server.client.get("/api/v1/sync/pull", params={"since": 0}, headers={**headers, PROTOCOL_HEADER: "3"})
    assert older.status_code == 200 and not [c for c in older.json()["changes"] if c["entity"] == "alert_dismissal"]
    # The learner's audit trail holds it, with who.
    with transaction(server.factory) as session:
        trail = [format_line(line) for line in learner_trail(session, session.get(Learner, office["new"]))]
    assert any("alice" in line and f"create alert dismissal {made['id']}" in line for line in trail)


def test_the_alert_settings_reach_protocol_4_laptops_only(server: Server, office: dict[str, str]) -> None:
    with transaction(server.factory) as session:
        set_alert_settings(session, {"draft_days": 3}, "admin")
        with pytest.raises(SettingsError, match="draft_days"):
            set_alert_settings(session, {"draft_days": 0}, "admin")
    headers = server.login("alice")
    new = server.client.get("/api/v1/settings", headers={**headers, PROTOCOL_HEADER: "4"}).json()
    assert new["alerts"] == {"due_within_days": 14, "otj_behind_percent": 10.0, "draft_days": 3}
    old = server.client.get("/api/v1/settings", headers={**headers, PROTOCOL_HEADER: "3"}).json()
    assert "alerts" not in old and old["version"] == new["version"]


def test_a_long_list_comes_in_pages(server: Server, office: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from sync.server.web import alerts as alert_pages

    monkeypatch.setattr(alert_pages, "PER_PAGE", 2)
    quinn = signed_in(server, "quinn")
    first = quinn.get("/alerts")
    assert len(keys(first)) == 2 and "Showing 1 to 2 of 4 (page 1 of 2)" in first.text
    assert 'href="/alerts?page=2" rel="next"' in first.text and 'rel="prev"' not in first.text
    second = quinn.get("/alerts", params={"page": 2})
    assert len(keys(second)) == 2 and not set(keys(second)) & set(keys(first)) and 'rel="next"' not in second.text
    assert keys(quinn.get("/alerts", params={"page": 99})) == keys(second)  # past the end: the last page
    assert quinn.get("/alerts", params={"page": 0}).status_code == 422
    rating = quinn.get("/alerts", params={"kind": "rating"})
    assert len(keys(rating)) == 2 and "Showing" not in rating.text


def test_the_nav_links_the_alerts(server: Server, office: dict[str, str]) -> None:
    page = signed_in(server, "alice").get("/learners")
    assert '<a class="govuk-service-navigation__link" href="/alerts">Alerts</a>' in page.text
