"""A signature keeps the shape it was drawn in: on the pad however wide the window, in the PNG, on the signed PDF.

The pad once mapped the whole (wide) widget to 0–1 and the PNG is 3:1, so a signature drawn on a 1000-pixel-wide
pad printed at less than half its drawn width-to-height ratio. Here a 4:1 rectangle is drawn with the mouse on
such a pad, and its ink is measured on the pad, in the PNG and on the rasterised page where the PDF places it.
"""

from __future__ import annotations

import base64
import dataclasses
import itertools
import subprocess
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from PySide6.QtCore import QPoint, Qt

from reviewapp.reports.review_pdf import review_pdf
from reviewapp.ui.signature_pad import PNG_SIZE, SignaturePad
from sync.protocol import review_content_hash
from tests.reports.conftest import rehashed

DRAWN = (400, 100)  # a 4:1 rectangle, in screen pixels
TOLERANCE = 0.05


def _ink_box(image: Image.Image, ink: Callable[[tuple[int, int, int]], bool]) -> tuple[int, int, int, int]:
    """The bounding box of the pixels `ink` accepts (left, top, right, bottom), in the image's pixels."""
    rgb = image.convert("RGB")
    raw = rgb.tobytes()
    mask = Image.new("1", rgb.size, 0)
    mask.putdata([1 if ink((raw[i], raw[i + 1], raw[i + 2])) else 0 for i in range(0, len(raw), 3)])
    box = mask.getbbox()
    assert box is not None, "no ink found"
    return box


def _aspect(box: tuple[int, int, int, int]) -> float:
    left, top, right, bottom = box
    return (right - left) / (bottom - top)


def _dark(pixel: tuple[int, int, int]) -> bool:
    return sum(pixel) < 3 * 160


def _navy(pixel: tuple[int, int, int]) -> bool:
    """The pen's colour (#0b1f4b), antialiased, and not the grey border, baseline or the blue focus frame."""
    r, g, b = pixel
    return r < 120 and g < 120 and b > r + 20 and b < 200


def _draw_rectangle(qtbot, pad: SignaturePad) -> None:
    cx, cy = pad.width() // 2, pad.height() // 2
    w, h = DRAWN
    corners = [QPoint(cx - w // 2, cy - h // 2), QPoint(cx + w // 2, cy - h // 2), QPoint(cx + w // 2, cy + h // 2),
               QPoint(cx - w // 2, cy + h // 2), QPoint(cx - w // 2, cy - h // 2)]
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=corners[0])
    for start, end in itertools.pairwise(corners):
        for step in range(1, 11):  # move in small steps, as a hand does
            qtbot.mouseMove(pad, start + (end - start) * step / 10)
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=corners[-1])


@pytest.fixture
def wide_pad(qtbot) -> SignaturePad:
    """A pad as wide as it is in a wizard on a 1366-pixel screen."""
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(1000, pad.height())
    pad.show()
    qtbot.waitExposed(pad)
    pad.setFocus()
    return pad


def _page_placements(page) -> list[tuple[str, tuple[float, float, float, float]]]:
    """(image name, (x, y, width, height) in points from the bottom left) of every image the page draws."""
    placements = []
    stack: list[list[float]] = []
    ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]

    def visit(op: bytes, args: list, _cm: object, _tm: object) -> None:
        nonlocal ctm
        if op == b"q":
            stack.append(ctm)
        elif op == b"Q":
            ctm = stack.pop()
        elif op == b"cm":
            a, b, c, d, e, f = (float(v) for v in args)
            m0, m1, m2, m3, m4, m5 = ctm
            ctm = [a * m0 + b * m2, a * m1 + b * m3, c * m0 + d * m2, c * m1 + d * m3,
                   e * m0 + f * m2 + m4, e * m1 + f * m3 + m5]
        elif op == b"Do":
            placements.append((str(args[0]), (ctm[4], ctm[5], ctm[0], ctm[3])))

    page.extract_text(visitor_operand_before=visit)
    return placements


def _image_placements(data: bytes) -> list[tuple[int, str, tuple[float, float, float, float]]]:
    """(page index, image name, placement) of every image drawn in the PDF."""
    reader = PdfReader(BytesIO(data))
    return [(index, name, place) for index, page in enumerate(reader.pages) for name, place in _page_placements(page)]


def test_the_pad_keeps_the_drawn_shape_however_wide_it_is(qtbot, wide_pad):
    _draw_rectangle(qtbot, wide_pad)
    shown = _ink_box(Image.open(BytesIO(_grab_png(wide_pad))), _navy)
    assert _aspect(shown) == pytest.approx(4.0, rel=TOLERANCE)
    wide_pad.resize(1300, wide_pad.height())  # the window made wider after signing: the signature is not stretched
    qtbot.wait(10)
    shown = _ink_box(Image.open(BytesIO(_grab_png(wide_pad))), _navy)
    assert _aspect(shown) == pytest.approx(4.0, rel=TOLERANCE)


def _grab_png(widget) -> bytes:
    from PySide6.QtCore import QBuffer, QIODevice

    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    widget.grab().save(buffer, "PNG")
    return bytes(buffer.data())


def test_the_signed_pdf_prints_the_signature_in_its_drawn_proportions(qtbot, wide_pad, typical, tmp_path: Path):
    _draw_rectangle(qtbot, wide_pad)
    png = wide_pad.png()
    stored = Image.open(BytesIO(base64.b64decode(png)))
    assert stored.size == (PNG_SIZE.width(), PNG_SIZE.height())
    assert _aspect(_ink_box(stored, _dark)) == pytest.approx(4.0, rel=TOLERANCE)

    signatures = tuple(s.model_copy(update={"image_png": png, "strokes": wide_pad.strokes()})
                       if s.role == "learner" else s for s in typical.signatures)
    document = dataclasses.replace(typical, signatures=signatures)
    document = rehashed(document)
    assert document.review.content_hash == review_content_hash(document.review_id, document.review,
                                                               list(signatures))
    data = review_pdf(document, copy="learner")
    pdf = tmp_path / "signed.pdf"
    pdf.write_bytes(data)

    reader = PdfReader(BytesIO(data))
    ours = [(i, name, place) for i, name, place in _image_placements(data)  # the demo's signatures are 240 × 80
            if reader.pages[i]["/Resources"]["/XObject"][name]["/Width"] == stored.width]
    assert len(ours) == 1, "the learner's signature is drawn once"
    page_index, _name, (x, y, width, height) = ours[0]
    assert width / height == pytest.approx(stored.width / stored.height, rel=0.01)  # placed unstretched

    dpi = 150
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page_index + 1), "-l", str(page_index + 1),
                    str(pdf), str(tmp_path / "page")], check=True)
    page_png = next(tmp_path.glob("page*.png"))
    page = Image.open(page_png)
    scale = dpi / 72
    page_height_pt = float(reader.pages[page_index].mediabox.height)
    crop = (round(x * scale), round((page_height_pt - y - height) * scale),
            round((x + width) * scale), round((page_height_pt - y) * scale))
    drawn = _ink_box(page.crop(crop), _dark)
    assert _aspect(drawn) == pytest.approx(4.0, rel=TOLERANCE), f"see {page_png}"

