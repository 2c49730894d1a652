"""A ReportLab PDF made PDF/A-2b: the XMP identification, an sRGB output intent, and nothing PDF/A forbids.

ReportLab (open source) writes neither XMP metadata nor an output intent, so the copy is finished with pikepdf.
What ReportLab already does right, and this relies on: every font is embedded (the documents are set in the shipped
DejaVu Sans, `reviewapp.reports.fonts`, never a standard-14 font), each embedded TrueType subset is symbolic with
exactly one cmap encoding and no /Encoding entry (ISO 19005-2, 6.2.11.6), and colours are DeviceRGB (which the sRGB
output intent characterises). Transparency (a drawn signature's alpha channel as a soft mask) is allowed in PDF/A-2
and is blended in the output intent's colour space. `check_pdfa` states these rules as checks, so a change to the
rendering that breaks one is refused before a copy is stored, rather than archived as PDF/A when it is not.

The output intent's profile is colord's sRGB.icc (Debian package colord-data, licence CC0-1.0, from colord's
data/profiles): a free, redistributable sRGB IEC 61966-2.1 profile. Debian installs it at ICC_PROFILE;
REVIEWAPP_ICC_PROFILE names another file (a Windows or macOS server has its own sRGB profile).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pikepdf

ICC_PROFILE_ENV = "REVIEWAPP_ICC_PROFILE"
ICC_PROFILE = Path("/usr/share/color/icc/colord/sRGB.icc")
OUTPUT_CONDITION = "sRGB IEC61966-2.1"
#: The PDF/A part and conformance level, as the XMP identification states them.
PDFA_PART, PDFA_CONFORMANCE = "2", "B"


class PdfaError(RuntimeError):
    """The copy cannot be made PDF/A: a missing colour profile, or a rule the rendered PDF breaks (the message says
    which)."""


def icc_profile() -> bytes:
    path = Path(os.environ.get(ICC_PROFILE_ENV) or ICC_PROFILE)
    try:
        data = path.read_bytes()
    except OSError:
        raise PdfaError(f"The sRGB colour profile {path} is missing, so archival copies cannot be made. Install "
                        f"Debian's colord-data package, or set {ICC_PROFILE_ENV} to an sRGB ICC profile.") from None
    if data[36:40] != b"acsp" or data[16:20] != b"RGB ":
        raise PdfaError(f"{path} is not an RGB ICC profile; set {ICC_PROFILE_ENV} to an sRGB ICC profile.")
    return data


def to_pdfa(data: bytes, *, producer: str | None = None) -> bytes:
    """The PDF `data` (ReportLab's) as PDF/A-2b; raises PdfaError if it breaks a rule checked here.

    `producer` replaces the document's Producer in both the Info dictionary and the XMP, which PDF/A requires to
    agree: the signer (pyHanko) later appends its own name to the one and sets the other to it, so the archive passes
    exactly the signer's name (`signing.PRODUCER`) to keep them equal after signing."""
    profile = icc_profile()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        problems = check_fonts(pdf) + check_colours(pdf)
        if problems:
            raise PdfaError("The copy cannot be made PDF/A: " + "; ".join(problems) + ".")
        icc = pikepdf.Stream(pdf, profile)
        icc["/N"] = 3
        pdf.Root.OutputIntents = pikepdf.Array([pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1,
            OutputConditionIdentifier=pikepdf.String(OUTPUT_CONDITION), Info=pikepdf.String(OUTPUT_CONDITION),
            RegistryName=pikepdf.String("http://www.color.org"), DestOutputProfile=pdf.make_indirect(icc),
        ))])
        # ReportLab's /Trapped /False has no PDF/A-2 equivalent in XMP worth keeping; the other entries are copied.
        if "/Trapped" in pdf.docinfo:
            del pdf.docinfo["/Trapped"]
        if producer:
            pdf.docinfo["/Producer"] = pikepdf.String(producer)
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta.load_from_docinfo(pdf.docinfo)
            meta["pdfaid:part"] = PDFA_PART
            meta["pdfaid:conformance"] = PDFA_CONFORMANCE
        out = io.BytesIO()
        # PDF 1.7 (ISO 32000-1, which PDF/A-2 is based on); the XMP stream stays uncompressed, as 6.6.2.1 asks.
        pdf.save(out, min_version="1.7", fix_metadata_version=False,
                 object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return out.getvalue()


def _fonts(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    found: dict[tuple[int, int], pikepdf.Dictionary] = {}
    for page in pdf.pages:
        for _, font in page.get("/Resources", pikepdf.Dictionary()).get("/Font", pikepdf.Dictionary()).items():
            found[font.objgen] = font
        for _, xobject in page.get("/Resources", pikepdf.Dictionary()).get("/XObject", pikepdf.Dictionary()).items():
            fonts = xobject.get("/Resources", pikepdf.Dictionary()).get("/Font", pikepdf.Dictionary())
            for _, font in fonts.items():
                found[font.objgen] = font
    return list(found.values())


def check_fonts(pdf: pikepdf.Pdf) -> list[str]:
    """What breaks PDF/A's font rules: a font not embedded, or a symbolic TrueType font with an /Encoding."""
    problems = []
    for font in _fonts(pdf):
        name = str(font.get("/BaseFont", "?"))
        descriptor = font.get("/FontDescriptor")
        if font.get("/Subtype") == "/Type0":
            descriptor = font.DescendantFonts[0].get("/FontDescriptor")
        if descriptor is None or not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            problems.append(f"the font {name} is not embedded")
            continue
        if font.get("/Subtype") == "/TrueType" and int(descriptor.get("/Flags", 0)) & 4 and "/Encoding" in font:
            problems.append(f"the symbolic TrueType font {name} has an /Encoding entry")
    return problems


def check_colours(pdf: pikepdf.Pdf) -> list[str]:
    """What the sRGB output intent cannot characterise: CMYK colour in a page's content."""
    for number, page in enumerate(pdf.pages, start=1):
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) in ("k", "K") or (str(operator) in ("cs", "CS") and operands
                                                and str(operands[0]) == "/DeviceCMYK"):
                return [f"page {number} uses CMYK colour, which an sRGB output intent does not cover"]
    return []
