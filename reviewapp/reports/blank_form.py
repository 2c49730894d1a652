"""A blank paper form, generated from the review template, for when the laptop cannot be used on site.

Generated rather than drawn by hand so the paper form always asks exactly what the app asks, in the same order and
words, and a review taken on paper can be typed in afterwards question by question. Follow-up questions say when
they apply, because paper cannot hide them.

It is laid out to be carried: a question with a short answer (a date, a number, a name, yes or no) takes one row,
its label on the left and its answer space on the right; options sit in two or three columns; a written answer gets
ruled lines at college-ruled spacing (7 mm); the app's guidance runs on after each label in small type. That took
the form from 16 pages to 10 and still leaves room to write.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from reviewapp.core.documents import ReportSettings
from reviewapp.core.templates import YES_NO_CHOICES, Question, Template, load_template
from reviewapp.reports.layout import (
    FONT_COMMAND,
    FRAME_WIDTH,
    MUTED,
    RULE,
    PageFurniture,
    Styles,
    build_pdf,
    grid,
    para,
    styles,
    text,
)

BOX = "☐"
#: Ruled lines for a written answer, by question type: room for two or three sentences of handwriting.
_LINES = {"long_text": 3, "scenario": 3, "flag": 2}
#: College-ruled spacing, the narrowest line most people write on comfortably.
LINE_SPACING = 7 * mm
#: Question types whose answer fits beside the label, on the same row.
_BESIDE_TYPES = frozenset({"text", "date", "number", "hours", "yes_no"})
#: Question types printed so they may run over a page break, and the room they need to start on a page.
_FLOWING_TYPES = frozenset({"scenario", "previous_targets", "plan_progress_grid", "target_list"})
_FLOWING_START = 45 * mm
#: The colour of guidance run on after a label: the muted ink of the shared help style.
_GUIDANCE_COLOUR = MUTED.hexval().replace("0x", "#")
#: The longest option (with its box) that fits a third of the width on one line, so options go in three columns.
_SHORT_OPTION = 34
#: Width of the label column when the answer sits beside it.
_LABEL_WIDTH = 88 * mm


class WritingLines(Flowable):
    """Ruled lines to write on."""

    def __init__(self, count: int, spacing: float = LINE_SPACING, width: float = FRAME_WIDTH) -> None:
        super().__init__()
        self.count, self.spacing, self.width = count, spacing, width

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = min(self.width, avail_width)
        return self.width, self.count * self.spacing

    def draw(self) -> None:
        canvas = self.canv
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        for line in range(self.count):
            y = line * self.spacing + 1
            canvas.line(0, y, self.width, y)


def _condition(question: Question, template: Template) -> str:
    """When a follow-up question applies, in words."""
    cond = question.show_if
    if cond is None:
        return ""
    other = template.question(cond.question)
    name = f"“{other.label}”"
    operator = cond.operator
    if operator == "equals":
        return f"Answer only if {name} is {other.option_label(cond.equals) or cond.equals}."
    if operator == "one_of":
        return f"Answer only if {name} is {' or '.join(other.option_label(v) for v in cond.one_of or [])}."
    if operator == "includes":
        return f"Answer only if {name} includes {other.option_label(cond.includes)}."
    if operator == "excludes":
        return f"Answer only if {name} does not include {other.option_label(cond.excludes)}."
    if operator == "greater_than":
        return f"Answer only if {name} is more than {cond.greater_than:g}."
    return f"Answer only if {name} is different from “{template.question(cond.differs_from or '').label}”."


def _options(question: Question, st: Styles) -> list[Flowable]:
    """Tick boxes for the options in columns read down then across: three when every option is short, else two
    (one column would leave half the width empty); a label too long for its column wraps within it."""
    if question.type == "yes_no":
        return [para("      ".join(f"{BOX} {label}" for _value, label in YES_NO_CHOICES), st.body)]
    labels = [f"{BOX}  {o.label}" for o in question.options]
    columns = 3 if max(map(len, labels)) <= _SHORT_OPTION and len(labels) > 2 else 2
    per_column = -(-len(labels) // columns)
    rows = [[para(labels[c * per_column + r], st.cell) if c * per_column + r < len(labels) else ""
             for c in range(columns)] for r in range(per_column)]
    table = Table(rows, colWidths=[FRAME_WIDTH / columns] * columns, hAlign="LEFT")
    table.setStyle(TableStyle([FONT_COMMAND, ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                               ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    return [table]


def _tick_hint(question: Question) -> str:
    return {"multi_choice": "tick all that apply", "choice": "tick one", "rag": "tick one"}.get(question.type, "")


def _answer_space(question: Question, st: Styles) -> list[Flowable]:
    kind = question.type
    if kind in ("choice", "multi_choice", "rag", "yes_no"):
        return _options(question, st)
    if kind == "date":
        return [para("____ / ____ / ________  (DD/MM/YYYY)", st.body)]
    if kind == "time":
        return [para("____ : ____  (HH:MM, 24-hour)", st.body)]
    if kind == "text":
        return [WritingLines(1, width=FRAME_WIDTH - _LABEL_WIDTH)]
    if kind in ("number", "hours"):
        unit = " hours" if kind == "hours" else ""
        suffix = "  (worked out by the app; fill in from the records)" if question.derived else ""
        return [para(f"____________{unit}{suffix}", st.body)]
    if kind == "flag":
        detail = question.detail_label or "give details"
        boxes = [f"{BOX} {label}" + (f": {detail}" if value else "") for value, label in YES_NO_CHOICES]
        return [para("      ".join(boxes), st.body), WritingLines(_LINES["flag"])]
    if kind == "scenario":
        told = ParagraphStyle("form-scenario", parent=st.cell, fontSize=8, leading=10)  # read out, not written on
        story: list[Flowable] = [para("Scenario used (tick one):", st.help)]
        for scenario in question.scenarios:
            story.append(Paragraph(f"{BOX}  <b>{text(_sentence(scenario.title))}</b> {text(scenario.text)}", told))
            story.append(Spacer(1, 1 * mm))
        # the answer's label never ends a page with its lines on the next
        return [*story, KeepTogether([para("The learner's answer:", st.label), WritingLines(_LINES["scenario"])])]
    if kind == "previous_targets":
        rows = [[para(h, st.cell_bold) for h in ("Target", "Outcome", "Comment")]]
        outcome = f"{BOX} Met  {BOX} Partly met\n{BOX} Not met  {BOX} No longer relevant\n{BOX} Carry forward"
        rows += [[para("", st.cell), para(outcome, st.cell), para("", st.cell)] for _ in range(4)]
        table = grid(rows, [70 * mm, 52 * mm, FRAME_WIDTH - 122 * mm], row_heights=[None] + [18 * mm] * 4)
        return [table]
    if kind == "plan_progress_grid":
        rows = [[para(h, st.cell_bold) for h in ("Plan item", "Progress (%)", "Comment")]]
        rows += [["", "", ""] for _ in range(10)]
        table = grid(rows, [80 * mm, 24 * mm, FRAME_WIDTH - 104 * mm], row_heights=[None] + [8 * mm] * 10)
        return [table]
    if kind == "target_list":
        rows = [[para(h, st.cell_bold) for h in ("Target (SMART)", "Due by", "Small steps")]]
        rows += [["", "", ""] for _ in range(4)]
        table = grid(rows, [90 * mm, 24 * mm, FRAME_WIDTH - 114 * mm], row_heights=[None] + [20 * mm] * 4)
        return [table]
    return [WritingLines(_LINES.get(kind, 2))]


def _signatures(questions: list[Question], st: Styles) -> list[Flowable]:
    """One table for the signatures, a row each, with the reason line for anyone allowed not to sign."""
    rows: list[list[Any]] = [[para(h, st.cell_bold) for h in ("", "Name", "Signature", "Date and time")]]
    for question in questions:
        who = para(question.label, st.cell_bold)
        why = para("If they cannot sign, why:", st.small) if question.allow_absence else ""
        rows.append([[who, why] if why else who, "", "", ""])
    table = grid(rows, [40 * mm, 45 * mm, 60 * mm, FRAME_WIDTH - 145 * mm],
                 row_heights=[None] + [16 * mm] * len(questions))
    return [table]


def _question_block(question: Question, template: Template, st: Styles) -> list[Flowable]:
    """A question's label, when it applies, its help and prompts, then the space for its answer: beside the label
    for a short answer, under it otherwise."""
    hint = _tick_hint(question)
    words = f"<b>{text(question.label)}</b>" + ("" if question.required else " (optional)")
    if hint:
        words += f" — {hint}"
    # When it applies and the app's help run on after the label, in small type: a line each would double the
    # height of most questions without a word more of guidance.
    guidance = " ".join(part for part in (_condition(question, template), question.help) if part)
    if guidance:
        words += f" <font size=7.5 color='{_GUIDANCE_COLOUR}'><i>{text(guidance)}</i></font>"
    about: list[Flowable] = [Paragraph(words, st.label)]
    if question.prompts:  # run on, not a line each: they are reminders, and the lines below are for the answer
        about.append(para("Ask about: " + "  •  ".join(question.prompts), st.small))
    if question.type == "scenario":  # the question, never alone at the foot of a page, with its first scenario
        answer = _answer_space(question, st)
        return [KeepTogether([*about, *answer[:3]]), *answer[3:]]
    if question.type not in _BESIDE_TYPES:
        return [*about, *_answer_space(question, st)]
    row = Table([[about, _answer_space(question, st)]], colWidths=[_LABEL_WIDTH, FRAME_WIDTH - _LABEL_WIDTH],
                hAlign="LEFT")
    row.setStyle(TableStyle([FONT_COMMAND, ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                             ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (0, 0), 6),
                             ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    return [row]


def _lead_in_height(block: list[Any]) -> float:
    """The height of what comes before a flowing question's table or scenarios: its heading, label and guidance."""
    height = 0.0
    for flowable in block:
        if isinstance(flowable, Table | KeepTogether):
            break
        height += flowable.wrap(FRAME_WIDTH, 1_000_000)[1] + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return height


def form_styles() -> Styles:
    """The shared styles, tightened for a form: guidance in smaller type, less space after each line of it. The
    guidance is the app's, word for word, but the space on a form belongs to the answers."""
    st = styles()
    return replace(
        st,
        help=ParagraphStyle("form-help", parent=st.help, fontSize=7.5, leading=9, spaceAfter=1),
        label=ParagraphStyle("form-label", parent=st.label, fontName=st.body.fontName, leading=10.5, spaceAfter=1.5),
        heading=ParagraphStyle("form-heading", parent=st.heading, spaceBefore=5, spaceAfter=2),
    )


def blank_form_pdf(template: Template | None = None, *, settings: ReportSettings | None = None) -> bytes:
    """The template as a blank A4 paper form (bytes); the current progress review template by default."""
    template = template or load_template("apprenticeship-progress-review")
    settings = settings or ReportSettings()
    st = form_styles()
    header = [("Learner", "ULN"), ("Employer", "Assessor"), ("Programme and level", "Date")]
    facts = grid([[para(a, st.cell_bold), "", para(b, st.cell_bold), ""] for a, b in header],
                 [36 * mm, FRAME_WIDTH / 2 - 36 * mm, 20 * mm, FRAME_WIDTH / 2 - 20 * mm],
                 header=False, row_heights=[8 * mm] * len(header))
    story: list[Flowable] = [
        para(settings.provider_name, st.provider), para(f"{template.title} — paper form", st.title),
        para(f"Template {template.id}, version {template.version}. Use when the app cannot be used, and type the "
             "answers into the app afterwards.", st.small), Spacer(1, 3 * mm), facts,
    ]
    for section in template.sections:
        if section.kind == "summary":
            continue
        opening: list[Any] = [para(section.title, st.heading)]
        if section.intro:
            opening.append(para(section.intro, st.help))
        if section.questions and all(q.type == "signature" for q in section.questions):
            story.append(KeepTogether([*opening, *_signatures(section.questions, st)]))
            continue
        for question in section.questions:
            # the section's title travels with its first question, never alone at the foot of a page
            block: list[Any] = [*opening, *_question_block(question, template, st), Spacer(1, 1.5 * mm)]
            opening = []
            if question.type in _FLOWING_TYPES:
                # A scenario bank or a table of rows to fill may be taller than what is left of a page; moving it
                # whole left half a page empty, so it flows on, its rows (under a repeated header) split across the
                # break, once enough room is left for its question and first rows.
                story += [CondPageBreak(_lead_in_height(block) + _FLOWING_START), *block]
            else:
                story.append(KeepTogether(block))
    story.append(para("Typed into the app by ____________________ on ____ / ____ / ________", st.small))
    furniture = PageFurniture(running_header=f"{template.title} — paper form (v{template.version})",
                              footer_left="Paper form", footer_centre=settings.provider_name)
    return build_pdf(story, furniture, title=f"{template.title} — paper form", subject="Blank paper form",
                     author=settings.provider_name)


def _sentence(title: str) -> str:
    """A heading run into its text ends with a full stop, unless it already ends with punctuation."""
    return title if title.endswith((".", "?", "!")) else title + "."
