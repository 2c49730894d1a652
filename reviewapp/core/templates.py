"""Review templates: the questions of a progress review, held as data and checked before anyone sees them.

A template is JSON in `reviewapp/resources/templates/`. The wizard builds one step per section, the rules in
`review_rules` decide completeness from it, and the PDF prints from it, so a template that is wrong in any way
(a duplicate id, a choice without options, a condition on a question that does not exist) must fail on loading,
with a message that names the section and question to fix, rather than as a confusing wizard on a learner's site.

Answer shapes, by question type (what the UI stores in `ReviewData.answers[question.id]`):

- text, long_text: str
- choice, rag: str (an option value; rag values are "red", "amber", "green")
- multi_choice: list[str] of option values
- yes_no: bool
- date: ISO date str "YYYY-MM-DD"
- number, hours: int | float
- flag: {"raised": bool, "detail": str}
- scenario: {"scenario_id": str, "response": str}
- previous_targets: {target_id: {"status": TargetStatus, "comment": str, "carry_forward": bool}}
- plan_progress_grid: {plan_item_id: {"progress": int 0–100, "comment": str}}
- target_list: list of {"text": str, "due_date": ISO str | None, "actions": list[str], "carried_from_id": str | None}
- signature: nothing in answers; signatures are `SignatureData` records of the question's role.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from reviewapp.core.resources import resource_path

QuestionType = Literal[
    "text",
    "long_text",
    "choice",
    "multi_choice",
    "yes_no",
    "rag",
    "date",
    "time",
    "number",
    "hours",
    "flag",
    "scenario",
    "previous_targets",
    "plan_progress_grid",
    "target_list",
    "signature",
]

#: The one order yes/no answers are offered in, for yes/no questions and flags alike, in the wizard and on the paper
#: form: a question that put "No" first next to one that put "Yes" first had assessors picking the wrong one at speed.
YES_NO_CHOICES: tuple[tuple[bool, str], ...] = ((True, "Yes"), (False, "No"))

#: Facts the rules read from a named question rather than by question id, and the answer type each needs. All but
#: `has_support_needs` (which shortens the next interval) are copied into the review record on finalising.
RECORD_FIELD_TYPES: dict[str, tuple[str, ...]] = {
    "visit_date": ("date",),
    "progress_rag": ("rag",),
    "welfare_rag": ("rag",),
    "next_review_date": ("date",),
    "next_review_time": ("time",),
    "next_review_minutes": ("number",),
    "has_support_needs": ("yes_no",),
}
#: What a question's answer means to the app beyond the review itself, named by the template rather than by a
#: question id in code: `visit_location` is where the visit took place (the next review's calendar location).
QuestionKey = Literal["visit_location"]
#: Templates made before `key` existed named these questions by id alone; `question_for_key` still finds them.
LEGACY_KEY_IDS: dict[str, str] = {"visit_location": "visit_location"}
RecordField = Literal["visit_date", "progress_rag", "welfare_rag", "next_review_date", "next_review_time",
                      "next_review_minutes", "has_support_needs"]

#: Values the app computes (read-only in the wizard) and the question types that may show them.
DERIVED_TYPES: dict[str, tuple[str, ...]] = {
    "otj_planned_to_date": ("hours", "number"),
    "otj_shortfall": ("hours", "number"),
    "next_review_proposed": ("date",),
}
Derived = Literal["otj_planned_to_date", "otj_shortfall", "next_review_proposed"]

#: Starting values a new draft takes from the learner's records; unlike derived values the assessor may change them.
Prefill = Literal["otj_logged_since_last_review", "otj_logged_to_date", "employer_contact_name"]
#: The question types each prefilled value fits: hours for the OTJ log's figures, text for a name.
PREFILL_TYPES: dict[str, tuple[str, ...]] = {
    "otj_logged_since_last_review": ("hours", "number"),
    "otj_logged_to_date": ("hours", "number"),
    "employer_contact_name": ("text",),
}

RAG_VALUES = ("red", "amber", "green")
SignatureRole = Literal["learner", "employer", "assessor"]

#: Who a printed copy is for. Each answer names the copies that carry it (`audience`, on a question or its section;
#: every copy when neither says); the rule that applies it is `reviewapp.core.audience.answer_visible_to`.
Audience = Literal["learner", "employer", "provider"]
AUDIENCES: tuple[Audience, ...] = ("learner", "employer", "provider")

_TYPES_WITH_OPTIONS = frozenset({"choice", "multi_choice", "rag"})
#: Types that take their rows from the learner's records, so a template may hold at most one of each.
_SINGLETON_TYPES = ("previous_targets", "plan_progress_grid", "target_list")
_ID_PATTERN = r"^[a-z][a-z0-9_]*$"
#: What a template id may look like; it names the template's file, so nothing else (a path, say) can name a template.
TEMPLATE_ID_PATTERN = r"^[a-z][a-z0-9-]*$"


class TemplateError(ValueError):
    """A template that cannot be used; the message names the template, section and question at fault."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Strict):
    value: str = Field(min_length=1)
    label: str = Field(min_length=1)
    help: str = ""
    #: The words on printed copies, where `label` speaks to the assessor ("You (the assessor)"); empty: `label`.
    print_label: str = ""

    def words(self, printed: bool = False) -> str:
        """The option's words on screen, or on a printed copy (its reader-facing label where it has one)."""
        return (self.print_label or self.label) if printed else self.label


class Scenario(_Strict):
    """A workplace situation put to the learner; `look_for` guides the assessor's judgement of the answer."""

    id: str = Field(pattern=_ID_PATTERN)
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    look_for: list[str] = Field(default_factory=list)


_OPERATORS = ("equals", "one_of", "includes", "excludes", "greater_than", "differs_from")


class ShowIf(_Strict):
    """Show a question only when an earlier answer meets exactly one of these conditions."""

    question: str
    equals: str | bool | float | None = None
    one_of: list[str] | None = None
    includes: str | None = None
    excludes: str | None = None
    greater_than: float | None = None
    differs_from: str | None = None

    @model_validator(mode="after")
    def _exactly_one_condition(self) -> ShowIf:
        given = [name for name in _OPERATORS
                 if name in self.model_fields_set]
        if len(given) != 1:
            raise ValueError(
                f"show_if needs exactly one of {', '.join(_OPERATORS)}; "
                f"found {', '.join(given) or 'none'}"
            )
        return self

    @property
    def operator(self) -> str:
        return next(name for name in _OPERATORS
                    if name in self.model_fields_set)


class AudienceIf(_Strict):
    """A narrower audience for an answer when an earlier answer meets a condition: an addendum's corrected entry is
    as private as the part of the review it corrects."""

    when: ShowIf
    audience: list[str]


#: Who works a case a concern raises (reviewapp.core.concerns): the designated safeguarding lead (and deputies),
#: or the learning support officer.
CaseRoute = Literal["safeguarding", "learning_support"]
CASE_ROUTES: tuple[str, ...] = ("safeguarding", "learning_support")
#: How soon a case must be looked at: `urgent` today, `routine` within the working week.
CaseUrgency = Literal["urgent", "routine"]
#: The question types whose answers can raise a case: a flag when raised, an option question for some values.
CASE_TYPES = ("flag", "yes_no", "rag", "choice")


class RaisesCase(_Strict):
    """Which answers to a question open a case on the server, and for whom (the rule: reviewapp.core.concerns).

    A flag raises one when it is raised (`when` left out); a yes/no question when its answer is `when` (true or
    false, one value); a rag or choice question when its answer is one of `when`.
    """

    route: CaseRoute
    urgency: CaseUrgency = "urgent"
    when: list[str | bool] | None = None


class Question(_Strict):
    id: str = Field(pattern=_ID_PATTERN)
    type: QuestionType
    label: str = Field(min_length=1)
    #: The label on printed copies, read by the learner and employer, where `label` addresses the assessor
    #: ("What evidence did you look at?"); empty means `label` reads right for everyone.
    print_label: str = ""
    help: str = ""
    required: bool = False
    options: list[Option] = Field(default_factory=list)
    prompts: list[str] = Field(default_factory=list)
    scenarios: list[Scenario] = Field(default_factory=list)
    show_if: ShowIf | None = None
    detail_label: str = ""
    min: float | None = None
    max: float | None = None
    min_items: int | None = Field(default=None, ge=1)
    record_field: RecordField | None = None
    derived: Derived | None = None
    prefill: Prefill | None = None
    role: SignatureRole | None = None
    allow_absence: bool = True
    #: The copies that carry this answer; None takes the section's (and a section's None means every copy).
    audience: list[str] | None = None
    audience_if: AudienceIf | None = None
    #: Answers that open a safeguarding or learning support case (see `RaisesCase`).
    raises_case: RaisesCase | None = None
    #: What the answer means to the app (see `QuestionKey`); at most one question of a template has each key.
    key: QuestionKey | None = None

    @property
    def printed_label(self) -> str:
        """The question's words on a printed copy: its reader-facing label if it has one, else its label."""
        return self.print_label or self.label

    def option_label(self, value: Any, printed: bool = False) -> str:
        """The words shown for a stored option value (the value itself if the template no longer has it); with
        `printed`, the words of a printed copy."""
        if self.type == "yes_no":
            return dict(YES_NO_CHOICES).get(value, "") if isinstance(value, bool) else ""
        return next((o.words(printed) for o in self.options if o.value == value), str(value))


class Section(_Strict):
    id: str = Field(pattern=_ID_PATTERN)
    title: str = Field(min_length=1)
    intro: str = ""
    kind: Literal["questions", "summary"] = "questions"
    #: The copies that carry this section's answers, unless a question says otherwise; None means every copy.
    audience: list[str] | None = None
    questions: list[Question] = Field(default_factory=list)


class Template(_Strict):
    id: str = Field(pattern=TEMPLATE_ID_PATTERN)
    version: int = Field(ge=1)
    #: A progress review, or an addendum correcting one (which sets no targets and moves no review dates).
    kind: Literal["review", "addendum"] = "review"
    title: str = Field(min_length=1)
    description: str = ""
    sections: list[Section] = Field(min_length=1)

    def questions(self) -> Iterator[tuple[Section, Question]]:
        """Every question with its section, in the order the wizard asks them."""
        for section in self.sections:
            for question in section.questions:
                yield section, question

    def question(self, question_id: str) -> Question:
        for _, question in self.questions():
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def section_of(self, question_id: str) -> Section:
        """The section that asks a question (KeyError if none does)."""
        for section, question in self.questions():
            if question.id == question_id:
                return section
        raise KeyError(question_id)

    def question_for_record_field(self, record_field: str) -> Question | None:
        return next((q for _, q in self.questions() if q.record_field == record_field), None)

    def question_for_key(self, key: str) -> Question | None:
        """The question the template marks with `key`; in a template that marks none, the question with the id
        earlier templates used for it (LEGACY_KEY_IDS), so an old template still works."""
        questions = [q for _, q in self.questions()]
        marked = next((q for q in questions if q.key == key), None)
        if marked is not None or any(q.key is not None for q in questions):
            return marked
        legacy = LEGACY_KEY_IDS.get(key)
        return next((q for q in questions if q.id == legacy), None)

    def questions_of_type(self, question_type: str) -> list[Question]:
        return [q for _, q in self.questions() if q.type == question_type]


def choose_scenario(question: Question, review_id: str) -> Scenario:
    """The scenario a review puts to the learner: fixed by the review id, so a reopened draft shows the same one,
    yet spread across the bank over a caseload so learners do not all rehearse one answer."""
    if not question.scenarios:
        raise ValueError(f"question {question.id!r} has no scenario bank")
    digest = hashlib.sha256(f"{review_id}:{question.id}".encode()).digest()
    return question.scenarios[int.from_bytes(digest[:8], "big") % len(question.scenarios)]


def scenario_shown(question: Question, review_id: str, answer: Any = None) -> Scenario:
    """The scenario to show for a scenario question: the one recorded in the answer if there is one, else the
    review's own draw. Honouring the recorded one keeps a signed answer next to the scenario it answered."""
    recorded = answer.get("scenario_id") if isinstance(answer, dict) else None
    found = next((s for s in question.scenarios if s.id == recorded), None)
    return found if found is not None else choose_scenario(question, review_id)


# --- Loading ------------------------------------------------------------------------------------------------------


def templates_dir() -> Path:
    return resource_path("templates")


#: Templates the provider's office set (pulled at sync and kept in the account's store), by (id, version). They sit
#: beside the bundled ones rather than replacing them: the bundled ones are the fallback for a laptop that has never
#: synced, and every version a review was made with stays loadable, whichever of the two holds it.
_provided: dict[tuple[str, int], Template] = {}


def provide_templates(templates: list[Template]) -> None:
    """Make the office's templates (checked already: `parse_template`) available beside the bundled ones, replacing
    those provided before. The store calls it on opening an account and after each sync brings new ones; one
    account is open per process, so the registry is the open account's."""
    _provided.clear()
    _provided.update({(t.id, t.version): t for t in templates})


def provided_templates() -> list[Template]:
    return sorted(_provided.values(), key=lambda t: (t.id, t.version))


def _bundled_current() -> list[Template]:
    return [load_template_file(path) for path in sorted(templates_dir().glob("*.json")) if ".v" not in path.stem]


def _latest_provided(template_id: str) -> Template | None:
    versions = [t for (tid, _), t in _provided.items() if tid == template_id]
    return max(versions, key=lambda t: t.version, default=None)


def available_templates(kind: str = "review") -> list[tuple[str, int, str]]:
    """(id, version, title) of the current version of each template of `kind`, by id: the highest version the
    office provided or the app bundles (in `reviewapp/resources/templates`).

    Earlier versions, kept as `<id>.v<version>.json` (or provided before), so past reviews and open drafts still
    display as they were made, are not offered for new reviews.
    """
    latest: dict[str, Template] = {}
    for template in [*_bundled_current(), *_provided.values()]:
        if template.id not in latest or template.version > latest[template.id].version:
            latest[template.id] = template
    return sorted(((t.id, t.version, t.title) for t in latest.values() if t.kind == kind), key=lambda row: row[0])


def load_template_file(path: Path) -> Template:
    """One template file, checked; raises TemplateError if unusable."""
    return _load_file(path)


def load_template(name_or_path: str | Path, version: int | None = None) -> Template:
    """A template by id (`apprenticeship-progress-review`) or by file path; raises TemplateError if unusable.

    With `version`, the exact version a review was made with: one the office provided (`provide_templates`), the
    current file if it has that version, else an earlier one kept as `<id>.v<version>.json`. Without, the highest
    version of the office's and the bundled.
    """
    path = Path(name_or_path)
    if path.suffix == ".json":
        template = _load_file(path)
        if version is not None and template.version != version:
            raise TemplateError(f"{path.name} holds version {template.version} of {template.id!r}, not {version}")
        return template
    name = str(name_or_path)
    current = templates_dir() / f"{name}.json"
    if version is None:
        provided = _latest_provided(name)
        bundled = _load_file(current) if current.is_file() or provided is None else None
        if provided is not None and (bundled is None or provided.version > bundled.version):
            return provided
        assert bundled is not None
        return bundled
    if (name, version) in _provided:
        return _provided[(name, version)]
    for candidate in (templates_dir() / f"{name}.v{version}.json", current):
        if candidate.is_file():
            template = _load_file(candidate)
            if template.version == version:
                return template
    raise TemplateError(f"Version {version} of the review template {name!r} is not installed")


def _load_file(path: Path) -> Template:
    if not path.is_file():
        raise TemplateError(f"No review template at {path}")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise TemplateError(f"Template {path.name} is not valid JSON: {exc}") from exc
    return parse_template(raw, source=path.name)


def parse_template(raw: Any, source: str = "template") -> Template:
    """Validate a template already read from JSON; raises TemplateError naming the section and question at fault."""
    try:
        template = Template.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = _describe_location(raw, source, error["loc"])
        raise TemplateError(f"{where}: {error['msg']}") from exc
    _check_semantics(template, source)
    return template


def _describe_location(raw: Any, source: str, loc: tuple[int | str, ...]) -> str:
    """Turn pydantic's `sections.3.questions.2.options` into `section 'x', question 'y', field options`."""
    parts = [f"Template {source}"]
    node: Any = raw
    rest = list(loc)
    for key in ("sections", "questions"):
        if len(rest) >= 2 and rest[0] == key and isinstance(rest[1], int):
            try:
                node = node[key][rest[1]]
                label = node.get("id") if isinstance(node, dict) else None
            except (KeyError, IndexError, TypeError):
                label = None
            parts.append(f"{key[:-1]} {label!r}" if label else f"{key[:-1]} number {rest[1] + 1}")
            rest = rest[2:]
        else:
            break
    if rest:
        parts.append("field " + ".".join(str(p) for p in rest))
    return ", ".join(parts)


def _check_semantics(template: Template, source: str) -> None:
    """The checks pydantic cannot express field by field: ids, options per type, conditions, roles."""

    def fail(section: Section | None, question: Question | None, message: str) -> None:
        parts = [f"Template {source}"]
        if section is not None:
            parts.append(f"section {section.id!r}")
        if question is not None:
            parts.append(f"question {question.id!r}")
        raise TemplateError(", ".join(parts) + f": {message}")

    section_ids: set[str] = set()
    for section in template.sections:
        if section.id in section_ids:
            fail(section, None, "duplicate section id")
        section_ids.add(section.id)
        if section.kind == "summary" and section.questions:
            fail(section, None, "a summary section shows the review and cannot hold questions")
        if section.kind == "questions" and not section.questions:
            fail(section, None, "section has no questions")
        if section.audience is not None:
            _check_audience(section.audience, "audience", lambda msg, s=section: fail(s, None, msg))

    earlier: dict[str, Question] = {}
    record_fields: set[str] = set()
    keys: set[str] = set()
    derived: set[str] = set()
    roles: set[str] = set()
    singletons: set[str] = set()
    for section, question in template.questions():
        if question.id in earlier:
            fail(section, question, "duplicate question id")
        _check_question(question, lambda msg, s=section, q=question: fail(s, q, msg))
        if question.show_if is not None:
            _check_show_if(question.show_if, question, earlier, lambda msg, s=section, q=question: fail(s, q, msg))
        _check_question_audience(template, section, question, earlier,
                                 lambda msg, s=section, q=question: fail(s, q, msg))
        if question.record_field is not None:
            if question.record_field in record_fields:
                fail(section, question, f"record_field {question.record_field!r} is already set by another question")
            record_fields.add(question.record_field)
        if question.key is not None:
            if question.key in keys:
                fail(section, question, f"key {question.key!r} is already on another question")
            keys.add(question.key)
        if question.derived == "otj_shortfall":
            earlier_values = {q.derived for q in earlier.values()} | {q.prefill for q in earlier.values()}
            if not {"otj_planned_to_date", "otj_logged_to_date"} <= earlier_values:
                fail(section, question, "otj_shortfall needs, before it, a question showing otj_planned_to_date "
                     "and one prefilled with otj_logged_to_date")
        if question.derived is not None:
            if question.derived in derived:
                fail(section, question, f"derived value {question.derived!r} is already shown by another question")
            derived.add(question.derived)
        if question.type == "signature":
            if question.role in roles:
                fail(section, question, f"a second signature for the {question.role}")
            roles.add(question.role or "")
        if question.type in _SINGLETON_TYPES:
            if question.type in singletons:
                fail(section, question, f"a template may hold only one {question.type} question")
            singletons.add(question.type)
        earlier[question.id] = question


def _check_question(question: Question, fail: Any) -> None:
    kind = question.type
    if kind in _TYPES_WITH_OPTIONS:
        if len(question.options) < 2:
            fail(f"a {kind} question needs at least two options")
        values = [o.value for o in question.options]
        if len(set(values)) != len(values):
            fail("duplicate option values")
        if kind == "rag" and sorted(values) != sorted(RAG_VALUES):
            fail("a rag question needs exactly the options red, amber and green, each with words")
        if kind == "rag":
            for option in question.options:
                if option.label.strip().lower() == option.value:
                    fail(f"rag option {option.value!r} needs words saying what it means, e.g. 'Green — on track'")
    elif question.options:
        fail(f"a {kind} question takes no options")
    for words, where in [(question.print_label, "print_label"),
                         *((o.print_label, f"print_label of option {o.value!r}") for o in question.options)]:
        if words and not words.strip():
            fail(f"{where} is blank; leave it out to print the label")
    if kind == "scenario":
        if not question.scenarios:
            fail("a scenario question needs a bank of at least one scenario")
        ids = [s.id for s in question.scenarios]
        if len(set(ids)) != len(ids):
            fail("duplicate scenario ids")
    elif question.scenarios:
        fail(f"a {kind} question takes no scenarios")
    if kind == "signature":
        if question.role is None:
            fail("a signature question needs a role: learner, employer or assessor")
        if question.role == "assessor" and question.allow_absence:
            fail("the assessor must always sign: set allow_absence to false")
    elif question.role is not None:
        fail(f"a {kind} question takes no role")
    if (question.min is not None or question.max is not None) and kind not in ("number", "hours"):
        fail(f"a {kind} question takes no min or max")
    if question.min is not None and question.max is not None and question.min > question.max:
        fail("min is greater than max")
    if question.min_items is not None and kind not in ("multi_choice", "target_list"):
        fail(f"a {kind} question takes no min_items")
    if question.record_field is not None and kind not in RECORD_FIELD_TYPES[question.record_field]:
        fail(f"record_field {question.record_field!r} needs a {' or '.join(RECORD_FIELD_TYPES[question.record_field])}"
             " question")
    if question.derived is not None:
        if kind not in DERIVED_TYPES[question.derived]:
            fail(f"derived value {question.derived!r} needs a {' or '.join(DERIVED_TYPES[question.derived])} question")
        if question.required:
            fail("a derived value is computed by the app, so it cannot be required")
    if question.prefill is not None and kind not in PREFILL_TYPES[question.prefill]:
        fits = PREFILL_TYPES[question.prefill]
        fail(f"prefill {question.prefill!r} needs {'an' if fits[0][0] in 'aeiouh' else 'a'} {' or '.join(fits)} "
             "question")
    if question.prefill is not None and question.derived is not None:
        fail("a question is either derived or prefilled, not both")
    if kind == "flag" and not question.detail_label:
        fail("a flag question needs a detail_label for the text box that explains the concern")
    if question.raises_case is not None:
        _check_raises_case(question, fail)


def _check_raises_case(question: Question, fail: Any) -> None:
    rule, kind = question.raises_case, question.type
    assert rule is not None
    if kind not in CASE_TYPES:
        fail(f"a {kind} question cannot raise a case: only {', '.join(CASE_TYPES)} questions can")
    elif kind == "flag":
        if rule.when is not None:
            fail("raises_case on a flag takes no 'when': a raised flag raises the case")
    elif not rule.when:
        fail("raises_case needs 'when': the answers that raise the case")
    elif kind == "yes_no":
        if len(rule.when) != 1 or not isinstance(rule.when[0], bool):
            fail("raises_case on a yes/no question needs 'when' of one value, true or false")
    else:
        values = {o.value for o in question.options}
        unknown = [v for v in rule.when if v not in values]
        if unknown:
            fail(f"raises_case names answers the question does not offer: {', '.join(map(str, unknown))}")


def _check_audience(audience: list[str], field: str, fail: Any) -> None:
    """An audience names known copies, each once, and always the provider: its copy is the record of the review,
    so it carries every answer."""
    unknown = [a for a in audience if a not in AUDIENCES]
    if unknown:
        fail(f"{field} {', '.join(repr(a) for a in unknown)} is not a copy; use learner, employer or provider")
    if len(set(audience)) != len(audience):
        fail(f"{field} names a copy twice")
    if "provider" not in audience:
        fail(f"{field} must include provider: the provider's copy is the record of the review and carries every "
             "answer")


def _check_question_audience(template: Template, section: Section, question: Question,
                             earlier: dict[str, Question], fail: Any) -> None:
    """Audiences must be valid, and a question may not be shown on a copy that lacks the answer deciding whether it
    is asked: the question's mere presence would tell that reader the withheld answer."""
    from reviewapp.core.audience import declared_audience  # the rule lives with the other audience code

    if question.audience is not None:
        _check_audience(question.audience, "audience", fail)
    if question.audience_if is not None:
        _check_audience(question.audience_if.audience, "audience_if.audience", fail)
        _check_show_if(question.audience_if.when, question, earlier, fail)
        if question.type == "signature":
            fail("a signature is on every copy, so it takes no audience_if")
    if question.type == "signature" and question.audience is not None and set(question.audience) != set(AUDIENCES):
        fail("a signature is on every copy: every party signed the same review")
    if question.show_if is None:
        return
    mine = set(declared_audience(template, section, question))
    for other_id in (question.show_if.question, question.show_if.differs_from):
        depends_on = earlier.get(other_id or "")
        if depends_on is None:
            continue
        withheld = mine - set(declared_audience(template, template.section_of(depends_on.id), depends_on))
        if withheld:
            fail(f"the {' and '.join(sorted(withheld))} copy would show this question but not {depends_on.id!r}, "
                 "whose answer decides whether it is asked; give it an audience no wider than that question's")


def _check_show_if(condition: ShowIf, question: Question, earlier: dict[str, Question], fail: Any) -> None:
    if condition.question == question.id:
        fail("show_if refers to the question itself")
    target = earlier.get(condition.question)
    if target is None:
        fail(f"show_if refers to {condition.question!r}, which is not a question asked before this one")
        return
    operator = condition.operator
    option_values = [o.value for o in target.options]
    if operator == "equals":
        if target.type in ("yes_no", "flag") and not isinstance(condition.equals, bool):
            fail(f"show_if on the {target.type} question {target.id!r} must compare with true or false")
        if target.type in ("choice", "rag") and condition.equals not in option_values:
            fail(f"show_if value {condition.equals!r} is not an option of {target.id!r}")
    elif operator == "one_of":
        if target.type not in ("choice", "rag"):
            fail(f"show_if one_of needs a choice or rag question, and {target.id!r} is a {target.type}")
        unknown = [v for v in condition.one_of or [] if v not in option_values]
        if unknown:
            fail(f"show_if values {unknown} are not options of {target.id!r}")
    elif operator in ("includes", "excludes"):
        if target.type != "multi_choice":
            fail(f"show_if {operator} needs a multi_choice question, and {target.id!r} is a {target.type}")
        value = getattr(condition, operator)
        if value not in option_values:
            fail(f"show_if value {value!r} is not an option of {target.id!r}")
    elif operator == "greater_than":
        if target.type not in ("number", "hours"):
            fail(f"show_if greater_than needs a number or hours question, and {target.id!r} is a {target.type}")
    elif operator == "differs_from":
        other = earlier.get(condition.differs_from or "")
        if other is None:
            fail(f"show_if differs_from refers to {condition.differs_from!r}, which is not an earlier question")
