"""PDF: rendering one signed review PDF vs a minimal one-page ReportLab document, in the same run.

    python benchmarks/pdf.py [--quick] [--repeats N]

Target: the signed review PDF in <= 150 ms (median) and <= 3x the minimal document.

The review's records are read from the store once; what is timed is the PDF itself (`review_pdf`), as when the
assessor prints at the end of a visit.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable

TARGET_MS = 150.0
TARGET_RATIO = 3.0


def minimal_pdf() -> bytes:
    """The baseline: a minimal one-page platypus document (the machinery the review PDF uses), one paragraph."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build([Paragraph("Progress review", getSampleStyleSheet()["Normal"])])
    return buffer.getvalue()


def timed(fn: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 repeats instead of 50")
    parser.add_argument("--repeats", type=int)
    args = parser.parse_args(argv)
    repeats = args.repeats or (10 if args.quick else 50)
    from benchlib import make_caseload, median, ms, scratch, verdict
    from sqlalchemy import select

    from reviewapp.reports.review_pdf import review_pdf
    from reviewapp.store.database import Store
    from reviewapp.store.models import Review, Signature
    from reviewapp.store.review_documents import load_review_document

    with scratch("pdf") as root:
        make_caseload(root / "data", 20)
        with Store.open(root / "data") as store:
            with store.read() as session:
                review_id = session.scalars(
                    select(Review.id).join(Signature, Signature.review_id == Review.id)
                    .where(Review.status == "finalised", Signature.image_png.is_not(None))
                ).first()
                if review_id is None:
                    raise SystemExit("the demo caseload has no signed, finalised review to print")
                document = load_review_document(session, review_id)
            from pypdf import PdfReader

            pages = len(PdfReader(io.BytesIO(review_pdf(document))).pages)  # warm-up: fonts, imports, templates
            minimal_pdf()
            signed: list[float] = []
            baseline: list[float] = []
            for _ in range(repeats):  # interleaved, so machine noise hits both alike
                signed += timed(lambda: review_pdf(document), 1)
                baseline += timed(minimal_pdf, 1)
    ratio = median(signed) / median(baseline)
    met = median(signed) * 1000 <= TARGET_MS and ratio <= TARGET_RATIO
    print(f"{repeats} renders each ({pages} pages): signed review median {ms(median(signed))}, "
          f"minimal page {ms(median(baseline))}")
    print(f"pdf: signed review PDF {ms(median(signed))}, {ratio:.1f}x a minimal one-page ReportLab document "
          f"(target <= {TARGET_MS:.0f} ms and <= {TARGET_RATIO:.0f}x: {verdict(met)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
