"""A blank paper form, generated from the review template, for when the laptop cannot be used on site.

Generated rather than drawn by hand so the paper form always asks exactly what the app asks, in the same order and
words, and a review taken on paper can be typed in afterwards question by question. Follow-up questions say when
they apply, because paper cannot hide them.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from reviewapp.core.documents import ReportSettings
from reviewapp.core.templates import YES_NO_CHOICES, Question, Template, load_template
from reviewapp.reports.layout import (
    FONT_COMMAND,
    FRAME_WIDTH,
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
_LINES = {"text": 1, "long_text": 4, "scenario": 4}


class WritingLines(Flowable):
    """Ruled lines to write on."""

    def __init__(self, count: int, spacing: float = 8 * mm, width: float = FRAME_WIDTH) -> None:
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
    if question.type == "yes_no":
        return [para("      ".join(f"{BOX} {label}" for _value, label in YES_NO_CHOICES), st.body)]
    hint = "Tick all that apply." if question.type == "multi_choice" else "Tick one."
    labels = [f"{BOX}  {o.label}" for o in question.options]
    if max(map(len, labels)) > 48:
        return [para(hint, st.help)] + [para(label, st.body) for label in labels]
    half = (len(labels) + 1) // 2  # short options in two columns, read down then across
    rows = [[para(labels[i], st.body), para(labels[i + half], st.body) if i + half < len(labels) else ""]
            for i in range(half)]
    table = Table(rows, colWidths=[FRAME_WIDTH / 2] * 2, hAlign="LEFT")
    table.setStyle(TableStyle([FONT_COMMAND, ("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    return [para(hint, st.help), table]


def _answer_space(question: Question, st: Styles) -> list[Flowable]:
    kind = question.type
    if kind in ("choice", "multi_choice", "rag", "yes_no"):
        return _options(question, st)
    if kind == "date":
        return [para("____ / ____ / ________  (DD/MM/YYYY)", st.body)]
    if kind in ("number", "hours"):
        unit = " hours" if kind == "hours" else ""
        suffix = "  (worked out by the app; fill in from the records)" if question.derived else ""
        return [para(f"____________{unit}{suffix}", st.body)]
    if kind == "flag":
        detail = question.detail_label or "give details"
        boxes = [f"{BOX} {label}" + (f": {detail}" if value else "") for value, label in YES_NO_CHOICES]
        return [para("      ".join(boxes), st.body), WritingLines(2)]
    if kind == "scenario":
        story: list[Flowable] = [para("Scenario used (tick one):", st.help)]
        for scenario in question.scenarios:
            story.append(Paragraph(f"{BOX}  <b>{text(_sentence(scenario.title))}</b> {text(scenario.text)}", st.body))
        return [*story, para("The learner's answer:", st.label), WritingLines(4)]
    if kind == "previous_targets":
        rows = [[para(h, st.cell_bold) for h in ("Target", "Outcome", "Comment")]]
        outcome = f"{BOX} Met  {BOX} Partly met\n{BOX} Not met  {BOX} No longer relevant\n{BOX} Carry forward"
        rows += [[para("", st.cell), para(outcome, st.cell), para("", st.cell)] for _ in range(4)]
        table = grid(rows, [70 * mm, 52 * mm, FRAME_WIDTH - 122 * mm], row_heights=[None] + [18 * mm] * 4)
        return [table]
    if kind == "plan_progress_grid":
        rows = [[para(h, st.cell_bold) for h in ("Plan item", "Progress (%)", "Comment")]]
        rows += [["", "", ""] for _ in range(10)]
        table = grid(rows, [80 * mm, 24 * mm, FRAME_WIDTH - 104 * mm], row_heights=[None] + [9 * mm] * 10)
        return [table]
    if kind == "target_list":
        rows = [[para(h, st.cell_bold) for h in ("Target (SMART)", "Due by", "Small steps")]]
        rows += [["", "", ""] for _ in range(4)]
        table = grid(rows, [90 * mm, 24 * mm, FRAME_WIDTH - 114 * mm], row_heights=[None] + [22 * mm] * 4)
        return [table]
    if kind == "signature":
        rows = [[para(h, st.cell_bold) for h in ("Name", "Signature", "Date and time")], ["", "", ""]]
        table = grid(rows, [55 * mm, 75 * mm, FRAME_WIDTH - 130 * mm], row_heights=[None, 16 * mm])
        extra = [para("If they cannot sign, why: ______________________________________________", st.small)] \
            if question.allow_absence else []
        return [table, *extra]
    return [WritingLines(_LINES.get(kind, 2))]


def blank_form_pdf(template: Template | None = None, *, settings: ReportSettings | None = None) -> bytes:
    """The template as a blank A4 paper form (bytes); the current progress review template by default."""
    template = template or load_template("apprenticeship-progress-review")
    settings = settings or ReportSettings()
    st = styles()
    header = [("Learner", ""), ("ULN", ""), ("Employer", ""), ("Programme and level", ""), ("Assessor", "")]
    facts = grid([[para(a, st.cell_bold), para(b, st.cell)] for a, b in header], [45 * mm, FRAME_WIDTH - 45 * mm],
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
        for question in section.questions:
            # the section's title travels with its first question, never alone at the foot of a page
            block: list[Any] = [*opening, para(question.label + ("" if question.required else " (optional)"),
                                               st.label)]
            opening = []
            condition = _condition(question, template)
            if condition:
                block.append(para(condition, st.help))
            if question.help:
                block.append(para(question.help, st.help))
            block += [para("• " + prompt, st.small) for prompt in question.prompts]
            block += _answer_space(question, st)
            block.append(Spacer(1, 3 * mm))
            if question.type == "scenario":  # a whole scenario bank may not fit one page; let it flow
                story += block
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
