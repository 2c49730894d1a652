"""The office's review page and PDF, the learner page's history and the assessor page (issue 15 item 5), through
the real app: scoped like every page, escaped, and worded by the laptop's own code."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from pypdf import PdfReader
from server_testkit import Server, change, finalised_review, rehashed
from sqlalchemy import update
from web_kit import browser, put_in_team, sign_in

from sync.server.db import new_id, transaction
from sync.server.models import Review, User

ACHIEVED = "Has taken over the post log and answers customer emails alone."


def push_review(server: Server, assessor: str, learner_id: str, answers: dict[str, Any] | None = None,
                **fields: Any) -> str:
    """A review finalised on `assessor`'s laptop (by the laptop's own finalise) and synced with its signatures."""
    review_id = new_id()
    review, signatures = finalised_review(learner_id, review_id)
    if answers or fields:
        review = rehashed(review_id, {**review, **fields, "answers": {**review["answers"], **(answers or {})}},
                          [s for _, s in signatures])
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
    server.add_user("quinn", role="quality_lead")
    put_in_team(server, "North", "alice", "bob", "meg")
    put_in_team(server, "South", "carol")
    ids = {"Ann": server.add_learner("alice", first_name="Ann"), "Ben": server.add_learner("bob", first_name="Ben"),
           "Cat": server.add_learner("carol", first_name="Cat")}
    ids.update({f"{name} review": push_review(server, who, ids[name])
                for name, who in (("Ann", "alice"), ("Ben", "bob"), ("Cat", "carol"))})
    return ids


def pdf_words(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    return " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(content)).pages)


def test_a_finalised_review_reads_as_its_printed_copy(server: Server, reviewed: dict[str, str]) -> None:
    client = browser(server)
    sign_in(client, "alice")
    page = client.get(f"/reviews/{reviewed['Ann review']}")
    assert page.status_code == 200, page.text
    assert "Ann Smith" in page.text and "20/11/2025" in page.text and ACHIEVED in page.text
    # The printed copy's words: option labels, signatures by name, the RAG rating as a word beside its colour.
    assert "In person at the workplace" in page.text and "Signed by Pat Boss" in page.text
    assert '<strong class="govuk-tag govuk-tag--green">Green</strong>' in page.text
    assert f'href="/reviews/{reviewed["Ann review"]}.pdf"' in page.text
    assert f'href="/learners/{reviewed["Ann"]}"' in page.text


def test_the_pdf_is_the_laptops_provider_copy(server: Server, reviewed: dict[str, str]) -> None:
    client = browser(server)
    sign_in(client, "alice")
    answer = client.get(f"/reviews/{reviewed['Ann review']}.pdf")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith("inline; filename=") and "no-store" in answer.headers[
        "cache-control"]
    words = " ".join(pdf_words(answer.content).split())
    assert "Ann Smith" in words and "Provider copy" in words
    assert " ".join(ACHIEVED.split()[:5]) in words and "Head office, Leeds" in words


def test_another_caseloads_review_is_403_exactly_as_an_unknown_one(server: Server, reviewed: dict[str, str]) -> None:
    client = browser(server)
    sign_in(client, "alice")
    for suffix in ("", ".pdf"):
        other = client.get(f"/reviews/{reviewed['Ben review']}{suffix}")
        unknown = client.get(f"/reviews/{new_id()}{suffix}")
        assert other.status_code == unknown.status_code == 403
        assert other.text == unknown.text and "Ben" not in other.text
        assert client.get(f"/reviews/{'x' * 300}{suffix}").text == unknown.text
    manager = browser(server)
    sign_in(manager, "meg")
    assert manager.get(f"/reviews/{reviewed['Ben review']}").status_code == 200
    assert manager.get(f"/reviews/{reviewed['Ben review']}.pdf").status_code == 200
    assert manager.get(f"/reviews/{reviewed['Cat review']}").status_code == 403
    lead = browser(server)
    sign_in(lead, "quinn")
    assert lead.get(f"/reviews/{reviewed['Cat review']}").status_code == 200
    signed_out = browser(server).get(f"/reviews/{reviewed['Ann review']}.pdf", follow_redirects=False)
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/sign-in?next=")


def test_a_draft_is_not_shown_as_a_finalised_review(server: Server, reviewed: dict[str, str]) -> None:
    draft_id = new_id()
    server.push(server.login("alice"), change("review", "create", draft_id, {
        "learner_id": reviewed["Ann"], "template_id": "apprenticeship-progress-review", "template_version": 2,
        "status": "draft", "answers": {}}))
    client = browser(server)
    sign_in(client, "alice")
    unknown = client.get(f"/reviews/{new_id()}")
    assert unknown.status_code == 403
    for suffix in ("", ".pdf"):
        assert client.get(f"/reviews/{draft_id}{suffix}").text == unknown.text


def test_a_review_changed_after_signing_is_refused_with_the_reason(server: Server, reviewed: dict[str, str]) -> None:
    with transaction(server.factory) as session:
        row = session.get(Review, reviewed["Ann review"])
        assert row is not None
        tampered = {**row.data, "answers": {**row.data["answers"], "progress_summary": "Changed later."}}
        session.execute(update(Review).where(Review.id == row.id).values(data=tampered))
    client = browser(server)
    sign_in(client, "alice")
    refused = client.get(f"/reviews/{reviewed['Ann review']}.pdf")
    assert refused.status_code == 409 and "has changed since it was signed" in refused.text
    assert "<html" in refused.text


def test_answers_and_names_are_shown_as_text(server: Server) -> None:
    server.add_user("alice")
    learner = server.add_learner("alice", first_name="<script>alert(1)</script>", last_name="<b>x</b>")
    review = push_review(server, "alice", learner, answers={"progress_summary": "<img src=x onerror=alert(2)>"})
    client = browser(server)
    sign_in(client, "alice")
    page = client.get(f"/reviews/{review}")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<img src=x" not in page.text and "&lt;img src=x onerror=alert(2)&gt;" in page.text
    assert "<b>x</b>" not in page.text
    words = pdf_words(client.get(f"/reviews/{review}.pdf").content)
    assert "<script>alert(1)</script>" in words  # the PDF prints the name as the learner wrote it


def test_the_learner_page_shows_plan_gain_hours_reviews_and_targets(server: Server) -> None:
    server.add_user("alice")
    learner = server.add_learner("alice", first_name="Ann", start_date="2025-09-01", planned_end_date="2026-09-01",
                                 planned_otj_hours=365.0)
    earlier = push_review(server, "alice", learner, visit_date="2025-10-01", progress_rag="amber", welfare_rag="red")
    latest = push_review(server, "alice", learner)
    alice = server.login("alice")
    results = server.push(
        alice,
        change("plan_item", "create", None, {"learner_id": learner, "code": "K1", "title": "Data protection",
                                              "progress": 70, "starting_value": 40}),
        change("plan_item", "create", None, {"learner_id": learner, "title": "Spreadsheets", "progress": 20}),
        change("target", "create", None, {"learner_id": learner, "text": "Finish the GDPR module",
                                           "due_date": "2025-11-01", "status": "met", "set_in_review_id": earlier,
                                           "followed_up_in_review_id": latest, "follow_up_comment": "Done early"}),
        change("target", "create", None, {"learner_id": learner, "text": "Build a pivot table",
                                           "due_date": "2026-01-10", "set_in_review_id": latest}),
        change("otj_entry", "create", None, {"learner_id": learner, "date": "2025-09-10", "hours": 7.5,
                                              "activity": "Workshop"}),
    )
    assert all(r["status"] == "applied" for r in results), results
    client = browser(server)
    sign_in(client, "alice")
    page = client.get(f"/learners/{learner}").text
    # The plan with learning gain by the core rule: from the starting point, or said to have none.
    assert "40% → 70% (+30)" in page and "20% (no starting point)" in page and "average gain +30 points" in page
    # Hours against plan: 365 planned over a year, 7.5 logged.
    assert "365 hours" in page and "7.5 hours" in page
    # Reviews latest first, each linked, with ratings in words; the chart's points come from the same rows.
    assert page.index(f'href="/reviews/{latest}"') < page.index(f'href="/reviews/{earlier}"')
    assert 'data-visit="01/10/2025" data-progress="2" data-welfare="1"' in page
    assert 'data-visit="20/11/2025" data-progress="3" data-welfare="3"' in page
    assert '<strong class="govuk-tag govuk-tag--red">Red</strong>' in page
    assert "/static/vendor/chart.js/chart.umd.min.js" in page and "/static/app/ratings_chart.js" in page
    # Targets with their history: set at one review, followed up at another, and the outcome.
    met = page[page.index("Finish the GDPR module"):page.index("Finish the GDPR module") + 600]
    assert "Review of 01/10/2025" in met and "Review of 20/11/2025" in met and "Met: Done early" in met
    assert page.index("Build a pivot table") < page.index("Finish the GDPR module")  # open first
    assert 'href="/assessors/alice"' in page


def test_a_learner_with_nothing_yet_says_so_and_loads_no_chart(server: Server) -> None:
    server.add_user("alice")
    learner = server.add_learner("alice", first_name="Ann")
    client = browser(server)
    sign_in(client, "alice")
    page = client.get(f"/learners/{learner}").text
    assert "No review has been finalised yet." in page and "No targets have been set." in page
    assert "No learning plan has been recorded." in page and "chart.umd.min.js" not in page


def test_the_chart_library_is_vendored_with_its_licence(server: Server) -> None:
    client = browser(server)
    script = client.get("/static/vendor/chart.js/chart.umd.min.js")
    assert script.status_code == 200 and "Chart.js v4.6.1" in script.text
    assert "MIT" in client.get("/static/vendor/chart.js/LICENCE.txt").text
    assert client.get("/static/app/ratings_chart.js").status_code == 200


def _figures(html: str, attribute: str) -> dict[str, int]:
    found = re.findall(rf'{attribute}="(\w+)">(\d+)<', html)
    return {key: int(value) for key, value in found}


def test_the_assessor_page_lists_their_caseload_with_figures_beside_the_teams(
        server: Server, reviewed: dict[str, str]) -> None:
    this_month = dt.date.today().replace(day=1).isoformat()
    push_review(server, "alice", reviewed["Ann"], visit_date=this_month, progress_rag="red",
                next_review_date=(dt.date.today() + dt.timedelta(weeks=8)).isoformat())
    server.add_learner("alice", first_name="Amy")  # never reviewed: overdue since 27/10/2025, so at risk
    client = browser(server)
    sign_in(client, "alice")
    page = client.get("/assessors/alice")
    assert page.status_code == 200, page.text
    assert f'href="/learners/{reviewed["Ann"]}"' in page.text and "Amy Smith" in page.text
    assert "Ben Smith" not in page.text and "team North" in page.text
    assert _figures(page.text, "data-figure") == {"learners": 2, "overdue": 1, "at_risk": 2,
                                                 "reviews_this_month": 1}
    # The team: alice's and bob's learners (Ben reviewed on 20/11/2025, due again on 15/01/2026).
    team = _figures(page.text, "data-team-figure")
    assert team["learners"] == 3 and team["at_risk"] >= 2 and team["reviews_this_month"] == 1


def test_an_assessor_page_is_scoped_like_every_page(server: Server, reviewed: dict[str, str]) -> None:
    client = browser(server)
    sign_in(client, "alice")
    other, unknown = client.get("/assessors/bob"), client.get("/assessors/nobody")
    assert other.status_code == unknown.status_code == 403 and other.text == unknown.text
    assert client.get("/assessors/meg").text == unknown.text  # a manager has no assessor page
    assert client.get(f"/assessors/{'x' * 400}").text == unknown.text
    manager = browser(server)
    sign_in(manager, "meg")
    assert manager.get("/assessors/bob").status_code == 200
    assert manager.get("/assessors/carol").status_code == 403
    lead = browser(server)
    sign_in(lead, "quinn")
    carol = lead.get("/assessors/carol")
    assert carol.status_code == 200 and "Cat Smith" in carol.text


def test_an_assessors_name_is_shown_as_text(server: Server) -> None:
    server.add_user("alice")
    with transaction(server.factory) as session:
        session.execute(update(User).where(User.username == "alice").values(display_name="<i>Al</i>"))
    client = browser(server)
    sign_in(client, "alice")
    page = client.get("/assessors/alice").text
    assert "<i>Al</i>" not in page and "&lt;i&gt;Al&lt;/i&gt;" in page


def test_the_pdf_carries_the_providers_name_and_logo_set_at_the_office(server: Server,
                                                                        reviewed: dict[str, str]) -> None:
    from PIL import Image

    from sync.server.provider_settings import set_logo, set_provider_name

    png = io.BytesIO()
    Image.new("RGB", (120, 40), (29, 112, 184)).save(png, format="PNG")
    with transaction(server.factory) as session:
        set_provider_name(session, "Acme Training Ltd", "ada")
        set_logo(session, png.getvalue(), "ada")
    client = browser(server)
    sign_in(client, "alice")
    answer = client.get(f"/reviews/{reviewed['Ann review']}.pdf")
    assert answer.status_code == 200
    assert "Acme Training Ltd" in pdf_words(answer.content)
    assert len(PdfReader(io.BytesIO(answer.content)).pages[0].images) >= 1
