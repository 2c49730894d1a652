"""From one ILR `Learner` element to the caseload row the import takes: the rules every ILR year shares.

A year is an `IlrYear`: its namespace, its schema file, which funding models and programme types make an
apprenticeship, and where the planned off-the-job hours are. A later year subclasses the year before and overrides
only what changed (see ilr_2026_27.py), so the rules below are written once.

An apprentice is a learner with a programme aim (AimType 1) of an apprenticeship funding model and programme type.
A learner with several (a return from a break in learning is a new programme aim) is read from the latest: its
start, planned end, standard, hours and completion status. Everything else the ILR holds about a learner is not a
caseload's business and is not read.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any, ClassVar

from lxml import etree
from pydantic import ValidationError

from sync.protocol import TEMPORARY_ULN, EmployerData, LearnerData

from ..caseload_csv import CaseloadRow, RowProblem, uln_is_valid
from . import ilr_codes as codes

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class LearnerProblem(ValueError):
    """A learner the import cannot take, with the line of the element at fault."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.problem = RowProblem(line, reason)


class Node:
    """An element of an ILR file, read by the local names of its children (all in the file's one namespace).

    The children are indexed by local name once, on first use: a learner is read by some twenty look-ups, and
    one pass over its children is several times cheaper than twenty namespaced searches."""

    __slots__ = ("_cut", "_index", "element")

    def __init__(self, element: etree._Element, namespace: str) -> None:
        self.element = element
        self._cut = len(namespace) + 2  # "{namespace}" before each local name
        self._index: dict[str, list[etree._Element]] | None = None

    @property
    def line(self) -> int:
        return self.element.sourceline or 0

    def _children(self, name: str) -> list[etree._Element]:
        if self._index is None:
            index: dict[str, list[etree._Element]] = {}
            cut = self._cut
            for child in self.element.iterchildren(tag=etree.Element):
                index.setdefault(child.tag[cut:], []).append(child)
            self._index = index
        return self._index.get(name, [])

    def _wrap(self, element: etree._Element) -> Node:
        node = Node.__new__(Node)
        node.element, node._cut, node._index = element, self._cut, None
        return node

    def child(self, name: str) -> Node | None:
        found = self._children(name)
        return self._wrap(found[0]) if found else None

    def children(self, name: str) -> list[Node]:
        return [self._wrap(e) for e in self._children(name)]

    def text(self, name: str) -> str | None:
        found = self._children(name)
        if not found:
            return None
        value = found[0].text
        return "" if value is None else value.strip()

    def number(self, name: str) -> int | None:
        value = self.text(name)
        return None if value is None else int(value)  # the schema holds these to whole numbers

    def date(self, name: str) -> dt.date | None:
        """An xs:date child as a date. The schema has checked it is a real day; a time zone on it is dropped."""
        value = self.text(name)
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value[:10]) if _DATE.match(value) else dt.date.fromisoformat(value)
        except ValueError:
            raise LearnerProblem(self.line_of(name), f"{name} {value!r} is not a date this server can hold") from None

    def line_of(self, name: str) -> int:
        found = self._children(name)
        return (found[0].sourceline or 0) if found else self.line


@lru_cache(maxsize=4096)
def _employer_fields(name: str) -> dict[str, Any]:
    """An employer the ILR names (by ERN), validated once however many learners it employs (callers copy it)."""
    return EmployerData(name=name).model_dump(mode="json")


class IlrYear:
    """The ILR of one funding year: how to recognise it, validate it, and read an apprentice out of it."""

    label: ClassVar[str]  # "2025-26"
    namespace: ClassVar[str]
    schema_file: ClassVar[str]  # in sync/server/mis/schemas
    fund_models: ClassVar[frozenset[int]] = frozenset({codes.FUND_APPRENTICESHIPS})
    prog_types: ClassVar[frozenset[int]] = frozenset({codes.PROG_STANDARD})

    def is_apprenticeship_aim(self, delivery: Node) -> bool:
        return (delivery.number("AimType") == codes.AIM_PROGRAMME and delivery.number("FundModel") in self.fund_models
                and delivery.number("ProgType") in self.prog_types)

    def planned_otj_hours(self, learner: Node, aim: Node) -> float:
        """The planned off-the-job hours of the programme (the year's own rule: PHours until 2025-26)."""
        return float(aim.number("PHours") or 0)

    # --- shared rules ------------------------------------------------------------------------------------------

    def programme_aim(self, learner: Node) -> Node | None:
        """The learner's current apprenticeship programme aim: the latest started (then the highest sequence)."""
        aims = [d for d in learner.children("LearningDelivery") if self.is_apprenticeship_aim(d)]
        if not aims:
            return None
        return max(aims, key=lambda d: (d.date("LearnStartDate") or dt.date.min, d.number("AimSeqNumber") or 0))

    def row(self, learner: Node) -> CaseloadRow | None:
        """The caseload row of an apprentice, None for a learner who is not one; LearnerProblem when it cannot be
        taken as it is."""
        aim = self.programme_aim(learner)
        if aim is None:
            return None
        uln = str(learner.number("ULN"))  # an xs:long: "+1000000078" and "01000000078" are that ULN too
        if uln != TEMPORARY_ULN and not uln_is_valid(uln):
            raise LearnerProblem(learner.line_of("ULN"), f"ULN {uln} has a wrong check digit (use {TEMPORARY_ULN}, "
                                 "\"ULN to follow\", if the learner's ULN is not known yet)")
        for name in ("GivenNames", "FamilyName"):
            if not learner.text(name):
                raise LearnerProblem(learner.line, f"learner {learner.text('LearnRefNumber')} has no {name}; a "
                                     "caseload needs the learner's name")
        start = aim.date("OrigLearnStartDate") or aim.date("LearnStartDate")
        end = aim.date("LearnPlanEndDate")
        if start and end and end < start:
            raise LearnerProblem(aim.line_of("LearnPlanEndDate"), "LearnPlanEndDate is before LearnStartDate")
        status = codes.COMPLETION_STATUS.get(aim.number("CompStatus") or 0)
        if status is None:
            raise LearnerProblem(aim.line_of("CompStatus"), f"CompStatus {aim.text('CompStatus')} is not a "
                                 "completion status of the ILR (1, 2, 3 or 6)")
        standard = aim.number("StdCode")
        fields: dict[str, Any] = {
            "uln": uln, "learner_ref": learner.text("LearnRefNumber") or "",
            "first_name": learner.text("GivenNames"), "last_name": learner.text("FamilyName"),
            "date_of_birth": learner.date("DateOfBirth"), "email": learner.text("Email") or "",
            "phone": learner.text("TelNo") or "", "start_date": start, "planned_end_date": end,
            "programme": f"Apprenticeship standard {standard}" if standard else "", "standard_code": standard,
            "planned_otj_hours": self.planned_otj_hours(learner, aim), "status": status,
            "support_needs": self.support_needs(learner),
        }
        employer = self.employer(learner)
        try:
            data = LearnerData(**fields).model_dump(mode="json")
            employer_data = None if employer is None else dict(_employer_fields(employer))
        except ValidationError as error:
            reasons = "; ".join(f"{'.'.join(map(str, e['loc']))} {e['msg'].lower()}" for e in error.errors())
            raise LearnerProblem(learner.line, reasons) from None
        return CaseloadRow(line=learner.line, learner=data, employer=employer_data, assessor=None)

    def employer(self, learner: Node) -> str | None:
        """The employer named by the latest employment status (by DateEmpStatApp) with an EmpId, as "ERN n".

        The ILR names an employer only by its ERN: the name is what a re-import finds the employer by again. An
        ERN still to follow (999999999) names no employer yet."""
        statuses = [(s.date("DateEmpStatApp") or dt.date.min, s.number("EmpId")) for s in
                    learner.children("LearnerEmploymentStatus")]
        with_employer = [(when, ern) for when, ern in statuses if ern is not None]
        if not with_employer:
            return None
        ern = max(with_employer)[1]
        return None if ern == codes.EMPLOYER_TO_FOLLOW else f"ERN {ern}"

    def support_needs(self, learner: Node) -> str:
        """What the ILR says about the learner's support needs, in words: LLDDHealthProb with its categories, the
        learner's support FAMs (EHC plan, high needs, ...) and learning support funding (LSF) on any aim."""
        parts: list[str] = []
        lldd = learner.number("LLDDHealthProb")
        if lldd == codes.LLDD_YES:
            categories = learner.children("LLDDandHealthProblem")
            primary = [c for c in categories if c.number("PrimaryLLDD") == 1]
            named = [codes.LLDD_CATEGORIES.get(c.number("LLDDCat") or 0, f"category {c.text('LLDDCat')}")
                     for c in primary + [c for c in categories if c not in primary]]
            text = "Has a learning difficulty, disability or health problem"
            if named:
                text += f": {named[0]}" + (" (primary)" if primary else "")
                if named[1:]:
                    text += "; also " + ", ".join(named[1:])
            parts.append(text)
        elif lldd == codes.LLDD_NOT_PROVIDED:
            parts.append("Whether the learner has a learning difficulty, disability or health problem is not known")
        for fam in learner.children("LearnerFAM"):
            said = codes.LEARNER_SUPPORT_FAMS.get(fam.text("LearnFAMType") or "")
            if said and fam.number("LearnFAMCode") == 1:
                parts.append(f"The learner {said}")
        funded: list[str] = []
        for delivery in learner.children("LearningDelivery"):
            for fam in delivery.children("LearningDeliveryFAM"):
                if fam.text("LearnDelFAMType") == codes.LEARNING_SUPPORT_FAM and fam.text("LearnDelFAMCode") == "1":
                    since, until = fam.date("LearnDelFAMDateFrom"), fam.date("LearnDelFAMDateTo")
                    when = (f" from {since:%d/%m/%Y}" if since else "") + (f" to {until:%d/%m/%Y}" if until else "")
                    if f"Learning support funded (LSF){when}" not in funded:
                        funded.append(f"Learning support funded (LSF){when}")
        return ". ".join(parts + funded) + ("." if parts or funded else "")
