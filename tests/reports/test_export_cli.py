"""`python -m reviewapp export-pdf`, run as support staff would run it: in a subprocess, on a real caseload."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader

from reviewapp import demo
from reviewapp.core.file_names import safe_name
from reviewapp.reports.saving import learner_folder, review_copy_path
from reviewapp.store.review_documents import load_review_document
from reviewapp.store.reviews import finalised_review_ids
from tests.conftest import DEMO_TODAY


def export(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reviewapp", "export-pdf", "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, timeout=240)


def test_exports_one_review_in_each_copy(demo_store, tmp_path):
    with demo_store.read() as session:
        review_id = finalised_review_ids(session)[0]
        document = load_review_document(session, review_id)
    out = tmp_path / "out"
    result = export(demo_store.path.parent, "--review", review_id, "--out-dir", str(out),
                    "--copy", "learner", "--copy", "employer")
    assert result.returncode == 0, result.stderr
    written = [Path(line) for line in result.stdout.splitlines()]
    assert written == [review_copy_path(learner_folder(out, document), document, copy)
                       for copy in ("learner", "employer")]
    for path, copy in zip(written, ("Learner copy", "Employer copy"), strict=True):
        text = "".join(page.extract_text() for page in PdfReader(BytesIO(path.read_bytes())).pages)
        assert copy in text and document.learner.first_name in text
    assert sorted(p for p in out.rglob("*") if p.is_file()) == sorted(written)  # those files and nothing else
    assert "not protected" in result.stderr  # an export leaves the encrypted store: the command says so
    assert not [p for p in demo_store.path.parent.rglob("*.pdf")]


def test_exports_every_finalised_review_of_the_named_account(store, tmp_path):
    demo.generate(store, learners=3, seed=3, today=DEMO_TODAY)  # a small caseload: every review is printed
    with store.read() as session:
        count = len(finalised_review_ids(session))
    result = export(store.path.parent, "--account", store.account, "--all-finalised",
                    "--out-dir", str(tmp_path / "all"))
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == count > 3
    assert len(list((tmp_path / "all").rglob("*-provider-copy.pdf"))) == count


def test_unknown_review_fails_clearly(demo_store, tmp_path):
    result = export(demo_store.path.parent, "--review", "no-such-review", "--out-dir", str(tmp_path / "x"))
    assert result.returncode != 0
    assert "there is no review with id no-such-review" in result.stderr
    assert not (tmp_path / "x").exists()


def test_a_draft_is_not_exported_as_signed(demo_store, draft_id, tmp_path):
    result = export(demo_store.path.parent, "--review", draft_id, "--out-dir", str(tmp_path / "x"))
    assert result.returncode != 0
    assert "still a draft" in result.stderr
    assert not list(tmp_path.rglob("*.pdf"))


def test_a_missing_caseload_fails_clearly(tmp_path):
    result = export(tmp_path / "nothing-here", "--all-finalised", "--out-dir", str(tmp_path / "x"))
    assert result.returncode == 1
    assert "There is no caseload for caseload" in result.stderr  # the one the app opens (default_account)


def test_folder_names_keep_accents_and_drop_unsafe_characters():
    assert safe_name("Zoë Ødegård 1234567890") == "Zoë Ødegård 1234567890"
    assert safe_name('Siobhán "Ó" Briain/..') == "Siobhán Ó Briain"


def test_two_reviews_on_one_day_never_share_a_file(demo_store):
    with demo_store.read() as session:
        document = load_review_document(session, finalised_review_ids(session)[0])
    same_day = dataclasses.replace(document, review_id="0f0f0f0f-0000-4000-8000-000000000000")
    folder = Path("learner")
    assert review_copy_path(folder, document, "learner") != review_copy_path(folder, same_day, "learner")
    assert review_copy_path(folder, document, "learner").name.startswith(document.review.visit_date.isoformat())
