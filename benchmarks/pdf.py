"""PDF: rendering one signed review PDF vs a minimal one-page ReportLab document, in the same run.

    python benchmarks/pdf.py [--quick] [--repeats N]

Target: the signed review PDF in <= 150 ms (median) and <= 3x the minimal document.

The review PDF module (reviewapp.reports.review_pdf) is being built separately; until it is there this script says
so and exits 0. Once it is, `render_signed` below is the one place to adjust if its call differs.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable
from typing import Any

TARGET_MS = 150.0
TARGET_RATIO = 3.0


def minimal_pdf() -> bytes:
    """The baseline: the smallest real ReportLab document, one A4 page with a line of text."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.drawString(72, 770, "Progress review")
    page.showPage()
    page.save()
    return buffer.getvalue()


def render_signed(render: Callable[..., Any], store: Any, review_id: str) -> bytes:
    """Render the review through the PDF module. ADJUST HERE if `render_review_pdf` takes other arguments."""
    result = render(store, review_id)
    return result if isinstance(result, bytes) else bytes(getattr(result, "getvalue", lambda: b"")())


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
    try:
        from reviewapp.reports.review_pdf import render_review_pdf
    except ImportError as exc:
        print(f"pdf: PDF module not available yet (reviewapp.reports.review_pdf.render_review_pdf: {exc}); "
              "nothing measured")
        return 0

    from benchlib import make_caseload, median, ms, scratch, verdict
    from sqlalchemy import select

    from reviewapp.store.database import Store
    from reviewapp.store.models import Review, Signature

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
            render_signed(render_review_pdf, store, review_id)  # warm-up: fonts, imports, templates
            minimal_pdf()
            signed: list[float] = []
            baseline: list[float] = []
            for _ in range(repeats):  # interleaved, so machine noise hits both alike
                signed += timed(lambda: render_signed(render_review_pdf, store, review_id), 1)
                baseline += timed(minimal_pdf, 1)
    ratio = median(signed) / median(baseline)
    met = median(signed) * 1000 <= TARGET_MS and ratio <= TARGET_RATIO
    print(f"{repeats} renders each: signed review median {ms(median(signed))}, minimal page {ms(median(baseline))}")
    print(f"pdf: signed review PDF {ms(median(signed))}, {ratio:.1f}x a minimal one-page ReportLab document "
          f"(target <= {TARGET_MS:.0f} ms and <= {TARGET_RATIO:.0f}x: {verdict(met)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
