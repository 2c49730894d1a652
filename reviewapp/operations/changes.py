"""What an operation changed: the one message views listen to, so none of them is refreshed by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Changes:
    """The parts of the store an operation touched.

    `learners` and `reviews` name the records changed; `caseload` means the set of learners itself changed (added,
    removed, reassigned), so the whole caseload model reloads; `settings`, `outbox` (the pending-change count),
    `conflicts` and `alerts` say which other views must reload. Empty means nothing changed.
    """

    learners: frozenset[str] = field(default_factory=frozenset)
    reviews: frozenset[str] = field(default_factory=frozenset)
    caseload: bool = False
    settings: bool = False
    outbox: bool = False
    conflicts: bool = False
    alerts: bool = False

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            learners=self.learners | other.learners,
            reviews=self.reviews | other.reviews,
            caseload=self.caseload or other.caseload,
            settings=self.settings or other.settings,
            outbox=self.outbox or other.outbox,
            conflicts=self.conflicts or other.conflicts,
            alerts=self.alerts or other.alerts,
        )

    def __bool__(self) -> bool:
        return bool(self.learners or self.reviews or self.caseload or self.settings or self.outbox
                    or self.conflicts or self.alerts)


NOTHING = Changes()


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """An operation's answer: its plain-data `value` and what it `changes`."""

    value: T
    changes: Changes = NOTHING
