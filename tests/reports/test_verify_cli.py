"""`reviewapp verify FILE.pdf`, run as an assessor would, in a subprocess on a real (encrypted) caseload, offline: a
genuine copy, a copy whose content was changed and fingerprinted again, an unknown review, and files it cannot read."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reviewapp import DEMO_ACCOUNT
from reviewapp.core.documents import ReportSettings
from reviewapp.reports.review_pdf import review_pdf
from tests.reports.conftest import rehashed

pytestmark = pytest.mark.skipif(not shutil.which("zbarimg") or not shutil.which("pdftoppm"),
                                reason="needs zbar-tools and poppler-utils (scripts/system-deps.sh)")
ADDRESS = ReportSettings("Northfield Training Ltd", verify_address="https://reviews.northfield.example")


def verify(store, path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reviewapp", "verify", str(path), "--data-dir",
                           str(store.path.parent), "--account", DEMO_ACCOUNT, *extra],
                          capture_output=True, text=True, timeout=240)


def test_a_genuine_copy_exits_0_and_says_which_copy(demo_store, typical, tmp_path):
    path = tmp_path / "learner copy.pdf"
    path.write_bytes(review_pdf(typical, copy="learner", settings=ADDRESS))
    result = verify(demo_store, path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Genuine:") and "the learner's copy" in result.stdout
    assert typical.review.visit_date.strftime("%d/%m/%Y") in result.stdout


def test_a_copy_printed_with_no_address_checks_by_its_plain_reference(demo_store, typical, tmp_path):
    path = tmp_path / "employer.pdf"
    path.write_bytes(review_pdf(typical, copy="employer", settings=ReportSettings("Northfield Training Ltd")))
    result = verify(demo_store, path)
    assert result.returncode == 0 and "the employer's copy" in result.stdout


def test_a_changed_copy_fingerprinted_again_is_altered(demo_store, typical, tmp_path):
    """Someone edits the review (its date) and prints it with a fresh fingerprint: it is not what was signed."""
    edited = rehashed(typical, visit_date=typical.review.visit_date.replace(year=typical.review.visit_date.year - 1))
    path = tmp_path / "edited.pdf"
    path.write_bytes(review_pdf(edited, copy="learner", settings=ADDRESS))
    result = verify(demo_store, path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith("Altered:")


def test_a_review_not_held_here_is_unknown(demo_store, typical, tmp_path):
    stranger = rehashed(dataclasses.replace(typical, review_id="00000000-0000-4000-8000-000000000000"))
    path = tmp_path / "stranger.pdf"
    path.write_bytes(review_pdf(stranger, copy="provider", settings=ADDRESS))
    result = verify(demo_store, path)
    assert result.returncode == 1 and result.stdout.startswith("Unknown:")


def test_a_file_with_no_reference_or_no_pdf_is_unreadable(demo_store, tmp_path):
    not_pdf = tmp_path / "notes.pdf"
    not_pdf.write_text("just some notes")
    result = verify(demo_store, not_pdf)
    assert result.returncode == 2 and "cannot be read as a PDF" in result.stdout
    blank = tmp_path / "blank.pdf"
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(blank))
    canvas.drawString(100, 700, "A letter with no reference on it.")
    canvas.save()
    result = verify(demo_store, blank)
    assert result.returncode == 2 and "No review reference could be read" in result.stdout
    assert verify(demo_store, tmp_path / "missing.pdf").returncode == 2


def _flipped(fingerprint: str) -> str:
    return fingerprint[:-1] + ("0" if fingerprint[-1] != "0" else "1")


def test_a_tampered_fingerprint_is_altered(demo_store, typical, tmp_path, monkeypatch):
    """The reference itself edited (the QR and the printed fingerprint alike, or only one of them)."""
    import reviewapp.reports.review_pdf as printing
    from reviewapp.core.copy_check import copy_fingerprint
    from reviewapp.reports.verify_cli import NOT_GENUINE, check

    data_dir = demo_store.path.parent
    genuine = copy_fingerprint
    monkeypatch.setattr(printing, "copy_fingerprint", lambda content_hash, copy: _flipped(genuine(content_hash, copy)))
    both = tmp_path / "both.pdf"
    both.write_bytes(review_pdf(typical, copy="learner", settings=ADDRESS))
    code, sentence = check(both, data_dir, DEMO_ACCOUNT)
    assert code == NOT_GENUINE and sentence.startswith("Altered:") and "not one of its copies" in sentence

    monkeypatch.setattr(printing, "copy_fingerprint", genuine)
    real_qr = printing.qr_value
    monkeypatch.setattr(printing, "qr_value", lambda address, rid, fp: real_qr(address, rid, _flipped(fp)))
    one = tmp_path / "qr only.pdf"
    one.write_bytes(review_pdf(typical, copy="learner", settings=ADDRESS))
    code, sentence = check(one, data_dir, DEMO_ACCOUNT)
    assert code == NOT_GENUINE and "disagree" in sentence
