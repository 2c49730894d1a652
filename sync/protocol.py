"""The sync wire schema, shared by the desktop client and the central server.

One module, imported by both sides, so that the shape of a record can never differ between them. It holds:
the protocol version, the syncable entities and their fields (`ENTITY_MODELS`), and the request and response
bodies of `/api/v1`. Nothing here imports Qt, SQLAlchemy or FastAPI.

Dates travel as ISO 8601 strings (`YYYY-MM-DD`), instants as ISO 8601 with an offset (UTC), ids as UUID strings.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

#: 2 (issue 12): sign-in names the laptop's device (id, host, version) and may answer `password_change_required`;
#: a pushed change may carry `made_at` (the laptop's time, for the audit log); `/auth/password` changes a password.
#: A protocol-1 client still works unchanged (it sends none of the new fields), so MIN_CLIENT_PROTOCOL stays 1.
#: 3 (issue 14): a learner may carry their own review frequency (`LearnerData.review_interval` and its agreement);
#: pulls to an older client leave those fields out (`RECORD_FIELDS_SINCE`), since its models forbid unknown fields.
#: Also at 3: a plan item's planned date and starting point, and a learner's English and maths levels at the start;
#: and a new entity, `review_sample` (a quality lead's sample of a finalised review), not sent to older clients
#: (`ENTITY_SINCE`).
#: Also at 4 (issue 17): a review's `next_review_time` and `next_review_minutes` (the booked time of the next review).
#: 4 (issue 17): the provider settings carry `verify_address`, the public address in every copy's QR code; the
#: settings endpoint leaves it out for an older client (`SETTINGS_FIELDS_SINCE`).
#: Also at 4 (issue 16): a new entity, `alert_dismissal` (an alert dismissed with a reason, on a laptop or in the web
#: app), and the provider's alert settings (`ProviderSettingsResponse.alerts`), neither sent to older clients.
#: Also at 4 (issue 15, 17): a new entity, `delivery` (a copy of a finalised review handed over: printed or saved on the
#: laptop, later e-mailed by the server), not sent to older clients (`ENTITY_SINCE`).
#: Also at 4 (issue 16): two new entities, not sent to older clients (`ENTITY_SINCE`): `concern` (an assessor raises a
#: safeguarding or learning support concern without a review, from the laptop, pushed first and never pulled
#: back) and `case_status` (the state of a case a laptop's user raised: state and who/when only, made at the office).
#: Also at 4 (issue 17 item 2): a new entity, `portal_note` (a learner's tick on a target's action, an employer's
#: feedback for the next review, written in the portal: made at the office only), not sent to older clients.
#: 5 (issue 19): a conflict in a push result says where in a structured field it lies and who changed the server's
#: side (`FieldConflict`'s `CONFLICT_DETAIL_FIELDS`), left out for older clients, whose models forbid unknown fields.
#: Also at 5 (issue 19): a push may name the conflicts the laptop has resolved since (`PushRequest.resolved`), so the
#: office sees them resolved; a laptop sends it only to a server that speaks 5 (`RESOLVED_SINCE`), since an older
#: server forbids unknown fields.
PROTOCOL_VERSION = 5
#: The oldest client protocol the server still serves; an older client is answered 426 (`CLIENT_TOO_OLD`). Raise
#: it only when a change to the protocol is one an older client would get wrong.
MIN_CLIENT_PROTOCOL = 1
#: The request header in which a client says which protocol it speaks. A request without it (a client from before
#: the header, an office script, a load balancer) is taken as protocol 1.
PROTOCOL_HEADER = "X-ReviewApp-Protocol"
CLIENT_TOO_OLD = "This version of ReviewApp is too old for the server: update ReviewApp."

EntityName = Literal[
    "employer", "learner", "plan_item", "target", "review", "signature", "otj_entry", "review_sample",
    "alert_dismissal", "delivery", "concern", "case_status", "portal_note",
]

#: Entities in the order a receiver should apply them so that parents exist before their children.
#: A laptop pushes in this order too: `concern` first, so a disclosure reaches the safeguarding lead before anything
#: else of a long push (it names only a learner the server already holds, and is never pulled).
ENTITY_ORDER: tuple[str, ...] = (
    "concern",
    "employer",
    "learner",
    "plan_item",
    "review",
    "target",
    "signature",
    "otj_entry",
    "review_sample",
    "alert_dismissal",
    "delivery",
    "case_status",
    "portal_note",
)

LearnerStatus = Literal["active", "break_in_learning", "withdrawn", "completed"]
RagRating = Literal["red", "amber", "green"]
PlanItemKind = Literal["knowledge", "skill", "behaviour", "unit"]
TargetStatus = Literal["open", "met", "partly_met", "not_met", "no_longer_relevant"]
ReviewStatus = Literal["draft", "finalised", "void"]
SignatureRole = Literal["learner", "employer", "assessor"]


# --- What a record may hold --------------------------------------------------------------------------------------
# One rule, shared by the laptop (which builds and applies records) and the server (which stores and sends them
# back), for values every part of the chain can store, send back and hash: PostgreSQL text holds no NUL; UTF-8
# (JSON on the wire, SQLite and PostgreSQL text) holds no lone surrogate; SQLite integers stop at 2**63 and a
# JavaScript or JSON reader's exact integers at 2**53; the content hash turns instants into UTC, which overflows
# near the ends of Python's calendar; and every reader of nested JSON recurses. A value outside these is refused
# with a reason where it enters, never stored to break a later pull, sync or hash.

#: The calendar range of dates and instants in records (hashing moves instants to UTC, so a day from Python's
#: limits already overflows; reviews, births and plans all fall well inside these years).
MIN_YEAR, MAX_YEAR = 1900, 2200
#: Integers anywhere in a record lie within ±(2**53 − 1): exact in every JSON reader and in SQLite's 64 bits.
MAX_JSON_INT = 2**53 - 1
#: The most levels of objects and lists a record may hold, the record itself counted as one. The templates'
#: deepest answer is five (record → answers → target list → target → its actions), a signature's strokes four;
#: eight leaves room for a new question type and keeps every recursive reader far from Python's recursion limit.
MAX_NESTING = 8

# --- Size limits ---------------------------------------------------------------------------------------------------
# Sized from what the laptop sends: its signature pad renders a 600 x 200 PNG (a drawn signature is 20-100 KB in
# base64; even an incompressible picture of that size is under 500 KB) and keeps strokes at 4 decimal places (a
# signature is 300-3,000 points, about 5-55 KB of JSON); a whole progress review's answers are 5-20 KB. So a review
# with three drawn signatures is well under 1 MB, and every limit below is several times what a real one needs.

#: The largest request body the server reads (413 beyond it, refused before it is read whole): a push of about 60
#: real reviews with three drawn signatures each (~250 KB apiece), or of four reviews with every field at its limit,
#: or a full batch of 500 ordinary records, fits; and the server never holds more than this of one request.
MAX_BODY_BYTES = 16 * 1024 * 1024
#: The longest text any record field or answer may hold: about 8,000 words (16 pages), far past any answer typed in
#: a visit, so that only a pasted document could reach it (the laptop reads its own records through these models
#: too, so the limit is set well clear of real answers rather than close to them).
MAX_TEXT_CHARS = 50_000
#: The longest base64 signature image (≈ 450 KB of PNG, room for any picture the pad can render).
MAX_SIGNATURE_PNG_CHARS = 600_000
#: The most points a signature's strokes may hold (a minute of scribbling at a pen's event rate).
MAX_STROKE_POINTS = 20_000
#: The most characters a review's answers may take as JSON (25 times a long review, room for several long texts).
MAX_ANSWERS_CHARS = 500_000
#: The most actions one target may list.
MAX_TARGET_ACTIONS = 100
#: Record fields that hold an image rather than text, allowed up to `MAX_SIGNATURE_PNG_CHARS`.
IMAGE_FIELDS = frozenset({"image_png"})


def text_problem(text: str, max_chars: int | None = None) -> str | None:
    """Why a string cannot be stored and sent back (a NUL, a lone surrogate, too long), or None when it can."""
    if max_chars is not None and len(text) > max_chars:
        return f"is longer than {max_chars:,} characters"
    if "\x00" in text:
        return "holds a NUL character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "holds a lone surrogate (text that is not valid Unicode)"
    return None


def storable_problem(value: Any, max_nesting: int = MAX_NESTING, max_text: int = MAX_TEXT_CHARS) -> str | None:
    """Why a JSON-like value cannot be stored, sent back and hashed, or None when it can.

    Walks without recursion, so a value nested thousands deep is refused rather than overflowing the stack.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if item is None or isinstance(item, bool):
            continue
        if isinstance(item, str):
            problem = text_problem(item, max_text)
            if problem:
                return f"a text {problem}"
        elif isinstance(item, int):
            if not -MAX_JSON_INT <= item <= MAX_JSON_INT:
                return f"a whole number is outside ±{MAX_JSON_INT}"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return "a number is not finite (NaN or infinity)"
        elif isinstance(item, dt.date):
            if not MIN_YEAR <= item.year <= MAX_YEAR:
                return f"a date is outside the years {MIN_YEAR} to {MAX_YEAR}"
        elif isinstance(item, dict | list | tuple):
            if depth > max_nesting:
                return f"it is nested more than {max_nesting} levels deep"
            if isinstance(item, dict):
                for key, child in item.items():
                    if not isinstance(key, str):
                        return "a key is not text"
                    problem = text_problem(key, max_text)
                    if problem:
                        return f"a key {problem}"
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item)
        else:
            return f"it holds a {type(item).__name__}, which JSON cannot carry"
    return None


#: Values `record_problem` checks without walking them: they hold nothing nested.
_FLAT_TYPES = frozenset({str, int, float, bool, dt.date, dt.datetime})


def record_problem(fields: dict[str, Any], skip: frozenset[str] = frozenset()) -> str | None:
    """`storable_problem` for a record's fields (or a push's `base`): texts up to `MAX_TEXT_CHARS`, images more.

    `skip` names fields the caller's model checks itself down to every number (see `_Record`).
    """
    for name, value in fields.items():
        if name in skip and name not in IMAGE_FIELDS:
            continue
        limit = MAX_SIGNATURE_PNG_CHARS if name in IMAGE_FIELDS else MAX_TEXT_CHARS
        if type(name) is str and (value is None or type(value) in _FLAT_TYPES) and not text_problem(name, limit):
            # Most fields are one text, number or nothing: the walk below would check just this, but a record
            # has a dozen of them and an MIS import checks 100,000 records, so it is done without the walk.
            if value is None or type(value) is bool:
                continue
            problem = f"a text {found}" if type(value) is str and (found := text_problem(value, limit)) else None
            if problem is None and type(value) is not str:
                problem = storable_problem(value, max_text=limit)
        else:
            # Wrapped as {name: value}, so depths count from the record as a whole, as for a whole record.
            problem = storable_problem({name: value}, max_text=limit)
        if problem:
            # The field is named (never its value, which may be personal), so the answer says where to look.
            return f"{problem} in {str(name)[:60]!r}" if not isinstance(name, str) or not name.isidentifier() \
                else f"{problem} in {name}"
    return None


def _in_calendar(value: dt.date) -> dt.date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"must be within the years {MIN_YEAR} to {MAX_YEAR}")
    return value


#: A date, and an instant, within the calendar range (`MIN_YEAR`..`MAX_YEAR`).
CalendarDate = Annotated[dt.date, AfterValidator(_in_calendar)]
Instant = Annotated[dt.datetime, AfterValidator(_in_calendar)]
#: Bounded whole numbers for counters and positions a person or a template sets.
Position = Annotated[int, Field(ge=-1_000_000, le=1_000_000)]


class _Record(BaseModel):
    """Fields of a record as it travels in a pull's `data` (without the sync metadata).

    Whatever a field's type, the whole record must pass `record_problem` first (before any field is parsed, so
    a value nested too deep never reaches a recursive parser), and floats must be finite. Fields typed down to
    every number (`_typed_numbers`, a signature's strokes) are left to pydantic's own, far faster, checks: their
    type allows no text, no deeper nesting and (with `allow_inf_nan=False`) no NaN.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    _typed_numbers: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        if isinstance(value, dict):
            problem = record_problem(value, skip=cls._typed_numbers)
            if problem:
                raise ValueError(f"cannot be stored: {problem}")
        return value


class EmployerData(_Record):
    name: str = Field(min_length=1, max_length=200)
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    address: str = ""
    #: Whether the employer's contact agreed to be e-mailed the employer's copy of each review (protocol 4, issue 17):
    #: True agreed, False refused, None not asked. The server e-mails a copy only on True.
    email_consent: bool | None = None


#: The ILR's temporary ULN, "ULN to follow": many learners may hold it at once, each named by its `learner_ref`.
TEMPORARY_ULN = "9999999999"


class LearnerData(_Record):
    """A learner; field names match the MIS caseload CSV columns where they overlap."""

    uln: str = Field(pattern=r"^\d{10}$")
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    date_of_birth: CalendarDate | None = None
    email: str = ""
    phone: str = ""
    #: Whether the learner agreed to be e-mailed their copy of each review (protocol 4, issue 17): True agreed, False
    #: refused, None not asked. The server e-mails a copy only on True.
    email_consent: bool | None = None
    employer_id: str | None = None
    programme: str = ""
    level: int | None = Field(default=None, ge=1, le=8)
    start_date: CalendarDate
    planned_end_date: CalendarDate | None = None
    planned_otj_hours: float = Field(default=0, ge=0, le=100_000)
    assessor: str = ""
    support_needs: str = ""
    starting_points: str = ""
    status: LearnerStatus = "active"
    #: The MIS's own reference (the ILR's LearnRefNumber): what names a learner whose ULN is still to follow.
    learner_ref: str = Field(default="", max_length=12)
    #: The apprenticeship standard's code (the ILR's StdCode); None when the source names no standard by code.
    standard_code: int | None = Field(default=None, ge=1, le=99_999)
    # The learner's own review frequency (protocol 3), agreed with the employer: an ISO 8601 duration in weeks or
    # calendar months ("P10W", "P3M"); empty follows the provider's schedule. Who agreed it and why are part of it,
    # since an agreement is the only way the rules allow a longer gap (reviewapp.core.scheduling); the funding
    # ceiling of three calendar months still holds whatever is stored here.
    review_interval: str = Field(default="", pattern=r"^(P[1-9][0-9]?[WM])?$")
    review_interval_reason: str = ""
    review_interval_agreed_by: str = Field(default="", max_length=200)
    review_interval_agreed_on: CalendarDate | None = None
    #: The learner's English and maths levels at the start (protocol 3), as the initial assessment found them
    #: ("Entry 3", "Level 1", "GCSE grade 4"): the starting points inspectors ask for, beside the plan items' own.
    english_level_at_start: str = Field(default="", max_length=50)
    maths_level_at_start: str = Field(default="", max_length=50)

    @model_validator(mode="after")
    def _agreed_frequency(self) -> LearnerData:
        if self.review_interval and not (self.review_interval_reason.strip() and
                                         self.review_interval_agreed_by.strip() and self.review_interval_agreed_on):
            raise ValueError(REVIEW_FREQUENCY_NEEDS_AGREEMENT)
        return self


#: The fields of a learner's own review frequency: agreed at a visit and set on the laptop, never by the MIS (so an
#: import of the provider's records leaves them as they are).
REVIEW_FREQUENCY_FIELDS = ("review_interval", "review_interval_reason", "review_interval_agreed_by",
                           "review_interval_agreed_on")
#: Why a learner's own review frequency was refused without its reason and the employer's agreement.
REVIEW_FREQUENCY_NEEDS_AGREEMENT = ("A learner's own review frequency needs the reason for it, and who at the "
                                    "employer agreed to it and when.")


class PlanItemData(_Record):
    """One unit or knowledge/skill/behaviour of a learner's individual learning plan."""

    learner_id: str
    kind: PlanItemKind = "unit"
    code: str = ""
    title: str = Field(min_length=1)
    progress: int = Field(default=0, ge=0, le=100)
    position: Position = 0
    notes: str = ""
    #: When the plan (the standard's template, or the learner's own) means the item to be done (protocol 3).
    planned_date: CalendarDate | None = None
    #: The initial assessment of the item (protocol 3), on the scale of `progress` (a percentage): where the
    #: learner started, so that learning gain is progress since then (reviewapp.core.learning_gain). None when
    #: no starting point was recorded.
    starting_value: int | None = Field(default=None, ge=0, le=100)
    starting_note: str = ""


#: Plan item fields the office sets (the standard's plan template, the initial assessment) and a learner's plan
#: may adjust: added at protocol 3.
PLAN_ITEM_FIELDS_SINCE_3 = ("planned_date", "starting_value", "starting_note")
#: The learner's starting levels in English and maths, added at protocol 3.
STARTING_LEVEL_FIELDS = ("english_level_at_start", "maths_level_at_start")


class TargetData(_Record):
    learner_id: str
    text: str = Field(min_length=1)
    due_date: CalendarDate | None = None
    status: TargetStatus = "open"
    actions: list[str] = Field(default_factory=list, max_length=MAX_TARGET_ACTIONS)
    set_in_review_id: str | None = None
    followed_up_in_review_id: str | None = None
    follow_up_comment: str = ""
    carried_from_id: str | None = None


class ReviewData(_Record):
    learner_id: str
    template_id: str
    template_version: int = Field(ge=1, le=1_000_000)
    status: ReviewStatus = "draft"
    assessor: str = ""
    visit_date: CalendarDate | None = None
    answers: dict[str, Any] = Field(default_factory=dict)
    progress_rag: RagRating | None = None
    welfare_rag: RagRating | None = None
    next_review_date: CalendarDate | None = None
    next_review_reason: str = ""
    #: The booked start time of the next review, "HH:MM" Europe/London, and its length (protocol 4, issue 17).
    next_review_time: str | None = Field(default=None, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    next_review_minutes: int | None = Field(default=None, ge=5, le=480)
    finalised_at: Instant | None = None
    content_hash: str | None = None
    void_reason: str = ""
    addendum_to_id: str | None = None

    @field_validator("answers")
    @classmethod
    def _answers_size(cls, answers: dict[str, Any]) -> dict[str, Any]:
        import json

        if len(json.dumps(answers, ensure_ascii=False, default=str)) > MAX_ANSWERS_CHARS:
            raise ValueError(f"the answers take more than {MAX_ANSWERS_CHARS:,} characters")
        return answers


class SignatureData(_Record):
    _typed_numbers: ClassVar[frozenset[str]] = frozenset({"strokes"})

    review_id: str
    role: SignatureRole
    name: str = ""
    signed_at: Instant | None = None
    image_png: str | None = Field(default=None, description="PNG image, base64")
    strokes: list[list[list[float]]] = Field(default_factory=list)
    absent_reason: str = ""

    @field_validator("strokes")
    @classmethod
    def _strokes_size(cls, strokes: list[list[list[float]]]) -> list[list[list[float]]]:
        if sum(len(stroke) for stroke in strokes) > MAX_STROKE_POINTS:
            raise ValueError(f"the strokes hold more than {MAX_STROKE_POINTS:,} points")
        if any(len(point) > 3 for stroke in strokes for point in stroke):
            raise ValueError("a stroke's point holds more than x, y and pressure")
        return strokes


class OtjEntryData(_Record):
    """One entry of a learner's off-the-job log. `description` is what was learnt (its name kept from protocol 1,
    so older laptops still read it); `evidence` (protocol 3) says where that is shown: a portfolio item, a
    certificate, a witness."""

    learner_id: str
    date: CalendarDate
    hours: float = Field(gt=0, le=24)
    activity: str = ""
    description: str = ""
    evidence: str = ""


#: A quality judgement of one part of a finalised review (`ReviewSampleData`).
SampleAnswer = Literal["yes", "partly", "no"]
#: What a quality sample judges, in the order it is asked: each is a `SampleAnswer` field with a `<name>_note`.
SAMPLE_CHECKS: tuple[str, ...] = ("targets_smart", "learning_plan_used", "safety_equality_reinforced",
                                  "welfare_followed_up")


class ReviewSampleData(_Record):
    """A quality lead's sample of one finalised review (protocol 3): a judgement of each of `SAMPLE_CHECKS` with a
    note, and feedback for the assessor. Made only in the office web app and sent down to the laptops that hold the
    learner; never edited (a second look is a new sample), so a signed review itself is never touched."""

    review_id: str
    learner_id: str
    #: Who sampled it (display name, else username) and when.
    sampled_by: str = ""
    sampled_at: Instant | None = None
    targets_smart: SampleAnswer | None = None
    targets_smart_note: str = ""
    learning_plan_used: SampleAnswer | None = None
    learning_plan_used_note: str = ""
    safety_equality_reinforced: SampleAnswer | None = None
    safety_equality_reinforced_note: str = ""
    welfare_followed_up: SampleAnswer | None = None
    welfare_followed_up_note: str = ""
    feedback: str = ""


class AlertDismissalData(_Record):
    """An alert dismissed with a reason (protocol 4): made on a laptop (pushed like any record) or in the office web
    app, sent to every laptop holding the learner, never edited. `alert_key` names the occurrence dismissed
    (`reviewapp.core.alerts.Alert.key`), so the learner's next occurrence alerts again."""

    learner_id: str
    alert_key: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=1000)
    #: Who dismissed it (display name, else username) and when (their device's clock, or the server's).
    dismissed_by: str = Field(default="", max_length=200)
    dismissed_at: Instant | None = None
#: Which copy of a review was handed over, how, and what came of it (`DeliveryData`).
DeliveryCopy = Literal["learner", "employer", "provider"]
#: printed (to a printer), saved (as a PDF file, to hand over), emailed (by the server's mail queue, issue 17).
DeliveryChannel = Literal["printed", "saved", "emailed"]
#: A printed or saved copy is `delivered` when made; an e-mail is `sent`, then perhaps `bounced`.
DeliveryStatus = Literal["delivered", "sent", "bounced"]
#: The statuses that count as the copy reaching its reader (the office's "copies shared" figure).
DELIVERED_STATUSES: tuple[str, ...] = ("delivered", "sent")
#: How each copy reads in a sentence ("Learner's copy printed 01/12/2026 14:05").
DELIVERY_COPY_WORDS: dict[str, str] = {"learner": "Learner's copy", "employer": "Employer's copy",
                                       "provider": "Provider's copy"}


class DeliveryData(_Record):
    """One copy of a finalised review handed over (protocol 4): made on the laptop each time a copy is printed or
    saved as a PDF to hand over, and by the server when it e-mails one (issue 17: the address it went to, whether
    that person agreed to e-mail, a bounce). Never edited on the laptop: a second print is a second delivery."""

    review_id: str
    learner_id: str
    copy_for: DeliveryCopy
    channel: DeliveryChannel
    status: DeliveryStatus = "delivered"
    delivered_at: Instant
    #: Who handed it over (the assessor's display name, else username; the server for an e-mail).
    delivered_by: str = Field(default="", max_length=200)
    #: For an e-mail: the address it went to, whether its owner agreed to e-mail (None: not asked), a bounce's
    #: reason and when.
    recipient: str = Field(default="", max_length=320)
    consent_recorded: bool | None = None
    bounced_at: Instant | None = None
    bounce_reason: str = Field(default="", max_length=1000)


#: Who works a case (reviewapp.core.templates.CaseRoute, the same names): the designated safeguarding lead (and
#: deputies), or the learning support officer.
CaseRouteName = Literal["safeguarding", "learning_support"]
CaseUrgencyName = Literal["urgent", "routine"]
#: A case's state: open until acknowledged; referred on to an outside agency; closed.
CaseState = Literal["open", "acknowledged", "referred", "closed"]


class ConcernData(_Record):
    """A concern an assessor raises about a learner without a review (protocol 4), on the laptop, offline too: it
    opens a case on the server for the route's role. Pushed, never pulled: its content is for the case's readers."""

    learner_id: str
    route: CaseRouteName = "safeguarding"
    urgency: CaseUrgencyName = "urgent"
    text: str = Field(min_length=1)
    #: When the assessor raised it, by the laptop's clock.
    raised_at: Instant | None = None


class CaseStatusData(_Record):
    """The state of a case, sent to the laptop of the assessor who raised it (protocol 4): state and who/when only,
    never what the case's log says. Made at the office."""

    learner_id: str
    #: What raised it: a review, or a concern raised without one.
    review_id: str | None = None
    concern_id: str | None = None
    route: CaseRouteName
    state: CaseState = "open"
    #: Who moved it to `state` (their role in words: "the safeguarding lead") and when.
    state_by: str = ""
    state_at: Instant | None = None
    opened_at: Instant | None = None


PortalNoteKind = Literal["action_done", "feedback"]
#: The longest feedback an employer may write in the portal.
MAX_PORTAL_FEEDBACK = 2000


class PortalNoteData(_Record):
    """Written in the portal by a learner or their employer's contact (issue 17 item 2), made at the office only:
    `action_done` ticks off one of a target's actions (`target_id`, the action's text as it was), `feedback` is the
    employer's word for the next review. `written_by` says who in words ("Sam Smith (learner)")."""

    learner_id: str
    kind: PortalNoteKind
    target_id: str | None = None
    action: str = Field(default="", max_length=500)
    text: str = Field(default="", max_length=MAX_PORTAL_FEEDBACK)
    written_by: str = Field(default="", max_length=200)
    written_at: Instant | None = None


ENTITY_MODELS: dict[str, type[_Record]] = {
    "employer": EmployerData,
    "learner": LearnerData,
    "plan_item": PlanItemData,
    "target": TargetData,
    "review": ReviewData,
    "signature": SignatureData,
    "otj_entry": OtjEntryData,
    "review_sample": ReviewSampleData,
    "alert_dismissal": AlertDismissalData,
    "delivery": DeliveryData,
    "concern": ConcernData,
    "case_status": CaseStatusData,
    "portal_note": PortalNoteData,
}

#: Metadata every syncable record carries besides its fields.
SYNC_META_FIELDS: tuple[str, ...] = ("id", "rev", "updated_at", "updated_by", "deleted")


def entity_fields(entity: str) -> tuple[str, ...]:
    """The data field names of an entity, in declaration order."""
    return tuple(ENTITY_MODELS[entity].model_fields)


#: Record fields added after protocol 1, with the protocol that added them. A client older than that would refuse
#: the whole record for a field it does not know (the models forbid unknown fields), so the server leaves such
#: fields out of what it sends that client (`fields_for_protocol`). A push from that client never names them, and
#: the server merges a push into the stored record, so their values are kept.
RECORD_FIELDS_SINCE: dict[str, dict[str, int]] = {
    # Protocol 3: the learner's own review frequency, the ILR's learner reference and standard code, the starting
    # levels in English and maths; a plan item's planned date and starting point.
    "learner": {**dict.fromkeys((*REVIEW_FREQUENCY_FIELDS, "learner_ref", "standard_code", *STARTING_LEVEL_FIELDS), 3),
                "email_consent": 4},
    # Protocol 4 (issue 17): whether the learner, and the employer's contact, agreed to be e-mailed their copies.
    "employer": {"email_consent": 4},
    "plan_item": dict.fromkeys(PLAN_ITEM_FIELDS_SINCE_3, 3),
    # Protocol 3: where an off-the-job entry's learning is evidenced.
    "otj_entry": {"evidence": 3},
    # Protocol 4 (issue 17): the booked time and length of the next review.
    "review": {"next_review_time": 4, "next_review_minutes": 4},
}


#: Entities added after protocol 1, with the protocol that added them: a client older than that is sent none of
#: them (its models know no such entity and would refuse the page's change). The cursor still moves past them, as
#: with `RECORD_FIELDS_SINCE`: an older laptop updated later gets only the ones made after it updated.
ENTITY_SINCE: dict[str, int] = {"review_sample": 3, "alert_dismissal": 4, "delivery": 4, "concern": 4,
                               "case_status": 4, "portal_note": 4}


#: Entities made only at the office and sent down: a laptop never pushes them (the server refuses it) and holds
#: them read-only.
OFFICE_ONLY_ENTITIES: frozenset[str] = frozenset({"review_sample", "case_status", "portal_note"})
#: Entities a laptop pushes and the server never sends back in a pull (their content is for a case's readers only).
PUSH_ONLY_ENTITIES: frozenset[str] = frozenset({"concern"})


def entities_for_protocol(protocol: int) -> tuple[str, ...]:
    """The entities a client speaking `protocol` is sent, in `ENTITY_ORDER` (never the push-only ones)."""
    return tuple(name for name in ENTITY_ORDER
                 if ENTITY_SINCE.get(name, 1) <= protocol and name not in PUSH_ONLY_ENTITIES)


def fields_for_protocol(entity: str, data: dict[str, Any], protocol: int) -> dict[str, Any]:
    """A record's fields as a client speaking `protocol` can read them: without fields added after it."""
    newer = [name for name, since in RECORD_FIELDS_SINCE.get(entity, {}).items() if since > protocol and name in data]
    if not newer:
        return data
    return {name: value for name, value in data.items() if name not in newer}


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

UserRole = Literal["assessor", "manager", "quality_lead", "admin", "safeguarding_lead", "safeguarding_deputy",
                   "learning_support"]
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
    """A request body: its own text must be storable and sendable back, so NUL characters and lone surrogates are
    refused with a reason (422). Records inside a push (`fields`, `base`) are checked per change instead, so one bad
    record is one `rejected` change rather than a refused batch."""

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        # PostgreSQL text cannot hold NUL, nor UTF-8 a lone surrogate; refuse them here rather than fail later.
        problem = text_problem(value) if isinstance(value, str) else None
        if problem:
            raise ValueError(f"cannot be stored: it {problem}")
        return value


class TokenRequest(_Request):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=1000)
    #: The name the user gives this laptop at its first sign-in ("Sam's ThinkPad"); the server keeps the first.
    device_name: str = Field(min_length=1, max_length=200)
    #: The `device_id` of an earlier sign-in from this laptop, so it keeps one device row (optional: without it,
    #: or when it is not this user's live device, the server makes a new one).
    device_id: str | None = Field(default=None, max_length=64)
    host_name: str = Field(default="", max_length=200)
    app_version: str = Field(default="", max_length=50)


class PasswordChangeRequest(_Request):
    """`POST /api/v1/auth/password`: the user's own change, proven by the current password rather than a token,
    so it also serves the sign-in that was answered `password_change_required`."""

    username: str = Field(min_length=1, max_length=150)
    current_password: str = Field(min_length=1, max_length=1000)
    new_password: str = Field(min_length=1, max_length=1000)


class PasswordChangeResponse(_Message):
    server_id: str
    #: Every token of the account has ended: sign in with the new password.
    detail: str


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
    #: How many changes wait after this page, for a progress bar's total; sent only when asked (`count=1`), so a
    #: laptop that predates it never meets the field.
    remaining: int | None = None


class PushChange(_Request):
    """One local change. `base` holds, for each field in `fields`, the value the client started from."""

    change_id: str = Field(min_length=1, max_length=64)
    entity: EntityName
    id: str = Field(pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
    op: PushOp
    base_rev: int = Field(default=0, ge=0, le=2**62)
    base: dict[str, Any] = Field(default_factory=dict)
    fields: dict[str, Any] = Field(default_factory=dict)
    #: When the change was made, by the device's clock (optional; the audit log keeps it beside the receipt time).
    made_at: dt.datetime | None = None

    @field_validator("made_at", mode="after")
    @classmethod
    def _made_at_in_utc(cls, value: dt.datetime | None) -> dt.datetime | None:
        """Kept in UTC (no offset means UTC); a time with no UTC equivalent in range is refused, not a 500."""
        if value is None:
            return None
        try:
            utc = (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
        except (OverflowError, ValueError):
            raise ValueError("must be a time between the years 1900 and 9000") from None
        if not 1900 <= utc.year <= 9000:
            raise ValueError("must be a time between the years 1900 and 9000")
        return utc


ConflictResolution = Literal["kept_mine", "kept_theirs", "combined"]


class ResolvedConflict(_Request):
    """A conflict the laptop's user resolved (by the `conflict_id` the push answer gave it), and how."""

    conflict_id: str = Field(min_length=1, max_length=64)
    resolution: ConflictResolution


class PushRequest(_Request):
    """`resolved` (protocol 5): conflicts resolved on the laptop since its last push. Keep theirs changes nothing
    on the server, so only this tells it; keep mine and a combined value say it too, alongside the change they
    make, so the server records how each was resolved in the laptop's words rather than guessing from values."""

    batch_id: str = Field(min_length=1, max_length=64)
    device_id: str = Field(min_length=1, max_length=64)
    changes: list[PushChange] = Field(max_length=MAX_PUSH_CHANGES)
    resolved: list[ResolvedConflict] = Field(default_factory=list, max_length=MAX_PUSH_CHANGES)


#: The protocol from which a server takes `PushRequest.resolved`; a laptop leaves it out for an older server.
RESOLVED_SINCE = 5


class FieldConflict(_Message):
    """A field changed both here and on the server: the server kept `server_value`; the client's is stored too.

    A structured field (a review's `answers`) merges per question and per item (issue 19): `path` then names the
    question and item id both sides changed, the `*_at_path` values are the two sides there, and `client_value`
    is the server's whole value with only the client's part at `path` in it, so a client that keeps its own by
    sending `client_value` over `server_value` changes that part alone. `path` empty: the whole field. The
    `server_changed_*` say who last changed the record the server kept, on which device and when. All added at
    protocol 5 and sent only to clients that speak it (`CONFLICT_DETAIL_FIELDS`): older laptops forbid unknown
    fields, and read the conflict as before.
    """

    conflict_id: str
    field: str
    base_value: Any = None
    server_value: Any = None
    client_value: Any = None
    path: list[str] = Field(default_factory=list)
    base_at_path: Any = None
    server_at_path: Any = None
    client_at_path: Any = None
    server_changed_by: str | None = None
    server_changed_device: str | None = None
    server_changed_at: dt.datetime | None = None


#: `FieldConflict` fields added at protocol 5: the server leaves them out of a push answer to an older client.
CONFLICT_DETAIL_FIELDS: frozenset[str] = frozenset({
    "path", "base_at_path", "server_at_path", "client_at_path", "server_changed_by", "server_changed_device",
    "server_changed_at"})
CONFLICT_DETAIL_SINCE = 5


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


#: Why a request or a sign-in was refused, for programs (`detail` is the sentence for people). Only
#: `device_revoked` means the server no longer accepts this laptop at all; the other 401 codes ask the user to sign
#: in again. `password_change_required` (403) answers a right password an admin has reset: set a new one with
#: `POST /api/v1/auth/password`. `account_locked` and `too_many_attempts` (429, with Retry-After) answer sign-ins
#: after too many failures, whatever the password.
AuthErrorCode = Literal[
    "device_revoked", "token_expired", "token_invalid", "credentials_invalid", "account_disabled",
    "password_change_required", "account_locked", "too_many_attempts",
]
AUTH_ERROR_CODES: tuple[str, ...] = get_args(AuthErrorCode)


class ErrorResponse(_Message):
    server_id: str
    detail: str
    #: Set on 401 answers, and on sign-ins answered 403 or 429 (see `AuthErrorCode`); absent elsewhere.
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


class PasswordResetRequest(_Request):
    """Admin only: give a user a new password, by default one they must change at their next sign-in."""

    new_password: str = Field(min_length=1, max_length=1000)
    force_change: bool = True


class UserStateResponse(_Message):
    """The account after an admin action on it (disable, enable, unlock, reset)."""

    server_id: str
    username: str
    active: bool
    must_change_password: bool
    #: False when the account was already in that state.
    changed: bool


class AssignmentResponse(_Message):
    server_id: str
    learner_id: str
    assessor: str
    #: False when the learner was already in that caseload.
    changed: bool


#: The largest logo the office may set: it is sent to every laptop and printed on every copy.
MAX_LOGO_BYTES = 512 * 1024
LogoMediaType = Literal["image/png", "image/jpeg"]


class ProviderLogo(_Message):
    media_type: LogoMediaType
    #: The image file, base64-encoded.
    data: str


class ProviderSettingsResponse(_Message):
    """`GET /api/v1/settings` (protocol 3): what the office set for every laptop.

    `version` rises with every change; a laptop that sends the version it holds (`?have=`) gets `unchanged` and
    nothing else when there is nothing new. A setting the office never set is null (or no templates): the laptop
    then keeps its own. Templates are the JSON of every version added at the office, oldest first per id.
    """

    server_id: str
    protocol_version: int = PROTOCOL_VERSION
    version: int
    unchanged: bool = False
    provider_name: str | None = None
    logo: ProviderLogo | None = None
    schedule: dict[str, Any] | None = None
    templates: list[dict[str, Any]] = Field(default_factory=list)
    #: Protocol 4: the provider's public address copies are checked at (`/verify/<id>?h=`), null when not set.
    verify_address: str | None = None
    #: Protocol 4: the alert settings (`reviewapp.core.alerts.alert_settings_to_document`).
    alerts: dict[str, Any] | None = None


#: Settings fields an older client does not know (its models forbid unknown fields): left out of its answer.
SETTINGS_FIELDS_SINCE: dict[str, int] = {"verify_address": 4, "alerts": 4}


class ProviderSettingsChange(_Request):
    """Admin only (`PUT /api/v1/admin/settings`): the settings to change, all or none; those left out stay."""

    provider_name: str | None = Field(default=None, max_length=1000)
    logo: ProviderLogo | None = None
    schedule: dict[str, Any] | None = None


class TemplateAddRequest(_Request):
    """Admin only (`POST /api/v1/admin/templates`): a new version of a review template, as its JSON file holds it."""

    template: dict[str, Any]
