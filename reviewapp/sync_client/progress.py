"""How far a pull has got, for the progress shown while it runs: "1,200 of 6,001 records · about 40 s left".

The total comes from the server once per sync (the first page is asked for with `count=1`; the page says how many
changes wait after it); a server that predates it says nothing, and the progress is then told in pages.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


class PullProgress:
    """Records received so far out of the total, and the time left at the rate so far."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._started = clock()
        self.done = 0
        self.total: int | None = None

    def received(self, pages: list[tuple[Any, Any]]) -> None:
        """Pages just applied: count their records; the last that says what remains after it sets the total."""
        for page, _records in pages:
            self.done += len(page.changes)
            remaining = getattr(page, "remaining", None)
            if remaining is not None:
                self.total = self.done + remaining
        if self.total is not None:
            self.total = max(self.total, self.done)

    def seconds_left(self) -> float | None:
        if self.total is None or not self.done:
            return None
        elapsed = self._clock() - self._started
        return elapsed / self.done * (self.total - self.done)

    def text(self) -> str:
        """"1,200 of 6,001 records · about 40 s left", or "" while the total is unknown."""
        if self.total is None:
            return ""
        left = self.seconds_left()
        return f"{self.done:,} of {self.total:,} records" + (f" · about {_duration(left)} left" if left else "")


def _duration(seconds: float) -> str:
    """About how long, rounded as a person would say it: "40 s", "3 min"."""
    if seconds < 60:
        return f"{max(1, round(seconds / 5) * 5 if seconds >= 10 else round(seconds))} s"
    return f"{round(seconds / 60)} min"
