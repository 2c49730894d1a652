"""The sync wire schema, shared by the desktop client and the central server.

One module, imported by both sides, so that the shape of a record can never differ between them. It holds:
the protocol version, the syncable entities and their fields (`ENTITY_MODELS`), and the request and response
bodies of `/api/v1`. Nothing here imports Qt, SQLAlchemy or FastAPI.

Dates travel as ISO 8601 strings (`YYYY-MM-DD`), instants as ISO 8601 with an offset (UTC), ids as UUID strings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

PROTOCOL_VERSION = 1
#: The oldest client protocol the server still serves; an older client is answered 426 (`CLIENT_TOO_OLD`). Raise
#: it only when a change to the protocol is one an older client would get wrong.
MIN_CLIENT_PROTOCOL = 1
#: The request header in which a client says which protocol it speaks. A request without it (a client from before
#: the header, an office script, a load balancer) is taken as protocol 1.
PROTOCOL_HEADER = "X-ReviewApp-Protocol"
CLIENT_TOO_OLD = "This version of ReviewApp is too old for the server: update ReviewApp."

EntityName = Literal["employer", "learner", "plan_item", "target", "review", "signature", "otj_entry"]

#: Entities in the order a receiver should apply them so that parents exist before their children.
ENTITY_ORDER: tuple[str, ...] = (
    "employer",
    "learner",
    "plan_item",
    "review",
    "target",
    "signature",
    "otj_entry",
)

LearnerStatus = Literal["active", "break_in_learning", "withdrawn", "completed"]
RagRating = Literal["red", "amber", "green"]
PlanItemKind = Literal["knowledge", "skill", "behaviour", "unit"]
TargetStatus = Literal["open", "met", "partly_met", "not_met", "no_longer_relevant"]
ReviewStatus = Literal["draft", "finalised", "void"]
SignatureRole = Literal["learner", "employer", "assessor"]


class _Record(BaseModel):
    """Fields of a record as it travels in a pull's `data` (without the sync metadata)."""

    model_config = ConfigDict(extra="forbid")


class EmployerData(_Record):
    name: str = Field(min_length=1, max_length=200)
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    address: str = ""


class LearnerData(_Record):
    """A learner; field names match the MIS caseload CSV columns where they overlap."""

    uln: str = Field(pattern=r"^\d{10}$")
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    date_of_birth: dt.date | None = None
    email: str = ""
    phone: str = ""
    employer_id: str | None = None
    programme: str = ""
    level: int | None = Field(default=None, ge=1, le=8)
    start_date: dt.date
    planned_end_date: dt.date | None = None
    planned_otj_hours: float = Field(default=0, ge=0)
    assessor: str = ""
    support_needs: str = ""
    starting_points: str = ""
    status: LearnerStatus = "active"


class PlanItemData(_Record):
    """One unit or knowledge/skill/behaviour of a learner's individual learning plan."""

    learner_id: str
    kind: PlanItemKind = "unit"
    code: str = ""
    title: str = Field(min_length=1)
    progress: int = Field(default=0, ge=0, le=100)
    position: int = 0
    notes: str = ""


class TargetData(_Record):
    learner_id: str
    text: str = Field(min_length=1)
    due_date: dt.date | None = None
    status: TargetStatus = "open"
    actions: list[str] = Field(default_factory=list)
    set_in_review_id: str | None = None
    followed_up_in_review_id: str | None = None
    follow_up_comment: str = ""
    carried_from_id: str | None = None


class ReviewData(_Record):
    learner_id: str
    template_id: str
    template_version: int = Field(ge=1)
    status: ReviewStatus = "draft"
    assessor: str = ""
    visit_date: dt.date | None = None
    answers: dict[str, Any] = Field(default_factory=dict)
    progress_rag: RagRating | None = None
    welfare_rag: RagRating | None = None
    next_review_date: dt.date | None = None
    next_review_reason: str = ""
    finalised_at: dt.datetime | None = None
    content_hash: str | None = None
    void_reason: str = ""
    addendum_to_id: str | None = None


class SignatureData(_Record):
    review_id: str
    role: SignatureRole
    name: str = ""
    signed_at: dt.datetime | None = None
    image_png: str | None = Field(default=None, description="PNG image, base64")
    strokes: list[list[list[float]]] = Field(default_factory=list)
    absent_reason: str = ""


class OtjEntryData(_Record):
    learner_id: str
    date: dt.date
    hours: float = Field(gt=0, le=24)
    activity: str = ""
    description: str = ""


ENTITY_MODELS: dict[str, type[_Record]] = {
    "employer": EmployerData,
    "learner": LearnerData,
    "plan_item": PlanItemData,
    "target": TargetData,
    "review": ReviewData,
    "signature": SignatureData,
    "otj_entry": OtjEntryData,
}

#: Metadata every syncable record carries besides its fields.
SYNC_META_FIELDS: tuple[str, ...] = ("id", "rev", "updated_at", "updated_by", "deleted")


def entity_fields(entity: str) -> tuple[str, ...]:
    """The data field names of an entity, in declaration order."""
    return tuple(ENTITY_MODELS[entity].model_fields)


# --- Content hash of a finalised review -------------------------------------------------------------------------
# Shared by the client (which stamps it on finalising) and the server (which recomputes it before accepting a
# finalised review), so both must build exactly the same canonical JSON.

#: The fields the content hash covers (all but the status itself, the hash, and the void reason, which may change
#: after signing), frozen: a field added to ReviewData or SignatureData later is not hashed, so
#: every review finalised before it keeps a hash that still checks. (Covering a new field means a new canonical
#: form with its own version, never a change to this one.)
HASHED_REVIEW_FIELDS = (
    "learner_id", "template_id", "template_version", "assessor", "visit_date", "answers", "progress_rag",
    "welfare_rag", "next_review_date", "next_review_reason", "finalised_at", "addendum_to_id",
)
HASHED_SIGNATURE_FIELDS = ("review_id", "role", "name", "signed_at", "image_png", "strokes", "absent_reason")


def _canonical_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _canonical_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical_value(v) for v in value]
    return value


def canonical_review_json(review_id: str, review: ReviewData, signatures: list[SignatureData]) -> str:
    """The canonical JSON a review's content hash covers: its answers, ratings, dates and all signatures.

    Keys sorted, no insignificant white space, UTF-8 text kept as is, datetimes in UTC with microseconds;
    signatures sorted by role and stripped of their own ids, so the hash depends only on what was signed.
    """
    import json

    body = {
        "id": review_id,
        "review": {
            name: _canonical_value(getattr(review, name)) for name in HASHED_REVIEW_FIELDS
        },
        "signatures": sorted(
            (
                {name: _canonical_value(getattr(sig, name)) for name in HASHED_SIGNATURE_FIELDS}
                for sig in signatures
            ),
            key=lambda s: s["role"],
        ),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def review_content_hash(review_id: str, review: ReviewData, signatures: list[SignatureData]) -> str:
    """SHA-256 (hex) of `canonical_review_json`."""
    import hashlib

    return hashlib.sha256(canonical_review_json(review_id, review, signatures).encode("utf-8")).hexdigest()


# --- Requests and responses of /api/v1 ----------------------------------------------------------------------------
# Every response body carries `server_id`, so a client can tell when it is talking to a different server (or one
# restored from a backup) and must not trust its stored cursor.

UserRole = Literal["assessor", "manager", "admin"]
PullOp = Literal["upsert", "delete", "removed"]
PushOp = Literal["create", "update", "delete"]
PushStatus = Literal["applied", "duplicate", "conflict", "rejected"]

#: The most changes one pull page may hold, and the most changes one push batch may carry.
MAX_PULL_LIMIT = 1000
MAX_PUSH_CHANGES = 500


class _Message(BaseModel):
    """A request or response body; unknown keys are refused so a typo is reported rather than ignored."""

    model_config = ConfigDict(extra="forbid")


class _Request(_Message):
    """A request body: text in it must be storable, so NUL characters are refused with a reason."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        # PostgreSQL text cannot hold NUL; refuse it here with a reason rather than fail in the database.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value


class TokenRequest(_Request):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=1000)
    device_name: str = Field(min_length=1, max_length=200)


class UserInfo(_Message):
    id: str
    username: str
    display_name: str = ""
    role: UserRole


class TokenResponse(_Message):
    server_id: str
    token: str
    expires_at: dt.datetime
    user: UserInfo
    device_id: str


class Change(_Message):
    """One entry of a pull page. `data` is the whole record for `upsert`, and null for `delete` and `removed`.

    `removed` is sent for a learner (entity `learner`) that has left the caller's caseload: the client purges
    its copy and every record hanging off it.
    """

    entity: EntityName
    id: str
    rev: int
    op: PullOp
    data: dict[str, Any] | None = None
    updated_at: dt.datetime | None = None
    updated_by: str = ""


class PullResponse(_Message):
    server_id: str
    protocol_version: int = PROTOCOL_VERSION
    changes: list[Change]
    #: Pass back as `since` on the next pull; store it only in the transaction that applies this page.
    cursor: int
    #: True when more changes are waiting: pull again at once with the new cursor.
    more: bool


class PushChange(_Request):
    """One local change. `base` holds, for each field in `fields`, the value the client started from."""

    change_id: str = Field(min_length=1, max_length=64)
    entity: EntityName
    id: str = Field(pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
    op: PushOp
    base_rev: int = Field(default=0, ge=0)
    base: dict[str, Any] = Field(default_factory=dict)
    fields: dict[str, Any] = Field(default_factory=dict)


class PushRequest(_Request):
    batch_id: str = Field(min_length=1, max_length=64)
    device_id: str = Field(min_length=1, max_length=64)
    changes: list[PushChange] = Field(max_length=MAX_PUSH_CHANGES)


class FieldConflict(_Message):
    """A field changed both here and on the server: the server kept `server_value`; the client's is stored too."""

    conflict_id: str
    field: str
    base_value: Any = None
    server_value: Any = None
    client_value: Any = None


class PushResult(_Message):
    change_id: str
    status: PushStatus
    #: The record's rev after this change (0 when rejected).
    rev: int = 0
    conflicts: list[FieldConflict] = Field(default_factory=list)
    #: Why a change was rejected, written for the person using the app.
    error: str | None = None


class PushResponse(_Message):
    server_id: str
    protocol_version: int = PROTOCOL_VERSION
    results: list[PushResult]


#: Why a request was answered 401, for programs (`detail` is the sentence for people). Only `device_revoked` means
#: the server no longer accepts this laptop at all; every other code asks the user to sign in again.
AuthErrorCode = Literal["device_revoked", "token_expired", "token_invalid", "credentials_invalid", "account_disabled"]
AUTH_ERROR_CODES: tuple[str, ...] = get_args(AuthErrorCode)


class ErrorResponse(_Message):
    server_id: str
    detail: str
    #: Set on 401 answers (see `AuthErrorCode`); absent elsewhere.
    code: AuthErrorCode | None = None


class HealthResponse(_Message):
    server_id: str
    status: Literal["ok"] = "ok"
    protocol_version: int = PROTOCOL_VERSION
    database: str


class AssignmentRequest(_Request):
    """Admin only: put the learner with this ULN in the caseload of the assessor with this username."""

    uln: str = Field(pattern=r"^\d{10}$")
    username: str = Field(min_length=1, max_length=150)


class AssignmentResponse(_Message):
    server_id: str
    learner_id: str
    assessor: str
    #: False when the learner was already in that caseload.
    changed: bool
