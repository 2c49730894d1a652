"""The fields the office dashboard's figures read (office_figures.py), copied out of each record's JSON `data` into
real, indexed columns whenever the record is written (issue 15: the dashboard read them out of JSON over every
review, 11.6 s at a provider's size).

One place sets them: `fill`, run by the ORM before every insert and update of a review, target or signature (the
push, the caseload import, the web app all write through the ORM), and `backfill` (one UPDATE per table, for the
migration that added them and for rows bulk-inserted without the ORM). Values stay ISO text as the laptop sends them,
so the figures compare them exactly as they compared the JSON.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from .models import Delivery, Review, Signature, Target

#: model -> the `data` fields stored as columns of the same name.
STORED: dict[Any, tuple[str, ...]] = {
    Review: ("status", "visit_date", "finalised_at", "addendum_to_id", "progress_rag", "welfare_rag"),
    Target: ("set_in_review_id", "followed_up_in_review_id", "status", "due_date"),
    Signature: ("role", "signed_at"),
    Delivery: ("review_id", "copy_for", "channel", "status", "delivered_at"),
}


def _value(value: Any) -> str | None:
    return None if value is None else str(value)


def fill(row: Any, connection: Any = None) -> None:
    """Set `row`'s stored columns from its `data` (None for a deleted record without data)."""
    data = row.data or {}
    for field in STORED[type(row)]:
        setattr(row, field, _value(data.get(field)))
    if isinstance(row, Review):
        row.plan_progress, row.plan_commented = plan_columns(data, connection)


def plan_columns(data: dict[str, Any], connection: Any = None) -> tuple[str | None, bool | None]:
    """A finalised review's plan progress as reviewapp.core.plan_amendment records it, by its template (one added at
    the office, read on `connection`, else one installed with the server, as finalisation_rules finds them);
    (None, None) for a draft or a template the server does not hold."""
    if data.get("status") != "finalised" or not data.get("template_id"):
        return None, None
    from reviewapp.core.plan_amendment import plan_progress_record
    from reviewapp.core.templates import TemplateError, parse_template

    from .finalisation_rules import Rejected, installed_template
    from .models import ReviewTemplate

    try:
        template_id, version = str(data["template_id"]), int(data.get("template_version") or 0)
        body = None if connection is None else connection.execute(select(ReviewTemplate.body).where(
            ReviewTemplate.template_id == template_id, ReviewTemplate.version == version)).scalar()
        template = (parse_template(body, source=f"{template_id} v{version}") if body is not None
                    else installed_template(template_id, version))
    except (Rejected, TemplateError, ValueError, TypeError):
        return None, None
    return plan_progress_record(template, data.get("answers") or {})


def backfill_plan_columns(session: Session) -> None:
    """Set every finalised review's plan columns (they need the template: Python, a batch of rows at a time)."""
    after = ""
    while True:
        batch = session.execute(select(Review.id, Review.data).where(Review.status == "finalised", Review.id > after)
                                .order_by(Review.id).limit(500)).all()
        if not batch:
            return
        for review_id, data in batch:
            progress, commented = plan_columns(data or {}, session.connection())
            session.execute(update(Review).where(Review.id == review_id)
                            .values(plan_progress=progress, plan_commented=commented)
                            .execution_options(synchronize_session=False))
        after = batch[-1][0]


def _before_write(_mapper: Any, connection: Any, row: Any) -> None:
    fill(row, connection)


for _model in STORED:
    event.listen(_model, "before_insert", _before_write)
    event.listen(_model, "before_update", _before_write)


#: The tables revision 0013 backfills: a table added later (deliveries, 0017) does not exist yet when it runs.
BACKFILLED = (Review, Target, Signature)


def backfill(session: Session, models: tuple[Any, ...] = BACKFILLED) -> None:
    """Set every row's stored columns from its `data` in SQL (JSON paths: json_extract / ->>)."""
    for model in models:
        fields = STORED[model]
        session.execute(update(model).values({field: model.data[field].as_string() for field in fields})
                        .execution_options(synchronize_session=False))
