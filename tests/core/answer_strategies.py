"""Hypothesis strategies shared by the core property tests: answers as a stored draft may hold them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

#: Keys of the nested answers the templates use (list items, follow-ups, scenario answers).
ANSWER_KEYS = ("raised", "detail", "status", "comment", "carry_forward", "progress", "response", "text", "due_date",
               "scenario_id")


def json_values(keys: Sequence[str] = ANSWER_KEYS) -> st.SearchStrategy[Any]:
    """Any JSON-like answer, nested a little, with dictionaries keyed by `keys`. Text is what a draft can hold: the
    shared storability rule (sync.protocol.record_problem) refuses NUL characters and lone surrogates in any
    record, so no stored draft has them."""
    return st.recursive(
        st.none() | st.booleans() | st.integers(-5, 200) | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
        | st.sampled_from(["red", "amber", "green", "2026-04-01", "met", "not_met"]),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(list(keys)), inner, max_size=4),
        max_leaves=8,
    )
