"""Packing outbox entries into push batches: a review travels with its signatures, within the server's limits.
"""

from __future__ import annotations

import json

from reviewapp.store.sync.push import SentEntry
from sync.protocol import ENTITY_ORDER, MAX_BODY_BYTES


def push_units(entries: list[SentEntry]) -> list[list[SentEntry]]:
    """Entries grouped so a review travels with its signatures (the server's ordering rule: a review's signatures
    in the same push as, or an earlier push than, the change that finalises it), parents before children."""
    by_review: dict[str, list[SentEntry]] = {}
    reviews = {e.record_id for e in entries if e.entity == "review"}
    units: list[list[SentEntry]] = []
    for entry in entries:
        if entry.entity == "signature" and entry.fields.get("review_id") in reviews:
            by_review.setdefault(entry.fields["review_id"], []).append(entry)
    for entry in entries:
        if entry.entity == "signature" and entry.fields.get("review_id") in reviews:
            continue
        unit = [entry]
        if entry.entity == "review":
            unit += by_review.get(entry.record_id, [])
        units.append(unit)
    order = {name: index for index, name in enumerate(ENTITY_ORDER)}
    units.sort(key=lambda unit: (order[unit[0].entity], unit[0].seq))
    return units


#: The most bytes of record data one push carries: half the server's body limit, leaving room for the envelope and
#: for JSON escaping, so a batch of many signed reviews (each up to a few hundred KB with its drawn signatures) is
#: split rather than answered 413 on every retry.
PUSH_BATCH_BYTES = MAX_BODY_BYTES // 2


def _entry_bytes(entry: SentEntry) -> int:
    return len(json.dumps(entry.fields, ensure_ascii=False).encode("utf-8")) + len(
        json.dumps(entry.base, ensure_ascii=False).encode("utf-8"))


def batches(entries: list[SentEntry], size: int, max_bytes: int = PUSH_BATCH_BYTES) -> list[list[SentEntry]]:
    """Push units packed into batches of at most `size` changes and about `max_bytes` of data (a unit is never
    split: a review travels with its signatures; one larger than `max_bytes` goes alone)."""
    out: list[list[SentEntry]] = []
    current: list[SentEntry] = []
    current_bytes = 0
    for unit in push_units(entries):
        unit_bytes = sum(_entry_bytes(e) for e in unit)
        if current and (len(current) + len(unit) > size or current_bytes + unit_bytes > max_bytes):
            out.append(current)
            current, current_bytes = [], 0
        current.extend(unit)
        current_bytes += unit_bytes
    if current:
        out.append(current)
    return out

