"""What kind of thing an open sync conflict is; a StrEnum so the values stored in `sync_conflicts.kind` stay the
same strings."""

from enum import StrEnum


class ConflictKind(StrEnum):
    #: A field both sides changed: the server kept its value, the laptop's is offered back (Keep mine).
    CONFLICT = "conflict"
    #: A change the server refused (out of scope, invalid): held until edited again or discarded.
    REJECTED = "rejected"
    #: A learner who left the caseload while this laptop held unsent changes to their records.
    REMOVED = "removed"
