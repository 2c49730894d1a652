"""What one sync did (`SyncSummary`), and the figures the status bar and the headless command show.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from reviewapp.store.database import Store
from reviewapp.store.queries import pending_change_count
from reviewapp.store.sync.conflicts import open_conflict_count
from reviewapp.store.sync.state import LAST_SYNC, get_state

log = logging.getLogger(__name__)


@dataclass
class SyncSummary:
    pushed: int = 0
    applied: int = 0
    duplicates: int = 0
    conflicts: int = 0
    rejected: int = 0
    pulled: int = 0
    pages: int = 0
    purged_learners: int = 0
    #: Learners who left the caseload with unsent changes here: kept until the assessor decides.
    held_learners: int = 0
    requeued: int = 0
    server_changed: bool = False
    cancelled: bool = False
    finished_at: dt.datetime | None = None
    log: list[str] = field(default_factory=list)
    #: Pulled records skipped because this laptop could not apply them ("entity id: reason"; see
    #: `reviewapp.store.unapplied`), those it could not use first, then those left out with them.
    unapplied: list[str] = field(default_factory=list)
    #: How many of `unapplied` were only left out with a record they belong to.
    unapplied_with_parent: int = 0

    def text(self) -> str:
        parts = [
            f"pushed {self.pushed} change(s): {self.applied} applied, {self.duplicates} already there, "
            f"{self.conflicts} with conflicts, {self.rejected} refused",
            f"pulled {self.pulled} change(s) in {self.pages} page(s)",
            f"{self.purged_learners} learner(s) removed from this laptop",
        ]
        if self.held_learners:
            parts.append(f"{self.held_learners} learner(s) left your caseload with unsent changes, kept here until "
                         "you decide (Sync → Conflicts)")
        if self.unapplied:
            parts.append(self.unapplied_text())
        if self.server_changed:
            parts.append(f"new server: {self.requeued} record(s) queued to send again")
        if self.cancelled:
            parts.append("cancelled (what was done is kept)")
        return "; ".join(parts)


    def unapplied_text(self) -> str:
        """"1 record could not be applied: review 01H…: a number too large to store in template_version" …"""
        own = self.unapplied[: len(self.unapplied) - self.unapplied_with_parent]
        text = (f"{len(own)} record{'s' if len(own) != 1 else ''} could not be applied: " + "; ".join(own[:5])
                + (f"; and {len(own) - 5} more (see the log)" if len(own) > 5 else ""))
        if self.unapplied_with_parent:
            text += (f" ({self.unapplied_with_parent} record(s) that belong to them were left out with them; all "
                     "come again once the server's copy is corrected: tell IT)")
        else:
            text += " (it comes again once the server's copy is corrected: tell IT)"
        return text


def status_counts(store: Store) -> tuple[int, int, dt.datetime | None]:
    """(pending changes, open conflicts, last sync) for the status bar and the headless summary."""
    with store.read() as session:
        pending = pending_change_count(session)
        conflicts = open_conflict_count(session)
        last = get_state(session, LAST_SYNC)
    return pending, conflicts, dt.datetime.fromisoformat(last) if last else None
