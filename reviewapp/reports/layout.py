"""The page every document shares: A4, margins, type styles, running header, footer with "Page x of y", watermark.

Kept apart from the documents themselves so the signed review, the pre-visit pack and the blank form look like one
family, and so that "Page x of y" (which needs the page count before any page is finished) is solved once: pages are
held back until the document ends, then each gets its header and footer with the total known.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from reviewapp.reports.fonts import BOLD, ITALIC, REGULAR, register_fonts

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 18 * mm
MARGIN_BOTTOM = 18 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN_X

#: Every table names the embedded font, so that a plain-string cell never falls back on Helvetica.
FONT_COMMAND = ("FONTNAME", (0, 0), (-1, -1), REGULAR)

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
RULE = colors.HexColor("#cbd2d9")
SHADE = colors.HexColor("#f0f4f8")
ACCENT = colors.HexColor("#1d4e89")

#: RAG colours: a fill and the text colour that reads on it. The word is always printed too, because copies are
#: often printed in black and white and some readers cannot tell red from green.
RAG_COLOURS: dict[str, tuple[colors.Color, colors.Color]] = {
    "red": (colors.HexColor("#c62828"), colors.white),
    "amber": (colors.HexColor("#f9a825"), colors.black),
    "green": (colors.HexColor("#2e7d32"), colors.white),
}


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    label: ParagraphStyle
    help: ParagraphStyle
    heading: ParagraphStyle
    title: ParagraphStyle
    provider: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    badge: ParagraphStyle
    #: An answer a copy does not carry: set apart from answers, so no reader takes it for what was said.
    withheld: ParagraphStyle


def styles() -> Styles:
    """The type styles, all in the embedded font so every name prints with its accents."""
    font = register_fonts()
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=12.5, textColor=INK, spaceAfter=5)
    return Styles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=MUTED, spaceAfter=0),
        label=ParagraphStyle("label", parent=body, fontName=BOLD, fontSize=9, leading=11.5, spaceAfter=1.5),
        help=ParagraphStyle("help", parent=body, fontName=ITALIC, fontSize=8, leading=10, textColor=MUTED,
                            spaceAfter=3, keepWithNext=True),
        heading=ParagraphStyle("heading", parent=body, fontName=BOLD, fontSize=12, leading=15, textColor=ACCENT,
                               spaceBefore=8, spaceAfter=4),
        title=ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=15, leading=19, spaceAfter=2),
        provider=ParagraphStyle("provider", parent=body, fontName=BOLD, fontSize=10.5, leading=13,
                                textColor=ACCENT, spaceAfter=0),
        cell=ParagraphStyle("cell", parent=body, fontSize=8.5, leading=11, spaceAfter=0),
        cell_bold=ParagraphStyle("cell_bold", parent=body, fontName=BOLD, fontSize=8.5, leading=11, spaceAfter=0),
        badge=ParagraphStyle("badge", parent=body, fontName=BOLD, fontSize=8, leading=10, alignment=TA_CENTER,
                             spaceAfter=0),
        withheld=ParagraphStyle("withheld", parent=body, fontName=ITALIC, fontSize=8.5, leading=11, textColor=MUTED,
                                spaceAfter=0),
    )


def text(value: object) -> str:
    """Plain text made safe for a Paragraph: markup characters escaped, line breaks kept."""
    return escape(str(value)).replace("\n", "<br/>")


def para(value: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(text(value), style)


def heading(value: object, st: Styles) -> list[Flowable]:
    """A section heading that never sits alone at the foot of a page.

    A page break on a shortage of room rather than keep-with-next: keep-with-next would carry a whole table to the
    next page with its heading and leave half a page empty.
    """
    return [CondPageBreak(40 * mm), para(value, st.heading)]


def label(value: object, st: Styles) -> list[Flowable]:
    """A question's label, kept off the last few lines of a page for the same reason."""
    return [CondPageBreak(22 * mm), para(value, st.label)]


def grid(rows: Sequence[Sequence[Any]], widths: Sequence[float], *, header: bool = True, zebra: bool = False,
         row_heights: Sequence[float | None] | None = None) -> Table:
    """A ruled table whose long rows may split across pages (a long comment must never be cut off); fixed row
    heights give room to write on a paper form."""
    table = Table(list(rows), colWidths=list(widths), rowHeights=list(row_heights) if row_heights else None,
                  repeatRows=1 if header else 0, splitInRow=int(_has_long_cell(rows)), hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        FONT_COMMAND,
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_SIDE_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_SIDE_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, 0), SHADE), ("LINEBELOW", (0, 0), (-1, 0), 0.8, MUTED)]
    if zebra:
        commands += [("ROWBACKGROUNDS", (0, 1 if header else 0), (-1, -1), [colors.white, SHADE])]
    table.setStyle(TableStyle(commands))
    return table


#: The space each side of a table cell's text. Two columns' texts are then at least 14 pt apart, over 1.5 times the
#: cells' 8.5 pt type: nearer than that, pdftotext (poppler) takes words on one baseline for one line and reads a
#: wrapped cell interleaved with its neighbour ("Shadow your line manager during two 04/11/2026 health and…").
CELL_SIDE_PADDING = 7

#: A cell with more text than this may be taller than what is left of a page, so its row is allowed to split;
#: shorter rows move whole to the next page, which reads better than a target cut in two.
_SPLIT_ROW_CHARS = 600


def _has_long_cell(rows: Sequence[Sequence[Any]]) -> bool:
    return any(isinstance(cell, Paragraph) and len(cell.getPlainText()) > _SPLIT_ROW_CHARS
               for row in rows for cell in row)


def rag_badge(value: str, words: str, st: Styles) -> Table:
    """A RAG rating as a coloured label carrying the word, with the option's full wording beside it."""
    fill, ink = RAG_COLOURS.get(value, (RULE, INK))
    badge_style = ParagraphStyle("badge-" + value, parent=st.badge, textColor=ink)
    table = Table([[Paragraph(escape(value.upper()), badge_style), para(words, st.body)]],
                  colWidths=[18 * mm, FRAME_WIDTH - 18 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([
        FONT_COMMAND, ("BACKGROUND", (0, 0), (0, 0), fill),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (0, 0), 2), ("RIGHTPADDING", (0, 0), (0, 0), 2),
        ("LEFTPADDING", (1, 0), (1, 0), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table


@dataclass(frozen=True)
class PageFurniture:
    """What is printed on every page around the content."""

    running_header: str  # from page 2 on; page 1 carries the document's own header
    footer_left: str  # the copy's name, or the kind of document
    footer_centre: str = ""
    watermark: str | None = None


#: The least clear space between two footer texts, so a long one is shortened rather than run into the next.
FOOTER_GAP = 4 * mm
FOOTER_LEFT_SIZE = 8.0
FOOTER_SIZE = 7.5
ELLIPSIS = "…"


def fit_to_width(value: str, font: str, size: float, width: float) -> str:
    """`value` as it fits in `width` points: whole if it fits, else cut at a word if it can, ending in "…".

    Page furniture is drawn with drawString, which never wraps: text that does not fit runs over whatever is next
    to it (a long provider name printed across the copy's name and "Page x of y"). Empty if not even "…" fits.
    """
    if stringWidth(value, font, size) <= width:
        return value
    if stringWidth(ELLIPSIS, font, size) > width:
        return ""
    low, high = 0, len(value)  # the longest prefix that fits with the ellipsis: a binary search on its length
    while low < high:
        middle = (low + high + 1) // 2
        if stringWidth(value[:middle].rstrip() + ELLIPSIS, font, size) <= width:
            low = middle
        else:
            high = middle - 1
    kept = value[:low]
    at_word = kept.rstrip().rfind(" ")
    if at_word > low * 2 // 3:  # cut at a word when that loses little
        kept = kept[:at_word]
    return kept.rstrip(" ,;:—–-") + ELLIPSIS


@dataclass(frozen=True)
class FooterTexts:
    """The footer's three texts as drawn: each fitted to its own column so none overprints another."""

    left: str
    centre: str
    right: str


def footer_texts(furniture: PageFurniture, number: int, total: int, font: str) -> FooterTexts:
    """The footer for page `number`: the page count whole, the copy's name beside it, the provider centred between.

    The centre column is sized for the widest page count of the document ("Page 12 of 12"), so the provider name is
    shortened the same way on every page; it stays centred, so it must clear both neighbours by FOOTER_GAP.
    """
    right = f"Page {number} of {total}"
    right_width = stringWidth(f"Page {total} of {total}", font, FOOTER_SIZE)
    left = fit_to_width(furniture.footer_left, BOLD, FOOTER_LEFT_SIZE, FRAME_WIDTH - right_width - FOOTER_GAP)
    left_width = stringWidth(left, BOLD, FOOTER_LEFT_SIZE)
    half = FRAME_WIDTH / 2 - max(left_width, right_width) - FOOTER_GAP
    centre = fit_to_width(furniture.footer_centre, font, FOOTER_SIZE, 2 * half) if half > 0 else ""
    return FooterTexts(left, centre, right)


def _furnished_canvas(furniture: PageFurniture) -> type[Canvas]:
    """A canvas class that holds pages back until the end, so each footer can say "Page x of y"."""

    class FurnishedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                _draw_furniture(self, furniture, number, total)
                super().showPage()
            super().save()

    return FurnishedCanvas


def _draw_furniture(canvas: Canvas, furniture: PageFurniture, number: int, total: int) -> None:
    font = register_fonts()
    canvas.saveState()
    if furniture.watermark:
        canvas.setFillColor(colors.Color(0.78, 0.16, 0.16, alpha=0.22))
        canvas.setFont(BOLD, 44)
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        canvas.rotate(52)
        canvas.drawCentredString(0, -15, furniture.watermark)
        canvas.restoreState()
        canvas.saveState()
    canvas.setFillColor(MUTED)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    if number > 1:
        canvas.setFont(font, 7.5)
        canvas.drawString(MARGIN_X, PAGE_HEIGHT - 11 * mm, fit_to_width(furniture.running_header, font, 7.5,
                                                                         FRAME_WIDTH))
        canvas.line(MARGIN_X, PAGE_HEIGHT - 12.5 * mm, PAGE_WIDTH - MARGIN_X, PAGE_HEIGHT - 12.5 * mm)
    canvas.line(MARGIN_X, 13 * mm, PAGE_WIDTH - MARGIN_X, 13 * mm)
    footer = footer_texts(furniture, number, total, font)
    canvas.setFont(BOLD, FOOTER_LEFT_SIZE)
    canvas.drawString(MARGIN_X, 9 * mm, footer.left)
    canvas.setFont(font, FOOTER_SIZE)
    if footer.centre:
        canvas.drawCentredString(PAGE_WIDTH / 2, 9 * mm, footer.centre)
    canvas.drawRightString(PAGE_WIDTH - MARGIN_X, 9 * mm, footer.right)
    canvas.restoreState()


def build_pdf(story: list[Flowable], furniture: PageFurniture, *, title: str, subject: str, author: str) -> bytes:
    """Lay out a story on A4 pages with the shared furniture; the PDF as bytes.

    For screen readers: the title (shown by readers in place of the file name) and the language are declared, and the
    text is drawn in reading order (tables cell by cell, row by row; columns far enough apart that layout-based
    extraction keeps each cell whole, `CELL_SIDE_PADDING`). The PDF is not tagged: ReportLab's open-source edition
    (5.1 here) has no API for a structure tree or marked content (StructTreeRoot is only a catalog key it lets
    pass), and tags added afterwards would have to rewrite every content stream with marked-content sequences,
    so /MarkInfo is not claimed."""
    register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=title, subject=subject, author=author, creator="ReviewApp",
        initialFontName=register_fonts(),  # else every page declares Helvetica, which has no "Ł" or "Ș"
        lang="en-GB", displayDocTitle=True,  # a screen reader reads it as British English and announces the title
    )
    doc.build(story, canvasmaker=_furnished_canvas(furniture))
    return buffer.getvalue()
