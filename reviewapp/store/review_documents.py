"""Everything a printed review or a pre-visit pack needs, read from the store as plain data.

The PDF code (`reviewapp.reports`) must not know about SQL or sessions: it is handed frozen records in the wire
shapes of `sync.protocol`, so it can be tested and timed without a database and cannot change a signed review by
accident. Reads happen in one read-only unit of work, so a document never mixes two states of the database.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewapp.core.documents import DEFAULT_PROVIDER_NAME, PreVisitPack, ReportSettings, ReviewDocument
from reviewapp.core.review_rules import plan_items_covered, target_order, targets_followed_up_in
from reviewapp.store.models import (
    Employer,
    Learner,
    OtjEntry,
    PlanItem,
    Review,
    Setting,
    Signature,
    Target,
)
from reviewapp.store.records import to_record
from sync.protocol import (
    EmployerData,
    OtjEntryData,
    PlanItemData,
    TargetData,
)

#: Settings keys (in the local `setting` table) for what a provider puts on its printed copies.
PROVIDER_NAME_SETTING = "reports.provider_name"
PROVIDER_LOGO_SETTING = "reports.logo_path"

def report_settings(session: Session) -> ReportSettings:
    """The provider name and logo on copies: the office's where it set them (`office_settings`), else the account's
    own, with a neutral default name. Once the office sets either, the laptop's own logo is no longer printed, so a
    copy never pairs the office's name with a logo chosen on one laptop."""
    from reviewapp.store.office_settings import LOGO as OFFICE_LOGO
    from reviewapp.store.office_settings import PROVIDER_NAME as OFFICE_NAME

    stored = {
        row.key: row.value
        for row in session.scalars(select(Setting).where(Setting.key.in_([PROVIDER_NAME_SETTING,
                                                                          PROVIDER_LOGO_SETTING, OFFICE_NAME,
                                                                          OFFICE_LOGO])))
    }
    office_set = bool(stored.get(OFFICE_NAME) or stored.get(OFFICE_LOGO))
    name_key, logo_key = (OFFICE_NAME, OFFICE_LOGO) if office_set else (PROVIDER_NAME_SETTING, PROVIDER_LOGO_SETTING)
    name = str(stored.get(name_key) or stored.get(PROVIDER_NAME_SETTING) or "").strip() or DEFAULT_PROVIDER_NAME
    logo = stored.get(logo_key)
    return ReportSettings(name, Path(logo) if logo else None, verify_address=verify_address(session))


#: The sync settings `reviewapp.sync_client` keeps (SERVER_URL, EMBEDDED), read here without importing it.
_SYNC_SERVER_URL, _SYNC_EMBEDDED = "sync.server_url", "sync.embedded"


def verify_address(session: Session) -> str | None:
    """The address a copy's QR code points at: the provider's public address as the office set it, else this
    laptop's sync server (not the demo's own, on this computer), else None: a laptop that was never connected
    prints the plain reference."""
    from reviewapp.store.office_settings import VERIFY_ADDRESS

    stored = {row.key: row.value for row in session.scalars(
        select(Setting).where(Setting.key.in_([VERIFY_ADDRESS, _SYNC_SERVER_URL, _SYNC_EMBEDDED])))}
    office = stored.get(VERIFY_ADDRESS)
    if isinstance(office, str) and office.strip():
        return office.strip()
    server = stored.get(_SYNC_SERVER_URL)
    if isinstance(server, str) and server.strip() and not stored.get(_SYNC_EMBEDDED):
        return server.strip()
    return None


def _by_due_date(targets: list[Target]) -> dict[str, TargetData]:
    targets.sort(key=target_order)
    return {t.id: to_record(t) for t in targets}


def _plan(session: Session, learner_id: str) -> dict[str, PlanItemData]:
    rows = session.scalars(
        select(PlanItem).where(PlanItem.learner_id == learner_id, PlanItem.deleted.is_(False))
        .order_by(PlanItem.position, PlanItem.code)
    )
    return {row.id: to_record(row) for row in rows}


def _otj(session: Session, learner_id: str) -> tuple[OtjEntryData, ...]:
    rows = session.scalars(
        select(OtjEntry).where(OtjEntry.learner_id == learner_id, OtjEntry.deleted.is_(False)).order_by(OtjEntry.date)
    )
    return tuple(to_record(row) for row in rows)


def _employer(session: Session, employer_id: str | None) -> EmployerData | None:
    employer = session.get(Employer, employer_id) if employer_id else None
    return to_record(employer) if employer is not None and not employer.deleted else None


def load_review_document(session: Session, review_id: str) -> ReviewDocument | None:
    """The review with its learner, employer, signatures, targets, plan and hours; None if there is no such review."""
    review = session.get(Review, review_id)
    if review is None or review.deleted:
        return None
    learner = session.get(Learner, review.learner_id)
    if learner is None:
        return None
    signatures = session.scalars(
        select(Signature).where(Signature.review_id == review_id, Signature.deleted.is_(False))
    )
    targets = list(session.scalars(
        select(Target).where(Target.learner_id == learner.id, Target.deleted.is_(False))
    ))
    followed = targets_followed_up_in(review_id, review.status, ((t.id, to_record(t)) for t in targets))
    last_review_date = session.scalar(
        select(Review.visit_date).where(
            Review.learner_id == learner.id, Review.finalised_progress_review(),
            Review.id != review_id, Review.visit_date < (review.visit_date or dt.date.max),
        ).order_by(Review.visit_date.desc()).limit(1)
    )
    role_order = {"learner": 0, "employer": 1, "assessor": 2}
    return ReviewDocument(
        review_id=review.id,
        review=to_record(review),
        learner_id=learner.id,
        learner=to_record(learner),
        employer=_employer(session, learner.employer_id),
        signatures=tuple(sorted((to_record(s) for s in signatures),
                                key=lambda s: role_order.get(s.role, 9))),
        followed_up_targets=followed,
        set_targets=_by_due_date([t for t in targets if t.set_in_review_id == review_id]),
        plan_items=plan_items_covered(review.template_id, review.template_version, review.status, review.answers,
                                      _plan(session, learner.id)),
        otj_entries=_otj(session, learner.id),
        last_review_date=last_review_date,
    )


def load_pre_visit_pack(session: Session, learner_id: str) -> PreVisitPack | None:
    """What the assessor needs before visiting a learner; None if there is no such learner."""
    learner = session.get(Learner, learner_id)
    if learner is None or learner.deleted:
        return None
    open_targets = list(session.scalars(
        select(Target).where(Target.learner_id == learner_id, Target.status == "open", Target.deleted.is_(False))
    ))
    reviews = list(session.scalars(
        select(Review).where(Review.learner_id == learner_id, Review.finalised_progress_review())
        .order_by(Review.visit_date.desc())
    ))
    last = reviews[0] if reviews else None
    return PreVisitPack(
        learner_id=learner.id,
        learner=to_record(learner),
        employer=_employer(session, learner.employer_id),
        plan_items=_plan(session, learner_id),
        open_targets=_by_due_date(open_targets),
        otj_entries=_otj(session, learner_id),
        last_review_id=last.id if last else None,
        last_review=to_record(last) if last else None,
        reviews_done=len(reviews),
    )
