"""Copies of a finalised review e-mailed by the server (issue 17 item 1).

When a push brings a finalised review (`sync_push.push_changes` calls `send_after_push`), the learner's copy goes to
the learner's e-mail address and the employer's copy (which leaves out what is confidential to the learner: the one
rule of `reviewapp.reports.review_pdf`) to the employer's contact, as PDF attachments through the durable outbox
(mail/), in the push's own transaction. Each person must have agreed to e-mail: `LearnerData.email_consent` and
`EmployerData.email_consent` (protocol 4), True only; not asked (None) or refused (False) sends nothing.

Each copy queued records a `Delivery` (channel "emailed", status "sent", the address, the consent) with a rev, so
the assessor's laptop pulls it and the office's "copies shared" figure counts it. A bounce (`on_bounce("copy")`)
marks that delivery "bounced" (with when and the SMTP server's reason), a new rev again: it no longer counts, and
the laptop's history says so. Idempotent: the outbox key and the delivery id both come from (review, copy), so a
review pushed again, or finalised on a second push, sends nothing twice.

Logs name review ids and counts only, never a name or an address.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewapp.core.dates import format_date, format_datetime
from reviewapp.core.file_names import safe_name
from reviewapp.reports.review_pdf import ReviewPdfError, review_pdf
from sync.protocol import DeliveryData

from .copy_links import copy_delivery, copy_link
from .db import next_rev, take_write_lock
from .mail import Attachment, MailError, enqueue, on_bounce
from .models import Delivery, MailMessage, Review, utcnow
from .records import Rejected
from .scope import Caller

if TYPE_CHECKING:
    from reviewapp.core.documents import ReviewDocument

log = logging.getLogger(__name__)

KIND = "copy"
#: The copies e-mailed, and who each is for.
COPIES = ("learner", "employer")
#: Who the delivery says handed it over.
SENDER = "ReviewApp server (e-mail)"
_NAMESPACE = uuid.UUID("6f1d2a4e-3c1b-4b8e-9a57-17e0c0f1a017")


def message_key(review_id: str, copy: str) -> str:
    return f"{KIND}:{review_id}:{copy}"


def delivery_id(review_id: str, copy: str) -> str:
    """The delivery of this e-mailed copy: the same id however often the review is pushed."""
    return str(uuid.uuid5(_NAMESPACE, message_key(review_id, copy)))


def send_after_push(session: Session, caller: Caller, review_ids: Iterable[str]) -> list[str]:
    """E-mail the copies of those of `review_ids` that are finalised and not yet e-mailed; the deliveries recorded.

    Never fails the push: a copy that cannot be made or addressed is logged (by review id) and left out."""
    ids = sorted(set(review_ids))
    if not ids:
        return []
    session.flush()
    finalised = list(session.scalars(select(Review.id).where(Review.id.in_(ids), Review.status == "finalised",
                                                             Review.deleted.is_(False))))
    recorded: list[str] = []
    for review_id in finalised:
        try:
            with session.begin_nested():
                recorded += send_copies(session, caller, review_id)
        except (Rejected, ReviewPdfError, MailError) as error:
            log.warning("review %s: its copies were not e-mailed (%s)", review_id, type(error).__name__)
    return recorded


def send_copies(session: Session, caller: Caller, review_id: str) -> list[str]:
    """Queue the learner's and the employer's copies of one finalised review `caller` may see, to those who agreed,
    with their deliveries; the ids of the deliveries recorded now (none for a copy queued before)."""
    from .web.reviews import load_review_document, report_settings, template_of

    document = load_review_document(session, caller, review_id)
    if document is None:
        return []
    employer = document.employer
    wanted = {
        "learner": (document.learner.email.strip(), document.learner.email_consent),
        "employer": ((employer.contact_email.strip(), employer.email_consent) if employer else ("", None)),
    }
    todo = [(copy, address, consent) for copy, (address, consent) in wanted.items()
            if address and consent is True and not _already(session, review_id, copy)]
    if not todo:
        return []
    take_write_lock(session)
    template = template_of(session, document)
    when = format_date(document.review.visit_date) or "undated"
    how = copy_delivery(session)
    recorded = []
    with report_settings(session) as settings:
        for copy, address, consent in todo:
            link = copy_link(session, review_id, copy, how.days) if how.mode == "link" else None
            attachments: tuple[Attachment, ...] = ()
            if link is None:  # an attachment (the default, and when the server has no public address for a link)
                pdf = review_pdf(document, copy=copy, settings=settings, template=template)
                attachments = (Attachment(copy_filename(document, copy), pdf, "application/pdf"),)
                comes = "is attached (a PDF)"
            else:
                comes = (f"is at this link until {format_datetime(link[1])}:\n{link[0]}\n\nThe link opens this copy "
                         "only; after that date, ask us to send it again")
            subject, text = _words(copy, document.learner.first_name, document.learner_name, when,
                                   settings.provider_name, comes)
            enqueue(session, to=address, subject=subject, text=text, kind=KIND, key=message_key(review_id, copy),
                    attachments=attachments)
            recorded.append(_record(session, document.learner_id, review_id, copy, address, consent))
    log.info("review %s: %d copies queued to e-mail", review_id, len(recorded))
    return recorded


def copy_filename(document: ReviewDocument, copy: str) -> str:
    when = document.review.visit_date.isoformat() if document.review.visit_date else "undated"
    return safe_name(f"Progress review {document.learner_name} {when} {copy}") + ".pdf"


def _already(session: Session, review_id: str, copy: str) -> bool:
    key = message_key(review_id, copy)
    return (session.get(Delivery, delivery_id(review_id, copy)) is not None
            or session.scalar(select(MailMessage.id).where(MailMessage.key == key)) is not None)


def _words(copy: str, first_name: str, learner_name: str, when: str, provider: str, comes: str) -> tuple[str, str]:
    """The subject and the text; `comes` says how the copy comes (attached, or at a link)."""
    if copy == "learner":
        subject = f"Your progress review of {when}"
        text = (f"Hello {first_name},\n\nYour copy of your apprenticeship progress review of {when} {comes}. "
                f"Keep it to look back on your targets before your next review.\n\n{provider}\n")
    else:
        subject = f"Progress review of {learner_name}, {when}"
        text = (f"Hello,\n\nThe employer's copy of {learner_name}'s apprenticeship progress review of {when} "
                f"{comes}. It leaves out what the learner told us in confidence.\n\n{provider}\n")
    return subject, text + "\nYou were sent this because you agreed to receive review copies by e-mail.\n"


def _record(session: Session, learner_id: str, review_id: str, copy: str, address: str, consent: bool) -> str:
    row_id = delivery_id(review_id, copy)
    data = DeliveryData(review_id=review_id, learner_id=learner_id, copy_for=copy, channel="emailed", status="sent",
                        delivered_at=utcnow(), delivered_by=SENDER, recipient=address, consent_recorded=consent)
    session.add(Delivery(id=row_id, learner_id=learner_id, data=data.model_dump(mode="json"), updated_by=SENDER,
                         rev=next_rev(session, "delivery", row_id, "create")))
    session.flush()
    return row_id


@on_bounce(KIND)
def mark_bounced(session: Session, message: MailMessage) -> None:
    """The copy's delivery is bounced: no longer counted as shared, and the laptop pulls the change."""
    _, review_id, copy = message.key.split(":", 2)
    row = session.get(Delivery, delivery_id(review_id, copy))
    if row is None or row.deleted or (row.data or {}).get("status") == "bounced":
        return
    take_write_lock(session)
    bounced_at = message.next_attempt_at or utcnow()
    if bounced_at.tzinfo is None:
        bounced_at = bounced_at.replace(tzinfo=dt.UTC)
    data = DeliveryData.model_validate({**row.data, "status": "bounced", "bounced_at": bounced_at,
                                        "bounce_reason": (message.last_error or "")[:1000]})
    row.data = data.model_dump(mode="json")
    row.rev = next_rev(session, "delivery", row.id, "update")
    row.updated_at, row.updated_by = utcnow(), SENDER
    session.flush()
    log.info("review %s: the %s copy's e-mail bounced", review_id, copy)
