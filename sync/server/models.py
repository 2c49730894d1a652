"""The server's tables (SQLAlchemy 2 declarative).

Syncable records keep their fields as one JSON document (`data`), validated with the entity models of
`sync.protocol`, so the wire schema stays the single definition of a record's fields; the columns beside it are
the ones the server queries by: scope keys (`learner_id`, `employer_id`, `review_id`), `uln`, and `rev`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sync.protocol import TEMPORARY_ULN

JsonType = JSON().with_variant(JSONB(), "postgresql")
RevType = BigInteger().with_variant(Integer(), "sqlite")
Timestamp = DateTime(timezone=True)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC, so say so."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


class Base(DeclarativeBase):
    pass


class ServerState(Base):
    """One row: the server's identity and the last rev handed out by the server-wide sequence."""

    __tablename__ = "server_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    server_id: Mapped[str] = mapped_column(String(36))
    last_rev: Mapped[int] = mapped_column(RevType, default=0)


class ChangeLog(Base):
    """Every rev handed out, with what it was for: an audit trail of accepted changes in commit order."""

    __tablename__ = "change_log"
    rev: Mapped[int] = mapped_column(RevType, primary_key=True, autoincrement=False)
    entity: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[str] = mapped_column(String(36))
    op: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str | None] = mapped_column(String(36))
    device_id: Mapped[str | None] = mapped_column(String(36))
    #: When the server received it.
    at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    #: When the device says the change was made (its own clock, so only a claim), if it said.
    device_time: Mapped[dt.datetime | None] = mapped_column(Timestamp)


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    #: Optional, set by an admin; nothing is sent to it yet.
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    #: Set by an admin's reset: the next sign-in is refused (`password_change_required`) until the user sets their own.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)


class Device(Base):
    """A laptop (or other client) an account signed in from; revoking it ends every token it holds."""

    __tablename__ = "devices"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    #: The name the user gave at this laptop's first sign-in ("Sam's ThinkPad"); later sign-ins keep it.
    name: Mapped[str] = mapped_column(String(200))
    #: What the laptop reported at its latest sign-in.
    host_name: Mapped[str] = mapped_column(String(200), default="")
    app_version: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    #: The latest authenticated request (every one is a sync), to within `deps.LAST_SEEN_RESOLUTION`.
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)


class Token(Base):
    __tablename__ = "tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(Timestamp)


class SignInFailures(Base):
    """Failed sign-ins per username, kept in the database so every worker process counts the same failures.

    Any username sent is counted, known or not, so a locked name answers alike whether an account has it or not.
    """

    __tablename__ = "sign_in_failures"
    username: Mapped[str] = mapped_column(String(150), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    locked_until: Mapped[dt.datetime | None] = mapped_column(Timestamp)


class AuditEvent(Base):
    """An admin action (user created, disabled, password reset, device revoked, learner assigned, import run...).

    Append-only: the migration adds triggers refusing UPDATE and DELETE. Accepted record changes are in
    `change_log`; `audit.py` reads both together.
    """

    __tablename__ = "audit_events"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow, index=True)
    #: Who did it: a username, or `command line (<OS user>)` for the admin CLI.
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    #: The account acted on, the learner concerned, the device revoked, where these apply.
    user_id: Mapped[str | None] = mapped_column(String(36), index=True)
    learner_id: Mapped[str | None] = mapped_column(String(36), index=True)
    device_id: Mapped[str | None] = mapped_column(String(36))
    detail: Mapped[str] = mapped_column(String(1000), default="")


#: Where an assignment came from: an admin at the office (`assign`, the admin API) or an MIS file's assessor column.
ASSIGNED_AT_OFFICE = "office"
ASSIGNED_BY_MIS = "mis"


class Assignment(Base):
    """Which assessor a learner is assigned to: the caseload. One assessor per learner.

    `source` says who made it. An assignment made at the office belongs to the office: a later MIS import never
    moves the learner (it reports the difference instead), since the MIS does not know of a reassignment done
    after it exported, and reverting one silently is how an assessor loses a learner they are visiting tomorrow.
    """

    __tablename__ = "assignments"
    learner_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    assessor_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    rev: Mapped[int] = mapped_column(RevType)
    assigned_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    source: Mapped[str] = mapped_column(String(10), default=ASSIGNED_AT_OFFICE)


class CaseloadRemoval(Base):
    """A learner left an assessor's caseload at `rev`: pulled by that assessor as a `removed` change."""

    __tablename__ = "caseload_removals"
    rev: Mapped[int] = mapped_column(RevType, primary_key=True, autoincrement=False)
    learner_id: Mapped[str] = mapped_column(String(36))
    assessor_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)


class Conflict(Base):
    """A field changed on both sides: the server kept its value; the client's value waits here, never dropped."""

    __tablename__ = "conflicts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    entity: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    field: Mapped[str] = mapped_column(String(100))
    base_value: Mapped[Any] = mapped_column(JsonType, nullable=True)
    server_value: Mapped[Any] = mapped_column(JsonType, nullable=True)
    client_value: Mapped[Any] = mapped_column(JsonType, nullable=True)
    change_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(36))
    device_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    #: How the laptop resolved it: kept_mine, kept_theirs or combined (None while open, or where not known).
    resolution: Mapped[str | None] = mapped_column(String(20))
    #: Where inside `field` the two sides differ (a question's key, a list item's id); empty for the whole field.
    path: Mapped[list[str] | None] = mapped_column(JsonType, nullable=True)
    #: Who last changed the record the server kept, on which device and when (from the change log).
    server_changed_by: Mapped[str | None] = mapped_column(String(100))
    server_changed_device: Mapped[str | None] = mapped_column(String(64))
    server_changed_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)


class PushReceipt(Base):
    """The outcome of each change_id a user already sent, so a repeated push is answered `duplicate`.

    Keyed by user as well: a change id is the client's, so another user's is simply a fresh id for this one (and
    the answer never tells that someone else sent it).
    """

    __tablename__ = "push_receipts"
    __table_args__ = (PrimaryKeyConstraint("user_id", "change_id"),)
    change_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(20))
    rev: Mapped[int] = mapped_column(RevType, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


class ImportRun(Base):
    """One MIS caseload import: committed in chunks, so sync goes on meanwhile, and undone as a whole if need be.

    `status` is running, completed, failed (stopped midway and not fully undone) or rolled back. A run left
    `running` by a process that died can be rolled back like any other (`reviewapp-server import-rollback`).
    """

    __tablename__ = "import_runs"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    started_by: Mapped[str] = mapped_column(String(150))
    started_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    status: Mapped[str] = mapped_column(String(20), default="running")
    rows: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    assigned: Mapped[int] = mapped_column(Integer, default=0)
    employers_created: Mapped[int] = mapped_column(Integer, default=0)
    undone: Mapped[int] = mapped_column(Integer, default=0)
    kept: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")


class ImportRunRecord(Base):
    """A learner or employer an import run created or changed, and what it was before: what a rollback undoes.

    `rev` is the last rev the run gave the record: if the record's rev is still that, nobody has touched it since.
    """

    __tablename__ = "import_run_records"
    run_id: Mapped[str] = mapped_column(ForeignKey("import_runs.id"), primary_key=True)
    entity: Mapped[str] = mapped_column(String(20), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    action: Mapped[str] = mapped_column(String(10))  # created or updated
    rev: Mapped[int] = mapped_column(RevType)
    data_before: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    deleted_before: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The learner's assessor before the run gave it another (a user id, or "" for none); None if the run did not.
    assessor_before: Mapped[str | None] = mapped_column(String(36), nullable=True)


class PlanTemplateItem(Base):
    """One item of a standard's plan template: entered once per standard (`reviewapp-server import-plans`) and
    copied into the plan of every learner on that standard (`plan_templates.apply_plan_templates`).

    Not a syncable record itself: laptops receive the learners' own copies, which each learner's plan may then
    adjust. `standard_key` is the standard's code ("374") or its name folded (`plan_templates.standard_key`),
    matched against the learner's `standard_code`, else their programme.
    """

    __tablename__ = "plan_template_items"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    standard_key: Mapped[str] = mapped_column(String(200), index=True)
    #: The standard as the file wrote it, for reports.
    standard: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(Text)
    planned_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


class Team(Base):
    """A team of assessors; the managers among its members manage it and see its assessors' caseloads."""

    __tablename__ = "teams"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


class TeamMember(Base):
    """A user in a team: an assessor works in it, a manager manages it (a user may be in several)."""

    __tablename__ = "team_members"
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)


class WebSession(Base):
    """A browser's sign-in to the office web app, kept on the server so it can end on inactivity or sign-out.

    The cookie holds a random token; only its digest is stored, as with the API's bearer tokens. `csrf_token` is
    the per-session secret every form must send back.
    """

    __tablename__ = "web_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


#: A record not deleted, as the predicate of a partial index (office_figures.py's queries say the same).
LIVE_WHERE = "deleted IS false"
#: A signature of the employer's (office_figures.employer_at_review_rows).
EMPLOYER_SIGNED = "deleted IS false AND role = 'employer' AND signed_at IS NOT NULL"
#: A review held (office_figures._held), as the predicate of the partial index of those.
HELD_WHERE = "deleted IS false AND status = 'finalised' AND addendum_to_id IS NULL AND visit_date IS NOT NULL"
HELD_INCLUDE = ["learner_id", "id", "due_by", "previous_visit", "next_visit", "progress_rag", "welfare_rag"]


class _Record:
    """Columns every syncable record has (DESIGN.md, Records)."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    rev: Mapped[int] = mapped_column(RevType, index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JsonType)
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(150), default="")
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class Employer(_Record, Base):
    __tablename__ = "employers"
    #: Case-folded name: the import matches employers by it.
    name_key: Mapped[str] = mapped_column(String(200), index=True)


class Learner(_Record, Base):
    __tablename__ = "learners"
    #: Unique except for the ILR's temporary "ULN to follow", which many learners may hold at once: those are
    #: told apart by `learner_ref` (the partial unique index below).
    uln: Mapped[str] = mapped_column(String(10))
    employer_id: Mapped[str | None] = mapped_column(String(36), index=True)
    #: The MIS's LearnRefNumber (from LearnerData.learner_ref), None when the source gave none: the import finds a
    #: learner whose ULN is still to follow by it.
    learner_ref: Mapped[str | None] = mapped_column(String(12), index=True, nullable=True)
    #: When the next review is due by the laptop's rule, None when not in active learning (due_dates.py).
    next_review_due: Mapped[dt.date | None] = mapped_column(Date, index=True, nullable=True)
    __table_args__ = (
        Index("uq_learners_uln", "uln", unique=True, sqlite_where=text(f"uln <> '{TEMPORARY_ULN}'"),
              postgresql_where=text(f"uln <> '{TEMPORARY_ULN}'")),
        # The learners not deleted: every figure's scope (office_figures.Scope) reads them, from the index alone.
        Index("ix_learners_live", "id", postgresql_where=text(LIVE_WHERE), sqlite_where=text(LIVE_WHERE)),
    )


class PlanItem(_Record, Base):
    __tablename__ = "plan_items"
    learner_id: Mapped[str] = mapped_column(String(36), index=True)


class Target(_Record, Base):
    __tablename__ = "targets"
    learner_id: Mapped[str] = mapped_column(String(36), index=True)
    # Copied from `data` when written, for the dashboard's figures (record_columns.py).
    set_in_review_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    followed_up_in_review_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    due_date: Mapped[str | None] = mapped_column(String(10), nullable=True, index=True)
    # "Targets followed up" joins the live targets to the review they were set in (office_figures.py).
    __table_args__ = (
        Index("ix_targets_live_set_in", "set_in_review_id",
              postgresql_include=["learner_id", "followed_up_in_review_id"],
              postgresql_where=text(LIVE_WHERE), sqlite_where=text(LIVE_WHERE)),
        # ... and "targets past due" the live targets by due date.
        Index("ix_targets_live_due_date", "due_date", postgresql_include=["learner_id", "status"],
              postgresql_where=text(LIVE_WHERE), sqlite_where=text(LIVE_WHERE)),
    )


class Review(_Record, Base):
    __tablename__ = "reviews"
    learner_id: Mapped[str] = mapped_column(String(36), index=True)
    #: For a review held (finalised, not an addendum), the date it was due by the laptop's rule (due_dates.py).
    due_by: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    #: For a review held, the visit dates of the learner's reviews held before and after it (due_dates.py).
    previous_visit: Mapped[str | None] = mapped_column(String(10), nullable=True)
    next_visit: Mapped[str | None] = mapped_column(String(10), nullable=True)
    # Copied from `data` when written, for the dashboard's figures (record_columns.py). ISO text, as sent.
    status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    visit_date: Mapped[str | None] = mapped_column(String(10), nullable=True, index=True)
    finalised_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    addendum_to_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    progress_rag: Mapped[str | None] = mapped_column(String(10), nullable=True)
    welfare_rag: Mapped[str | None] = mapped_column(String(10), nullable=True)
    #: A finalised review's plan progress ("item=percent;..." sorted), None without a plan progress answer, and
    #: whether it commented on any plan item: for "learning plans amended at reviews" (record_columns.py).
    plan_progress: Mapped[str | None] = mapped_column(Text, nullable=True)
    plan_commented: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    #: Whether this review held amended the plan, by reviewapp.core.plan_amendment.amended against the learner's
    #: review held before it (due_dates.py, in the same pass as its neighbours); None for a review not held.
    plan_amended: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    __table_args__ = (
        Index("ix_reviews_learner_id_visit_date", "learner_id", "visit_date"),
        # The reviews held, by visit date, with what the dashboard's figures read of them (office_figures.py): on
        # PostgreSQL an index-only scan instead of reading half the table's pages for each figure.
        Index("ix_reviews_held", "visit_date", postgresql_include=HELD_INCLUDE,
              postgresql_where=text(HELD_WHERE), sqlite_where=text(HELD_WHERE)),
        # ... and by their next one's visit ("targets followed up": the review a target was set in).
        Index("ix_reviews_held_next_visit", "next_visit", postgresql_include=["id", "learner_id"],
              postgresql_where=text(HELD_WHERE), sqlite_where=text(HELD_WHERE)),
    )


class Signature(_Record, Base):
    __tablename__ = "signatures"
    review_id: Mapped[str] = mapped_column(String(36), index=True)
    #: Copied from the review, so a signature is scoped like everything else that hangs off a learner.
    learner_id: Mapped[str] = mapped_column(String(36), index=True)
    # Copied from `data` when written, for the dashboard's figures (record_columns.py).
    role: Mapped[str | None] = mapped_column(String(20), nullable=True)
    signed_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # "Employer at the review": the reviews with an employer's signature, from the index alone.
    __table_args__ = (Index("ix_signatures_employer_signed", "review_id", postgresql_where=text(EMPLOYER_SIGNED),
                            sqlite_where=text(EMPLOYER_SIGNED)),)


class OtjEntry(_Record, Base):
    __tablename__ = "otj_entries"
    learner_id: Mapped[str] = mapped_column(String(36), index=True)


class ReviewSample(_Record, Base):
    """A quality lead's sample of a finalised review (protocol.ReviewSampleData), made in the office web app."""

    __tablename__ = "review_samples"
    learner_id: Mapped[str] = mapped_column(String(36), index=True)
    review_id: Mapped[str] = mapped_column(String(36), index=True)


class AlertDismissal(_Record, Base):
    """An alert dismissed with a reason (protocol.AlertDismissalData), from a laptop or the web app: the log of
    dismissals is these rows, with change_log's who and when."""

    __tablename__ = "alert_dismissals"
    learner_id: Mapped[str] = mapped_column(String(36), index=True)
    alert_key: Mapped[str] = mapped_column(String(200))


class Delivery(_Record, Base):
    """A copy of a finalised review handed over (protocol.DeliveryData): printed or saved on a laptop and pushed, or
    (issue 17) e-mailed by the server itself, which then records its status (sent, bounced) and the consent."""

    __tablename__ = "deliveries"
    learner_id: Mapped[str] = mapped_column(String(36), index=True)
    # Copied from `data` when written, for the dashboard's "copies shared" (record_columns.py).
    review_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    copy_for: Mapped[str | None] = mapped_column(String(20), nullable=True)
    channel: Mapped[str | None] = mapped_column(String(20), nullable=True)
    status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    delivered_at: Mapped[str | None] = mapped_column(String(40), nullable=True)


class Concern(_Record, Base):
    """A concern an assessor raised on the laptop without a review (protocol.ConcernData): pushed, never pulled; it
    opens a case (cases/)."""

    __tablename__ = "concerns"
    learner_id: Mapped[str] = mapped_column(String(36), index=True)


class Case(_Record, Base):
    """A safeguarding or learning support case (cases/). Its `data` is the small status the raising assessor's laptop
    pulls (protocol.CaseStatusData: state, who and when); what was recorded and the log are in the columns and in
    `case_log`, read only by those who need to know (cases/access.py)."""

    __tablename__ = "cases"
    learner_id: Mapped[str] = mapped_column(String(36), index=True)
    review_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    concern_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    route: Mapped[str] = mapped_column(String(20), index=True)
    urgency: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(20), index=True)
    raised_by_id: Mapped[str] = mapped_column(String(36), index=True)
    raised_by: Mapped[str] = mapped_column(String(200))
    #: When the laptop says it was recorded (its own clock), and when the server received it.
    raised_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, nullable=True)
    received_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow, index=True)
    #: What was recorded: [{"question_id", "label", "recorded"}], the latest the laptop sent.
    recorded: Mapped[list[dict[str, Any]]] = mapped_column(JsonType)
    #: One case per review and route, one per concern (a later push of either adds to its log).
    __table_args__ = (Index("uq_cases_review_route", "review_id", "route", unique=True),
                      Index("uq_cases_concern", "concern_id", unique=True))


class CaseLogEntry(Base):
    """One entry of a case's log: opened, updated, acknowledged, action, referred, outcome, closed. Append-only (the
    migration's triggers refuse UPDATE and DELETE)."""

    __tablename__ = "case_log"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))
    by_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    by_name: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")


class CaseView(Base):
    """Someone opened a case's page: every opening is kept (append-only) and shown to the safeguarding lead."""

    __tablename__ = "case_views"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    user_id: Mapped[str] = mapped_column(String(36))
    username: Mapped[str] = mapped_column(String(150))
    role: Mapped[str] = mapped_column(String(20))


class PortalNote(_Record, Base):
    """A learner's tick on one of their target's actions, or an employer's feedback for the next review, written in
    the portal (issue 17 item 2): made only at the office, pulled by the assessor's laptop (`PortalNoteData`)."""

    __tablename__ = "portal_notes"
    learner_id: Mapped[str] = mapped_column(String(36), index=True)


class PortalLink(Base):
    """A single-use sign-in link to the portal, e-mailed to an address the provider holds: only its digest is kept."""

    __tablename__ = "portal_links"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: "learner" or "employer" (the employer's contact), and that learner's or employer's id.
    principal_kind: Mapped[str] = mapped_column(String(10))
    principal_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(Timestamp, index=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, nullable=True)


class PortalSession(Base):
    """A learner's or employer contact's sign-in to the portal: never a staff account (web_sessions is theirs)."""

    __tablename__ = "portal_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    principal_kind: Mapped[str] = mapped_column(String(10))
    principal_id: Mapped[str] = mapped_column(String(36), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)


#: Entity name (as on the wire) → table.
RECORD_MODELS: dict[str, Any] = {
    "employer": Employer,
    "learner": Learner,
    "plan_item": PlanItem,
    "target": Target,
    "review": Review,
    "signature": Signature,
    "otj_entry": OtjEntry,
    "review_sample": ReviewSample,
    "alert_dismissal": AlertDismissal,
    "delivery": Delivery,
    "concern": Concern,
    "case_status": Case,
    "portal_note": PortalNote,
}

#: Records hanging off a learner by a `learner_id` column.
LEARNER_CHILD_MODELS: tuple[Any, ...] = (PlanItem, Target, Review, Signature, OtjEntry, ReviewSample, AlertDismissal,
                                         Delivery, PortalNote)

Index("ix_change_log_record", ChangeLog.entity, ChangeLog.record_id)
Index("ix_change_log_user", ChangeLog.user_id)  # `reviewapp-server audit --user`

#: Table → entity name (as on the wire).
ENTITY_NAMES: dict[Any, str] = {model: name for name, model in RECORD_MODELS.items()}


class ProviderSetting(Base):
    """A provider setting the office sets once for every laptop (`provider_settings.py`): the provider's name, its
    logo, the review schedule, and `version`, raised by every change so a laptop fetches them only when changed."""

    __tablename__ = "provider_settings"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[Any] = mapped_column(JsonType)
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200), default="")


class ReviewTemplate(Base):
    """One version of a review template added at the office. Versions are only ever added: a laptop may have
    started a review with any of them, and that review keeps its version to the end."""

    __tablename__ = "review_templates"
    __table_args__ = (PrimaryKeyConstraint("template_id", "version"),)
    template_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[dict[str, Any]] = mapped_column(JsonType)
    added_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    added_by: Mapped[str] = mapped_column(String(200), default="")


class ArchivedCopy(Base):
    """The archival copy of a finalised review: its provider copy as PDF/A-2b, signed as PAdES with the provider's
    certificate (sync/server/archive). Made once per review in the background (`archive.copies.archive_pending`);
    deleted only by `purge-archive`, once `keep_until` has passed."""

    __tablename__ = "archived_copies"
    review_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    learner_id: Mapped[str] = mapped_column(String(36), index=True)
    #: The review's content hash as signed on the laptop, at the time the copy was made.
    content_hash: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    #: Who signed it: the certificate's subject, its SHA-256 fingerprint, and whether it was the self-signed demo one.
    signer: Mapped[str] = mapped_column(String(500))
    certificate_sha256: Mapped[str] = mapped_column(String(64))
    self_signed: Mapped[bool] = mapped_column(Boolean, default=False)
    archived_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    #: The last day it is kept (reviewapp.core.retention), None while the learner has no end date recorded.
    keep_until: Mapped[dt.date | None] = mapped_column(Date, nullable=True, index=True)


class MailMessage(Base):
    """One e-mail in the durable outbox (sync/server/mail): added in the caller's transaction, sent by a worker."""

    __tablename__ = "mail_outbox"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    #: The caller's idempotency key: enqueueing the same key twice makes one message.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    message_id: Mapped[str] = mapped_column(String(250))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    ics: Mapped[str | None] = mapped_column(Text)
    #: [{"filename", "content_type", "data" (base64)}]
    attachments: Mapped[list[Any]] = mapped_column(JsonType)
    #: queued, sending, sent, failed, bounced, waiting_for_settings
    status: Mapped[str] = mapped_column(String(24))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    #: While `sending`: the claim's token and when it lapses (a killed worker's message is retried after that).
    claim: Mapped[str | None] = mapped_column(String(36))
    lease_until: Mapped[dt.datetime | None] = mapped_column(Timestamp)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(Timestamp)


Index("ix_mail_outbox_due", MailMessage.status, MailMessage.next_attempt_at)


# The dashboard's columns copied from `data` at every write (record_columns.py registers that on these models).
from . import record_columns  # noqa: E402,F401


class Booking(Base):
    """A learner's next review as the server last invited them to it (issue 17 item 3, bookings.py): the UID and
    SEQUENCE of the invitations sent, so a moved review sends an update and a cancelled one a cancellation."""

    __tablename__ = "bookings"
    learner_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    uid: Mapped[str] = mapped_column(String(200))
    #: The finalised review whose next review date and time this is.
    review_id: Mapped[str] = mapped_column(String(36))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    start_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    minutes: Mapped[int] = mapped_column(Integer)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp, default=utcnow)
