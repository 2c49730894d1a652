"""Deliveries of review copies (`sync.protocol.DeliveryData`): recorded, through the store, each time a finalised
review's learner, employer or provider copy is printed or saved as a PDF to hand over, so the office can count the
copies shared (issue 15 item 4). Each is a synced record of its own, made in the same unit of work as its outbox
entry; never edited here (outbox._check_immutable): a second print is a second delivery.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewapp.core.dates import utc_now
from reviewapp.store.models import Delivery, data_fields
from sync.protocol import DeliveryData

if TYPE_CHECKING:
    from reviewapp.store.database import Store

#: The copies a delivery names (the other saved copies, a pre-visit pack say, are not a review's copy).
REVIEW_COPIES = ("learner", "employer", "provider")


def record_deliveries(session: Session, *, review_id: str, learner_id: str, copies: Iterable[str], channel: str,
                      by: str, at: dt.datetime | None = None) -> list[str]:
    """One delivery per copy (in the caller's unit of work); their ids."""
    when = at or utc_now()
    ids = []
    for copy in copies:
        data = DeliveryData(review_id=review_id, learner_id=learner_id, copy_for=copy, channel=channel,
                            delivered_at=when, delivered_by=by)  # checked as the wire will check it
        row = Delivery(**data.model_dump())
        session.add(row)
        session.flush()
        ids.append(row.id)
    return ids


def record_in_store(store: Store, *, review_id: str, learner_id: str, copies: Iterable[str], channel: str,
                    at: dt.datetime | None = None) -> list[str]:
    """`record_deliveries` in a unit of work of its own, by the store's account."""
    wanted = [copy for copy in copies if copy in REVIEW_COPIES]
    if not wanted:
        return []
    with store.write() as session:
        return record_deliveries(session, review_id=review_id, learner_id=learner_id, copies=wanted,
                                 channel=channel, by=store.account or "", at=at)


def deliveries_of_learner(session: Session, learner_id: str) -> dict[str, list[DeliveryData]]:
    """A learner's deliveries by review id, oldest first: one query."""
    found: dict[str, list[DeliveryData]] = {}
    query = (select(Delivery).where(Delivery.learner_id == learner_id, Delivery.deleted.is_(False))
             .order_by(Delivery.delivered_at, Delivery.id))
    for row in session.scalars(query):
        fields: dict[str, Any] = {name: getattr(row, name) for name in data_fields(Delivery)}
        found.setdefault(row.review_id, []).append(DeliveryData.model_validate(fields))
    return found
