"""Provider settings set once at the office reach every laptop at sync and are used there (issue 14 item 7): the
schedule moves a due date in the caseload, a new template version is offered for new reviews while an open draft
keeps its own, the provider's name heads the copies; a laptop offline keeps the last settings it had; a server
without the settings route leaves the laptop's own settings, with no error."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter
from PIL import Image
from synckit import PASSWORD, Laptop, Server

from reviewapp.core.caseload import caseload_rows
from reviewapp.core.documents import ReportSettings
from reviewapp.core.scheduling import Interval, ScheduleRules
from reviewapp.core.templates import available_templates, load_template, provide_templates, templates_dir
from reviewapp.store import queries, reviews
from reviewapp.store.database import Store
from reviewapp.store.models import Review
from reviewapp.store.office_settings import office_settings
from reviewapp.store.review_documents import report_settings
from reviewapp.store.settings import save_report_settings, save_schedule_rules, schedule_rules
from reviewapp.sync_client.engine import SyncClient
from reviewapp.sync_client.errors import SyncError
from sync.server.api.routes import provider_settings as settings_routes
from sync.server.cli import main as server_cli

TEMPLATE = "apprenticeship-progress-review"
TODAY = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _bundled_templates_only() -> Iterator[None]:
    """The templates an account received are the process's (one account is open at a time): none after a test."""
    yield
    provide_templates([])


def _office(database: str, *args: str) -> None:
    assert server_cli([*args, "--database", database]) == 0


def _new_version(tmp_path: Path, version: int, title: str) -> Path:
    raw = json.loads((templates_dir() / f"{TEMPLATE}.json").read_text(encoding="utf-8"))
    path = tmp_path / f"template-v{version}.json"
    path.write_text(json.dumps({**raw, "version": version, "title": title}), encoding="utf-8")
    return path


def _due(store: Store, learner_id: str) -> dt.date | None:
    with store.read() as session:
        facts = queries.caseload_facts(session)
    [row] = [r for r in caseload_rows(facts, TODAY, schedule_rules(store)) if r.facts.learner_id == learner_id]
    return row.next_review_due


def test_settings_set_at_the_office_reach_the_laptop_and_are_used(world: dict[str, Any], server_db: str,
                                                                   tmp_path: Path) -> None:
    ann = world["learners"]["alice"][0]
    laptop: Laptop = world["laptop"]("alice")
    laptop.sync()
    bundled = load_template(TEMPLATE)
    draft = reviews.start_draft(laptop.store, ann, bundled, TODAY, schedule_rules(laptop.store))
    save_schedule_rules(laptop.store, ScheduleRules())  # the laptop's own: 8 weeks to the first review
    save_report_settings(laptop.store, ReportSettings("Laptop's own name"))
    before = _due(laptop.store, ann)
    nothing_set = office_settings(laptop.store)  # received at the first sync: the office has set nothing yet
    assert nothing_set is not None and nothing_set.schedule is None and not nothing_set.sets_report

    _office(server_db, "settings", "set", "schedule", "--first-review", "4 weeks", "--max-interval", "3 months")
    _office(server_db, "settings", "set", "provider-name", "Acme Training Ltd")
    logo = tmp_path / "office-logo.png"
    Image.new("RGB", (60, 30), (0, 90, 160)).save(logo)
    _office(server_db, "settings", "set", "logo", str(logo))
    _office(server_db, "settings", "add-template", str(_new_version(tmp_path, bundled.version + 5, "Office review")))
    laptop.sync()

    rules = schedule_rules(laptop.store)
    assert (rules.first_review, rules.max_interval) == (Interval.weeks(4), Interval.months(3))
    assert _due(laptop.store, ann) != before  # the caseload follows the office's schedule
    with laptop.store.read() as session:
        printed = report_settings(session)
    assert printed.provider_name == "Acme Training Ltd"  # on every copy, in place of the laptop's own
    assert printed.logo_path is not None and printed.logo_path.read_bytes() == logo.read_bytes()
    offered = {tid: (version, title) for tid, version, title in available_templates()}
    assert offered[TEMPLATE] == (bundled.version + 5, "Office review")  # new reviews get the office's version
    with laptop.store.read() as session:
        kept = session.get(Review, draft)
        assert (kept.template_id, kept.template_version) == (TEMPLATE, bundled.version)  # the draft keeps its own
    assert load_template(TEMPLATE, version=bundled.version).title == bundled.title
    started = reviews.start_draft(laptop.store, ann, load_template(TEMPLATE), TODAY, rules)  # as "New review" does
    with laptop.store.read() as session:
        assert session.get(Review, started).template_version == bundled.version + 5
    assert office_settings(laptop.store).schedule == rules

    # A second sync with nothing changed asks for nothing new, and keeps what it has.
    version = office_settings(laptop.store).version
    laptop.sync()
    assert office_settings(laptop.store).version == version

    # Offline, and the app restarted: the last settings the laptop had are still used.
    world["server"].stop()
    laptop.store.close()
    laptop.store = Store.open(laptop.data_dir, "alice")
    laptop.client.store = laptop.store
    with contextlib.suppress(SyncError):  # unreachable: said, and nothing lost
        laptop.sync()
    assert schedule_rules(laptop.store).first_review == Interval.weeks(4)
    assert available_templates()[0][1] == bundled.version + 5
    assert load_template(TEMPLATE).title == "Office review"


def test_a_server_without_the_settings_route_leaves_the_laptop_its_own(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings_routes, "router", APIRouter())  # a server from before the settings route
    server = Server(f"sqlite:///{tmp_path / 'server.sqlite3'}")
    server.add_user("alice")
    assert server.client.get("/api/v1/settings").status_code == 404
    try:
        with Store.open(tmp_path / "laptop", "alice") as store:
            save_schedule_rules(store, ScheduleRules(max_interval=Interval.weeks(6)))
            client = SyncClient(store, "http://127.0.0.1", "alice", http=server.client)
            client.login(PASSWORD)
            summary = client.sync()
            assert summary.finished_at is not None
            assert office_settings(store) is None
            assert schedule_rules(store).max_interval == Interval.weeks(6)
    finally:
        server.close()
