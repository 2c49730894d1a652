"""Where printed copies go: kept inside the encrypted caseload, and written as plain files only when exported.

Every printed copy is kept, because a printer jam on site must not be the only record of what was handed over. The
copies carry welfare and safeguarding answers, so they are kept in the store (`reviewapp.store.saved_copies`), not
as files; an export to a folder the assessor (or a support script) names is the one way a plain file is written,
and it is then unprotected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from reviewapp.core.documents import ReportSettings, ReviewDocument
from reviewapp.core.file_names import learner_folder_name
from reviewapp.reports.review_pdf import COPY_NAMES, Copy, review_pdf
from reviewapp.store.database import Store
from reviewapp.store.saved_copies import keep_copy


def learner_folder(base: Path, document: ReviewDocument) -> Path:
    return base / learner_folder_name(document.learner_name, document.learner.uln)


def review_copy_name(document: ReviewDocument, copy: Copy, *, draft: bool = False) -> str:
    """`<YYYY-MM-DD>-<review id, 8 characters>-<copy>-copy.pdf`.

    ISO date first, so a folder of exports sorts by date; the review's id next, so a second review on the same day
    (an addendum, say) never overwrites the first one's signed copies.
    """
    day = document.review.visit_date.isoformat() if document.review.visit_date else "undated"
    suffix = "-draft" if draft else ""
    return f"{day}-{document.review_id[:8]}-{copy}-copy{suffix}.pdf"


def review_copy_path(folder: Path, document: ReviewDocument, copy: Copy, *, draft: bool = False) -> Path:
    return folder / review_copy_name(document, copy, draft=draft)


def pre_visit_pack_name(as_of: dt.date) -> str:
    return f"{as_of.isoformat()}-pre-visit-pack.pdf"


def render_review_copies(document: ReviewDocument, copies: Iterable[Copy],
                         settings: ReportSettings | None = None) -> list[tuple[Copy, bytes]]:
    """Each signed copy as PDF bytes, all made before any is kept or written.

    Raises ReviewPdfError for a draft or a review whose content hash does not match, so nothing half-done is kept.
    """
    rendered = []
    for copy in copies:
        if copy not in COPY_NAMES:
            raise ValueError(f"unknown copy {copy!r}")
        rendered.append((copy, review_pdf(document, copy=copy, settings=settings)))
    return rendered


def keep_review_copies(store: Store, document: ReviewDocument, rendered: list[tuple[Copy, bytes]]) -> list[str]:
    """Keep rendered copies in the store, in one unit of work; their ids."""
    with store.write() as session:
        return [keep_copy(session, learner_id=document.learner_id, review_id=document.review_id, kind=copy,
                          file_name=review_copy_name(document, copy), pdf=pdf) for copy, pdf in rendered]


def export_review_copies(document: ReviewDocument, copies: Iterable[Copy], out_dir: Path, *,
                         settings: ReportSettings | None = None) -> list[Path]:
    """Write each copy as a plain file into `out_dir/<learner>/`; the paths. The caller says they are unprotected.

    Raises ReviewPdfError (nothing written) for a draft or a review whose content hash does not match.
    """
    rendered = render_review_copies(document, copies, settings)
    folder = learner_folder(out_dir, document)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for copy, pdf in rendered:
        path = review_copy_path(folder, document, copy)
        path.write_bytes(pdf)
        written.append(path)
    return written
