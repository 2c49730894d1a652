"""`reviewapp sync`: a headless sync for IT and scripts.

    python -m reviewapp sync --data-dir DIR --server URL --username NAME [--account NAME]

On first use the password comes from REVIEWAPP_PASSWORD or standard input; the token is kept in the keyring, so
later runs need no password (with REVIEWAPP_PASSWORD set, an expired sign-in is renewed). Prints a summary;
exits 0 on success, 1 when the sync failed, 2 for bad arguments (a plain http:// address to another computer is
one: see `reviewapp.sync_client.server_address`), 3 when this laptop was revoked (its local data wiped).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from reviewapp.core.dates import format_datetime
from reviewapp.store.database import Store
from reviewapp.store.errors import StoreError
from reviewapp.sync_client import (
    DeviceRevokedError,
    NotSignedInError,
    SyncClient,
    SyncError,
    status_counts,
)
from reviewapp.sync_client.server_address import InsecureServerError, check_server_url

PASSWORD_ENV = "REVIEWAPP_PASSWORD"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reviewapp sync", description="Sync a local caseload with the server.")
    parser.add_argument("--data-dir", type=Path, required=True, help="where the local caseload is kept")
    parser.add_argument("--server", required=True, help="the server's address, e.g. https://reviews.example.org")
    parser.add_argument("--username", required=True, help="your account on the server")
    parser.add_argument("--account", default=None, help="the local account (default: the username)")
    parser.add_argument(
        "--insecure-http-for-testing", action="store_true",
        help="allow a plain http:// server on another computer: the password and records then cross the network "
             "unencrypted, so this is for a test rig only (also REVIEWAPP_ALLOW_INSECURE_HTTP=1)",
    )
    return parser


def _password() -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    if sys.stdin.isatty():
        return getpass.getpass("Password: ")
    return sys.stdin.readline().rstrip("\r\n")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    account = args.account or args.username
    try:  # before the store is opened or anything is sent: nothing goes to a server this laptop will not use
        insecure_ok = args.insecure_http_for_testing or None  # None: as REVIEWAPP_ALLOW_INSECURE_HTTP says
        args.server = check_server_url(args.server, allow_insecure_http=insecure_ok)
    except InsecureServerError as exc:
        print(f"reviewapp sync: {exc.message}\n{exc.advice}", file=sys.stderr)
        return 2
    try:
        store = Store.open(args.data_dir, account)
    except StoreError as exc:
        print(f"reviewapp sync: {exc}", file=sys.stderr)
        return 1
    try:
        with SyncClient(store, args.server, args.username, allow_insecure_http=insecure_ok) as client:
            if not client.signed_in():
                password = _password()
                if not password:
                    print(f"reviewapp sync: no password: set {PASSWORD_ENV} or give it on standard input.",
                          file=sys.stderr)
                    return 1
                client.login(password)
                print(f"Signed in to {args.server} as {args.username}; the sign-in is kept in your keyring.")
            try:
                summary = client.sync()
            except NotSignedInError:
                # The kept sign-in has expired (or was forgotten by the server): a script that gives the password
                # signs in again rather than failing every night until someone notices.
                if not os.environ.get(PASSWORD_ENV):
                    raise
                client.login(os.environ[PASSWORD_ENV])
                print(f"The kept sign-in was no longer accepted; signed in to {args.server} again.")
                summary = client.sync()
    except DeviceRevokedError as exc:
        print(f"reviewapp sync: {exc}", file=sys.stderr)
        return 3
    except NotSignedInError as exc:
        print(f"reviewapp sync: {exc}", file=sys.stderr)
        store.close()
        return 1
    except SyncError as exc:
        print(f"reviewapp sync: {exc}", file=sys.stderr)
        store.close()
        return 1
    for line in summary.log[:-1]:
        print(line)
    pending, conflicts, last = status_counts(store)
    store.close()
    print(
        f"Pushed {summary.pushed}: applied {summary.applied}, duplicates {summary.duplicates}, "
        f"conflicts {summary.conflicts}, rejected {summary.rejected}. Pulled {summary.pulled} change(s) in "
        f"{summary.pages} page(s); purged {summary.purged_learners} learner(s)."
    )
    print(f"Still to send: {pending}. Open conflicts: {conflicts}. Last sync: {format_datetime(last)}.")
    return 0
