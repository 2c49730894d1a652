"""The provider settings tab of the office web app's administration (issue 14 item 7): name, logo, review schedule
with holiday periods, and template versions, through provider_settings.py's own functions (the CLI's), for admins
only; CSRF on every form; a bad change shown in an error summary with nothing changed."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from server_testkit import Server
from sqlalchemy import func, select
from test_web_admin import events, form, signed_in
from web_kit import csrf_of

from reviewapp.core.templates import load_template, templates_dir
from sync.server.models import ProviderSetting, ReviewTemplate
from sync.server.provider_settings import settings_version

TEMPLATE = "apprenticeship-progress-review"
PAGE = "/admin/settings"


def image(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (0, 90, 160)).save(buffer, format=kind)
    return buffer.getvalue()


def template_json(version: int) -> bytes:
    raw = json.loads((templates_dir() / f"{TEMPLATE}.json").read_text(encoding="utf-8"))
    return json.dumps({**raw, "version": version}).encode("utf-8")


def settings(server: Server) -> dict[str, object]:
    with server.factory() as session:
        return {row.key: row.value for row in session.scalars(select(ProviderSetting))}


@pytest.mark.parametrize("role", ["assessor", "manager", "quality_lead"])
def test_only_admins_see_or_change_provider_settings(server: Server, role: str) -> None:
    client = signed_in(server, "someone", role)
    token = csrf_of(client.get("/learners").text)
    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}/name", data={"provider_name": "Acme", "csrf_token": token}).status_code == 403
    assert client.post(f"{PAGE}/holidays", data={"start": "01/01/2027", "end": "02/01/2027",
                                                 "csrf_token": token}).status_code == 403
    assert client.post(f"{PAGE}/logo", data={"csrf_token": token},
                       files={"logo_file": ("l.png", image("PNG"), "image/png")}).status_code == 403
    assert settings(server) == {}


def test_every_settings_form_needs_its_csrf_token(server: Server) -> None:
    client = signed_in(server)
    for token in ({}, {"csrf_token": "guessed"}):
        assert client.post(f"{PAGE}/name", data={"provider_name": "Acme", **token}).status_code == 403
        assert client.post(f"{PAGE}/schedule", data={"first_review": "8 weeks", **token}).status_code == 403
        assert client.post(f"{PAGE}/template", data=token,
                           files={"template_file": ("t.json", template_json(99), "application/json")}
                           ).status_code == 403
    assert settings(server) == {}


def test_an_admin_sets_the_name_and_logo_and_bad_ones_change_nothing(server: Server) -> None:
    client = signed_in(server)
    token = form(client, PAGE)
    # what the browser posts: the page's own input name (a route reading `name` refused every real save)
    assert 'name="provider_name"' in client.get(PAGE).text
    empty = client.post(f"{PAGE}/name", data={"provider_name": "   ", "csrf_token": token})
    assert empty.status_code == 400 and "govuk-error-summary" in empty.text and 'href="#provider_name"' in empty.text
    assert "cannot be empty" in empty.text and "Nothing was changed" in empty.text and settings(server) == {}
    named = client.post(f"{PAGE}/name",
                        data={"provider_name": "<script>alert(1)</script> Training", "csrf_token": token})
    assert named.status_code == 200 and "&lt;script&gt;alert(1)&lt;/script&gt; Training" in named.text
    assert "<script>alert(1)</script>" not in named.text
    assert settings(server)["provider_name"] == "<script>alert(1)</script> Training"

    text = client.post(f"{PAGE}/logo", data={"csrf_token": token},
                       files={"logo_file": ("logo.png", b"a text file named .png", "image/png")})
    assert text.status_code == 400 and "must be a PNG or JPEG" in text.text and 'id="logo_file-error"' in text.text
    damaged = client.post(f"{PAGE}/logo", data={"csrf_token": token},
                          files={"logo_file": ("logo.png", image("PNG")[:40], "image/png")})
    assert damaged.status_code == 400 and "cannot be read" in damaged.text
    none = client.post(f"{PAGE}/logo", data={"csrf_token": token})
    assert none.status_code == 400 and "Choose a PNG or JPEG" in none.text
    assert "logo" not in settings(server)
    jpeg = client.post(f"{PAGE}/logo", data={"csrf_token": token},
                       files={"logo_file": ("logo.jpg", image("JPEG"), "image/jpeg")})
    assert jpeg.status_code == 200 and "Logo set (image/jpeg" in jpeg.text
    assert settings(server)["logo"]["media_type"] == "image/jpeg"  # type: ignore[index]
    assert [e.actor for e in events(server, "settings_changed")] == ["root", "root"]


def test_an_admin_sets_the_schedule_and_holiday_periods_by_the_laptops_rules(server: Server) -> None:
    client = signed_in(server)
    token = form(client, PAGE)
    shown = client.get(PAGE).text
    assert "Not set: laptops keep their own" in shown
    bad = client.post(f"{PAGE}/schedule", data={"first_review": "a fortnight", "max_interval": "12 weeks",
                                               "short_interval": "4 weeks", "due_soon_days": "14",
                                               "csrf_token": token})
    assert bad.status_code == 400 and "first_review" in bad.text and 'href="#schedule"' in bad.text
    assert 'value="a fortnight"' in bad.text  # what was typed is kept
    days = client.post(f"{PAGE}/schedule", data={"first_review": "8 weeks", "max_interval": "12 weeks",
                                                "short_interval": "4 weeks", "due_soon_days": "soon",
                                                "csrf_token": token})
    assert days.status_code == 400 and "whole number of days" in days.text
    assert settings(server) == {}
    done = client.post(f"{PAGE}/schedule", data={"first_review": "6 weeks", "max_interval": "2 months",
                                                "short_interval": "4 weeks", "due_soon_days": "10",
                                                "csrf_token": token})
    assert done.status_code == 200 and "Schedule set" in done.text
    schedule = settings(server)["schedule"]
    assert schedule["first_review"] == "P6W" and schedule["due_soon_days"] == 10  # type: ignore[index]

    wrong = client.post(f"{PAGE}/holidays", data={"start": "31/02/2027", "end": "01/03/2027", "csrf_token": token})
    assert wrong.status_code == 400 and "has no day 31" in wrong.text and 'href="#holiday"' in wrong.text
    backwards = client.post(f"{PAGE}/holidays", data={"start": "05/01/2027", "end": "01/01/2027",
                                                      "csrf_token": token})
    assert backwards.status_code == 400 and settings(server)["schedule"]["holidays"] == []  # type: ignore[index]
    added = client.post(f"{PAGE}/holidays", data={"start": "20/12/2027", "end": "03/01/2028",
                                                  "holiday_name": "Christmas", "csrf_token": token})
    assert added.status_code == 200 and "20/12/2027" in added.text and "03/01/2028" in added.text
    assert settings(server)["schedule"]["holidays"] == [  # type: ignore[index]
        {"start": "2027-12-20", "end": "2028-01-03", "name": "Christmas"}]
    assert settings(server)["schedule"]["first_review"] == "P6W"  # type: ignore[index]  # the rest kept
    gone = client.post(f"{PAGE}/holidays", data={"remove": "5", "csrf_token": token})
    assert gone.status_code == 400 and "no such holiday period" in gone.text
    removed = client.post(f"{PAGE}/holidays", data={"remove": "0", "csrf_token": token})
    assert removed.status_code == 200 and "Christmas removed" in removed.text
    assert settings(server)["schedule"]["holidays"] == []  # type: ignore[index]


def test_an_admin_adds_a_template_version_never_replacing_one(server: Server) -> None:
    client = signed_in(server)
    token = form(client, PAGE)
    bundled = load_template(TEMPLATE).version

    def upload(data: bytes) -> str:
        response = client.post(f"{PAGE}/template", data={"csrf_token": token},
                               files={"template_file": ("template.json", data, "application/json")})
        assert response.status_code in (200, 400)
        return f"{response.status_code} {response.text}"

    assert upload(b"{not json").startswith("400") and "not valid JSON" in upload(b"{not json")
    assert "the one ReviewApp is installed with" in upload(template_json(bundled))
    with server.factory() as session:
        assert session.scalar(select(func.count()).select_from(ReviewTemplate)) == 0
        before = settings_version(session)
    added = upload(template_json(bundled + 1))
    assert added.startswith("200") and f"Added version {bundled + 1}" in added
    again = upload(template_json(bundled + 1))
    assert again.startswith("400") and "cannot be replaced" in again
    with server.factory() as session:
        assert session.scalar(select(func.count()).select_from(ReviewTemplate)) == 1
        assert settings_version(session) == before + 1
