"""Templates the office provides sit beside the bundled ones (issue 14 item 7): the highest version of each is
offered for new reviews, every version stays loadable for the reviews made with it, and a template id only the
office has works too. The schedule travels as a document checked by the same rules as one set on a laptop."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest

from reviewapp.core.scheduling import (
    DEFAULT_RULES,
    HolidayPeriod,
    Interval,
    ScheduleRules,
    schedule_from_document,
    schedule_to_document,
)
from reviewapp.core.templates import (
    TemplateError,
    available_templates,
    load_template,
    parse_template,
    provide_templates,
    templates_dir,
)

TEMPLATE = "apprenticeship-progress-review"


@pytest.fixture(autouse=True)
def _none_provided() -> Iterator[None]:
    provide_templates([])
    yield
    provide_templates([])


def _version(version: int, **changes: object):  # type: ignore[no-untyped-def]
    raw = json.loads((templates_dir() / f"{TEMPLATE}.json").read_text(encoding="utf-8"))
    return parse_template({**raw, "version": version, **changes})


def test_the_highest_version_is_offered_and_every_version_stays_loadable() -> None:
    bundled = load_template(TEMPLATE)
    provide_templates([_version(bundled.version + 1, title="Office v1"),
                       _version(bundled.version + 2, title="Office v2")])
    offered = {tid: (version, title) for tid, version, title in available_templates()}
    assert offered[TEMPLATE] == (bundled.version + 2, "Office v2")
    assert load_template(TEMPLATE).title == "Office v2"
    assert load_template(TEMPLATE, version=bundled.version + 1).title == "Office v1"
    assert load_template(TEMPLATE, version=bundled.version) == bundled
    provide_templates([])
    assert load_template(TEMPLATE) == bundled
    with pytest.raises(TemplateError):
        load_template(TEMPLATE, version=bundled.version + 1)


def test_a_template_only_the_office_has_is_offered_and_loaded() -> None:
    own = _version(1, id="employer-check-in", title="Employer check-in")
    provide_templates([own])
    assert ("employer-check-in", 1, "Employer check-in") in available_templates()
    assert load_template("employer-check-in") == own == load_template("employer-check-in", version=1)


def test_a_schedule_document_round_trips_and_is_checked_by_the_laptops_rules() -> None:
    christmas = HolidayPeriod(dt.date(2026, 12, 21), dt.date(2027, 1, 1), "Christmas closure")
    rules = ScheduleRules(first_review=Interval.weeks(6), max_interval=Interval.months(3), holidays=(christmas,))
    assert schedule_from_document(schedule_to_document(rules)) == rules
    assert schedule_from_document({}) == DEFAULT_RULES
    assert schedule_from_document({"max_interval": "3 months"}).max_interval == Interval.months(3)
    for document, words in (({"max_interval": "13 weeks"}, "funding rules"),
                            ({"short_interval": "9 weeks"}, "sooner interval"),
                            ({"due_soon_days": -1}, "negative"),
                            ({"holidays": [{"start": "2026-12-24", "end": "2026-12-20"}]}, "period 1"),
                            ({"every": "8 weeks"}, "Unknown schedule setting"),
                            ([], "JSON object")):
        with pytest.raises(ValueError, match=words):
            schedule_from_document(document)
