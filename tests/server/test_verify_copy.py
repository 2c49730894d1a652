"""Checking a printed copy (issue 17 item 4): `/verify/{id}?h=` and `GET /api/v1/verify/{id}?hash=`, with no sign-in,
through the real app: a genuine copy (which copy, its date and the learner's initials), an altered fingerprint, an
unknown id and a draft (one answer for both, revealing nothing), a rate limit, and the public address reaching
laptops through the settings pull (left out for an older laptop)."""

from __future__ import annotations

from typing import Any

import pytest
from server_testkit import Server, change, finalised_review
from web_kit import browser

from reviewapp.core.copy_check import COPIES, copy_fingerprint
from sync.protocol import PROTOCOL_HEADER
from sync.server.db import new_id, transaction
from sync.server.provider_settings import SettingsError, set_provider_name, set_public_address


def push_finalised(server: Server, headers: dict[str, str], learner_id: str) -> tuple[str, str]:
    """A review finalised by the laptop's own code and synced with its signatures: (id, content hash)."""
    review_id = new_id()
    review, signatures = finalised_review(learner_id, review_id)
    results = server.push(headers, change("review", "create", review_id, review),
                          *[change("signature", "create", sid, s) for sid, s in signatures])
    assert all(r["status"] == "applied" for r in results), results
    return review_id, review["content_hash"]


@pytest.fixture
def held(server: Server) -> dict[str, Any]:
    """alice's learner Zoë Ødegård with a finalised review, and a draft of hers."""
    server.add_user("alice")
    alice = server.login("alice")
    learner = server.add_learner("alice", first_name="Zoë", last_name="Ødegård")
    review_id, content_hash = push_finalised(server, alice, learner)
    draft_id = new_id()
    draft, _ = finalised_review(learner, draft_id)
    draft = {**draft, "status": "draft", "content_hash": None, "finalised_at": None}
    assert server.push(alice, change("review", "create", draft_id, draft))[0]["status"] == "applied"
    return {"review": review_id, "hash": content_hash, "draft": draft_id}


def api(server: Server, review_id: str, fingerprint: str) -> dict[str, Any]:
    answer = browser(server).get(f"/api/v1/verify/{review_id}", params={"hash": fingerprint})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_genuine_copy_says_which_copy_its_date_and_initials(server: Server, held: dict[str, Any]) -> None:
    for copy in COPIES:
        answer = api(server, held["review"], copy_fingerprint(held["hash"], copy))
        assert answer == {"status": "genuine", "review_id": held["review"], "review_date": "2025-11-20",
                          "learner_initials": "Z. Ø.", "copy": copy, "message": answer["message"]}
    with transaction(server.factory) as session:
        set_provider_name(session, "<script>alert(1)</script> Training", "test")
    page = browser(server).get(f"/verify/{held['review']}", params={"h": copy_fingerprint(held["hash"], "employer")})
    assert page.status_code == 200
    assert "records of &lt;script&gt;alert(1)&lt;/script&gt; Training" in page.text and "<script>alert" not in page.text
    assert "Genuine copy" in page.text and "20/11/2025" in page.text and "Z. Ø." in page.text
    assert "the employer&#39;s copy" in page.text
    assert "Zoë" not in page.text and "Ødegård" not in page.text  # initials only, never the name or content
    assert "Head office" not in page.text


def test_an_altered_fingerprint_is_altered_and_tells_nothing_more(server: Server, held: dict[str, Any]) -> None:
    tampered = copy_fingerprint(held["hash"], "learner")[:-1] + "0"
    if tampered == copy_fingerprint(held["hash"], "learner"):
        tampered = tampered[:-1] + "1"
    answer = api(server, held["review"], tampered)
    assert answer["status"] == "altered" and set(answer) == {"status", "review_id", "message"}
    page = browser(server).get(f"/verify/{held['review']}", params={"h": tampered})
    assert page.status_code == 200 and "This copy does not match" in page.text and "20/11/2025" not in page.text
    assert "Z. Ø." not in page.text


def test_a_draft_and_an_unknown_id_get_one_answer(server: Server, held: dict[str, Any]) -> None:
    some_print = copy_fingerprint(held["hash"], "learner")
    unknown, draft = api(server, new_id(), some_print), api(server, held["draft"], some_print)
    assert unknown["status"] == draft["status"] == "unknown"
    assert {k: v for k, v in unknown.items() if k != "review_id"} == {k: v for k, v in draft.items()
                                                                      if k != "review_id"}
    pages = [browser(server).get(f"/verify/{rid}", params={"h": some_print}).text.replace(rid, "ID")
             for rid in (held["draft"], new_id())]
    assert pages[0] == pages[1] and "This copy is not known" in pages[0]


def test_a_malformed_fingerprint_is_a_reason_not_an_error(server: Server, held: dict[str, Any]) -> None:
    client = browser(server)
    page = client.get(f"/verify/{held['review']}", params={"h": "not-a-hash"})
    assert page.status_code == 400 and "not complete" in page.text
    assert client.get(f"/verify/{'x' * 500}", params={"h": "0" * 64}).status_code == 200  # unknown, not 500
    assert api(server, "a%00b", "0" * 64)["status"] == "unknown"  # a NUL: an error on PostgreSQL if it were asked
    assert client.get(f"/api/v1/verify/{held['review']}", params={"hash": "zz"}).status_code == 422


def test_checks_are_rate_limited_per_address(database_url: str) -> None:
    server = Server(database_url, verify_limit_per_address="3 per minute")
    try:
        client = browser(server)
        answers = [client.get(f"/api/v1/verify/{new_id()}", params={"hash": "0" * 64}) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert int(answers[-1].headers["Retry-After"]) >= 1 and "too many checks" in answers[-1].json()["detail"]
        page = client.get(f"/verify/{new_id()}", params={"h": "0" * 64})
        assert page.status_code == 429 and "Too many checks" in page.text
    finally:
        server.close()


def test_the_public_address_is_a_checked_setting_laptops_pull(server: Server) -> None:
    server.add_user("alice")
    with transaction(server.factory) as session:
        with pytest.raises(SettingsError):
            set_public_address(session, "reviews.example.ac.uk?x=1", "test")
        set_public_address(session, "https://reviews.example.ac.uk/", "test")
    alice = server.login("alice")
    current = server.client.get("/api/v1/settings", headers={**alice, PROTOCOL_HEADER: "4"})
    assert current.json()["verify_address"] == "https://reviews.example.ac.uk"
    older = server.client.get("/api/v1/settings", headers={**alice, PROTOCOL_HEADER: "3"})
    assert older.status_code == 200 and "verify_address" not in older.json()  # a protocol-3 laptop forbids it


def test_an_admin_sets_the_public_address_on_the_settings_page(server: Server) -> None:
    from test_web_admin import form, signed_in

    client = signed_in(server)
    token = form(client, "/admin/settings")
    bad = client.post("/admin/settings/public-address", data={"public_address": "ftp://x", "csrf_token": token})
    assert bad.status_code == 400 and 'href="#public_address"' in bad.text and "Nothing was changed" in bad.text
    assert client.post("/admin/settings/public-address",
                       data={"public_address": "https://reviews.example.ac.uk"}).status_code == 403  # no CSRF token
    done = client.post("/admin/settings/public-address",
                       data={"public_address": "https://reviews.example.ac.uk/", "csrf_token": token})
    assert done.status_code == 200 and "Public address set to https://reviews.example.ac.uk" in done.text
    assert 'value="https://reviews.example.ac.uk"' in done.text
    with server.factory() as session:
        from sync.server.provider_settings import public_address

        assert public_address(session) == "https://reviews.example.ac.uk"
