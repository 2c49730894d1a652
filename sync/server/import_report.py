"""What an import did, or a dry run would do, learner by learner: the report an admin reads before and after.

The same report for both (a dry run plans with the import's own code, caseload_import.py), so what the preview
says is what the commit does. Lines are the file's, so each entry can be found in the spreadsheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: How many learners missing from a file are named one by one (the rest are counted).
MISSING_NAMED = 50
#: How many learners per list a commit's report names (a dry run names them all).
COMMIT_NAMED = 50


@dataclass(frozen=True)
class FieldChange:
    name: str
    before: Any
    after: Any

    def __str__(self) -> str:
        return f"{self.name} {_shown(self.before)} → {_shown(self.after)}"


@dataclass(frozen=True)
class LearnerOutcome:
    """A learner the import adds or changes: its line in the file, and what changes (for an added one, nothing)."""

    line: int
    uln: str
    name: str
    changes: tuple[FieldChange, ...] = ()
    #: The assessor the import gives it ("" when it stays with the one it has, or unassigned).
    assessor: str = ""

    def __str__(self) -> str:
        parts = [str(change) for change in self.changes]
        if self.assessor:
            parts.append(f"assigned to {self.assessor}")
        return f"line {self.line}: {self.uln} {self.name}" + (f": {'; '.join(parts)}" if parts else "")


@dataclass(frozen=True)
class KeptAssignment:
    """A learner the file gives to one assessor whom the office has assigned to another since: kept as it is."""

    line: int
    uln: str
    holder: str
    in_file: str

    def __str__(self) -> str:
        return (f"line {self.line}: {self.uln} stays with {self.holder}, assigned at the office (the file says "
                f"{self.in_file}); reassign it with `reviewapp-server assign` if the file is right")


@dataclass
class ImportReport:
    """What an import did or would do. `added`, `changed` and `kept_assignments` hold at most `named` entries each
    (all of them when None, as a dry run's preview does); `totals` counts every one, named or not, so that a
    commit of 100,000 learners holds a few dozen outcomes, not 100,000."""

    added: list[LearnerOutcome] = field(default_factory=list)
    changed: list[LearnerOutcome] = field(default_factory=list)
    kept_assignments: list[KeptAssignment] = field(default_factory=list)
    named: int | None = None
    totals: dict[str, int] = field(default_factory=dict)
    employers_added: list[str] = field(default_factory=list)
    employers_changed: list[str] = field(default_factory=list)
    #: Learners on the server the file does not hold: (ULN, name) of the first MISSING_NAMED, and how many in all.
    missing_named: list[tuple[str, str]] = field(default_factory=list)
    missing: int = 0

    def add(self, kind: str, entry: LearnerOutcome | KeptAssignment) -> None:
        """Count an outcome of `kind` ("added", "changed", "kept_assignments"), and keep it if still naming."""
        self.totals[kind] = self.totals.get(kind, 0) + 1
        entries: list[Any] = getattr(self, kind)
        if self.named is None or len(entries) < self.named:
            entries.append(entry)

    def total(self, kind: str) -> int:
        """How many outcomes of `kind` there are, named or not (entries added to the lists directly count too)."""
        return max(self.totals.get(kind, 0), len(getattr(self, kind)))


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    return repr(value) if isinstance(value, str) else str(value)


def report_lines(report: ImportReport, *, will: bool, limit: int | None = None) -> list[str]:
    """The report as lines for the terminal, in the future tense for a dry run (`will`) and the past for a commit.

    `limit` names at most that many learners per list (the rest counted): a commit's report follows its dry run,
    which names them all, and 100,000 lines after a first import would bury the few that matter."""
    add, change, keep = ("will add", "will change", "will keep") if will else ("added", "changed", "kept")
    lines: list[str] = []
    for title, kind in ((f"Learners it {add}", "added"), (f"Learners it {change}", "changed"),
                        (f"Assignments it {keep} (made at the office)", "kept_assignments")):
        entries: list[Any] = getattr(report, kind)
        if entries:
            shown = entries if limit is None else entries[:limit]
            lines.append(f"{title} ({report.total(kind):,}):")
            lines += [f"  {entry}" for entry in shown]
            if len(shown) < report.total(kind):
                lines.append(f"  and {report.total(kind) - len(shown):,} more")
    if report.employers_added:
        lines.append(f"Employers it {add}: {', '.join(report.employers_added)}")
    if report.employers_changed:
        lines.append(f"Employers it {change}: {'; '.join(report.employers_changed)}")
    if report.missing:
        lines.append(f"Learners on the server not in this file ({report.missing:,}), left as they are (nothing is "
                     "deleted; a withdrawn or completed learner needs its status in the file):")
        lines += [f"  {uln} {name}" for uln, name in report.missing_named]
        if report.missing > len(report.missing_named):
            lines.append(f"  and {report.missing - len(report.missing_named):,} more")
    return lines
