"""The typeface every document is set in: DejaVu Sans, shipped in `reviewapp/resources/fonts` and embedded in each PDF.

ReportLab's built-in fonts (Helvetica and friends) cover only Latin-1 without embedding, so "Siobhán Ó Briain" may
survive but "Zoë Ødegård"'s neighbours in Welsh, Polish or Romanian names ("Dafydd ap Siôn", "Łucja", "Ștefan") do
not, and what a printer substitutes is anyone's guess. We ship the font rather than look for one at run time: the
app runs offline on Windows, macOS and Linux laptops whose installed fonts we do not control, and a signed copy must
look the same wherever it is printed. DejaVu's licence (Bitstream Vera terms, DejaVu changes public domain) allows
redistribution with the notice, which sits beside the files as `LICENSE-DejaVu.txt`.
"""

from __future__ import annotations

from functools import lru_cache

from reportlab.graphics import shapes
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from reviewapp.core.resources import resource_path

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
ITALIC = "DejaVuSans-Oblique"

_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf", ITALIC: "DejaVuSans-Oblique.ttf"}


class FontMissingError(RuntimeError):
    """The shipped font files are not where the app expects them (a broken installation)."""


@lru_cache(maxsize=1)
def register_fonts() -> str:
    """Register the family with ReportLab once per process and return the regular face's name.

    `<b>` and `<i>` in paragraphs map to the bold and oblique faces, so markup never falls back to Helvetica.
    """
    for name, filename in _FILES.items():
        path = resource_path("fonts", filename)
        if not path.is_file():
            raise FontMissingError(
                f"The font file {path} is missing, so PDFs cannot be made. Reinstall ReviewApp to restore it."
            )
        pdfmetrics.registerFont(TTFont(name, str(path)))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, ITALIC)
    addMapping(REGULAR, 1, 1, BOLD)
    # Drawings (the QR code) start from these defaults; left alone, they declare Helvetica on the page.
    shapes.STATE_DEFAULTS["fontName"] = REGULAR
    return REGULAR
