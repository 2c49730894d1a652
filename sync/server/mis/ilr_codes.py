"""The ILR codes a caseload uses, with the words an assessor reads (from the ILR specification's code lists).

They have kept their meanings from year to year, so every year's mapping shares them; a year that changes one
overrides it in its own mapping module.
"""

from __future__ import annotations

from sync.protocol import LearnerStatus

#: FundModel 36: apprenticeships (from 1 May 2017).
FUND_APPRENTICESHIPS = 36
#: AimType 1: the programme aim, the aim that stands for the whole apprenticeship.
AIM_PROGRAMME = 1
#: ProgType 25: an apprenticeship standard.
PROG_STANDARD = 25
#: EmpId 999999999: the employer's ERN is still to follow.
EMPLOYER_TO_FOLLOW = 999_999_999

#: CompStatus to the learner's status. 1 continuing, 2 completed, 3 withdrawn, 6 a break in learning (the aim is
#: closed with this status and the return is recorded as a new programme aim).
COMPLETION_STATUS: dict[int, LearnerStatus] = {1: "active", 2: "completed", 3: "withdrawn", 6: "break_in_learning"}

#: LLDDHealthProb: 1 the learner considers they have a learning difficulty, disability or health problem.
LLDD_YES = 1
LLDD_NOT_PROVIDED = 9

#: LLDDCat, the category of a learning difficulty, disability or health problem.
LLDD_CATEGORIES: dict[int, str] = {
    1: "emotional or behavioural difficulties",
    2: "multiple disabilities",
    3: "multiple learning difficulties",
    4: "visual impairment",
    5: "hearing impairment",
    6: "disability affecting mobility",
    7: "profound complex disabilities",
    8: "social and emotional difficulties",
    9: "mental health difficulty",
    10: "moderate learning difficulty",
    11: "severe learning difficulty",
    12: "dyslexia",
    13: "dyscalculia",
    14: "autism spectrum disorder",
    15: "Asperger's syndrome",
    16: "temporary disability after illness or accident",
    17: "speech, language and communication needs",
    93: "other physical disability",
    94: "other specific learning difficulty",
    95: "other medical condition",
    96: "other learning difficulty",
    97: "other disability",
    98: "prefers not to say",
    99: "not provided",
}

#: LearnerFAM types (with code 1) that tell an assessor about support needs.
LEARNER_SUPPORT_FAMS: dict[str, str] = {
    "EHC": "has an education, health and care (EHC) plan",
    "HNS": "is a high needs student",
    "DLA": "receives Disability Living Allowance or Personal Independence Payment",
    "SEN": "has special educational needs",
}

#: LearningDeliveryFAM type of learning support funding (code 1), with the dates it runs between.
LEARNING_SUPPORT_FAM = "LSF"
