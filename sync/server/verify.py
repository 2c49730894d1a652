"""Checking a printed copy against the provider's records (issue 17 item 4), for anyone holding one: no sign-in.

`check_copy` answers genuine (a finalised review held here, and the fingerprint is one of its three copies'),
altered (a finalised review held here, but the fingerprint matches none of its copies) or unknown (no such review,
or one that is not finalised: a draft, a voided or deleted review). Unknown is one answer whatever the reason, so
the endpoint reveals nothing about drafts. Only a genuine answer says anything about the review: its date, the
learner's initials and which copy. An id alone (printed on the copy, and it may be retyped or passed on) is not
enough to learn those; the fingerprint as well means the asker holds the copy, which shows far more. Never the
content. The fingerprints come from `reviewapp.core.copy_check`, the rule the laptop prints by.

Every check counts against a per-address rate limit (`VerifyLimiter`, the `limits` setup the sign-in uses), so ids
cannot be tried in bulk.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy.orm import Session

from reviewapp.core.copy_check import CopyName, Status, initials, matching_copy
from reviewapp.core.review_rules import parse_iso_date
from sync.protocol import text_problem

from .api.sign_in_limits import TooManyAttempts
from .core.config import Settings
from .models import Learner, Review

COPY_WORDS: dict[str | None, str] = {"learner": "the learner's copy", "employer": "the employer's copy",
                                     "provider": "the provider's copy", None: "a copy that does not say which"}
#: The sentence each status is answered with, the same for every review of that status.
MESSAGES: dict[str, str] = {
    "genuine": "This is a genuine copy of a finalised review held by the provider: it is what was signed.",
    "altered": "The provider holds a finalised review with this reference, but this copy's fingerprint does not "
               "match it: the copy has been changed, or the address was not typed exactly. Ask the provider for "
               "a fresh copy.",
    "unknown": "The provider holds no finalised review with this reference. Check the address was typed exactly; "
               "if it was, this is not a copy the provider can vouch for.",
}


@dataclass(frozen=True)
class CopyCheck:
    """The answer about one copy; the review's details only when `status` is genuine."""

    status: Status
    review_id: str
    review_date: dt.date | None = None
    learner_initials: str | None = None
    copy: CopyName | None = None

    @property
    def message(self) -> str:
        return MESSAGES[self.status]

    @property
    def copy_words(self) -> str:
        return COPY_WORDS[self.copy]

    def as_json(self) -> dict[str, object]:
        answer: dict[str, object] = {"status": self.status, "review_id": self.review_id, "message": self.message}
        if self.status == "genuine":
            answer.update(review_date=self.review_date.isoformat() if self.review_date else None,
                          learner_initials=self.learner_initials, copy=self.copy)
        return answer


def check_copy(session: Session, review_id: str, fingerprint: str) -> CopyCheck:
    """Whether the copy with this review id and fingerprint is one the provider issued."""
    storable = 0 < len(review_id) <= 36 and text_problem(review_id) is None  # a NUL would be an error on PostgreSQL
    review = session.get(Review, review_id) if storable else None
    content_hash = (review.data or {}).get("content_hash") if review is not None else None
    if review is None or review.deleted or review.status != "finalised" or not isinstance(content_hash, str):
        return CopyCheck("unknown", review_id)
    matches, copy = matching_copy(content_hash, fingerprint)
    if not matches:
        return CopyCheck("altered", review_id)
    learner = session.get(Learner, review.learner_id)
    data = learner.data if learner is not None else {}
    return CopyCheck("genuine", review_id, review_date=parse_iso_date(review.visit_date),
                     learner_initials=initials(str(data.get("first_name") or ""), str(data.get("last_name") or "")),
                     copy=copy)


class VerifyLimiter:
    """Checks per client address, every one counted (the `limits` storage the sign-in limits use)."""

    def __init__(self, settings: Settings) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(settings.rate_limit_storage))
        self._per_address = parse(settings.verify_limit_per_address)

    def hit(self, address: str) -> None:
        """Count a check from `address`; `TooManyAttempts` (with the wait) once the limit is reached."""
        key = f"address:{address}"
        if not self._limiter.hit(self._per_address, "verify", key):
            reset = self._limiter.get_window_stats(self._per_address, "verify", key).reset_time
            raise TooManyAttempts(max(1, math.ceil(reset - time.time())))
