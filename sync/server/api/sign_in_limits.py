"""Rate limits on failed sign-ins, per client address and per username, with the `limits` library.

Only failures are counted (the office behind one address signing in at nine o'clock is not slowed), but once a
limit is reached every attempt is refused with 429 and Retry-After before its password is checked, right or wrong.
The storage is `memory://` by default: each worker process then counts apart, so with `--workers N` a guesser
gets up to N times the limit; a shared storage (`redis://...`, see the `limits` documentation) makes them count
together. The lockout in the database (lockout.py) holds across workers whatever the storage.
"""

from __future__ import annotations

import math
import time

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from ..core.config import Settings


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


class SignInLimiter:
    """Counts failed sign-ins (and password changes) per client address and per username."""

    def __init__(self, settings: Settings) -> None:
        self._limiter = MovingWindowRateLimiter(storage_from_string(settings.rate_limit_storage))
        self._per_address = parse(settings.sign_in_limit_per_address)
        self._per_account = parse(settings.sign_in_limit_per_account)

    def _keys(self, address: str, username: str) -> list[tuple[object, str]]:
        return [(self._per_address, f"address:{address}"), (self._per_account, f"account:{username.casefold()}")]

    def check(self, address: str, username: str) -> None:
        """Raise `TooManyAttempts` when either limit is already reached."""
        waits = []
        for item, key in self._keys(address, username):
            if not self._limiter.test(item, "sign-in", key):  # type: ignore[arg-type]
                reset = self._limiter.get_window_stats(item, "sign-in", key).reset_time  # type: ignore[arg-type]
                waits.append(max(1, math.ceil(reset - time.time())))
        if waits:
            raise TooManyAttempts(max(waits))

    def failed(self, address: str, username: str) -> None:
        for item, key in self._keys(address, username):
            self._limiter.hit(item, "sign-in", key)  # type: ignore[arg-type]
