"""The office's generic list (issue 15 item 5): any query of records that have a `learner_id`, shown with the
learner, their assessor, employer, programme and status; sortable by any column, filterable by assessor, team,
employer, programme and status, paged, and exported as CSV. Sorting, filtering, counting and paging are all SQL.

A list is made of the rows query (e.g. a figure's drill-down, office_figures.rows_query) and the columns of it to
show beside the learner's (`extra`). The filters narrow the rows; the caller's scope is the rows query's own.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import HTTPException
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from reviewapp.core.dates import format_date

from ..models import Assignment, Employer, Learner, TeamMember, User

PAGE_SIZE = 25
#: Learner status values and how they read (sync.protocol's LearnerStatus).
STATUSES = {"active": "Active", "break": "On a break", "withdrawn": "Withdrawn", "completed": "Completed"}
TARGET_STATUSES = {"open": "Open", "partly_met": "Partly met", "not_met": "Not met", "met": "Met",
                   "no_longer_relevant": "No longer relevant"}
FILTERS = ("assessor", "team", "employer", "programme", "status")


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    #: "text", "date" (ISO text shown DD/MM/YYYY), "yes_no", "rag", "status", "target_status", "number".
    kind: str = "text"


@dataclass(frozen=True)
class ListRequest:
    """What the address asks for: filters, sort and page (checked: a 4xx with a reason, never a 500)."""

    filters: dict[str, str] = field(default_factory=dict)
    sort: str = "learner"
    descending: bool = False
    page: int = 1

    @classmethod
    def from_query(cls, query: Any, columns: list[Column], default_sort: str = "learner") -> ListRequest:
        filters = {name: query.get(name, "").strip()[:200] for name in FILTERS if query.get(name, "").strip()}
        sort = query.get("sort", default_sort)
        if sort not in {column.key for column in columns}:
            raise HTTPException(status_code=422, detail=f"The list cannot be sorted by {sort[:50]!r}.")
        order = query.get("order", "asc")
        if order not in ("asc", "desc"):
            raise HTTPException(status_code=422, detail="The order is either asc or desc.")
        try:
            page = int(query.get("page", "1"))
        except ValueError:
            page = 0
        if not 1 <= page <= 1_000_000:
            raise HTTPException(status_code=422, detail="The page is a whole number from 1.")
        return cls(filters, sort, order == "desc", page)

    def address(self, base: str, keep: dict[str, str], **change: Any) -> str:
        """This list's address with `change` (sort, order, page) made."""
        params = {**keep, **self.filters, "sort": self.sort, "order": "desc" if self.descending else "asc",
                  "page": str(self.page)}
        params.update({key: str(value) for key, value in change.items()})
        return f"{base}?{urlencode(params)}"


LEARNER_COLUMNS = [Column("learner", "Learner"), Column("assessor", "Assessor"), Column("employer", "Employer"),
                   Column("programme", "Programme"), Column("status", "Status", "status")]


def _full(rows: Select[Any]) -> tuple[Any, Select[Any]]:
    """The rows joined to their learner's name, assessor, employer, programme and status."""
    inner = rows.subquery()
    learner_name = func.coalesce(Learner.data["first_name"].as_string(), "") + " " + func.coalesce(
        Learner.data["last_name"].as_string(), "")
    query = (select(inner, learner_name.label("learner"),
                    func.coalesce(func.nullif(User.display_name, ""), User.username, "Not assigned").label("assessor"),
                    Assignment.assessor_id.label("assessor_id"),
                    func.coalesce(Employer.data["name"].as_string(), "").label("employer"),
                    func.coalesce(Learner.data["programme"].as_string(), "").label("programme"),
                    Learner.data["status"].as_string().label("status"))
             .join(Learner, Learner.id == inner.c.learner_id)
             .outerjoin(Employer, Employer.id == Learner.employer_id)
             .outerjoin(Assignment, Assignment.learner_id == Learner.id)
             .outerjoin(User, User.id == Assignment.assessor_id))
    return inner, query


def _filtered(rows: Select[Any], request: ListRequest) -> Select[Any]:
    _, query = _full(rows)
    outer = query.subquery()
    result = select(outer)
    f = request.filters
    if "assessor" in f:
        result = result.where(outer.c.assessor_id == f["assessor"])
    if "team" in f:
        members = select(TeamMember.user_id).where(TeamMember.team_id == f["team"])
        result = result.where(outer.c.assessor_id.in_(members))
    if "employer" in f:
        result = result.where(func.lower(outer.c.employer).contains(f["employer"].casefold(), autoescape=True))
    if "programme" in f:
        result = result.where(func.lower(outer.c.programme).contains(f["programme"].casefold(), autoescape=True))
    if "status" in f:
        result = result.where(outer.c.status == f["status"])
    return result


def _ordered(query: Select[Any], request: ListRequest) -> Select[Any]:
    outer = query.subquery()
    column = outer.c[request.sort]
    first = column.desc() if request.descending else column.asc()
    tie = outer.c.learner_id
    return select(outer).order_by(first.nulls_last() if request.descending else first.nulls_first(), tie)


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    total: int
    page: int
    pages: int


def page_of(session: Session, rows: Select[Any], request: ListRequest) -> Page:
    query = _filtered(rows, request)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    pages = max(1, -(-total // PAGE_SIZE))
    found = session.execute(_ordered(query, request).offset((request.page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return Page(list(found), total, request.page, pages)


def shown(value: Any, kind: str) -> str:
    """A cell as words: dates DD/MM/YYYY, yes/no, RAG in words (colour is never the only sign)."""
    if value is None or value == "":
        return "—" if kind != "yes_no" else "No"
    if kind == "date":
        try:
            return format_date(dt.date.fromisoformat(str(value)[:10])) or "—"
        except ValueError:
            return str(value)
    if kind == "yes_no":
        return "Yes" if value else "No"
    if kind == "rag":
        return {"red": "Red", "amber": "Amber", "green": "Green"}.get(str(value), str(value))
    if kind == "status":
        return STATUSES.get(str(value), str(value))
    if kind == "target_status":
        return TARGET_STATUSES.get(str(value), str(value))
    if kind == "number":
        return f"{float(value):g}"
    return str(value)


def csv_lines(session: Session, rows: Select[Any], request: ListRequest, columns: list[Column]) -> Iterator[str]:
    """The whole list (every page, filtered and sorted) as CSV, streamed a batch at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.heading for column in columns])
    yield buffer.getvalue()
    result = session.execute(_ordered(_filtered(rows, request), request).execution_options(yield_per=1000))
    for partition in result.partitions():
        buffer.seek(0)
        buffer.truncate()
        for row in partition:
            writer.writerow([_csv_safe(shown(row._mapping[column.key], column.kind)) for column in columns])
        yield buffer.getvalue()


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet would run as a formula (=, +, -, @ first) is quoted with an apostrophe."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and text != "—" else text
