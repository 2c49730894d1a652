"""Two texts side by side with their differences marked (issue 19 item 2), as HTML for a read-only text view.

Words, not characters: an assessor compares sentences, and a word-level diff keeps the marks where a person sees a
change. Words only one side has are highlighted and underlined (not by colour alone).
"""

from __future__ import annotations

import difflib
import html
import re

_WORD = re.compile(r"\s+|[^\s]+")
_MINE = "background:#ffe2b3;text-decoration:underline;"
_THEIRS = "background:#cfe3ff;text-decoration:underline;"


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _html(parts: list[str]) -> str:
    return "".join(parts).replace("\n", "<br>")


def marked_pair(mine: str, theirs: str) -> tuple[str, str]:
    """HTML of `mine` with what `theirs` lacks marked, and of `theirs` with what `mine` lacks marked."""
    left, right = _words(mine), _words(theirs)
    out_left: list[str] = []
    out_right: list[str] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, left, right, autojunk=False).get_opcodes():
        a, b = html.escape("".join(left[a1:a2])), html.escape("".join(right[b1:b2]))
        if op == "equal":
            out_left.append(a)
            out_right.append(b)
            continue
        if a:
            out_left.append(f'<span style="{_MINE}">{a}</span>')
        if b:
            out_right.append(f'<span style="{_THEIRS}">{b}</span>')
    return _html(out_left), _html(out_right)
