"""The pre-visit pack: one or two pages an assessor reads in the car park before walking in.

It gathers what the review will follow up (open targets, the actions agreed last time), where the learner stands on
the plan and on off-the-job hours, and who to ask for, so the review starts from the records rather than memory.
The off-the-job figures come from `reviewapp.core.otj`, the same figures the review itself will show.

The pack is for the assessor alone (the provider), so it carries every answer; but the assessor reads it on the
employer's premises and goes into a three-way meeting with it. So what was agreed last time is split by the same
rule the printed copies follow (`reviewapp.core.audience.answer_visible_to`): what to follow up with the learner and
employer together, and what the employer's copy withheld, to follow up with the learner in private.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from reviewapp.core import otj
from reviewapp.core.audience import answer_visible_to
from reviewapp.core.dates import format_date, london_today
from reviewapp.core.documents import PreVisitPack, ReportSettings
from reviewapp.core.templates import Template, TemplateError, load_template
from reviewapp.reports.layout import (
    FONT_COMMAND,
    FRAME_WIDTH,
    RULE,
    SHADE,
    PageFurniture,
    Styles,
    build_pdf,
    grid,
    heading,
    label,
    para,
    rag_badge,
    styles,
)

#: Answers of the last review that record something someone agreed to do, in the order they are worth reading.
#: Which of them may be raised in front of the employer is the template's to say, not this list's.
ACTION_QUESTIONS = ("behind_actions", "otj_recovery_plan", "welfare_concerns", "als_changes",
                    "employer_opportunities", "english_maths_support")
#: The heading over the answers the employer's copy withheld.
PRIVATE_HEADING = "With the learner in private (withheld from the employer's copy)"
_KINDS = {"knowledge": "Knowledge", "skill": "Skill", "behaviour": "Behaviour", "unit": "Unit"}


def pre_visit_pdf(pack: PreVisitPack, *, settings: ReportSettings | None = None,
                  as_of: dt.date | None = None) -> bytes:
    """The pre-visit pack for one learner as an A4 PDF (bytes), with figures as of `as_of` (default today)."""
    settings = settings or ReportSettings()
    as_of = as_of or london_today()
    st = styles()
    story: list[Flowable] = [para(settings.provider_name, st.provider),
                             para(f"Pre-visit pack: {pack.learner_name}", st.title), Spacer(1, 2 * mm),
                             _facts(pack, as_of, st)]
    story += _otj(pack, as_of, st)
    story += _last_review(pack, st)
    story += _open_targets(pack, as_of, st)
    story += _plan(pack, st)
    furniture = PageFurniture(
        running_header=f"Pre-visit pack — {pack.learner_name} (ULN {pack.learner.uln}) — {format_date(as_of)}",
        footer_left="Pre-visit pack — assessor only", footer_centre=settings.provider_name,
    )
    return build_pdf(story, furniture, title=f"Pre-visit pack: {pack.learner_name}", subject="Pre-visit pack",
                     author=settings.provider_name)


def _facts(pack: PreVisitPack, as_of: dt.date, st: Styles) -> Table:
    learner, employer = pack.learner, pack.employer
    contact = ", ".join(x for x in (employer.contact_name, employer.contact_phone) if x) if employer else ""
    level = f", level {learner.level}" if learner.level else ""
    facts = [
        ("Learner", pack.learner_name, "ULN", learner.uln),
        ("Employer", employer.name if employer else "Not recorded", "Contact", contact or "Not recorded"),
        ("Programme", (learner.programme or "Not recorded") + level, "Prepared", format_date(as_of)),
        ("Started", format_date(learner.start_date), "Planned end", format_date(learner.planned_end_date) or "—"),
        ("Reviews so far", str(pack.reviews_done), "Next review due",
         format_date(pack.last_review.next_review_date) if pack.last_review else "First review"),
        ("Support needs", learner.support_needs or "None recorded",
         "Status", learner.status.replace("_", " ").capitalize()),
    ]
    widths = [31 * mm, FRAME_WIDTH / 2 - 31 * mm] * 2
    table = Table([[para(a, st.cell_bold), para(b, st.cell), para(c, st.cell_bold), para(d, st.cell)]
                   for a, b, c, d in facts], colWidths=widths, hAlign="LEFT")
    table.setStyle(TableStyle([FONT_COMMAND, ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                               ("BOX", (0, 0), (-1, -1), 0.5, RULE), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _otj(pack: PreVisitPack, as_of: dt.date, st: Styles) -> list[Flowable]:
    position = otj.otj_position(pack.learner, pack.otj_entries, as_of)
    since = pack.last_review.visit_date if pack.last_review else None
    logged_since = otj.logged_hours(pack.otj_entries, since=since, until=as_of)

    def hours(value: float | None) -> str:
        return "Not known (no planned end date or hours)" if value is None else f"{value:g} hours"

    rows = [
        ["Planned for the whole programme", hours(pack.learner.planned_otj_hours)],
        ["Planned by today", hours(position.planned_to_date)],
        ["Logged to date", hours(position.logged_to_date)],
        ["Logged since the last review" if since else "Logged since the start", hours(logged_since)],
        ["Behind the plan by", hours(position.shortfall) if position.behind else "Not behind"],
    ]
    table = grid([[para(a, st.cell_bold), para(b, st.cell)] for a, b in rows], [68 * mm, FRAME_WIDTH - 68 * mm],
                 header=False)
    story: list[Flowable] = [*heading("Off-the-job training", st), table]
    if position.behind:
        story += [Spacer(1, 2 * mm), rag_badge("amber", "Behind on off-the-job hours: agree how they will be made "
                                                        "up, with the employer.", st)]
    return story


def _template(pack: PreVisitPack) -> Template | None:
    if pack.last_review is None:
        return None
    try:
        return load_template(pack.last_review.template_id, pack.last_review.template_version)
    except TemplateError:
        return None


def _last_review(pack: PreVisitPack, st: Styles) -> list[Flowable]:
    story: list[Flowable] = [*heading("The last review", st)]
    review = pack.last_review
    if review is None:
        return [*story, para("No review has been finalised yet: this will be the first.", st.body)]
    story.append(para(f"Reviewed on {format_date(review.visit_date)}.", st.body))
    for what, rating in (("Progress", review.progress_rag), ("Welfare", review.welfare_rag)):
        if rating:
            story += [rag_badge(rating, f"{what}: {rating}", st), Spacer(1, 1.5 * mm)]
    template = _template(pack)
    agreed = [(qid, review.answers.get(qid)) for qid in ACTION_QUESTIONS]
    agreed = [(qid, value) for qid, value in agreed if isinstance(value, str) and value.strip()]
    if not agreed:
        story.append(para("No further actions were recorded.", st.body))
    shared = [(qid, value) for qid, value in agreed if _for_the_employer(template, qid, review.answers)]
    private = [(qid, value) for qid, value in agreed if (qid, value) not in shared]
    for question_id, value in shared:
        story += [*label(_wording(template, question_id), st), para(value, st.body)]
    if private:
        story += [Spacer(1, 1.5 * mm), rag_badge("amber", PRIVATE_HEADING, st), Spacer(1, 1.5 * mm)]
    for question_id, value in private:
        story += [*label(_wording(template, question_id), st), para(value, st.body)]
    return story


def _wording(template: Template | None, question_id: str) -> str:
    if template is not None:
        try:
            return template.question(question_id).label
        except KeyError:
            pass
    return question_id.replace("_", " ").capitalize()


def _for_the_employer(template: Template | None, question_id: str, answers: Mapping[str, Any]) -> bool:
    """Whether the employer's copy carried this answer. Without the review's template (not installed) nobody can
    say, so the answer is treated as private."""
    if template is None:
        return False
    try:
        question = template.question(question_id)
    except KeyError:
        return False
    return answer_visible_to(template, question, "employer", answers)


def _open_targets(pack: PreVisitPack, as_of: dt.date, st: Styles) -> list[Flowable]:
    story: list[Flowable] = [*heading("Open targets to follow up", st)]
    if not pack.open_targets:
        return [*story, para("No open targets.", st.body)]
    rows: list[list[object]] = [[para(h, st.cell_bold) for h in ("Target", "Due by", "Small steps")]]
    for target in pack.open_targets.values():
        due = format_date(target.due_date) or "No due date"
        if target.due_date and target.due_date < as_of:
            due += "\n(overdue)"
        rows.append([para(target.text, st.cell), para(due, st.cell),
                     para("\n".join(f"• {a}" for a in target.actions) or "—", st.cell)])
    return [*story, grid(rows, [90 * mm, 24 * mm, FRAME_WIDTH - 114 * mm])]


def _plan(pack: PreVisitPack, st: Styles) -> list[Flowable]:
    story: list[Flowable] = [*heading("Learning plan", st)]
    if not pack.plan_items:
        return [*story, para("No learning plan items recorded.", st.body)]
    rows: list[list[object]] = [[para(h, st.cell_bold) for h in ("Code", "Plan item", "Kind", "Progress")]]
    for item in pack.plan_items.values():
        rows.append([para(item.code, st.cell), para(item.title, st.cell), para(_KINDS.get(item.kind, item.kind),
                                                                                st.cell),
                     para(f"{item.progress}%", st.cell_bold)])
    return [*story, grid(rows, [16 * mm, 100 * mm, 30 * mm, FRAME_WIDTH - 146 * mm], zebra=True)]
