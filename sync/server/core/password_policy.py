"""The one password policy, used by `create-user`, `set-password` (and the admin API's reset) and the user's own
change: NCSC and NIST SP 800-63B guidance rather than composition rules.

- at least 12 characters (and at most 1,000, what the sign-in request accepts);
- not one of the commonest passwords, nor one of them with digits or symbols added before or after
  ("password", "Password2026!"). The list is the 30,000 commonest passwords shipped with `zxcvbn` (MIT licence,
  from the xato.net ten-million-password corpus), so no list is vendored here;
- not repetitive: fewer than five different characters ("aaaaaaaaaaaa", "abababababab") is refused;
- not containing the username.
"""

from __future__ import annotations

import functools
import re

MIN_LENGTH = 12
MAX_LENGTH = 1000
MIN_DISTINCT_CHARACTERS = 5
#: A username shorter than this is too likely to occur by chance in a long passphrase to be refused for it.
MIN_USERNAME_CHECKED = 3

_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")


class WeakPassword(ValueError):
    """The password does not meet the policy; the message says why, for the person choosing it."""


@functools.cache
def common_passwords() -> frozenset[str]:
    """The commonest passwords, case-folded. Loaded on first use: the list is large, and the desktop app imports
    this module with the embedded server without ever choosing a password."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.casefold() for word in FREQUENCY_LISTS["passwords"])


def password_problem(password: str, username: str) -> str | None:
    """Why `password` is not acceptable for `username`, or None when it is."""
    if len(password) < MIN_LENGTH:
        return f"The password must be at least {MIN_LENGTH} characters long; a few unrelated words make a good one."
    if len(password) > MAX_LENGTH:
        return f"The password must be at most {MAX_LENGTH} characters long."
    if len(set(password)) < MIN_DISTINCT_CHARACTERS:
        return "The password uses too few different characters to be hard to guess; choose a few unrelated words."
    folded = password.casefold()
    common = common_passwords()
    if folded in common or _EDGES.sub("", folded) in common or folded.replace(" ", "") in common:
        return "The password is one of the most commonly used passwords, which are tried first: choose another."
    name = username.strip().casefold()
    if len(name) >= MIN_USERNAME_CHECKED and name in folded:
        return "The password must not contain the username."
    return None


def check_password(password: str, username: str) -> None:
    """Raise `WeakPassword` with the reason when the password does not meet the policy."""
    problem = password_problem(password, username)
    if problem:
        raise WeakPassword(problem)
