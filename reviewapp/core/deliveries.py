"""Copies of a finalised review handed over (`sync.protocol.DeliveryData`), as the laptop's review history and the
office word them: "Learner's copy printed 01/12/2026 14:05" (London time)."""

from __future__ import annotations

from collections.abc import Iterable

from reviewapp.core.dates import format_datetime
from sync.protocol import DELIVERY_COPY_WORDS, DeliveryData

CHANNEL_WORDS = {"printed": "printed", "saved": "saved as a PDF", "emailed": "e-mailed"}


def consent_words(consent: bool | None) -> str:
    """Whether someone agreed to be e-mailed their copies (`LearnerData.email_consent`), in words."""
    return {True: "agreed", False: "refused"}.get(consent, "not asked")  # type: ignore[call-overload]


def email_consent_text(learner: bool | None, employer: bool | None) -> str:
    """The learner panel's line: "Learner agreed · employer's contact not asked"."""
    return f"Learner {consent_words(learner)} · employer's contact {consent_words(employer)}"


def delivery_line(delivery: DeliveryData) -> str:
    """One delivery in words; a bounced e-mail says so."""
    copy = DELIVERY_COPY_WORDS.get(delivery.copy_for, delivery.copy_for)
    line = f"{copy} {CHANNEL_WORDS.get(delivery.channel, delivery.channel)} {format_datetime(delivery.delivered_at)}"
    if delivery.status == "bounced":
        line += " (bounced)"
    return line


def deliveries_text(deliveries: Iterable[DeliveryData]) -> str:
    """A review's deliveries, oldest first, one a line."""
    return "\n".join(delivery_line(d) for d in sorted(deliveries, key=lambda d: d.delivered_at))
