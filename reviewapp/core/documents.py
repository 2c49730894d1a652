"""The plain records a printed review or a pre-visit pack is made from.

Reports are handed these frozen values (in the wire shapes of `sync.protocol`), never sessions or rows, so the PDF
code cannot change a signed review by accident and can be tested and timed without a database. The store fills
them (`reviewapp.store.review_documents`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sync.protocol import (
    EmployerData,
    LearnerData,
    OtjEntryData,
    PlanItemData,
    ReviewData,
    SignatureData,
    TargetData,
)

DEFAULT_PROVIDER_NAME = "Apprenticeship training provider"


@dataclass(frozen=True)
class ReportSettings:
    """What the provider puts at the top of every printed copy. The logo is optional; a missing file is skipped.
    `verify_address` is the provider's public server address the QR code of a signed copy points at
    (`reviewapp.core.copy_check`); None prints the plain reference instead (a laptop that never synced)."""

    provider_name: str = DEFAULT_PROVIDER_NAME
    logo_path: Path | None = None
    verify_address: str | None = None

    @property
    def provider_named(self) -> bool:
        """Whether the provider has given its name: otherwise every copy prints the neutral placeholder, which the
        app asks about at the first start and points out before printing."""
        return self.provider_name.strip() not in ("", DEFAULT_PROVIDER_NAME)


@dataclass(frozen=True)
class ReviewDocument:
    """One review and the records it is about, as the PDF needs them.

    `followed_up_targets` are the targets this review followed up (for a draft: those still open), keyed by id and
    in due-date order; `set_targets` are those it set. `plan_items` is the learner's plan in plan order.
    """

    review_id: str
    review: ReviewData
    learner_id: str
    learner: LearnerData
    employer: EmployerData | None
    signatures: tuple[SignatureData, ...]
    followed_up_targets: dict[str, TargetData]
    set_targets: dict[str, TargetData]
    plan_items: dict[str, PlanItemData]
    otj_entries: tuple[OtjEntryData, ...] = ()
    last_review_date: dt.date | None = None

    @property
    def learner_name(self) -> str:
        return f"{self.learner.first_name} {self.learner.last_name}"


@dataclass(frozen=True)
class PreVisitPack:
    """What an assessor reads before a visit: the plan, the open targets, the last review's actions, the hours."""

    learner_id: str
    learner: LearnerData
    employer: EmployerData | None
    plan_items: dict[str, PlanItemData]
    open_targets: dict[str, TargetData]
    otj_entries: tuple[OtjEntryData, ...]
    last_review_id: str | None = None
    last_review: ReviewData | None = None
    reviews_done: int = 0

    @property
    def learner_name(self) -> str:
        return f"{self.learner.first_name} {self.learner.last_name}"
