"""The provider settings tab of the office web app's administration (issue 14 item 7), for admins only.

Each form goes through provider_settings.py's own functions, the ones `reviewapp-server settings` uses, so the
checks (the laptop's own schedule and template rules, the logo's PNG/JPEG and size checks) and the audit trail are
theirs. A change that cannot be made is shown again in a GOV.UK error summary (400) and nothing is changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewapp.core.dates import format_date, parse_uk_date
from reviewapp.core.scheduling import DEFAULT_RULES, schedule_from_document, schedule_to_document
from sync.protocol import MAX_LOGO_BYTES

from ..api.deps import SessionDep
from ..db import transaction
from ..models import ProviderSetting, ReviewTemplate
from ..provider_settings import (
    LOGO,
    MAX_TEMPLATE_BYTES,
    NAME,
    PUBLIC_ADDRESS,
    SCHEDULE,
    SettingsError,
    add_template,
    set_logo,
    set_provider_name,
    set_public_address,
    set_schedule,
    settings_version,
)
from .admin import AdminPageDep, CsrfField, _csrf, _factory
from .pages import page

router = APIRouter(prefix="/admin/settings", include_in_schema=False)
Text = Annotated[str, Form(max_length=300)]


def _schedule_document(session: Session) -> dict[str, Any]:
    """The schedule as set (or the default), in `schedule_to_document`'s shape, for the forms to change."""
    row = session.get(ProviderSetting, SCHEDULE)
    try:
        return schedule_to_document(schedule_from_document(row.value) if row is not None else DEFAULT_RULES)
    except ValueError:  # set under an earlier version's rules: the forms start again from the default
        return schedule_to_document(DEFAULT_RULES)


def _settings_page(request: Request, session: Session, status: int = 200, **context: Any) -> HTMLResponse:
    rows = {row.key: row for row in session.scalars(select(ProviderSetting))}
    document = _schedule_document(session)
    rules = schedule_from_document(document)
    templates_added = list(session.scalars(select(ReviewTemplate).order_by(ReviewTemplate.template_id,
                                                                          ReviewTemplate.version)))
    context.setdefault("errors", {})
    context.setdefault("values", {})
    values = context["values"]
    values.setdefault("provider_name", rows[NAME].value if NAME in rows else "")
    values.setdefault("public_address", (rows[PUBLIC_ADDRESS].value or "") if PUBLIC_ADDRESS in rows else "")
    for key in ("first_review", "max_interval", "short_interval"):
        values.setdefault(key, getattr(rules, key).in_full)
    values.setdefault("due_soon_days", str(rules.due_soon_days))
    holidays = [(number, format_date(p.start), format_date(p.end), p.name)
                for number, p in enumerate(rules.holidays)]
    return page(request, "admin_settings.html", status=status, section="admin", tab="settings", rows=rows,
                logo=rows[LOGO].value if LOGO in rows else None, schedule_set=SCHEDULE in rows, holidays=holidays,
                templates_added=templates_added, version=settings_version(session), **context)


@router.get("", response_class=HTMLResponse)
def settings(request: Request, caller: AdminPageDep, session: SessionDep) -> HTMLResponse:
    return _settings_page(request, session, done=request.query_params.get("done", ""))


def _change(request: Request, session: SessionDep, field: str, change: Callable[[Session], str],
            values: dict[str, str]) -> Response:
    """One change in one transaction (audited by provider_settings); refused: the form again, nothing changed."""
    try:
        with transaction(_factory(request)) as s:
            done = change(s)
    except SettingsError as error:
        return _settings_page(request, session, status=400, errors={field: f"{error} Nothing was changed."},
                              values=values)
    return RedirectResponse(f"/admin/settings?done={done.replace(' ', '+')}", status_code=303)


@router.post("/name", response_class=HTMLResponse)
def provider_name(request: Request, caller: AdminPageDep, session: SessionDep, csrf_token: CsrfField = "",
                  provider_name: Text = "") -> Response:
    """The field is named as the form's input (`provider_name`, which the error summary links to)."""
    _csrf(request, csrf_token)
    return _change(request, session, "provider_name",
                   lambda s: f"Provider name set to {set_provider_name(s, provider_name, caller.username)}",
                   {"provider_name": provider_name})


@router.post("/public-address", response_class=HTMLResponse)
def public_address(request: Request, caller: AdminPageDep, session: SessionDep, csrf_token: CsrfField = "",
                   public_address: Text = "") -> Response:
    """The address in every copy's QR code (issue 17 item 4); empty clears it."""
    _csrf(request, csrf_token)
    return _change(request, session, "public_address",
                   lambda s: (f"Public address set to {found}" if (found := set_public_address(s, public_address,
                                                                                             caller.username))
                              else "Public address cleared"),
                   {"public_address": public_address})


async def _read(upload: UploadFile | None, limit: int) -> bytes | None:
    """The uploaded file's bytes, or None when it is over `limit` (read no further than that)."""
    if upload is None or not upload.filename:
        return b""
    data = await upload.read(limit + 1)
    return None if len(data) > limit else data


@router.post("/logo", response_class=HTMLResponse)
async def logo(request: Request, caller: AdminPageDep, session: SessionDep, csrf_token: CsrfField = "",
               logo_file: Annotated[UploadFile | None, File()] = None) -> Response:
    _csrf(request, csrf_token)
    data = await _read(logo_file, MAX_LOGO_BYTES * 4)

    def change(s: Session) -> str:
        if data is None:
            raise SettingsError(f"The logo is larger than {MAX_LOGO_BYTES // 1024} KB: save a smaller image.")
        if not data and (logo_file is None or not logo_file.filename):
            raise SettingsError("Choose a PNG or JPEG image for the logo.")
        return f"Logo set ({set_logo(s, data, caller.username)}, {len(data)} bytes)"

    return _change(request, session, "logo_file", change, {})


@router.post("/schedule", response_class=HTMLResponse)
def schedule(request: Request, caller: AdminPageDep, session: SessionDep, csrf_token: CsrfField = "",
             first_review: Text = "", max_interval: Text = "", short_interval: Text = "",
             due_soon_days: Text = "") -> Response:
    _csrf(request, csrf_token)
    values = {"first_review": first_review, "max_interval": max_interval, "short_interval": short_interval,
              "due_soon_days": due_soon_days}

    def change(s: Session) -> str:
        document = _schedule_document(s)
        document.update(first_review=first_review.strip(), max_interval=max_interval.strip(),
                        short_interval=short_interval.strip())
        try:
            document["due_soon_days"] = int(due_soon_days.strip())
        except ValueError:
            raise SettingsError(f"Due soon: give a whole number of days, not {due_soon_days.strip()!r}.") from None
        rules = set_schedule(s, document, caller.username)
        return (f"Schedule set: first review {rules.first_review.in_full} after the start, then at most "
                f"{rules.max_interval.in_full} apart, {rules.short_interval.in_full} when at risk")

    return _change(request, session, "schedule", change, values)


@router.post("/holidays", response_class=HTMLResponse)
def holidays(request: Request, caller: AdminPageDep, session: SessionDep, csrf_token: CsrfField = "",
             start: Text = "", end: Text = "", holiday_name: Text = "",
             remove: Annotated[str, Form(max_length=10)] = "") -> Response:
    """Add a holiday period (DD/MM/YYYY), or remove one by its place in the list."""
    _csrf(request, csrf_token)

    def change(s: Session) -> str:
        document = _schedule_document(s)
        periods: list[dict[str, str]] = list(document["holidays"])  # type: ignore[arg-type]
        if remove:
            if not remove.isdigit() or int(remove) >= len(periods):
                raise SettingsError("There is no such holiday period: it may have been removed already.")
            gone = periods.pop(int(remove))
            done = f"Holiday period {gone['name'] or gone['start']} removed"
        else:
            try:
                first, last = parse_uk_date(start), parse_uk_date(end)
            except ValueError as error:
                raise SettingsError(f"{error}.") from None
            periods.append({"start": first.isoformat(), "end": last.isoformat(), "name": holiday_name.strip()})
            done = f"Holiday period {format_date(first)} to {format_date(last)} added"
        document["holidays"] = periods
        set_schedule(s, document, caller.username)
        return done

    return _change(request, session, "holiday", change, {"start": start, "end": end, "holiday_name": holiday_name})


@router.post("/template", response_class=HTMLResponse)
async def template(request: Request, caller: AdminPageDep, session: SessionDep, csrf_token: CsrfField = "",
                   template_file: Annotated[UploadFile | None, File()] = None) -> Response:
    _csrf(request, csrf_token)
    data = await _read(template_file, MAX_TEMPLATE_BYTES)
    source = (template_file.filename or "template")[:200] if template_file is not None else "template"

    def change(s: Session) -> str:
        if data is None:
            raise SettingsError(f"The template file is larger than {MAX_TEMPLATE_BYTES // 1024} KB.")
        if not data:
            raise SettingsError("Choose a template file (JSON).")
        try:
            raw = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as error:
            raise SettingsError(f"{source} is not valid JSON: {error}.") from None
        added = add_template(s, raw, caller.username, source=source)
        return f"Added version {added.version} of the template {added.id} ({added.title})"

    return _change(request, session, "template_file", change, {})


__all__ = ["router"]
