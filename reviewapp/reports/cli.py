"""`python -m reviewapp export-pdf`: signed review copies from a caseload as plain files, for scripts and support.

    python -m reviewapp export-pdf --data-dir DIR (--review ID | --all-finalised) --out-dir OUT
                                   [--copy learner|employer|provider] [--account NAME]

Exit codes: 0 all written; 1 the caseload could not be opened or read (if damaged, the message says what to do);
2 bad arguments, an unknown review, a draft, or a review that fails its content-hash check (nothing is written for
it, and the message says why).

This is an explicit export: the files written are outside the caseload's encryption, and the command says so on
stderr each time it writes any (`EXPORT_WARNING`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reviewapp.reports.review_pdf import COPY_NAMES, ReviewPdfError
from reviewapp.reports.saving import export_review_copies
from reviewapp.store.database import Store
from reviewapp.store.errors import StoreError, StoreOpenError
from reviewapp.store.locations import default_account
from reviewapp.store.review_documents import load_review_document, report_settings
from reviewapp.store.reviews import finalised_review_ids
from reviewapp.store.saved_copies import EXPORT_WARNING


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reviewapp export-pdf",
        description="Write signed review copies as plain PDF files, which are not protected once written.")
    parser.add_argument("--data-dir", type=Path, required=True, help="the folder holding the caseload")
    parser.add_argument("--account", default=None, help="whose caseload (default: the one the app opens, your own)")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--review", metavar="ID", help="the id of one finalised review")
    which.add_argument("--all-finalised", action="store_true", help="every finalised review in the caseload")
    parser.add_argument("--out-dir", type=Path, required=True, help="where to write (a folder per learner)")
    parser.add_argument("--copy", choices=sorted(COPY_NAMES), action="append",
                        help="which copy to write; repeat for several (default: provider)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    copies = args.copy or ["provider"]
    try:
        store = Store.open(args.data_dir, default_account(args.data_dir, args.account), create=False)
    except StoreOpenError as exc:
        print(f"export-pdf: {exc.message}\n{exc.advice}", file=sys.stderr)
        return 1
    except StoreError as exc:
        print(f"export-pdf: {exc}", file=sys.stderr)
        return 1
    try:
        return _export(store, args, copies)
    except StoreError as exc:  # e.g. a damaged page met while reading: the message says what to do
        print(f"export-pdf: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()


def _export(store: Store, args: argparse.Namespace, copies: list[str]) -> int:
    failures = 0
    written = 0
    with store:
        with store.read() as session:
            settings = report_settings(session)
            ids = finalised_review_ids(session) if args.all_finalised else [args.review]
        for review_id in ids:
            with store.read() as session:
                document = load_review_document(session, review_id)
            if document is None:
                print(f"export-pdf: there is no review with id {review_id} in {store.path}.", file=sys.stderr)
                failures += 1
                continue
            try:
                paths = export_review_copies(document, copies, args.out_dir, settings=settings)
            except ReviewPdfError as exc:
                print(f"export-pdf: review {review_id} ({document.learner_name}): {exc}", file=sys.stderr)
                failures += 1
                continue
            for path in paths:
                print(path)
                written += 1
    if written:
        print(f"export-pdf: {EXPORT_WARNING}", file=sys.stderr)
    if args.all_finalised:
        print(f"{written} file(s) written for {len(ids) - failures} review(s).", file=sys.stderr)
    return 2 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
