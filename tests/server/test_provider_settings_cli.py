"""`reviewapp-server settings`: provider settings set at the office for every laptop (issue 14 item 7).

Bad input is refused with a reason and changes nothing; the schedule is checked by the laptop's own rules (the
funding ceiling of 3 calendar months), templates by the laptop's template checks, and a template version once added
is never replaced. The settings route serves them to any signed-in user, and a review finalised on a template version
added at the office is accepted. SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from server_testkit import Server, change, finalised_review, rehashed

from reviewapp.core.templates import load_template, templates_dir
from sync.protocol import MAX_LOGO_BYTES
from sync.server.cli import main
from sync.server.db import new_id

TEMPLATE = "apprenticeship-progress-review"


def run(capsys: pytest.CaptureFixture[str], database: str, *args: str) -> tuple[int, str, str]:
    code = main([*args, "--database", database])
    out, err = capsys.readouterr()
    return code, out, err


def shown(capsys: pytest.CaptureFixture[str], database: str) -> str:
    code, out, _ = run(capsys, database, "settings", "show")
    assert code == 0
    return out


def image(kind: str, size: tuple[int, int] = (40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 90, 160)).save(buffer, format=kind)
    return buffer.getvalue()


def template_file(tmp_path: Path, version: int, **changes: Any) -> Path:
    raw = json.loads((templates_dir() / f"{TEMPLATE}.json").read_text(encoding="utf-8"))
    path = tmp_path / f"template-{version}-{len(list(tmp_path.iterdir()))}.json"
    path.write_text(json.dumps({**raw, "version": version, **changes}), encoding="utf-8")
    return path


def test_bad_settings_are_refused_with_a_reason_and_change_nothing(database_url: str, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    before = shown(capsys, database_url)
    assert "Provider name: not set" in before and "Schedule: not set" in before

    code, _, err = run(capsys, database_url, "settings", "set", "provider-name", "   ")
    assert code == 1 and "cannot be empty" in err and "Nothing was changed" in err

    not_image = tmp_path / "logo.png"
    not_image.write_text("a text file named .png")
    code, _, err = run(capsys, database_url, "settings", "set", "logo", str(not_image))
    assert code == 1 and "must be a PNG or JPEG image" in err
    damaged = tmp_path / "damaged.png"
    damaged.write_bytes(image("PNG")[:40])
    code, _, err = run(capsys, database_url, "settings", "set", "logo", str(damaged))
    assert code == 1 and "cannot be read as an image" in err
    large = tmp_path / "large.png"
    large.write_bytes(image("PNG")[:8] + b"\0" * MAX_LOGO_BYTES)
    code, _, err = run(capsys, database_url, "settings", "set", "logo", str(large))
    assert code == 1 and f"the most is {MAX_LOGO_BYTES // 1024} KB" in err
    code, _, err = run(capsys, database_url, "settings", "set", "logo", str(tmp_path / "missing.png"))
    assert code == 1 and "Cannot read" in err

    code, _, err = run(capsys, database_url, "settings", "set", "schedule", "--max-interval", "13 weeks")
    assert code == 1 and "no more than 3 calendar months apart under the funding rules, not 13 weeks" in err
    code, _, err = run(capsys, database_url, "settings", "set", "schedule", "--holiday", "2026-12-24", "2026-12-20",
                       "Christmas")
    assert code == 1 and "holidays, period 1: A holiday period cannot end before it starts" in err
    unknown = tmp_path / "schedule.json"
    unknown.write_text(json.dumps({"max_interval": "8 weeks", "max_gap": "9 weeks"}))
    code, _, err = run(capsys, database_url, "settings", "set", "schedule", "--file", str(unknown))
    assert code == 1 and "Unknown schedule setting 'max_gap'" in err
    broken = tmp_path / "broken.toml"
    broken.write_text("max_interval = ")
    code, _, err = run(capsys, database_url, "settings", "set", "schedule", "--file", str(broken))
    assert code == 1 and "not valid TOML" in err

    duplicate = json.loads((templates_dir() / f"{TEMPLATE}.json").read_text(encoding="utf-8"))
    duplicate["version"] = 9
    first_section = duplicate["sections"][0]
    first_section["questions"].append(dict(first_section["questions"][0]))
    bad_template = tmp_path / "duplicate.json"
    bad_template.write_text(json.dumps(duplicate))
    code, _, err = run(capsys, database_url, "settings", "add-template", str(bad_template))
    assert code == 1 and "duplicate.json" in err and "duplicate question id" in err
    code, _, err = run(capsys, database_url, "settings", "add-template",
                       str(templates_dir() / f"{TEMPLATE}.json"))
    assert code == 1 and "is the one ReviewApp is installed with" in err
    not_json = tmp_path / "template.json"
    not_json.write_text("{")
    code, _, err = run(capsys, database_url, "settings", "add-template", str(not_json))
    assert code == 1 and "not valid JSON" in err

    assert shown(capsys, database_url) == before  # nothing changed, not even the version


def test_settings_are_set_shown_and_versions_only_added(database_url: str, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, database_url, "settings", "set", "provider-name", " Acme  Training Ltd ")[0] == 0
    logo = tmp_path / "logo.jpg"
    logo.write_bytes(image("JPEG"))
    code, out, _ = run(capsys, database_url, "settings", "set", "logo", str(logo))
    assert code == 0 and "image/jpeg" in out
    rules = tmp_path / "schedule.toml"
    rules.write_text('first_review = "8 weeks"\nmax_interval = "3 months"\n'
                     '[[holidays]]\nstart = "2026-12-21"\nend = "2027-01-01"\nname = "Christmas closure"\n')
    code, out, _ = run(capsys, database_url, "settings", "set", "schedule", "--file", str(rules), "--short-interval",
                       "6 weeks")
    assert code == 0 and "at most 3 calendar months apart, 6 weeks when at risk, 1 holiday period(s)" in out
    bundled = load_template(TEMPLATE).version
    code, out, _ = run(capsys, database_url, "settings", "add-template", str(template_file(tmp_path, bundled + 1)))
    assert code == 0 and f"Added version {bundled + 1}" in out
    code, _, err = run(capsys, database_url, "settings", "add-template",
                       str(template_file(tmp_path, bundled + 1, title="Changed")))
    assert code == 1 and "cannot be replaced" in err
    code, _, err = run(capsys, database_url, "settings", "add-template", str(template_file(tmp_path, bundled)))
    assert code == 1  # the bundled version, or lower than one added: never a second template under one version

    out = shown(capsys, database_url)
    assert "Settings version 4" in out
    assert "Provider name: Acme Training Ltd" in out and "Logo: image/jpeg" in out
    assert "then at most 3 calendar months apart; 6 weeks when at risk" in out
    assert "holiday 21/12/2026 to 01/01/2027 Christmas closure" in out
    assert f"Template {TEMPLATE} version {bundled + 1} (review)" in out


def test_the_settings_route_serves_every_signed_in_user_and_says_when_unchanged(
        server: Server, caseloads: dict[str, Any], database_url: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    alice = caseloads["alice"]
    assert server.client.get("/api/v1/settings").status_code == 401
    empty = server.client.get("/api/v1/settings", headers=alice).json()
    assert empty["version"] == 0 and empty["schedule"] is None and empty["templates"] == []

    logo = tmp_path / "logo.png"
    logo.write_bytes(image("PNG"))
    assert run(capsys, database_url, "settings", "set", "logo", str(logo))[0] == 0
    assert run(capsys, database_url, "settings", "set", "schedule", "--max-interval", "P3M")[0] == 0
    body = server.client.get("/api/v1/settings", headers=alice).json()
    assert body["version"] == 2 and body["schedule"]["max_interval"] == "P3M"
    assert base64.b64decode(body["logo"]["data"]) == logo.read_bytes() and body["logo"]["media_type"] == "image/png"
    same = server.client.get("/api/v1/settings", params={"have": 2}, headers=alice).json()
    assert same["unchanged"] is True and same["logo"] is None
    assert server.client.get("/api/v1/settings", params={"have": "x"}, headers=alice).status_code == 422


def test_a_review_finalised_on_a_template_version_added_at_the_office_is_accepted(
        server: Server, caseloads: dict[str, Any], database_url: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    alice, learner = caseloads["alice"], caseloads["alice_learner"]
    version = load_template(TEMPLATE).version + 1

    def push() -> str:
        review_id = new_id()
        review, signatures = finalised_review(learner, review_id)
        review = rehashed(review_id, {**review, "template_version": version}, [s for _, s in signatures])
        results = server.push(alice, change("review", "create", review_id, review),
                              *[change("signature", "create", sid, s) for sid, s in signatures])
        return results[0]["status"] + (results[0]["error"] or "")

    assert push().startswith("rejected")  # not installed: the server cannot check it
    assert run(capsys, database_url, "settings", "add-template", str(template_file(tmp_path, version)))[0] == 0
    assert push() == "applied"


def test_the_admin_api_sets_them_all_or_nothing_and_only_for_admins(server: Server, caseloads: dict[str, Any],
                                                                  tmp_path: Path) -> None:
    server.add_user("ada", role="admin")
    ada = server.login("ada")
    change_body = {"provider_name": "Acme Training Ltd", "schedule": {"max_interval": "13 weeks"}}
    for who in (caseloads["alice"], caseloads["meg"]):
        assert server.client.put("/api/v1/admin/settings", json=change_body, headers=who).status_code == 403
    refused = server.client.put("/api/v1/admin/settings", json=change_body, headers=ada)
    assert refused.status_code == 422
    assert "not 13 weeks" in refused.json()["detail"] and "Nothing was changed" in refused.json()["detail"]
    assert server.client.get("/api/v1/settings", headers=ada).json()["provider_name"] is None  # the name neither
    logo = {"media_type": "image/png", "data": "not base64!"}
    assert server.client.put("/api/v1/admin/settings", json={"logo": logo}, headers=ada).status_code == 422
    assert server.client.put("/api/v1/admin/settings", json={}, headers=ada).status_code == 422

    png = {"media_type": "image/png", "data": base64.b64encode(image("PNG")).decode()}
    done = server.client.put("/api/v1/admin/settings", headers=ada, json={
        "provider_name": "Acme Training Ltd", "logo": png, "schedule": {"max_interval": "3 months"}})
    assert done.status_code == 200, done.text
    assert done.json()["provider_name"] == "Acme Training Ltd" and done.json()["schedule"]["max_interval"] == "P3M"

    raw = json.loads(template_file(tmp_path, load_template(TEMPLATE).version + 1).read_text(encoding="utf-8"))
    added = server.client.post("/api/v1/admin/templates", json={"template": raw}, headers=ada)
    assert added.status_code == 200 and [t["version"] for t in added.json()["templates"]] == [raw["version"]]
    again = server.client.post("/api/v1/admin/templates", json={"template": raw}, headers=ada)
    assert again.status_code == 422 and "cannot be replaced" in again.json()["detail"]
    broken = server.client.post("/api/v1/admin/templates", json={"template": {"id": "x"}}, headers=ada)
    assert broken.status_code == 422
    nul = {**raw, "version": raw["version"] + 1, "title": "Review\u0000"}
    refused = server.client.post("/api/v1/admin/templates", json={"template": nul}, headers=ada)
    assert refused.status_code == 422 and "NUL" in refused.json()["detail"]
    huge = {**raw, "version": 2**40}
    refused = server.client.post("/api/v1/admin/templates", json={"template": huge}, headers=ada)
    assert refused.status_code == 422 and "up to 1,000,000" in refused.json()["detail"]
    long_id = {**raw, "id": "a" * 101}
    refused = server.client.post("/api/v1/admin/templates", json={"template": long_id}, headers=ada)
    assert refused.status_code == 422 and "at most 100 characters" in refused.json()["detail"]
    refused = server.client.put("/api/v1/admin/settings", json={"schedule": {"due_soon_days": 10**15}}, headers=ada)
    assert refused.status_code == 422 and "at most 28 days" in refused.json()["detail"]
    holiday = {"holidays": [{"start": "2026-12-21", "end": "2026-12-24", "name": "Christmas\u0000"}]}
    refused = server.client.put("/api/v1/admin/settings", json={"schedule": holiday}, headers=ada)
    assert refused.status_code == 422 and "NUL" in refused.json()["detail"]
