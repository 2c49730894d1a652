"""Provider settings set once at the office and pulled by every laptop at sync (issue 14 item 7).

The provider's name and logo (on every printed copy), the review schedule, and the review templates. Each is checked
here by the same rules the laptop applies (`reviewapp.core.scheduling.schedule_from_document` with the funding
ceiling, `reviewapp.core.templates.parse_template`), so nothing the office sets can be refused or read differently
by a laptop. Template versions are only ever added: a laptop may have started a review with any version, and that
review keeps it, so a version once added is never replaced. Every change raises `version`, which lets a laptop ask
for the settings only when they have changed.
"""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reviewapp.core.alerts import (
    DEFAULT_ALERT_SETTINGS,
    AlertSettings,
    alert_settings_from_document,
    alert_settings_to_document,
)
from reviewapp.core.scheduling import ScheduleRules, schedule_from_document, schedule_to_document
from reviewapp.core.templates import Template, TemplateError, load_template, parse_template
from sync.protocol import MAX_LOGO_BYTES, ProviderLogo, ProviderSettingsResponse, storable_problem, text_problem

from .audit import record_event
from .models import ProviderSetting, ReviewTemplate, utcnow

NAME, LOGO, SCHEDULE, VERSION = "provider_name", "logo", "schedule", "version"
#: The provider server's public address, which the QR code of every copy points at (`/verify/...`, issue 17).
PUBLIC_ADDRESS = "public_address"
ALERTS = "alerts"
MAX_NAME_CHARS = 200
#: The largest template file accepted (the bundled one is about 40 KB).
MAX_TEMPLATE_BYTES = 1024 * 1024
#: What the server keeps a template under: an id as long as `review_templates.template_id` holds (and
#: `finalisation_rules` looks up), and a version that fits the database's integer on every engine.
MAX_TEMPLATE_ID_CHARS = 100
MAX_TEMPLATE_VERSION = 1_000_000


class SettingsError(ValueError):
    """A setting the office cannot make, with the reason for the admin; nothing was changed."""


def _set(session: Session, key: str, value: Any, by: str) -> None:
    row = session.get(ProviderSetting, key)
    if row is None:
        session.add(ProviderSetting(key=key, value=value, updated_by=by))
    else:
        row.value, row.updated_at, row.updated_by = value, utcnow(), by


def _bump(session: Session, by: str, detail: str) -> int:
    """Raise the settings version (laptops fetch them again) and put the change in the audit trail."""
    row = session.get(ProviderSetting, VERSION, with_for_update=True)
    version = (row.value if row is not None else 0) + 1
    _set(session, VERSION, version, by)
    record_event(session, by, "settings_changed", detail=f"version {version}: {detail}"[:1000])
    return version


def _check_storable(value: Any, what: str) -> None:
    """Refuse what the database could not store or send back (a NUL, a lone surrogate, absurd nesting), before
    it reaches the database: an admin's file or request is then told why, never answered with a 500."""
    problem = storable_problem(value)
    if problem:
        raise SettingsError(f"{what} cannot be stored: {problem}.")


def set_provider_name(session: Session, name: str, by: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise SettingsError("The provider's name cannot be empty.")
    if len(cleaned) > MAX_NAME_CHARS or text_problem(cleaned):
        raise SettingsError(f"The provider's name must be printable text of at most {MAX_NAME_CHARS} characters.")
    _set(session, NAME, cleaned, by)
    _bump(session, by, f"provider name {cleaned!r}")
    return cleaned


def set_public_address(session: Session, address: str, by: str) -> str | None:
    """The public address printed in every copy's QR code (`https://<server>/verify/<id>?h=...`); empty clears it,
    and laptops then print their own sync server's address. Checked by `copy_check.public_address_problem`."""
    from reviewapp.core.copy_check import public_address_problem

    cleaned = address.strip().rstrip("/")
    if cleaned:
        problem = public_address_problem(cleaned)
        if problem or text_problem(cleaned):
            raise SettingsError(f"The public address cannot be {cleaned!r}: {problem or 'it is not printable text'}.")
    _set(session, PUBLIC_ADDRESS, cleaned or None, by)
    _bump(session, by, f"public address {cleaned or 'cleared'}")
    return cleaned or None


def public_address(session: Session) -> str | None:
    """The provider's public address for verifying copies, or None when it is not set."""
    row = session.get(ProviderSetting, PUBLIC_ADDRESS)
    return row.value if row is not None and row.value else None


def logo_media_type(data: bytes) -> str:
    """"image/png" or "image/jpeg", told by the file's content (its signature), never by its name."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    raise SettingsError("The logo must be a PNG or JPEG image; this file is neither.")


def set_logo(session: Session, data: bytes, by: str) -> str:
    if not data:
        raise SettingsError("The logo file is empty.")
    if len(data) > MAX_LOGO_BYTES:
        raise SettingsError(f"The logo is {len(data) // 1024} KB; the most is {MAX_LOGO_BYTES // 1024} KB (it goes "
                            "to every laptop). Save a smaller image.")
    media_type = logo_media_type(data)
    _check_image(data)
    _set(session, LOGO, {"media_type": media_type, "data": base64.b64encode(data).decode("ascii")}, by)
    _bump(session, by, f"logo ({media_type}, {len(data)} bytes)")
    return media_type


def _check_image(data: bytes) -> None:
    """The image must open, as ReportLab will open it on every laptop when printing."""
    import io

    from reportlab.lib.utils import ImageReader

    try:
        ImageReader(io.BytesIO(data)).getSize()
    except Exception:  # PIL raises many kinds for a damaged image
        raise SettingsError("The logo cannot be read as an image (the file may be damaged or cut short): save it "
                            "again as PNG or JPEG.") from None


def set_schedule(session: Session, document: Any, by: str) -> ScheduleRules:
    """The review schedule from `schedule_from_document`'s JSON shape, checked by the laptop's own rules."""
    _check_storable(document, "The schedule")
    try:
        rules = schedule_from_document(document)
    except ValueError as error:
        raise SettingsError(f"The schedule cannot be set: {error}") from None
    _set(session, SCHEDULE, schedule_to_document(rules), by)
    _bump(session, by, f"schedule {schedule_to_document(rules)}")
    from .due_dates import refresh_learners

    refresh_learners(session, None, rules)  # every due date stored by the rule (due_dates.py) moves with it
    return rules


def set_alert_settings(session: Session, document: Any, by: str) -> AlertSettings:
    """The alert thresholds (`reviewapp.core.alerts.alert_settings_from_document`'s shape), checked by the laptop's
    own rules; a key left out keeps its default."""
    _check_storable(document, "The alert settings")
    try:
        settings = alert_settings_from_document(document)
    except (TypeError, ValueError) as error:
        raise SettingsError(f"The alert settings cannot be set: {error}") from None
    _set(session, ALERTS, alert_settings_to_document(settings), by)
    _bump(session, by, f"alerts {alert_settings_to_document(settings)}")
    return settings


def alert_settings(session: Session) -> AlertSettings:
    """The alert settings set at the office, else the defaults (one set earlier rules no longer allow: defaults)."""
    row = session.get(ProviderSetting, ALERTS)
    try:
        return alert_settings_from_document(row.value if row is not None else None)
    except (TypeError, ValueError):
        return DEFAULT_ALERT_SETTINGS


def add_template(session: Session, raw: Any, by: str, source: str = "template") -> Template:
    """Add a new version of a template (checked as the laptop checks it); an existing version is never replaced,
    and a version must be higher than every earlier one of that id, so "the latest" means one thing everywhere."""
    _check_storable(raw, f"Template {source}")
    try:
        template = parse_template(raw, source=source)
    except TemplateError as error:
        raise SettingsError(str(error)) from None
    if len(template.id) > MAX_TEMPLATE_ID_CHARS:
        raise SettingsError(f"A template id is at most {MAX_TEMPLATE_ID_CHARS} characters.")
    if template.version > MAX_TEMPLATE_VERSION:
        raise SettingsError(f"A template version is a whole number up to {MAX_TEMPLATE_VERSION:,}.")
    existing = session.get(ReviewTemplate, (template.id, template.version))
    if existing is not None:
        raise SettingsError(f"Version {template.version} of {template.id!r} is already set, and laptops may have "
                            "started reviews with it, so it cannot be replaced: give the template a new version.")
    if _bundled(template.id, template.version):
        raise SettingsError(f"Version {template.version} of {template.id!r} is the one ReviewApp is installed with; "
                            "give yours a higher version, so a review names one template and not two.")
    highest = _highest_version(session, template.id)
    if highest is not None and template.version < highest:
        raise SettingsError(f"{template.id!r} is already at version {highest}; a new version must be higher.")
    session.add(ReviewTemplate(template_id=template.id, version=template.version, kind=template.kind,
                               title=template.title, body=template.model_dump(mode="json", exclude_unset=True),
                               added_by=by))
    _bump(session, by, f"template {template.id!r} version {template.version} added")
    return template


def _bundled(template_id: str, version: int) -> bool:
    try:
        load_template(template_id, version=version)
    except TemplateError:
        return False
    return True


def _highest_version(session: Session, template_id: str) -> int | None:
    return session.scalar(select(func.max(ReviewTemplate.version)).where(ReviewTemplate.template_id == template_id))


def office_template(session: Session, template_id: str, version: int) -> Template | None:
    """A template version added at the office, or None."""
    row = session.get(ReviewTemplate, (template_id, version))
    return parse_template(row.body, source=f"{template_id} v{version}") if row is not None else None


def settings_version(session: Session) -> int:
    row = session.get(ProviderSetting, VERSION)
    return int(row.value) if row is not None else 0


def current_settings(session: Session, server_id: str, have: int | None = None) -> ProviderSettingsResponse:
    """Everything the office set, as laptops receive it; only `unchanged` when they hold `version` already."""
    values = {row.key: row.value for row in session.scalars(select(ProviderSetting))}
    version = int(values.get(VERSION) or 0)
    if have is not None and have == version:
        return ProviderSettingsResponse(server_id=server_id, version=version, unchanged=True)
    rows = session.scalars(select(ReviewTemplate).order_by(ReviewTemplate.template_id, ReviewTemplate.version))
    logo = values.get(LOGO)
    return ProviderSettingsResponse(
        server_id=server_id,
        version=version,
        provider_name=values.get(NAME),
        logo=ProviderLogo(**logo) if logo else None,
        schedule=values.get(SCHEDULE),
        templates=[row.body for row in rows],
        verify_address=values.get(PUBLIC_ADDRESS) or None,
        alerts=values.get(ALERTS),
    )


def describe(session: Session) -> list[str]:
    """`settings show`: each setting in words, and who set it when."""
    rows = {row.key: row for row in session.scalars(select(ProviderSetting))}

    def who(key: str) -> str:
        row = rows[key]
        return f"  (set by {row.updated_by} on {row.updated_at:%Y-%m-%d %H:%M})"

    lines = [f"Settings version {settings_version(session)} (laptops fetch them at each sync)."]
    lines.append(f"Provider name: {rows[NAME].value}{who(NAME)}" if NAME in rows else
                 "Provider name: not set (each laptop keeps its own)")
    if LOGO in rows:
        size = len(base64.b64decode(rows[LOGO].value["data"]))
        lines.append(f"Logo: {rows[LOGO].value['media_type']}, {size} bytes{who(LOGO)}")
    else:
        lines.append("Logo: not set (each laptop keeps its own)")
    if rows.get(PUBLIC_ADDRESS) is not None and rows[PUBLIC_ADDRESS].value:
        lines.append(f"Public address (in every copy's QR code): {rows[PUBLIC_ADDRESS].value}{who(PUBLIC_ADDRESS)}")
    else:
        lines.append("Public address: not set (each laptop prints its sync server's address in the QR code)")
    try:
        rules = schedule_from_document(rows[SCHEDULE].value) if SCHEDULE in rows else None
    except ValueError as error:  # set under an earlier version's rules
        lines.append(f"Schedule: no longer valid under these rules ({error}); laptops keep their own until it is "
                     "set again")
        rules = None
    if rules is not None:
        lines.append(f"Schedule:{who(SCHEDULE)}")
        lines.append(f"  first review {rules.first_review.in_full} after the start; then at most "
                     f"{rules.max_interval.in_full} apart; {rules.short_interval.in_full} when at risk; due soon "
                     f"within {rules.due_soon_days} days")
        lines.extend(f"  holiday {p.start:%d/%m/%Y} to {p.end:%d/%m/%Y} {p.name}".rstrip() for p in rules.holidays)
    elif SCHEDULE not in rows:
        lines.append("Schedule: not set (each laptop keeps its own)")
    settings = alert_settings(session)
    lines.append(f"Alerts: review due within {settings.due_within_days} days and not booked; off-the-job hours "
                 f"behind plan by more than {settings.otj_behind_percent:g}%; a draft unfinished for "
                 f"{settings.draft_days} days" + (who(ALERTS) if ALERTS in rows else " (the defaults)"))
    templates = list(session.scalars(select(ReviewTemplate).order_by(ReviewTemplate.template_id,
                                                                    ReviewTemplate.version)))
    if not templates:
        lines.append("Templates: none added (laptops use the templates they were installed with)")
    for row in templates:
        lines.append(f"Template {row.template_id} version {row.version} ({row.kind}): {row.title}  (added by "
                     f"{row.added_by} on {row.added_at:%Y-%m-%d %H:%M})")
    return lines
