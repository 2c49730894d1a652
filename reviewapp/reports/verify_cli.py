"""`reviewapp verify FILE.pdf`: check a copy of a signed review against this laptop's caseload, offline.

    reviewapp verify FILE.pdf [--data-dir DIR] [--account NAME]

The reference is read from the copy's QR code (the page rendered by pdftoppm, the code read by zbarimg: poppler-utils
and zbar-tools), else from its printed text (pypdf: "Review id" and "Copy fingerprint"), and checked by the rule the
PDF was printed by (`reviewapp.core.copy_check`) against the review as stored here, whose own content hash is
checked first. A QR and a printed reference that disagree are an altered copy.

Exit codes: 0 genuine; 1 altered, or not a finalised review in this caseload (or the caseload cannot be opened);
2 the file cannot be read, or carries no reference. One sentence on stdout says which, and why.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from io import BytesIO
from pathlib import Path

from reviewapp.core.copy_check import Reference, initials, matching_copy, parse_reference, printed_reference
from reviewapp.core.dates import format_date

GENUINE, NOT_GENUINE, UNREADABLE = 0, 1, 2
COPY_WORDS = {"learner": "the learner's copy", "employer": "the employer's copy", "provider": "the provider's copy",
              None: "a copy printed before copies were told apart"}
#: At this resolution a 30 mm code has about 4 pixels a module: zbarimg reads it, and a page renders in a moment.
RENDER_DPI = 150


class Unreadable(Exception):
    """The file is no PDF, or no reference can be read from it."""


def qr_references(path: Path) -> list[Reference]:
    """The references in the QR codes on the PDF's pages (none when pdftoppm or zbarimg is not installed)."""
    if not shutil.which("pdftoppm") or not shutil.which("zbarimg"):
        return []
    with tempfile.TemporaryDirectory(prefix="reviewapp-verify-") as folder:
        rendered = subprocess.run(["pdftoppm", "-r", str(RENDER_DPI), "-png", str(path), str(Path(folder) / "page")],
                                  capture_output=True, timeout=120)
        if rendered.returncode != 0:
            return []
        found: list[Reference] = []
        for page in sorted(Path(folder).glob("page*.png")):
            read = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(page)],
                                  capture_output=True, text=True, timeout=60)
            found += [ref for line in read.stdout.splitlines() if (ref := parse_reference(line))]
        return found


def text_reference(path: Path) -> Reference | None:
    """The reference printed in the copy's closing block, read with pypdf."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(BytesIO(path.read_bytes()))
        words = "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, OSError, ValueError) as error:
        raise Unreadable(f"{path.name} cannot be read as a PDF ({error}).") from None
    return printed_reference(words)


def read_reference(path: Path) -> tuple[Reference, bool]:
    """The copy's reference (its QR's, else its printed one) and whether the two disagree; `Unreadable` when there
    is none."""
    printed = text_reference(path)  # first: it also tells a file that is no PDF at all
    codes = qr_references(path)
    if codes:
        reference = codes[0]
        disagree = printed is not None and (printed.review_id, printed.fingerprint) != (reference.review_id,
                                                                                        reference.fingerprint)
        return reference, disagree
    if printed is not None:
        return printed, False
    raise Unreadable(f"No review reference could be read from {path.name}: neither a QR code nor the printed "
                     "\"Review id\" and \"Copy fingerprint\". Is it a copy of a signed review?")


def check(path: Path, data_dir: Path | None, account: str | None) -> tuple[int, str]:
    """(exit code, sentence) for the copy at `path` against the caseload."""
    from reviewapp.reports.review_pdf import ReviewPdfError, verify_signed
    from reviewapp.store.database import Store
    from reviewapp.store.errors import StoreError, StoreOpenError
    from reviewapp.store.locations import default_account
    from reviewapp.store.review_documents import load_review_document

    try:
        reference, disagree = read_reference(path)
    except Unreadable as error:
        return UNREADABLE, str(error)
    if disagree:
        return NOT_GENUINE, (f"Altered: the QR code and the printed reference on {path.name} disagree, so the copy "
                             "has been changed since it was printed.")
    try:
        with Store.open(data_dir, default_account(data_dir, account), create=False) as store, store.read() as session:
            document = load_review_document(session, reference.review_id)
    except StoreOpenError as error:
        return NOT_GENUINE, f"The caseload cannot be opened to check the copy: {error.message} {error.advice}"
    except StoreError as error:
        return NOT_GENUINE, f"The caseload cannot be read to check the copy: {error}"
    if document is None or document.review.status != "finalised" or not document.review.content_hash:
        return NOT_GENUINE, (f"Unknown: this caseload holds no finalised review {reference.review_id}. It may be "
                             "another assessor's (check it at the provider's address in the QR code), or not a "
                             "genuine copy.")
    try:
        verify_signed(document)
    except ReviewPdfError as error:
        return NOT_GENUINE, f"Cannot vouch for the copy: {error}"
    matches, copy = matching_copy(document.review.content_hash, reference.fingerprint)
    who = initials(document.learner.first_name, document.learner.last_name)
    when = format_date(document.review.visit_date) or "undated"
    if not matches:
        return NOT_GENUINE, (f"Altered: review {reference.review_id} is held here, but the fingerprint on "
                             f"{path.name} is not one of its copies'; the copy has been changed.")
    return GENUINE, (f"Genuine: {path.name} is {COPY_WORDS[copy]} of the finalised review of {who} dated {when}, "
                     "as signed. Check the date and initials printed on it are these.")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reviewapp verify",
                                     description="Check a copy of a signed review against this laptop's caseload, "
                                     "offline. Exit 0 genuine, 1 altered or unknown, 2 unreadable.")
    parser.add_argument("file", type=Path, help="the PDF of the copy (printed to PDF or scanned)")
    parser.add_argument("--data-dir", type=Path, default=None, help="the folder holding the caseload (default: "
                        "the user data directory)")
    parser.add_argument("--account", default=None, help="whose caseload (default: the one the app opens, your own)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not args.file.is_file():
        print(f"verify: there is no file {args.file}.")
        return UNREADABLE
    code, sentence = check(args.file, args.data_dir, args.account)
    print(sentence)
    return code


if __name__ == "__main__":
    sys.exit(main())
