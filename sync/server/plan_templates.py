"""Learning plans entered once per standard and copied into each learner's plan (issue 14 item 3).

A provider writes a standard's plan once, its knowledge, skills and behaviours (or units) with planned dates, as a
CSV (`reviewapp-server import-plans`): columns standard (the ILR's StdCode, or the programme's name), kind, code,
title and, optionally, planned date. A file replaces the template of each standard it names, whole, and is taken
all or nothing: every row is checked first and each problem reported with its line.

The template is then copied into the plan of every learner on that standard (`apply_plan_templates`), as
ordinary plan item records that sync to the laptops: a learner on the standard is one whose `standard_code` is
the template's code, or, when the learner has no code (a spreadsheet caseload), whose programme is the
template's name. Copying adds only the items (by code) a learner's plan lacks, so it never overwrites an item
the learner's plan has adjusted, and never brings back one the plan has deleted. It runs after every caseload
import too, so a learner imported later gets their standard's plan.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from sync.protocol import PlanItemData

from .caseload_csv import RowProblem
from .csv_table import read_table
from .db import RevBlock, new_id, take_write_lock, transaction
from .learner_match import IN_LIST
from .models import Learner, PlanItem, PlanTemplateItem, utcnow
from .records import validate_fields
from .spreadsheet import read_date

T = TypeVar("T")
#: Who the plan items copied from a template are recorded as made by.
PLAN_COPIER = "plan-template"
#: The plans file's columns, each with the other names a spreadsheet may give it.
PLAN_COLUMNS: dict[str, tuple[str, ...]] = {
    "standard": ("standard code", "stdcode", "standard name", "programme", "programme name"),
    "kind": ("type", "ksb type", "item kind"),
    "code": ("item code", "plan item code", "ksb", "ksb code", "unit code"),
    "title": ("item", "plan item", "description", "unit title", "name"),
    "planned_date": ("planned", "planned by", "due date", "target date"),
}
PLAN_REQUIRED = ("standard", "kind", "code", "title")
#: What a kind cell may say, any case: the protocol's own words, their plurals and the KSB initials.
KINDS: dict[str, str] = {
    **{kind: kind for kind in ("knowledge", "skill", "behaviour", "unit")},
    "skills": "skill", "behaviours": "behaviour", "behavior": "behaviour", "behaviors": "behaviour",
    "units": "unit", "k": "knowledge", "s": "skill", "b": "behaviour", "u": "unit",
}


def standard_key(standard: str | int) -> str:
    """The key a standard is known by: its code as a plain number ("0374" → "374"), else its name folded."""
    text = str(standard).strip()
    if text.isdigit():
        return str(int(text))
    return " ".join(text.split()).casefold()


def learner_standard_key(data: dict[str, Any]) -> str | None:
    """The standard a learner is on, as `standard_key`: the ILR's code when the learner has one, else the
    programme's name (a spreadsheet caseload names no code), else None."""
    if data.get("standard_code"):
        return standard_key(data["standard_code"])
    if (data.get("programme") or "").strip():
        return standard_key(data["programme"])
    return None


@dataclass(frozen=True)
class TemplateItem:
    line: int
    standard: str
    key: str
    kind: str
    code: str
    title: str
    planned_date: dt.date | None
    #: Its place in its standard's plan: the order of the file's rows.
    position: int


@dataclass
class ParsedPlans:
    items: list[TemplateItem] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def standards(self) -> list[str]:
        return sorted({item.key for item in self.items})


@dataclass
class PlanSummary:
    standards: int = 0
    template_items: int = 0
    #: What copying the templates did: learners given items, and items created.
    learners: int = 0
    plan_items: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    applied: bool = False
    dry_run: bool = False


def parse_plans(data: bytes) -> ParsedPlans:
    """Every template item and every problem (with its line) of a plans file's bytes; no database."""
    table = read_table(data, PLAN_COLUMNS, PLAN_REQUIRED, "a plans file")
    parsed = ParsedPlans(problems=list(table.problems))
    seen: dict[tuple[str, str], int] = {}
    positions: dict[str, int] = defaultdict(int)
    for row in table.rows:
        cell = row.cells
        why, planned = _plan_row_problem(cell), None
        if why is None and cell["planned_date"]:
            try:
                planned = read_date(cell["planned_date"])
            except ValueError as error:
                why = f"planned date: {error}"
        key = standard_key(cell["standard"])
        if why is None and (key, cell["code"].casefold()) in seen:
            why = (f"standard {cell['standard']} has the item {cell['code']} already on line "
                   f"{seen[key, cell['code'].casefold()]}")
        if why is not None:
            parsed.problems.append(RowProblem(row.line, why))
            continue
        seen[key, cell["code"].casefold()] = row.line
        positions[key] += 1
        parsed.items.append(TemplateItem(row.line, cell["standard"], key, KINDS[cell["kind"].casefold()],
                                         cell["code"], cell["title"], planned, positions[key]))
    return parsed


def _plan_row_problem(cell: dict[str, str]) -> str | None:
    for column in PLAN_REQUIRED:
        if not cell[column]:
            return f"the {column} is empty"
    if cell["standard"].isdigit() and not 1 <= int(cell["standard"]) <= 99_999:
        return f"standard {cell['standard']!r} is not a standard code (1 to 99999)"
    if cell["kind"].casefold() not in KINDS:
        return (f"kind {cell['kind']!r} is not one of knowledge, skill, behaviour or unit (or K, S, B, U)")
    if len(cell["code"]) > 50:
        return "the code is longer than 50 characters"
    if len(cell["standard"]) > 200:
        return "the standard is longer than 200 characters"
    return None


def import_plans(factory: sessionmaker[Session], parsed: ParsedPlans, *, by: str = PLAN_COPIER,
                 dry_run: bool = False) -> PlanSummary:
    """Replace the template of each standard in the file, then copy them into learners' plans: in one
    transaction, or not at all if any row is bad. With `dry_run`, the same work is done and rolled back, so the
    summary says what an import would do."""
    summary = PlanSummary(problems=list(parsed.problems), dry_run=dry_run)
    if parsed.problems:
        return summary
    with factory() as session:
        take_write_lock(session)
        keys = parsed.standards
        for chunk in _chunks(keys):
            session.execute(delete(PlanTemplateItem).where(PlanTemplateItem.standard_key.in_(chunk)))
        now = utcnow()
        session.add_all(PlanTemplateItem(id=new_id(), standard_key=item.key, standard=item.standard,
                                         kind=item.kind, code=item.code, title=item.title,
                                         planned_date=item.planned_date, position=item.position, updated_at=now)
                        for item in parsed.items)
        session.flush()
        summary.standards, summary.template_items = len(keys), len(parsed.items)
        summary.learners, summary.plan_items = apply_plan_templates(session, by=by, keys=keys)
        if dry_run:
            session.rollback()
            return summary
        session.commit()  # (leaving the block without it rolls back: an error writes nothing)
    summary.applied = True
    return summary


def apply_plans_after_import(factory: sessionmaker[Session]) -> tuple[int, int]:
    """Copy the templates into the plans of learners an import has just brought (its own short transaction).
    (learners, plan items) created; at once (0, 0) when the server holds no template."""
    with transaction(factory) as session:
        if session.scalar(select(PlanTemplateItem.id).limit(1)) is None:
            return 0, 0
        take_write_lock(session)
        return apply_plan_templates(session, by=PLAN_COPIER)


def apply_plan_templates(session: Session, *, by: str = PLAN_COPIER,
                         keys: Iterable[str] | None = None) -> tuple[int, int]:
    """Give every live learner on a standard with a template the template's items their plan lacks (by code,
    any case; an item the plan deleted counts as had). Call inside a write transaction, after `take_write_lock`.

    Returns (learners given items, plan items created). `keys` limits it to those standards.
    """
    query = select(PlanTemplateItem).order_by(PlanTemplateItem.standard_key, PlanTemplateItem.position)
    if keys is not None:
        wanted = list(keys)
        query = query.where(PlanTemplateItem.standard_key.in_(wanted)) if wanted else query.where(False)
    templates: dict[str, list[PlanTemplateItem]] = defaultdict(list)
    for item in session.scalars(query):
        templates[item.standard_key].append(item)
    if not templates:
        return 0, 0
    live = select(Learner.id, Learner.data).where(Learner.deleted.is_(False)).order_by(Learner.rev)
    learners = [(learner_id, key) for learner_id, data in session.execute(live)
                if (key := learner_standard_key(data)) in templates]
    revs = RevBlock(session, None)
    now, given, created = utcnow(), 0, []
    for chunk in _chunks(learners):
        had: dict[str, set[str]] = defaultdict(set)
        query = select(PlanItem.learner_id, PlanItem.data).where(PlanItem.learner_id.in_([i for i, _ in chunk]))
        for learner_id, data in session.execute(query):
            had[learner_id].add(str(data.get("code", "")).casefold())
        for learner_id, key in chunk:
            missing = [item for item in templates[key] if item.code.casefold() not in had[learner_id]]
            if missing:
                given += 1
            for item in missing:
                data = validate_fields("plan_item", PlanItemData(
                    learner_id=learner_id, kind=item.kind, code=item.code, title=item.title,  # type: ignore[arg-type]
                    position=item.position, planned_date=item.planned_date).model_dump())
                record_id = new_id()
                created.append({"id": record_id, "rev": revs.next("plan_item", record_id, "upsert"), "data": data,
                                "learner_id": learner_id, "updated_at": now, "updated_by": by, "deleted": False})
    if created:
        session.execute(PlanItem.__table__.insert(), created)  # Core: no per-row ORM work
    revs.close()
    return given, len(created)


def _chunks(values: Sequence[T]) -> Iterable[list[T]]:
    for start in range(0, len(values), IN_LIST):
        yield list(values[start : start + IN_LIST])
