"""The office's review page and PDF, the learner page's history and the assessor page (issue 15 item 5), through
the real app: scoped like every page, escaped, and worded by the laptop's own code."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader
from server_testkit import Server, change, finalised_review, rehashed
from web_kit import browser, put_in_team, sign_in

from sync.server.db import new_id


def push_review(server: Server, assessor: str, learner_id: str, **changes: Any) -> str:
    """A review finalised on `assessor`'s laptop and synced, with its signatures; its id."""
    review_id = new_id()
    review, signatures = finalised_review(learner_id, review_id)
    if changes:
        review = rehashed(review_id, {**review, **changes}, [s for _, s in signatures])
    results = server.push(server.login(assessor), change("review", "create", review_id, review),
                          *[change("signature", "create", sid, s) for sid, s in signatures])
    assert all(r["status"] == "applied" for r in results), results
    return review_id


@pytest.fixture
def reviewed(server: Server) -> dict[str, str]:
    """alice's learner Ann and bob's Ben (team North, managed by meg), carol's Cat (South), each reviewed once."""
    for name in ("alice", "bob", "carol"):
        server.add_user(name)
    server.add_user("meg", role="manager")
    put_in_team(server, "North", "alice", "bob", "meg")
    put_in_team(server, "South", "carol")
    ids = {"Ann": server.add_learner("alice", first_name="Ann"), "Ben": server.add_learner("bob", first_name="Ben"),
           "Cat": server.add_learner("carol", first_name="Cat")}
    ids.update({f"{name} review": push_review(server, who, ids[name])
                for name, who in (("Ann", "alice"), ("Ben", "bob"), ("Cat", "carol"))})
    return ids


def test_a_finalised_review_reads_as_its_printed_copy(server: Server, reviewed: dict[str, str]) -> None:
    client = browser(server)
    sign_in(client, "alice")
    page = client.get(f"/reviews/{reviewed['Ann review']}")
    assert page.status_code == 200, page.text
    assert "Ann Smith" in page.text and "20/11/2025" in page.text
    assert "Signed by Sam Smith" in page.text and "Signed by Pat Boss" in page.text
    assert f'href="/reviews/{reviewed["Ann review"]}.pdf"' in page.text
    print(page.text)


def test_the_pdf_is_the_provider_copy(server: Server, reviewed: dict[str, str]) -> None:
    client = browser(server)
    sign_in(client, "alice")
    answer = client.get(f"/reviews/{reviewed['Ann review']}.pdf")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF-")
    words = " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(answer.content)).pages)
    assert "Ann Smith" in words and "Provider copy" in words
    print(words)
