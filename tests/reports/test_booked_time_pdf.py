"""The printed copy gives the next review as booked, DD/MM/YYYY HH:MM (issue 17 item 3): header and closing block."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from reviewapp.core.dates import format_date
from reviewapp.core.documents import ReportSettings
from reviewapp.reports.review_pdf import review_pdf
from tests.reports.conftest import normalised, pdf_text, rehashed


def test_the_copy_gives_the_next_review_date_and_time(typical, tmp_path: Path) -> None:
    booked = rehashed(typical, next_review_time="14:30", next_review_minutes=45)
    data = review_pdf(booked, copy="learner", settings=ReportSettings("Northfield Training Ltd"))
    text = normalised(pdf_text(data))
    when = f"{format_date(booked.review.next_review_date)} 14:30"
    assert text.count(when) >= 2  # the header's "Next review" and the closing block's
    untimed = normalised(pdf_text(review_pdf(rehashed(typical, next_review_time=None), copy="learner",
                                             settings=ReportSettings("Northfield Training Ltd"))))
    assert when not in untimed and format_date(booked.review.next_review_date) in untimed
    if shutil.which("pdftoppm"):
        (tmp_path / "booked.pdf").write_bytes(data)
        shots = Path("/tmp/booking-shots")
        shots.mkdir(exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", str(tmp_path / "booked.pdf"),
                        str(shots / "copy-booked")], check=True)
