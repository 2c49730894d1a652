"""The footer on every page keeps its three texts apart: copy name, provider name, "Page x of y".

A provider name can be as long as a company's registered name; drawn whole and centred it ran across the copy's
name and the page count. The checks measure what is drawn with reportlab's own font metrics, then read a real PDF.
"""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from reviewapp.reports.fonts import BOLD, register_fonts
from reviewapp.reports.layout import (
    ELLIPSIS,
    FOOTER_GAP,
    FOOTER_LEFT_SIZE,
    FOOTER_SIZE,
    MARGIN_X,
    PAGE_WIDTH,
    PageFurniture,
    fit_to_width,
    footer_texts,
)
from reviewapp.reports.review_pdf import COPY_NAMES, review_pdf
from reviewapp.store.review_documents import ReportSettings

LONG_PROVIDER = ("The Northfield and West Riding Consortium for Work-Based Learning, Apprenticeships and Skills "
                 "(Trading as Northfield UK)")
assert len(LONG_PROVIDER) == 120


def _columns(left: str, centre: str, right: str, font: str) -> list[tuple[float, float]]:
    """Where each text starts and ends on the page, drawn as layout draws them (left, centred, right-aligned)."""
    centre_width = stringWidth(centre, font, FOOTER_SIZE)
    right_width = stringWidth(right, font, FOOTER_SIZE)
    return [
        (MARGIN_X, MARGIN_X + stringWidth(left, BOLD, FOOTER_LEFT_SIZE)),
        (PAGE_WIDTH / 2 - centre_width / 2, PAGE_WIDTH / 2 + centre_width / 2),
        (PAGE_WIDTH - MARGIN_X - right_width, PAGE_WIDTH - MARGIN_X),
    ]


@pytest.mark.parametrize("left", [*COPY_NAMES.values(), "Learner copy — draft for reading",
                                  "Pre-visit pack — assessor only"])
@pytest.mark.parametrize("total", [1, 9, 120])
def test_a_long_provider_name_is_shortened_to_clear_its_neighbours(left, total):
    font = register_fonts()
    furniture = PageFurniture(running_header="", footer_left=left, footer_centre=LONG_PROVIDER)
    texts = footer_texts(furniture, total, total, font)
    assert texts.left == left and texts.right == f"Page {total} of {total}"  # the neighbours stay whole
    assert texts.centre.endswith(ELLIPSIS) and LONG_PROVIDER.startswith(texts.centre[:-1])
    assert len(texts.centre) > 20  # shortened, not dropped
    (l0, l1), (c0, c1), (r0, r1) = _columns(texts.left, texts.centre, texts.right, font)
    assert l1 + FOOTER_GAP <= c0 + 0.01 and c1 + FOOTER_GAP <= r0 + 0.01
    assert l0 >= MARGIN_X and r1 <= PAGE_WIDTH - MARGIN_X


def test_a_provider_name_that_fits_is_printed_whole():
    furniture = PageFurniture(running_header="", footer_left="Provider copy", footer_centre="Northfield Training Ltd")
    assert footer_texts(furniture, 1, 3, register_fonts()).centre == "Northfield Training Ltd"


def test_fitting_cuts_at_a_word_and_never_exceeds_the_width():
    font = register_fonts()
    for width in (5, 40, 120, 300):
        fitted = fit_to_width(LONG_PROVIDER, font, FOOTER_SIZE, width)
        assert stringWidth(fitted, font, FOOTER_SIZE) <= width
    assert fit_to_width(LONG_PROVIDER, font, FOOTER_SIZE, 120).removesuffix(ELLIPSIS) in {
        LONG_PROVIDER[:i] for i, ch in enumerate(LONG_PROVIDER) if ch == " "}
    assert fit_to_width("x" * 10, font, FOOTER_SIZE, 1) == ""


def _footer_line(page) -> list[tuple[float, str]]:
    """Each text drawn on the footer's baseline (9 mm up), with where it starts."""
    drawn: list[tuple[float, str]] = []

    def visit(text, _cm, tm, _font_dict, _font_size):
        if text.strip() and abs(tm[5] - 9 * mm) < 1:
            drawn.append((tm[4], text.strip()))

    page.extract_text(visitor_text=visit)
    return drawn


def test_the_printed_footer_keeps_the_long_provider_name_between_its_neighbours(typical):
    data = review_pdf(typical, copy="learner", settings=ReportSettings(LONG_PROVIDER))
    font = register_fonts()
    for page in PdfReader(BytesIO(data)).pages:
        by_text = {text: x for x, text in _footer_line(page)}
        left = COPY_NAMES["learner"]
        right = next(t for t in by_text if t.startswith("Page "))
        (centre,) = set(by_text) - {left, right}
        assert LONG_PROVIDER.startswith(centre.removesuffix(ELLIPSIS))
        left_end = by_text[left] + stringWidth(left, BOLD, FOOTER_LEFT_SIZE)
        centre_end = by_text[centre] + stringWidth(centre, font, FOOTER_SIZE)
        assert left_end < by_text[centre] and centre_end < by_text[right]
