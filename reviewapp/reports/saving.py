"""Where saved copies go: a folder per learner in the data directory, unless the user chooses somewhere else.

Every printed copy is also saved, because a printer jam on site must not be the only record of what was handed over,
and support staff asked for "the copy the employer got" should find it by learner name without opening the app.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from reviewapp.core.documents import ReportSettings, ReviewDocument
from reviewapp.core.file_names import REVIEWS_FOLDER, learner_folder_name
from reviewapp.reports.review_pdf import COPY_NAMES, Copy, write_review_pdf


def learner_folder(base: Path, document: ReviewDocument) -> Path:
    return base / learner_folder_name(document.learner_name, document.learner.uln)


def review_copy_path(folder: Path, document: ReviewDocument, copy: Copy, *, draft: bool = False) -> Path:
    """`<folder>/<YYYY-MM-DD>-<review id, 8 characters>-<copy>-copy.pdf`.

    ISO date first, so the folder sorts by date; the review's id next, so a second review on the same day (an
    addendum, say) never overwrites the first one's signed copies.
    """
    day = document.review.visit_date.isoformat() if document.review.visit_date else "undated"
    suffix = "-draft" if draft else ""
    return folder / f"{day}-{document.review_id[:8]}-{copy}-copy{suffix}.pdf"


def save_review_copies(
    document: ReviewDocument,
    copies: Iterable[Copy],
    *,
    data_dir: Path | None = None,
    out_dir: Path | None = None,
    settings: ReportSettings | None = None,
) -> list[Path]:
    """Write each copy; into `out_dir/<learner>/` if given, else `data_dir/reviews/<learner>/`. Returns the paths.

    Raises ReviewPdfError (nothing written) for a draft or a review whose content hash does not match.
    """
    if out_dir is None and data_dir is None:
        raise ValueError("give data_dir or out_dir")
    base = out_dir if out_dir is not None else (data_dir or Path()) / REVIEWS_FOLDER
    folder = learner_folder(base, document)
    written = []
    for copy in copies:
        if copy not in COPY_NAMES:
            raise ValueError(f"unknown copy {copy!r}")
        written.append(write_review_pdf(document, review_copy_path(folder, document, copy), copy=copy,
                                        settings=settings))
    return written
