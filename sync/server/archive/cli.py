"""`reviewapp-server archive` and `reviewapp-server purge-archive`: the archive's commands (added to the CLI by
`add_archive_commands`, so cli.py changes by two lines)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from reviewapp.core.dates import format_date, london_today
from reviewapp.core.retention import RETENTION_YEARS

# The signing and PDF/A modules (pyHanko, pikepdf) are imported by the commands that use them, not with the CLI.
SIGNING_KEY_ENV, SIGNING_CERT_ENV = "REVIEWAPP_SIGNING_KEY", "REVIEWAPP_SIGNING_CERT"


def cmd_archive(args: argparse.Namespace) -> None:
    from ..cli import CommandError, _database
    from .copies import archive_pending
    from .pdfa import PdfaError
    from .signing import SigningError

    _, engine, factory = _database(args)
    total: list[str] = []
    failed: dict[str, str] = {}
    signer = ""
    self_signed = False
    try:
        with factory() as session:
            while True:  # in batches; a review that failed is not tried again in this run
                run = archive_pending(session, limit=args.batch, skip=failed)
                total += run.archived
                failed.update(run.failed)
                signer = signer or run.signer
                self_signed = self_signed or run.self_signed
                if not (run.archived or run.failed) or (args.limit and len(total) >= args.limit):
                    break
    except (SigningError, PdfaError) as problem:
        raise CommandError(str(problem)) from None
    finally:
        engine.dispose()
    if not total and not failed:
        print("Nothing to archive: every finalised review already has its archival copy.")
        return
    print(f"Archived {len(total)} review(s) as signed PDF/A copies" + (f", signed by {signer}" if signer else "")
          + ".")
    if self_signed:
        print(f"  These were signed with a self-signed demo certificate. Set {SIGNING_KEY_ENV} and "
              f"{SIGNING_CERT_ENV} to sign with the provider's own certificate.")
    for review_id, why in failed.items():
        print(f"  not archived: review {review_id}: {why}")


def cmd_purge_archive(args: argparse.Namespace) -> None:
    from ..audit import command_line_actor
    from ..cli import CommandError, _database
    from .copies import expired_copies, purge_expired, refresh_retention

    today = london_today()
    _, engine, factory = _database(args)
    try:
        with factory() as session:
            refresh_retention(session)
            expired = expired_copies(session, today)
            if not expired:
                print(f"Nothing to delete: no archived copy has passed its retention period ({RETENTION_YEARS} "
                      "years after the end of the apprenticeship agreement).")
                return
            print(f"These {len(expired)} archived review copies have passed their retention period "
                  f"({RETENTION_YEARS} years after the end of the apprenticeship agreement) and WILL be deleted:")
            for copy in expired:
                print(f"  review {copy.review_id}  learner ULN {copy.uln or '—'}  review of "
                      f"{format_date(copy.visit_date) or 'no date'}  kept until {format_date(copy.keep_until)}")
            if not args.yes:
                if not sys.stdin.isatty():
                    raise CommandError("Nothing was deleted: run the command at a terminal to be asked, or add "
                                       "--yes to delete the copies listed without asking.")
                answer = input(f"Delete these {len(expired)} copies? Type yes to delete them: ")
                if answer.strip().lower() != "yes":
                    print("Nothing was deleted.")
                    return
            deleted = purge_expired(session, expired, today, command_line_actor())
    finally:
        engine.dispose()
    print(f"Deleted {deleted} archived review copies; each deletion is in the audit trail.")


def add_archive_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    archive = commands.add_parser(
        "archive", parents=[common], help="make the signed PDF/A archival copy of every finalised review lacking one",
        description="Render each finalised review's provider copy as PDF/A-2b, sign it (PAdES) with the provider's "
        f"certificate ({SIGNING_KEY_ENV}, {SIGNING_CERT_ENV}; a self-signed demo certificate without them) and "
        "keep it in the database. Safe to run again, or beside the embedded server's own background run.",
    )
    archive.add_argument("--batch", type=int, default=50, help="copies made and committed per batch (default 50)")
    archive.add_argument("--limit", type=int, default=0, help="stop after about this many copies (default: all)")
    archive.set_defaults(run=cmd_archive)
    purge = commands.add_parser(
        "purge-archive", parents=[common], help="delete archived copies past their retention period (asks first)",
        description=f"List the archived copies kept longer than {RETENTION_YEARS} years after the end of the "
        "learner's apprenticeship agreement (their planned end date, or the review's date if later), then ask "
        "before deleting them. Copies of learners with no end date recorded are kept.",
    )
    purge.add_argument("--yes", action="store_true", help="delete the listed copies without asking")
    purge.set_defaults(run=cmd_purge_archive)
