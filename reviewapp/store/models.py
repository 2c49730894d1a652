"""The local database's tables, as SQLAlchemy 2 models.

Syncable records mirror `sync.protocol.ENTITY_MODELS` field for field (a test holds them to it), plus the sync
metadata every such record carries. Local-only tables (outbox, sync state, conflicts, settings) never travel.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    and_,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from reviewapp.core.dates import utc_now


def new_id() -> str:
    """A record id, made where the record is created (client or server)."""
    return str(uuid.uuid4())


class UtcDateTime(TypeDecorator[dt.datetime]):
    """An aware instant stored as ISO 8601 text in UTC, so it sorts and reads back with its offset."""

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")

    def process_result_value(self, value: str | None, dialect: Any) -> dt.datetime | None:
        return dt.datetime.fromisoformat(value) if value else None


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UtcDateTime(),
        dt.date: Date(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


def field(*args: Any, **kwargs: Any) -> Any:
    """A synced data column. `active_history` makes the old value available to the outbox on every change."""
    return mapped_column(*args, active_history=True, **kwargs)


class Syncable(Base):
    """A record that syncs: its id is made where it is created; `rev` is the server's, 0 until first synced."""

    __abstract__ = True
    entity: ClassVar[str]

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    rev: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, active_history=True)

    def __init__(self, **kwargs: Any) -> None:
        # Column defaults apply at INSERT; fill them in now so the outbox and the UI see a whole record at once.
        for column in self.__table__.columns:
            default = column.default
            if column.key in kwargs or default is None:
                continue
            if default.is_scalar:
                kwargs[column.key] = default.arg
            elif default.is_callable:
                kwargs[column.key] = default.arg(None)
        super().__init__(**kwargs)


class Employer(Syncable):
    __tablename__ = "employer"
    entity = "employer"

    name: Mapped[str] = field(String(200))
    contact_name: Mapped[str] = field(String(200), default="")
    contact_email: Mapped[str] = field(String(200), default="")
    contact_phone: Mapped[str] = field(String(50), default="")
    address: Mapped[str] = field(Text, default="")
    #: Whether the contact agreed to be e-mailed the employer's copies (see `EmployerData`); None: not asked.
    email_consent: Mapped[bool | None] = field(Boolean, default=None)


class Learner(Syncable):
    __tablename__ = "learner"
    entity = "learner"

    uln: Mapped[str] = field(String(10), index=True)
    first_name: Mapped[str] = field(String(100))
    last_name: Mapped[str] = field(String(100))
    date_of_birth: Mapped[dt.date | None] = field(default=None)
    email: Mapped[str] = field(String(200), default="")
    phone: Mapped[str] = field(String(50), default="")
    #: Whether the learner agreed to be e-mailed their copies (see `LearnerData`); None: not asked.
    email_consent: Mapped[bool | None] = field(Boolean, default=None)
    employer_id: Mapped[str | None] = field(ForeignKey("employer.id"), default=None, index=True)
    programme: Mapped[str] = field(String(200), default="")
    level: Mapped[int | None] = field(Integer, default=None)
    start_date: Mapped[dt.date] = field()
    planned_end_date: Mapped[dt.date | None] = field(default=None)
    planned_otj_hours: Mapped[float] = field(Float, default=0)
    assessor: Mapped[str] = field(String(100), default="")
    support_needs: Mapped[str] = field(Text, default="")
    starting_points: Mapped[str] = field(Text, default="")
    status: Mapped[str] = field(String(20), default="active")
    learner_ref: Mapped[str] = field(String(12), default="")
    standard_code: Mapped[int | None] = field(Integer, default=None)
    #: The learner's own review frequency agreed with the employer (see `LearnerData`); "" for the provider's.
    review_interval: Mapped[str] = field(String(8), default="")
    review_interval_reason: Mapped[str] = field(Text, default="")
    review_interval_agreed_by: Mapped[str] = field(String(200), default="")
    review_interval_agreed_on: Mapped[dt.date | None] = field(default=None)
    english_level_at_start: Mapped[str] = field(String(50), default="")
    maths_level_at_start: Mapped[str] = field(String(50), default="")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class PlanItem(Syncable):
    __tablename__ = "plan_item"
    entity = "plan_item"

    learner_id: Mapped[str] = field(ForeignKey("learner.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = field(String(20), default="unit")
    code: Mapped[str] = field(String(50), default="")
    title: Mapped[str] = field(Text)
    progress: Mapped[int] = field(Integer, default=0)
    position: Mapped[int] = field(Integer, default=0)
    notes: Mapped[str] = field(Text, default="")
    planned_date: Mapped[dt.date | None] = field(default=None)
    starting_value: Mapped[int | None] = field(Integer, default=None)
    starting_note: Mapped[str] = field(Text, default="")


class Review(Syncable):
    __tablename__ = "review"
    __table_args__ = (
        # Covers the caseload's "last review of each learner" and the drafts queries: neither reads the answers.
        Index("ix_review_caseload", "learner_id", "status", "deleted", "addendum_to_id", "visit_date",
              "finalised_at", "next_review_date", "welfare_rag", "progress_rag", "id", "updated_at"),
    )
    entity = "review"

    learner_id: Mapped[str] = field(ForeignKey("learner.id", ondelete="CASCADE"), index=True)
    template_id: Mapped[str] = field(String(100))
    template_version: Mapped[int] = field(Integer)
    status: Mapped[str] = field(String(20), default="draft")
    assessor: Mapped[str] = field(String(100), default="")
    visit_date: Mapped[dt.date | None] = field(default=None)
    answers: Mapped[dict[str, Any]] = field(default=dict)
    progress_rag: Mapped[str | None] = field(String(5), default=None)
    welfare_rag: Mapped[str | None] = field(String(5), default=None)
    next_review_date: Mapped[dt.date | None] = field(default=None)
    next_review_reason: Mapped[str] = field(Text, default="")
    next_review_time: Mapped[str | None] = field(String(5), default=None)
    next_review_minutes: Mapped[int | None] = field(Integer, default=None)
    finalised_at: Mapped[dt.datetime | None] = field(default=None)
    content_hash: Mapped[str | None] = field(String(64), default=None)
    void_reason: Mapped[str] = field(Text, default="")
    addendum_to_id: Mapped[str | None] = field(ForeignKey("review.id"), default=None)

    @classmethod
    def finalised_progress_review(cls) -> ColumnElement[bool]:
        """A finalised progress review, not an addendum: what "the last review" and the review schedule count."""
        return and_(cls.status == "finalised", cls.deleted.is_(False), cls.addendum_to_id.is_(None))


class Target(Syncable):
    __tablename__ = "target"
    entity = "target"

    learner_id: Mapped[str] = field(ForeignKey("learner.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = field(Text)
    due_date: Mapped[dt.date | None] = field(default=None)
    status: Mapped[str] = field(String(20), default="open")
    actions: Mapped[list[Any]] = field(default=list)
    set_in_review_id: Mapped[str | None] = field(ForeignKey("review.id", ondelete="SET NULL"), default=None)
    followed_up_in_review_id: Mapped[str | None] = field(
        ForeignKey("review.id", ondelete="SET NULL"), default=None
    )
    follow_up_comment: Mapped[str] = field(Text, default="")
    carried_from_id: Mapped[str | None] = field(ForeignKey("target.id", ondelete="SET NULL"), default=None)


class Signature(Syncable):
    __tablename__ = "signature"
    entity = "signature"

    review_id: Mapped[str] = field(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = field(String(20))
    name: Mapped[str] = field(String(200), default="")
    signed_at: Mapped[dt.datetime | None] = field(default=None)
    image_png: Mapped[str | None] = field(Text, default=None)
    strokes: Mapped[list[Any]] = field(default=list)
    absent_reason: Mapped[str] = field(Text, default="")


class OtjEntry(Syncable):
    __tablename__ = "otj_entry"
    entity = "otj_entry"

    learner_id: Mapped[str] = field(ForeignKey("learner.id", ondelete="CASCADE"), index=True)
    date: Mapped[dt.date] = field()
    hours: Mapped[float] = field(Float)
    activity: Mapped[str] = field(String(200), default="")
    #: What was learnt (the wire's name for it, kept from protocol 1).
    description: Mapped[str] = field(Text, default="")
    evidence: Mapped[str] = field(Text, default="")


class ReviewSample(Syncable):
    """A quality lead's sample of a finalised review, made in the office and pulled here: read-only on the laptop
    (outbox._check_immutable), shown with the review (`sync.protocol.ReviewSampleData`)."""

    __tablename__ = "review_sample"
    entity = "review_sample"

    review_id: Mapped[str] = field(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    learner_id: Mapped[str] = field(ForeignKey("learner.id", ondelete="CASCADE"), index=True)
    sampled_by: Mapped[str] = field(String(200), default="")
    sampled_at: Mapped[dt.datetime | None] = field(default=None)
    targets_smart: Mapped[str | None] = field(String(10), default=None)
    targets_smart_note: Mapped[str] = field(Text, default="")
    learning_plan_used: Mapped[str | None] = field(String(10), default=None)
    learning_plan_used_note: Mapped[str] = field(Text, default="")
    safety_equality_reinforced: Mapped[str | None] = field(String(10), default=None)
    safety_equality_reinforced_note: Mapped[str] = field(Text, default="")
    welfare_followed_up: Mapped[str | None] = field(String(10), default=None)
    welfare_followed_up_note: Mapped[str] = field(Text, default="")
    feedback: Mapped[str] = field(Text, default="")


class AlertDismissal(Syncable):
    """An alert dismissed with a reason, here or at the office (`sync.protocol.AlertDismissalData`): never changed
    once made (outbox._check_immutable); the alerts list leaves out the occurrence it names."""

    __tablename__ = "alert_dismissal"
    entity = "alert_dismissal"

    learner_id: Mapped[str] = field(ForeignKey("learner.id", ondelete="CASCADE"), index=True)
    alert_key: Mapped[str] = field(String(200))
    reason: Mapped[str] = field(Text)
    dismissed_by: Mapped[str] = field(String(200), default="")
    dismissed_at: Mapped[dt.datetime | None] = field(default=None)


class Delivery(Syncable):
    """A copy of a finalised review handed over (`sync.protocol.DeliveryData`): recorded here each time a copy is
    printed or saved as a PDF (reviewapp.store.deliveries), made by the server for an e-mail. Never edited here."""

    __tablename__ = "delivery"
    entity = "delivery"

    review_id: Mapped[str] = field(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    learner_id: Mapped[str] = field(ForeignKey("learner.id", ondelete="CASCADE"), index=True)
    copy_for: Mapped[str] = field(String(20))
    channel: Mapped[str] = field(String(20))
    status: Mapped[str] = field(String(20), default="delivered")
    delivered_at: Mapped[dt.datetime] = field()
    delivered_by: Mapped[str] = field(String(200), default="")
    recipient: Mapped[str] = field(String(320), default="")
    consent_recorded: Mapped[bool | None] = field(Boolean, default=None)
    bounced_at: Mapped[dt.datetime | None] = field(default=None)
    bounce_reason: Mapped[str] = field(Text, default="")


class Concern(Syncable):
    """A safeguarding or learning support concern raised about a learner without a review (issue 16), offline too:
    pushed first in the next sync, where it opens a case (`sync.protocol.ConcernData`); never pulled back."""

    __tablename__ = "concern"
    entity = "concern"

    learner_id: Mapped[str] = field(ForeignKey("learner.id", ondelete="CASCADE"), index=True)
    route: Mapped[str] = field(String(20), default="safeguarding")
    urgency: Mapped[str] = field(String(10), default="urgent")
    text: Mapped[str] = field(Text)
    raised_at: Mapped[dt.datetime | None] = field(default=None)


class CaseStatus(Syncable):
    """Where a case this laptop's user raised stands (`sync.protocol.CaseStatusData`): state, who in words and when,
    pulled from the office; read-only here (outbox._check_immutable)."""

    __tablename__ = "case_status"
    entity = "case_status"

    learner_id: Mapped[str] = field(ForeignKey("learner.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[str | None] = field(String(36), default=None)
    concern_id: Mapped[str | None] = field(String(36), default=None)
    route: Mapped[str] = field(String(20))
    state: Mapped[str] = field(String(20), default="open")
    state_by: Mapped[str] = field(String(200), default="")
    state_at: Mapped[dt.datetime | None] = field(default=None)
    opened_at: Mapped[dt.datetime | None] = field(default=None)


class PortalNote(Syncable):
    """A learner's tick on one of their target's actions, or their employer's feedback for the next review, written
    in the portal (`sync.protocol.PortalNoteData`, issue 17 item 2): pulled from the office; read-only here."""

    __tablename__ = "portal_note"
    entity = "portal_note"

    learner_id: Mapped[str] = field(ForeignKey("learner.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = field(String(20))
    target_id: Mapped[str | None] = field(String(36), default=None)
    action: Mapped[str] = field(Text, default="")
    text: Mapped[str] = field(Text, default="")
    written_by: Mapped[str] = field(String(200), default="")
    written_at: Mapped[dt.datetime | None] = field(default=None)


SYNCABLE_MODELS: dict[str, type[Syncable]] = {
    m.entity: m for m in (Employer, Learner, PlanItem, Review, Target, Signature, OtjEntry, ReviewSample,
                          AlertDismissal, Delivery, Concern, CaseStatus, PortalNote)
}


def data_fields(model: type[Syncable]) -> tuple[str, ...]:
    """The synced data columns of a model (everything but the sync metadata)."""
    meta = {"id", "rev", "updated_at", "updated_by", "deleted"}
    return tuple(c.key for c in model.__table__.columns if c.key not in meta)


# --- Local-only tables ---------------------------------------------------------------------------------------------


class OutboxEntry(Base):
    """One pending local change per record, coalesced: the base of each field as first changed, and its latest value.

    Written in the same transaction as the change it records (see `reviewapp.store.outbox`).
    """

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("entity", "record_id"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    change_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_id)
    entity: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[str] = mapped_column(String(36))
    op: Mapped[str] = mapped_column(String(10))  # create | update | delete
    base_rev: Mapped[int] = mapped_column(Integer, default=0)
    base: Mapped[dict[str, Any]] = mapped_column(default=dict)
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utc_now)


class SyncState(Base):
    """Small key/value facts about sync: the pull cursor, the server's id, the last sync time."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Setting(Base):
    """Per-account settings that are not secrets (secrets live only in the OS keyring)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class SyncConflict(Base):
    """Something the server would not take as the laptop sent it, kept so nothing is silently lost.

    `kind` is `conflict` (a field changed here and on the server: the server kept `their_value`, and `my_value`
    waits here until the assessor keeps one) or `rejected` (the server refused the whole change; `reason` says
    why, and the local change stays in the outbox until the assessor edits it again or tries again) or `removed`
    (a learner left the caseload while changes to their records were unsent: the learner is kept, not purged,
    until the assessor discards them or the learner comes back; `my_value` holds how many were waiting).
    Written only by the sync client (`reviewapp.store.sync.state`); never travels.
    """

    __tablename__ = "conflict"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(10))  # conflict | rejected | removed
    entity: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    field: Mapped[str] = mapped_column(String(100), default="")
    base_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    my_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    their_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    their_by: Mapped[str] = mapped_column(String(150), default="")
    their_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    #: The device the server's value was changed on (issue 19); `their_by` says who, `their_at` when.
    their_device: Mapped[str] = mapped_column(String(150), default="")
    #: Where in a structured field (a review's answers) both sides changed: [question] or [question, item id];
    #: empty for the whole field. The `*_at_path` values are the three sides there.
    path: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    base_at_path: Mapped[Any] = mapped_column(JSON, nullable=True)
    mine_at_path: Mapped[Any] = mapped_column(JSON, nullable=True)
    theirs_at_path: Mapped[Any] = mapped_column(JSON, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    #: For a rejection: the outbox entry's `updated_at` when it was refused (a later edit means "try again").
    entry_updated_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    #: kept_mine | kept_theirs | combined | retried | discarded (empty while open).
    resolution: Mapped[str] = mapped_column(String(20), default="")
    #: Whether the server has been told of this resolution (a field conflict's, by its server id): the next push
    #: to a server that takes it names every one resolved and not yet told (`PushRequest.resolved`).
    server_told: Mapped[bool] = mapped_column(Boolean, default=False)


class SavedCopy(Base):
    """A printed document kept inside the encrypted caseload: a signed copy of a review (learner's, employer's or
    provider's) or a pre-visit pack, as the PDF bytes that were printed.

    Kept here rather than as files because they hold welfare and safeguarding answers; a plain file exists only
    when the assessor exports one (`reviewapp.store.saved_copies.export_copy`). Local only: the server can make
    any copy again from the review. Goes with the learner (`ondelete`, and
    `reviewapp.store.sync.removals.purge_learner`).
    """

    __tablename__ = "saved_copy"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    learner_id: Mapped[str] = mapped_column(ForeignKey("learner.id", ondelete="CASCADE"), index=True)
    #: The review printed; None for a pre-visit pack (or a file adopted without one).
    review_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    #: learner | employer | provider (a signed copy), pre-visit, or file (an old plain file of unknown kind).
    kind: Mapped[str] = mapped_column(String(20))
    #: The name offered when it is exported, e.g. "2026-11-15-a05c2fa5-employer-copy.pdf".
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
