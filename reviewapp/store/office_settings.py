"""The provider settings the office set for every laptop, as this laptop last received them at sync.

Kept in the account's encrypted store (the `setting` table, under `office.*`), so a laptop offline keeps the last
ones it had. What the office set wins over the laptop's own setting of the same thing (the provider settings window
then shows it read-only, with a note), so the two sources never disagree silently; what the office has not set
stays the laptop's own. Templates are kept as every version ever received (the office only adds versions), so a
draft started with one keeps it even after a newer version arrives.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewapp.core.alerts import DEFAULT_ALERT_SETTINGS, AlertSettings, alert_settings_from_document
from reviewapp.core.scheduling import ScheduleRules, schedule_from_document
from reviewapp.core.templates import Template, TemplateError, parse_template, provide_templates
from reviewapp.store.database import Store
from reviewapp.store.settings import get_setting, store_values
from sync.protocol import PROTOCOL_VERSION, SETTINGS_FIELDS_SINCE

log = logging.getLogger(__name__)

VERSION = "office.version"
PROVIDER_NAME = "office.provider_name"
LOGO = "office.logo"
SCHEDULE = "office.schedule"
TEMPLATES = "office.templates"
#: The provider's public address for checking copies (protocol 4), printed in every copy's QR code.
VERIFY_ADDRESS = "office.verify_address"
#: The protocol of the app that stored these settings: settings kept by an older app lack what it did not know.
RECEIVED_BY_PROTOCOL = "office.received_by_protocol"
ALERTS = "office.alerts"
_SUFFIX = {"image/png": ".png", "image/jpeg": ".jpg"}


@dataclass(frozen=True)
class OfficeSettings:
    """What the office set, as held here; None (or no templates) for what it has not set."""

    version: int
    provider_name: str | None
    logo_path: Path | None
    schedule: ScheduleRules | None
    templates: tuple[Template, ...]

    @property
    def sets_report(self) -> bool:
        """Whether the office sets what is printed on copies (its name, or its logo)."""
        return self.provider_name is not None or self.logo_path is not None


def held_version(store: Store) -> int | None:
    """The version of the office's settings this laptop holds (None: never received any)."""
    value = get_setting(store, VERSION)
    return value if isinstance(value, int) else None


def version_to_ask(store: Store) -> int | None:
    """The version to send as `have` when asking for the settings: None (send everything) when they were kept by an
    older version of the app, which did not keep the fields added since (the public address), else the held one."""
    received_by = get_setting(store, RECEIVED_BY_PROTOCOL)
    if not isinstance(received_by, int) or received_by < SETTINGS_FIELDS_SINCE["verify_address"]:
        return None
    return held_version(store)


def logo_file(store: Store, media_type: str) -> Path:
    """Where the office's logo is kept for printing: beside the store (a logo is not confidential)."""
    return store.path.with_name(f"{store.path.stem}.office-logo{_SUFFIX.get(media_type, '.png')}")


def save_office_settings(store: Store, received: Any) -> None:
    """Keep what the office sent (`sync.protocol.ProviderSettingsResponse`), and use its templates from now on.

    A template that this version of the app cannot use (made for a newer one, say) is left out and logged, the
    others kept: one such template must not cost the laptop the provider's name and schedule.
    """
    templates = {(t.id, t.version): t for t in _stored_templates(store)}
    for raw in received.templates:
        try:
            template = parse_template(raw, source=f"the office's template {raw.get('id', '?')!r}")
        except (TemplateError, AttributeError) as error:
            log.warning("office settings: a template was left out: %s", error)
            continue
        templates.setdefault((template.id, template.version), template)
    logo_path = ""
    if received.logo is not None:
        try:
            data = base64.b64decode(received.logo.data, validate=True)
            path = logo_file(store, received.logo.media_type)
            path.write_bytes(data)
            logo_path = str(path)
        except (ValueError, OSError) as error:
            log.warning("office settings: the logo could not be kept: %s", error)
    store_values(store, {
        VERSION: received.version,
        PROVIDER_NAME: received.provider_name,
        LOGO: logo_path or None,
        SCHEDULE: received.schedule,
        ALERTS: getattr(received, "alerts", None),
        TEMPLATES: [t.model_dump(mode="json", exclude_unset=True)
                    for t in sorted(templates.values(), key=lambda t: (t.id, t.version))],
        VERIFY_ADDRESS: getattr(received, "verify_address", None) or None,
        RECEIVED_BY_PROTOCOL: PROTOCOL_VERSION,
    })
    provide_templates(list(templates.values()))


def _stored_templates(store: Store) -> list[Template]:
    found = []
    for raw in get_setting(store, TEMPLATES) or []:
        try:
            found.append(parse_template(raw, source="the office's template"))
        except (TemplateError, AttributeError):
            continue
    return found


def use_office_templates(store: Store) -> None:
    """Offer the templates this account received from the office (called when the account is opened)."""
    provide_templates(_stored_templates(store))


def office_schedule(value: Any) -> ScheduleRules | None:
    """The office's schedule as stored, or None when it set none (or one these rules no longer allow)."""
    if value is None:
        return None
    try:
        return schedule_from_document(value)
    except ValueError:
        log.warning("office settings: the office's schedule is not valid under this version's rules; ignored")
        return None


def office_alert_settings(store: Store) -> AlertSettings:
    """The alert thresholds the office set (protocol 4), else the defaults (also for a set this version refuses)."""
    try:
        return alert_settings_from_document(get_setting(store, ALERTS))
    except (TypeError, ValueError):
        log.warning("office settings: the office's alert settings are not valid under this version's rules; ignored")
        return DEFAULT_ALERT_SETTINGS


def office_settings(store: Store) -> OfficeSettings | None:
    """What the office set, or None when this laptop never received its settings."""
    version = held_version(store)
    if version is None:
        return None
    name = get_setting(store, PROVIDER_NAME)
    logo = get_setting(store, LOGO)
    return OfficeSettings(
        version=version,
        provider_name=name if isinstance(name, str) and name.strip() else None,
        logo_path=Path(logo) if isinstance(logo, str) and logo else None,
        schedule=office_schedule(get_setting(store, SCHEDULE)),
        templates=tuple(_stored_templates(store)),
    )
