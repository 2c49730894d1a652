"""Builds ILR XML files that validate against the 2025-26 schema (../shared/ilr/schemafile25.xsd), for the tests
and the benchmark (benchmarks/mis_import.py).

Every element is written on a line of its own, in the schema's order, so a test can say on which line a problem
is. Values are taken as given (a date may be a string such as "2025-02-30"), so a test can also build a file that
the schema, or the reader, refuses. `ilr_chunks` yields the document piece by piece: a benchmark can write a file of
100,000 learners without holding it in memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

NAMESPACE_2526 = "ESFA/ILR/2025-26"
UKPRN = 10012345

Date = dt.date | str


@dataclass
class Fam:
    """A LearningDeliveryFAM record: type and code, with the dates it runs between (e.g. LSF learning support)."""

    type: str
    code: str
    date_from: Date | None = None
    date_to: Date | None = None


@dataclass
class Delivery:
    """A LearningDelivery; by default the programme aim of an apprenticeship standard, continuing."""

    start: Date = dt.date(2025, 9, 1)
    plan_end: Date = dt.date(2027, 3, 1)
    aim_type: int = 1
    aim_seq: int = 1
    learn_aim_ref: str = "ZPROG001"
    fund_model: int = 36
    phours: int | None = 400
    prog_type: int | None = 25
    std_code: int | None = 117
    comp_status: int = 1
    act_end: Date | None = None
    withdraw_reason: int | None = None
    fams: list[Fam] = field(default_factory=list)


@dataclass
class Employment:
    """A LearnerEmploymentStatus: employed (10) by the employer with this ERN, from the date given."""

    emp_id: int | None = 123456789
    date: Date = dt.date(2025, 8, 1)
    emp_stat: int = 10


@dataclass
class IlrLearner:
    """A Learner of the ILR with what a caseload needs; every field the schema requires has a harmless default."""

    learn_ref: str
    uln: str
    given_names: str | None = "Sam"
    family_name: str | None = "Smith"
    date_of_birth: Date | None = dt.date(2004, 2, 29)
    email: str | None = None
    tel_no: str | None = None
    lldd_health_prob: int = 2
    lldd_categories: list[tuple[int, bool]] = field(default_factory=list)  # (LLDDCat, primary)
    learner_fams: list[tuple[str, int]] = field(default_factory=list)  # (LearnFAMType, LearnFAMCode), e.g. EHC 1
    employment: list[Employment] = field(default_factory=lambda: [Employment()])
    deliveries: list[Delivery] = field(default_factory=lambda: [Delivery()])


def uln_with_check_digit(stem: int) -> str:
    """A valid ULN from nine digits (the first not zero), with the check digit worked out; None-free: stems whose
    check digit would be 10 are moved on to the next stem that has one."""
    while True:
        digits = f"{stem:09d}"
        remainder = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        if remainder != 0:  # a check digit of 10 - 0 cannot be written
            return digits + str(10 - remainder)
        stem += 1


def _date(value: Date) -> str:
    return value.isoformat() if isinstance(value, dt.date) else value


def _element(name: str, value: object, indent: str) -> str:
    if value is None:
        return ""
    text = _date(value) if isinstance(value, (dt.date, str)) else str(value)
    return f"{indent}<{name}>{escape(text)}</{name}>\n"


def _delivery_xml(d: Delivery) -> str:
    i = "\t\t\t"
    parts = ["\t\t<LearningDelivery>\n", _element("LearnAimRef", d.learn_aim_ref, i),
             _element("AimType", d.aim_type, i), _element("AimSeqNumber", d.aim_seq, i),
             _element("LearnStartDate", d.start, i),
             _element("LearnPlanEndDate", d.plan_end, i), _element("FundModel", d.fund_model, i),
             _element("PHours", d.phours, i), _element("ProgType", d.prog_type, i), _element("StdCode", d.std_code, i),
             _element("DelLocPostCode", "LS1 1AA", i), _element("CompStatus", d.comp_status, i),
             _element("LearnActEndDate", d.act_end, i), _element("WithdrawReason", d.withdraw_reason, i)]
    for fam in d.fams:
        parts += [f"{i}<LearningDeliveryFAM>\n", _element("LearnDelFAMType", fam.type, i + "\t"),
                  _element("LearnDelFAMCode", fam.code, i + "\t"),
                  _element("LearnDelFAMDateFrom", fam.date_from, i + "\t"),
                  _element("LearnDelFAMDateTo", fam.date_to, i + "\t"), f"{i}</LearningDeliveryFAM>\n"]
    parts.append("\t\t</LearningDelivery>\n")
    return "".join(parts)


def learner_xml(learner: IlrLearner) -> str:
    """One Learner element, its children in the schema's order."""
    i = "\t\t"
    parts = ["\t<Learner>\n", _element("LearnRefNumber", learner.learn_ref, i), _element("ULN", learner.uln, i),
             _element("FamilyName", learner.family_name, i), _element("GivenNames", learner.given_names, i),
             _element("DateOfBirth", learner.date_of_birth, i), _element("Ethnicity", 31, i), _element("Sex", "F", i),
             _element("LLDDHealthProb", learner.lldd_health_prob, i), _element("PostcodePrior", "LS1 1AA", i),
             _element("Postcode", "LS1 1AA", i), _element("TelNo", learner.tel_no, i),
             _element("Email", learner.email, i)]
    for category, primary in learner.lldd_categories:
        parts += [f"{i}<LLDDandHealthProblem>\n", _element("LLDDCat", category, i + "\t"),
                  _element("PrimaryLLDD", 1 if primary else None, i + "\t"), f"{i}</LLDDandHealthProblem>\n"]
    for fam_type, code in learner.learner_fams:
        parts += [f"{i}<LearnerFAM>\n", _element("LearnFAMType", fam_type, i + "\t"),
                  _element("LearnFAMCode", code, i + "\t"), f"{i}</LearnerFAM>\n"]
    for status in learner.employment:
        parts += [f"{i}<LearnerEmploymentStatus>\n", _element("EmpStat", status.emp_stat, i + "\t"),
                  _element("DateEmpStatApp", status.date, i + "\t"), _element("EmpId", status.emp_id, i + "\t"),
                  f"{i}</LearnerEmploymentStatus>\n"]
    parts += [_delivery_xml(d) for d in learner.deliveries]
    parts.append("\t</Learner>\n")
    return "".join(parts)


def ilr_chunks(learners: Iterable[IlrLearner], *, namespace: str = NAMESPACE_2526, year: str = "2526",
               ukprn: int = UKPRN) -> Iterator[str]:
    """The document piece by piece: the header, then one piece per learner, then the end."""
    yield (f'<?xml version="1.0" encoding="utf-8"?>\n<Message xmlns="{namespace}">\n\t<Header>\n'
           f"\t\t<CollectionDetails>\n\t\t\t<Collection>ILR</Collection>\n\t\t\t<Year>{year}</Year>\n"
           "\t\t\t<FilePreparationDate>2025-11-05</FilePreparationDate>\n\t\t</CollectionDetails>\n"
           "\t\t<Source>\n\t\t\t<ProtectiveMarking>OFFICIAL-SENSITIVE-Personal</ProtectiveMarking>\n"
           f"\t\t\t<UKPRN>{ukprn}</UKPRN>\n\t\t\t<SerialNo>01</SerialNo>\n"
           "\t\t\t<DateTime>2025-11-05T09:30:00</DateTime>\n\t\t</Source>\n\t</Header>\n"
           f"\t<LearningProvider>\n\t\t<UKPRN>{ukprn}</UKPRN>\n\t</LearningProvider>\n")
    for learner in learners:
        yield learner_xml(learner)
    yield "</Message>\n"


def ilr_bytes(learners: Iterable[IlrLearner], **header: object) -> bytes:
    return "".join(ilr_chunks(learners, **header)).encode("utf-8")  # type: ignore[arg-type]


def write_ilr(path: Path, learners: Iterable[IlrLearner], **header: object) -> Path:
    """Write the file piece by piece (flat memory, however many learners)."""
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for chunk in ilr_chunks(learners, **header):  # type: ignore[arg-type]
            out.write(chunk)
    return path


def line_of(data: bytes, needle: str, occurrence: int = 1) -> int:
    """The line (from 1) of the `occurrence`-th line holding `needle`: where a test expects a problem reported."""
    seen = 0
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} is not in the file {occurrence} time(s)")


def sample_learner(number: int, **changes: object) -> IlrLearner:
    """The `number`-th learner of a generated caseload: its own ULN, reference, name and e-mail."""
    learner = IlrLearner(learn_ref=f"L{number:07d}", uln=uln_with_check_digit(100_000_000 + number * 7),
                         given_names=f"Sam{'abcdefghij'[number % 10]}", family_name=f"Smith-{chr(65 + number % 26)}",
                         email=f"learner{number}@example.org", tel_no=f"07700{number % 1_000_000:06d}")
    for name, value in changes.items():
        setattr(learner, name, value)
    return learner
