"""Learning gain: how far a learner has come on a plan item since their starting point (issue 14 item 3).

One rule for every place that shows it (the laptop's learner panel and its comparison of reviews, and the office's
learner page later): the starting point is the initial assessment of the item (`PlanItemData.starting_value`),
on the same scale as its progress (a percentage), so the gain is the progress now less the starting point, in
percentage points. An item with no starting point recorded has no gain (None), never a gain counted from zero:
inspectors ask for progress from where the learner started, and a learner who came in knowing half of a unit
has not gained what they already knew. A fall below the starting point is shown as it is (a negative gain), since
an item reassessed lower is something to talk about, not to hide.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class LearningGain:
    """One plan item's start and progress now, both percentages; `start` None when no starting point was recorded."""

    start: int | None
    now: int

    @property
    def points(self) -> int | None:
        """Percentage points gained since the start, or None without a starting point."""
        return None if self.start is None else self.now - self.start

    @property
    def start_to_now(self) -> str:
        """"40% → 70% (+30)", or "70% (no starting point)" — as the panel and the comparison show it."""
        if self.start is None:
            return f"{self.now}% (no starting point)"
        return f"{self.start}% → {self.now}% ({self.points:+d})"


def learning_gain(start: int | None, now: int) -> LearningGain:
    return LearningGain(start, now)


def mean_gain(gains: Iterable[LearningGain]) -> float | None:
    """The average gain, in percentage points, over the items with a starting point; None when none has one."""
    points = [g.points for g in gains if g.points is not None]
    return sum(points) / len(points) if points else None
