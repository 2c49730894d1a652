"""The answers of a demo review: complete, varied and keyed by the real template's question ids.

The demo caseload is what people first see in the app, what the PDF prints and what the benchmarks load, so its
finalised reviews must look like reviews an assessor really signed: every required question answered, follow-up
questions answered exactly when the template shows them, and the app's own figures (planned hours, shortfall,
proposed date) as finalising would have stamped them. `finalise_readiness` over these answers is empty (a test holds
the demo to it). Wording is drawn from small banks by the caseload's seeded random generator, so the same seed
gives the same answers.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from reviewapp.core import otj
from reviewapp.core.templates import Question, Template, choose_scenario, load_template

TEMPLATE_ID = "apprenticeship-progress-review"


@lru_cache(maxsize=1)
def demo_template() -> Template:
    return load_template(TEMPLATE_ID)


@lru_cache(maxsize=16)
def _question(question_id: str) -> Question:
    """A question of the demo template, looked up once: thousands of reviews ask for the same few."""
    return demo_template().question(question_id)


EMPLOYER_ROLES = ("Line manager", "Team leader", "Workplace mentor", "Operations manager", "Store manager")

EVIDENCE_NOTES = (
    "Looked through the portfolio together; the new entries are tagged to the right criteria.",
    "Watched {first} handle a live customer query at the desk, then talked it through afterwards.",
    "Reviewed two pieces of work {first} produced this month and the witness statement from {rep}.",
    "Checked the off-the-job log against the training calendar; entries match.",
)

PROGRESS_SUMMARY = {
    "green": (
        "{first} has made steady progress across the plan, especially in {unit}. Evidence is well organised and "
        "{first} can explain how it links to the standard.",
        "Good progress since the last review. {first} is applying {unit} at work without prompting and the "
        "portfolio is up to date.",
    ),
    "amber": (
        "Progress has slowed: some evidence for {unit} is still missing, although {first} understands the topic "
        "when we discuss it.",
        "{first} is a little behind the plan, mainly on {unit}. The work seen is good but there is not yet enough "
        "of it.",
    ),
    "red": (
        "Little new evidence since the last review and {unit} has not been started. We discussed what has got in "
        "the way and agreed a plan with {rep}.",
        "{first} is well behind the plan. The portfolio has not been updated for several weeks and targets were "
        "not met.",
    ),
}
BEHIND_CAUSES = ("workload", "otj_release", "absence", "personal", "engagement")
BEHIND_EXPLANATION = (
    "The team has been short-staffed and {first} has covered extra shifts, leaving little time for study.",
    "{first} was off sick for two weeks and lost momentum on the portfolio afterwards.",
    "Study time was booked but often cancelled at short notice because of busy periods.",
)
BEHIND_ACTIONS = (
    "{rep} will protect Wednesday afternoons for study. {first} will upload the outstanding evidence within two "
    "weeks and I will check in by phone.",
    "Agreed a catch-up plan: one extra hour of study a week until the next review, and a mid-point call.",
)
PLAN_COMMENTS = (
    "Evidence uploaded and signed off.",
    "Discussed in depth today; good understanding shown.",
    "Needs a workplace example before it can be signed off.",
    "Started; observation booked for next month.",
)
OTJ_EXAMPLES = (
    "Completed two e-learning modules on {unit}, shadowed {rep} in a planning meeting and wrote up reflections.",
    "Attended the provider's workshop on {unit} and spent study time on the portfolio.",
    "Mentoring sessions with {rep} and research for the case study on {unit}.",
)
OTJ_RECOVERY = (
    "{rep} agreed to release {first} for an extra two hours each week until the hours are back on plan.",
    "A study day each month, booked in the rota for the next three months, to make up the shortfall.",
)
EM_SUPPORT = (
    "Practice papers sent, one a week until the exam.",
    "Weekly online maths session on Tuesdays.",
    "",
)
HS_DISCUSSION = (
    "{first} explained how to report an incident, where the first aid kit is kept and who the first aiders are.",
    "We talked about the risk assessment for {first}'s role and the manual handling training completed last month.",
    "{first} described the fire procedure and the assembly point, and how to spot hazards in the work area.",
)
EDI_DISCUSSION = (
    "{first} gave examples of adapting communication for colleagues and customers with different needs.",
    "We discussed the protected characteristics and how the company's policy protects staff and customers.",
    "{first} talked about treating everyone fairly, and challenging unkind comments in a calm way.",
)
SG_DISCUSSION = (
    "{first} would speak to the provider's safeguarding lead or {rep}, and knows the number is on the lanyard. "
    "Understands Prevent as protecting people from being drawn into extremism, and gave the team vote on rotas as "
    "an example of democracy at work.",
    "{first} named the safeguarding lead and described keeping social media accounts private and not sharing "
    "personal details. Linked mutual respect to working with colleagues of different faiths.",
)
SCENARIO_RESPONSES: dict[str, tuple[str, ...]] = {
    "trailing_cable": ("I'd move it out of the way if safe, warn people, and report it so it gets fixed properly.",),
    "untrained_equipment": ("I'd say no politely and explain I'm not trained yet, then ask my manager for training.",),
    "fire_alarm_visitor": ("I'd take the visitor with me to the assembly point and tell the fire marshal they're "
                           "with me.",),
    "tired_colleague": ("I'd ask if they are OK, suggest a break, and tell the supervisor if they are not safe to "
                        "carry on.",),
    "contractor_ppe": ("I'd remind them about the PPE rules and tell the site supervisor if they don't put it on.",),
    "banter": ("It's not just banter if it upsets someone. I'd say so, check the person is OK and tell my manager.",),
    "wheelchair_counter": ("I'd come round the counter to serve them and mention to my manager that the counter is "
                           "too high.",),
    "shortlisting": ("Age shouldn't come into it; I'd say that and stick to the job criteria.",),
    "new_name": ("Use their new name and pronouns, and correct others kindly if they get it wrong.",),
    "group_chat": ("I wouldn't share the videos. I'd tell the safeguarding lead that day because it sounds like "
                   "Prevent.",),
    "secret_friend": ("I'd tell her I can't keep it secret because she might be at risk, and report it to the "
                      "safeguarding lead straight away.",),
    "bruises": ("I'd find a quiet moment to ask if they're OK, not push, and get advice from the safeguarding lead.",),
    "rota_vote": ("The team voted, so the rota applies to everyone; they can raise it with the manager if they "
                  "disagree.",),
}
WELFARE_WORDS = {
    "green": (
        "I'm enjoying it. The team are friendly and I feel more confident than when I started.",
        "All good. Busy, but I know who to ask if I'm stuck.",
        "Things are going well at work and at home.",
    ),
    "amber": (
        "Finding it hard to fit study in around shifts, and I'm a bit tired.",
        "A bit stressed with things at home but coping.",
    ),
    "red": (
        "Honestly I'm struggling. Money is tight and I'm not sleeping well.",
        "I've thought about leaving. Things at home are really difficult at the moment.",
    ),
}
WELFARE_CONCERNS = (
    "{first} is tired and worried about money. Agreed {first} will speak to {rep} about the shift pattern; I have "
    "sent details of the employee assistance programme and will phone in two weeks.",
    "Stress at home is affecting sleep and study. {first} is happy for me to refer to the wellbeing team; I will "
    "check in weekly by phone until the next review.",
)
SIGNPOSTING = ("Employee assistance programme.", "Money advice service and the GP.", "", "")
ALS_SUPPORT = "Extra time in assessments, coloured overlays, and written notes sent after each session."
ALS_IMPACT = "{first} says the written notes help a lot and is completing work on time now."
EMPLOYER_CONTRIBUTION = (
    "{rep} meets {first} every fortnight and has arranged time with the finance team.",
    "Study time is in the rota every week and {first} has a named mentor.",
    "{rep} gave feedback on the presentation and arranged for {first} to shadow a senior colleague.",
)
EMPLOYER_OPPORTUNITIES = (
    "{first} will lead the team briefing twice before the next review and help plan the stock take.",
    "A small project on {unit}, with {rep} as sponsor.",
    "Covering the supervisor's role for a week in the summer, with support.",
)
EMPLOYER_FEEDBACK = (
    "{rep}: \"Reliable and keen to learn. Needs to speak up more in meetings.\"",
    "{rep}: \"Great with customers; time keeping has improved a lot.\"",
    "{rep}: \"Doing well, but the paperwork slips when we're busy.\"",
)
LEARNER_COMMENTS = ("Happy with my progress.", "I'd like more time on the practical side.",
                    "Thanks for the help with the portfolio.", "")
EMPLOYER_COMMENTS = ("Contributing well to the team.", "Pleased with how things are going.", "")


@dataclass(frozen=True)
class AnswerFacts:
    """What the demo generator already decided about a review, from which its answers follow."""

    review_id: str
    visit: dt.date
    first_name: str
    employer_rep: str
    employer_address: str
    learner_start: dt.date
    learner_planned_end: dt.date | None
    planned_otj_hours: float
    support_needs: str
    progress_rag: str
    welfare_rag: str
    next_review: dt.date
    hours_since: float
    hours_to_date: float
    followed: Sequence[Mapping[str, Any]]  # target rows followed up, with status and follow_up_comment
    plan: Sequence[Mapping[str, Any]]  # plan item rows, progress as after this review
    new_targets: Sequence[Mapping[str, Any]]  # target rows set in this review


def _flag(rng: random.Random, chance: float, detail: str) -> dict[str, Any]:
    raised = rng.random() < chance
    return {"raised": raised, "detail": detail if raised else ""}


def review_answers(rng: random.Random, facts: AnswerFacts) -> dict[str, Any]:
    """A finalised review's answers: only the questions shown for these answers, derived figures included."""
    unit = rng.choice(facts.plan)["title"].lower() if facts.plan else "the standard"
    words = {"first": facts.first_name, "rep": facts.employer_rep, "unit": unit}

    def say(bank: Sequence[str]) -> str:
        return rng.choice(bank).format(**words)

    def scenario(question_id: str) -> dict[str, str]:
        chosen = choose_scenario(_question(question_id), facts.review_id)
        return {"scenario_id": chosen.id, "response": rng.choice(SCENARIO_RESPONSES[chosen.id])}

    planned = otj.planned_hours_to_date(facts.planned_otj_hours, facts.learner_start, facts.learner_planned_end,
                                        facts.visit)
    behind = otj.shortfall(planned, facts.hours_to_date)
    support = bool(facts.support_needs.strip())
    answers: dict[str, Any] = {
        "visit_date": facts.visit.isoformat(),
        "visit_mode": rng.choices(("in_person", "video", "mixed"), weights=(8, 1, 1))[0],
        "visit_location": f"Employer's premises, {facts.employer_address.split(',')[0]}",
        "attendees": ["learner", "employer", "assessor"] + (["support_worker"] if support else []),
        "employer_rep_name": facts.employer_rep,
        "employer_rep_role": rng.choice(EMPLOYER_ROLES),
        "evidence_seen": sorted(rng.sample(("work_observed", "work_products", "portfolio", "otj_log",
                                            "learner_account", "employer_feedback"), rng.randint(2, 4))),
        "evidence_notes": say(EVIDENCE_NOTES),
        "previous_targets": {
            t["id"]: {"status": t["status"], "comment": t["follow_up_comment"], "carry_forward": False}
            for t in facts.followed
        },
        "plan_progress": {
            item["id"]: {"progress": item["progress"],
                         "comment": rng.choice(PLAN_COMMENTS) if rng.random() < 0.3 else ""}
            for item in facts.plan
        },
        "progress_summary": say(PROGRESS_SUMMARY[facts.progress_rag]),
        "progress_rag": facts.progress_rag,
    }
    if facts.followed:
        answers["previous_actions_notes"] = "Went through each target with the evidence on screen."
    if facts.progress_rag in ("amber", "red"):
        answers["behind_causes"] = sorted(rng.sample(BEHIND_CAUSES, rng.randint(1, 2)))
        answers["behind_explanation"] = say(BEHIND_EXPLANATION)
        answers["behind_actions"] = say(BEHIND_ACTIONS)
    average = sum(i["progress"] for i in facts.plan) / max(1, len(facts.plan))
    answers["epa_readiness"] = "ready" if average >= 95 else "approaching" if average >= 70 else "not_yet"
    answers |= {
        "otj_hours_since_last": facts.hours_since,
        "otj_hours_to_date": facts.hours_to_date,
    }
    if planned is not None:
        answers["otj_planned_to_date"] = planned
    if behind is not None:
        answers["otj_shortfall"] = behind
    answers["otj_activities"] = sorted(rng.sample(("teaching", "practical", "shadowing", "written", "research"),
                                                  rng.randint(2, 3)))
    answers["otj_examples"] = say(OTJ_EXAMPLES)
    if behind:
        answers["otj_recovery_plan"] = say(OTJ_RECOVERY)
        answers["otj_employer_agreed"] = True
    answers["otj_paid_hours"] = True
    answers |= _english_maths(rng, facts.visit)
    answers |= {
        "hs_incidents": _flag(rng, 0.05, "Minor cut from a box cutter; first aid given and logged in the accident "
                                         "book."),
        "hs_discussion": say(HS_DISCUSSION),
        "hs_scenario": scenario("hs_scenario"),
        "hs_understanding": rng.choices(("secure", "developing", "limited"), weights=(6, 3, 1))[0],
        "hs_concern": {"raised": False, "detail": ""},
        "edi_discussion": say(EDI_DISCUSSION),
        "edi_scenario": scenario("edi_scenario"),
        "edi_understanding": rng.choices(("secure", "developing", "limited"), weights=(6, 3, 1))[0],
        "edi_concern": {"raised": False, "detail": ""},
        "sg_feels_safe": True,
        "sg_knows_contact": rng.random() < 0.9,
        "sg_discussion": say(SG_DISCUSSION),
        "sg_scenario": scenario("sg_scenario"),
        "sg_understanding": rng.choices(("secure", "developing", "limited"), weights=(6, 3, 1))[0],
        "sg_concern": {"raised": False, "detail": ""},
        "welfare_own_words": rng.choice(WELFARE_WORDS[facts.welfare_rag]),
        "welfare_rag": facts.welfare_rag,
    }
    if facts.welfare_rag != "green":
        answers["welfare_concerns"] = say(WELFARE_CONCERNS)
    answers["refer_safeguarding"] = {"raised": False, "detail": ""}
    answers["refer_learning_support"] = _flag(
        rng, 0.05, "Possible difficulty with reading long documents; screening requested.")
    signposting = rng.choice(SIGNPOSTING) if facts.welfare_rag != "green" else ""
    if signposting:
        answers["welfare_signposting"] = signposting
    answers["als_in_place"] = support
    if support:
        answers |= {
            "als_needs": facts.support_needs,
            "als_support_given": ALS_SUPPORT,
            "als_impact": say((ALS_IMPACT,)),
            "als_changes": "None needed at the moment.",
        }
    answers |= {
        "employer_contribution": say(EMPLOYER_CONTRIBUTION),
        "employer_opportunities": say(EMPLOYER_OPPORTUNITIES),
        "employer_feedback": say(EMPLOYER_FEEDBACK),
        "employer_concern": {"raised": False, "detail": ""},
        "new_targets": [
            {"text": t["text"], "due_date": t["due_date"].isoformat(), "actions": list(t["actions"]),
             "carried_from_id": t["carried_from_id"]}
            for t in facts.new_targets
        ],
    }
    for key, bank in (("learner_comments", LEARNER_COMMENTS), ("employer_comments", EMPLOYER_COMMENTS)):
        comment = say(bank)
        if comment:
            answers[key] = comment
    answers["next_review_proposed"] = facts.next_review.isoformat()
    answers["next_review_date"] = facts.next_review.isoformat()
    answers["next_review_time"] = "10:00"
    return answers


def _english_maths(rng: random.Random, visit: dt.date) -> dict[str, Any]:
    """English and maths: mostly achieved before the programme, sometimes working towards or booked."""
    result: dict[str, Any] = {}
    for subject in ("english", "maths"):
        status = rng.choices(("achieved_prior", "working_towards", "exam_booked", "achieved"),
                             weights=(6, 2, 1, 1))[0]
        result[f"{subject}_status"] = status
        if status in ("working_towards", "exam_booked"):
            result[f"{subject}_level"] = rng.choice(("fs_level_1", "fs_level_2"))
        if status == "exam_booked":
            result[f"{subject}_exam_date"] = (visit + dt.timedelta(days=rng.randint(10, 40))).isoformat()
    if any(v in ("working_towards", "exam_booked") for v in result.values()):
        support = rng.choice(EM_SUPPORT)
        if support:
            result["english_maths_support"] = support
    return result
