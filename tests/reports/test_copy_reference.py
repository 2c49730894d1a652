"""The reference on a signed copy (issue 17 item 4): its QR code, read by zbarimg from a page rendered by pdftoppm, is
the provider's verify address with this copy's own fingerprint; with no address known it is the printed reference."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from reviewapp.core.copy_check import COPIES, copy_fingerprint, matching_copy, parse_reference, printed_reference
from reviewapp.core.documents import ReportSettings
from reviewapp.reports.review_pdf import review_pdf
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.skipif(not shutil.which("zbarimg") or not shutil.which("pdftoppm"),
                                reason="needs zbar-tools and poppler-utils (scripts/system-deps.sh)")


def qr_codes(data: bytes, tmp_path) -> list[str]:
    """Every QR code zbarimg finds on the PDF's pages, rendered at 150 dpi as a printer or a phone would see them."""
    pdf = tmp_path / "copy.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / "page")], check=True)
    found = []
    for page in sorted(tmp_path.glob("page*.png")):
        run = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(page)],
                             capture_output=True, text=True)
        found += [line for line in run.stdout.splitlines() if line.strip()]
    return found


def test_the_qr_is_the_verify_address_with_the_copy_fingerprint(typical, tmp_path):
    settings = ReportSettings("Northfield Training Ltd", verify_address="https://reviews.northfield.example/")
    data = review_pdf(typical, copy="employer", settings=settings)
    fingerprint = copy_fingerprint(typical.review.content_hash, "employer")
    assert qr_codes(data, tmp_path) == [
        f"https://reviews.northfield.example/verify/{typical.review_id}?h={fingerprint}"]
    assert matching_copy(typical.review.content_hash, fingerprint) == (True, "employer")
    text = pdf_text(data)
    assert "https://reviews.northfield.example/verify/" in text
    assert printed_reference(text).fingerprint == fingerprint  # the printed text reads back too (pypdf)


def test_each_copy_has_its_own_fingerprint(typical):
    prints = {copy: copy_fingerprint(typical.review.content_hash, copy) for copy in COPIES}
    assert len(set(prints.values())) == 3
    assert typical.review.content_hash not in prints.values()
    for copy, fingerprint in prints.items():
        assert matching_copy(typical.review.content_hash, fingerprint) == (True, copy)
    assert matching_copy(typical.review.content_hash, "0" * 64) == (False, None)


def test_with_no_address_known_the_reference_is_printed_plainly(typical, tmp_path):
    data = review_pdf(typical, copy="learner", settings=ReportSettings("Northfield Training Ltd"))
    fingerprint = copy_fingerprint(typical.review.content_hash, "learner")
    [code] = qr_codes(data, tmp_path)
    assert code == f"reviewapp:review:{typical.review_id}:sha256:{fingerprint}"
    assert parse_reference(code).fingerprint == fingerprint
    text = pdf_text(data)
    assert "carries no web address" in text
    assert "/verify/" not in text
