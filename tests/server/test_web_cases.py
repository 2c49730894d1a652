"""Issue 16 item 3, need to know, through the real web app: who may read a case (the route's workers and the
raising assessor), who gets the same 403 as for an unknown id, the counts managers see instead, the log of every
opening, and the forms that work a case (CSRF, reasons for a refusal)."""

from __future__ import annotations

import pytest
from server_testkit import Server, change
from sqlalchemy import select
from test_cases import DISCLOSURE, draft, referral
from web_kit import browser, csrf_of, put_in_team, sign_in

from sync.server.models import Case, CaseView

EVIL = "<script>alert(1)</script>"


@pytest.fixture
def world(server: Server) -> dict[str, str]:
    for name, role in (("alice", "assessor"), ("bob", "assessor"), ("dee", "safeguarding_lead"),
                       ("dep", "safeguarding_deputy"), ("lso", "learning_support"), ("meg", "manager"),
                       ("quinn", "quality_lead"), ("ada", "admin")):
        server.add_user(name, role)
    put_in_team(server, "North", "alice", "meg")
    sam = server.add_learner("alice", first_name=EVIL)
    alice = server.login("alice")
    server.push(alice, change("review", "create", None, draft(sam, refer_safeguarding=referral(f"{DISCLOSURE} {EVIL}"),
                                                              refer_learning_support=referral("Reading support"))))
    with server.factory() as session:
        found = {c.route: c.id for c in session.scalars(select(Case))}
    return {"safeguarding": found["safeguarding"], "learning_support": found["learning_support"]}


def signed(server: Server, username: str):  # type: ignore[no-untyped-def]
    client = browser(server)
    assert sign_in(client, username).status_code == 303
    return client


# Who reads the safeguarding case, and the learning support case.
MATRIX = {
    "dee": (200, 403), "dep": (200, 403), "lso": (403, 200), "alice": (200, 200), "bob": (403, 403),
    "meg": (403, 403), "quinn": (403, 403), "ada": (403, 403),
}


@pytest.mark.parametrize("username", list(MATRIX))
def test_need_to_know(server: Server, world: dict[str, str], username: str) -> None:
    client = signed(server, username)
    unknown = client.get("/cases/6b1f7a52-0000-4000-8000-00000000dead")
    assert unknown.status_code == 403
    for route, expected in zip(("safeguarding", "learning_support"), MATRIX[username], strict=True):
        answer = client.get(f"/cases/{world[route]}")
        assert answer.status_code == expected, (username, route)
        if expected == 403:
            assert answer.text.replace(world[route], "") == unknown.text.replace(
                "6b1f7a52-0000-4000-8000-00000000dead", ""), "a case one may not read answers as an unknown id"
            assert DISCLOSURE not in answer.text and "Reading support" not in answer.text
        else:
            assert ("Reading support" if route == "learning_support" else DISCLOSURE) in answer.text
            assert EVIL not in answer.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in answer.text
    listing = client.get("/cases")
    assert listing.status_code == 200
    assert DISCLOSURE not in listing.text
    if username in ("meg", "quinn", "ada"):
        assert "Open cases by team" in listing.text and "North" in listing.text
        assert "&lt;script&gt;" not in listing.text  # counts only: not even the learner's name


def test_the_manager_sees_counts_for_their_teams_only(server: Server, world: dict[str, str]) -> None:
    server.add_user("mo", "manager")
    put_in_team(server, "South", "mo")
    text = signed(server, "mo").get("/cases").text
    assert "North" not in text and "There are no open cases in your teams" in text
    meg = signed(server, "meg").get("/cases").text
    assert meg.count('class="govuk-table__cell govuk-table__cell--numeric">1<') == 2  # one of each kind


def test_every_opening_is_logged_and_the_dsl_sees_the_log(server: Server, world: dict[str, str]) -> None:
    case_id = world["safeguarding"]
    signed(server, "alice").get(f"/cases/{case_id}")
    signed(server, "meg").get(f"/cases/{case_id}")  # refused: not an opening
    dee = signed(server, "dee")
    page = dee.get(f"/cases/{case_id}").text
    with server.factory() as session:
        views = [(v.username, v.role) for v in session.scalars(select(CaseView).order_by(CaseView.at))]
    assert views == [("alice", "assessor"), ("dee", "safeguarding_lead")]
    assert "Who opened this case" in page and "alice" in page
    # The raising assessor reads what they recorded and where it stands, not who opened it nor the log.
    alice = signed(server, "alice").get(f"/cases/{case_id}").text
    assert DISCLOSURE in alice and "Who opened this case" not in alice and "Waiting to be acknowledged" in alice


def test_the_dsl_works_the_case_through_the_forms(server: Server, world: dict[str, str]) -> None:
    case_id = world["safeguarding"]
    dee = signed(server, "dee")
    page = dee.get(f"/cases/{case_id}")
    token = csrf_of(page.text)
    assert dee.post(f"/cases/{case_id}/entries", data={"kind": "acknowledged"}).status_code == 403  # no CSRF
    done = dee.post(f"/cases/{case_id}/entries", data={"kind": "acknowledged", "csrf_token": token},
                    follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/cases/{case_id}?recorded=acknowledged"
    empty = dee.post(f"/cases/{case_id}/entries", data={"kind": "action", "text": " ", "csrf_token": token})
    assert empty.status_code == 400 and "There is a problem" in empty.text and "Enter the action taken" in empty.text
    odd = dee.post(f"/cases/{case_id}/entries", data={"kind": "delete", "csrf_token": token})
    assert odd.status_code == 400 and "Choose what to record" in odd.text
    for kind, words in (("action", "Spoke to the learner"), ("referred", "Local authority MASH"),
                        ("outcome", "Support plan agreed"), ("closed", "")):
        assert dee.post(f"/cases/{case_id}/entries", data={"kind": kind, "text": words, "csrf_token": token},
                        follow_redirects=False).status_code == 303
    page = dee.get(f"/cases/{case_id}").text
    for words in ("Acknowledged", "Spoke to the learner", "Local authority MASH", "Support plan agreed", "Closed"):
        assert words in page
    assert 'id="acknowledge"' not in page and 'name="kind"' not in page  # closed: no more forms
    again = dee.post(f"/cases/{case_id}/entries", data={"kind": "action", "text": "x", "csrf_token": token})
    assert again.status_code == 400 and "closed" in again.text
    # The raising assessor reads the state, and cannot record; the learning support officer cannot either.
    alice = signed(server, "alice")
    assert "Closed by the safeguarding lead" in alice.get(f"/cases/{case_id}").text
    refused = alice.post(f"/cases/{case_id}/entries",
                         data={"kind": "action", "text": "x", "csrf_token": csrf_of(alice.get("/cases").text)})
    assert refused.status_code == 403
    lso = signed(server, "lso")
    assert lso.post(f"/cases/{case_id}/entries", data={"kind": "action", "text": "x",
                                                        "csrf_token": csrf_of(lso.get("/cases").text)}
                    ).status_code == 403


def test_the_dsl_lands_on_the_case_list_urgent_first(server: Server, world: dict[str, str]) -> None:
    dee = signed(server, "dee")
    assert dee.get("/", follow_redirects=False).headers["location"] == "/cases"
    listing = dee.get("/cases").text
    assert f'href="/cases/{world["safeguarding"]}"' in listing and "Urgent" in listing
    assert f'href="/cases/{world["learning_support"]}"' not in listing
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing and EVIL not in listing
