"""`reviewapp sync`: a headless sync for IT and scripts.

    python -m reviewapp sync --data-dir DIR --server URL --username NAME [--account NAME]

On first use the password comes from REVIEWAPP_PASSWORD or standard input; the token is kept in the keyring, so
later runs need no password (with REVIEWAPP_PASSWORD set, an expired sign-in is renewed). When an admin has reset
the password, a new one is asked for at the terminal (twice), or taken from REVIEWAPP_NEW_PASSWORD or the next line
of standard input. Prints a summary; exits 0 on success, 1 when the sync failed, 2 for bad arguments (a plain
http:// address to another computer is one: see `reviewapp.sync_client.server_address`), 3 when this laptop was
revoked (its local data wiped).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from reviewapp.core.dates import format_datetime
from reviewapp.store.database import Store
from reviewapp.store.errors import SET_ASIDE_OPTION, DamagedStoreError, StoreError
from reviewapp.store.locations import default_account
from reviewapp.sync_client.engine import SyncClient
from reviewapp.sync_client.errors import DeviceRevokedError, NotSignedInError, PasswordChangeRequiredError, SyncError
from reviewapp.sync_client.server_address import InsecureServerError, check_server_url
from reviewapp.sync_client.summary import status_counts

PASSWORD_ENV = "REVIEWAPP_PASSWORD"
NEW_PASSWORD_ENV = "REVIEWAPP_NEW_PASSWORD"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reviewapp sync", description="Sync a local caseload with the server.")
    parser.add_argument("--data-dir", type=Path, required=True, help="where the local caseload is kept")
    parser.add_argument("--server", required=True, help="the server's address, e.g. https://reviews.example.org")
    parser.add_argument("--username", required=True, help="your account on the server")
    parser.add_argument("--account", default=None,
                        help="the local account (default: the caseload the app opens, your own)")
    parser.add_argument("--device-name", default=None,
                        help="the name your admin sees for this laptop, e.g. \"Sam's ThinkPad\" (kept from the first "
                        "sign-in; default: ReviewApp on the computer's name)")
    parser.add_argument(
        SET_ASIDE_OPTION, action="store_true",
        help="if the local caseload is damaged, move it aside untouched (dated name, its key kept) and download a "
             "fresh copy from the server; the file is checked page by page first, which takes a while",
    )
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


def _new_password() -> str:
    """The new password after an admin's reset: REVIEWAPP_NEW_PASSWORD, else asked twice at the terminal."""
    password = os.environ.get(NEW_PASSWORD_ENV)
    if password:
        return password
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")  # the line after the current password, if any
        if password:
            return password
        raise NotSignedInError(
            f"An admin has reset your password, so you must choose a new one: run this at a terminal, set "
            f"{NEW_PASSWORD_ENV}, or give it on the line after the current password. Your changes are kept."
        )
    print("An admin has reset your password: choose a new one (at least 12 characters; a few unrelated words "
          "make a good one).", file=sys.stderr)
    first = getpass.getpass("New password: ")
    if first != getpass.getpass("New password again: "):
        raise NotSignedInError("The two new passwords differ; nothing was changed. Run the sync again.")
    return first


def _sign_in(client: SyncClient, password: str) -> None:
    """Sign in, setting a new password first when the server requires one."""
    try:
        client.login(password)
    except PasswordChangeRequiredError:
        client.change_password(password, _new_password())
        print("Your new password is set.")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    account = default_account(args.data_dir, args.account)
    try:  # before the store is opened or anything is sent: nothing goes to a server this laptop will not use
        insecure_ok = args.insecure_http_for_testing or None  # None: as REVIEWAPP_ALLOW_INSECURE_HTTP says
        args.server = check_server_url(args.server, allow_insecure_http=insecure_ok)
    except InsecureServerError as exc:
        print(f"reviewapp sync: {exc.message}\n{exc.advice}", file=sys.stderr)
        return 2
    try:
        store = _open(args.data_dir, account, set_aside=args.set_aside_damaged)
    except StoreError as exc:
        print(f"reviewapp sync: {exc}", file=sys.stderr)
        return 1
    try:
        return _sync(store, args, insecure_ok)
    except StoreError as exc:  # a damaged page met during the sync: nothing was changed in the file by it
        print(f"reviewapp sync: {exc}", file=sys.stderr)
        store.close()
        return 1


def _open(data_dir: Path, account: str, *, set_aside: bool) -> Store:
    """The account's store; with `--set-aside-damaged`, a damaged one (checked page by page) is moved aside and a
    fresh one opened in its place, for the sync to fill from the server."""
    if not set_aside:
        return Store.open(data_dir, account)
    try:
        store = Store.open(data_dir, account)
        try:
            store.check_integrity()
        except DamagedStoreError:
            store.close()
            raise
        return store
    except DamagedStoreError as exc:
        print(f"reviewapp sync: {exc.message}", file=sys.stderr)
    store, moved = Store.start_afresh(data_dir, account)
    print(f"The damaged caseload was set aside, untouched, as {moved} (its key kept in your keyring); a fresh "
          "caseload was started and is filled from the server now.")
    return store


def _sync(store: Store, args: argparse.Namespace, insecure_ok: bool | None) -> int:
    try:
        with SyncClient(store, args.server, args.username, device_name=args.device_name,
                        allow_insecure_http=insecure_ok) as client:
            if not client.signed_in():
                password = _password()
                if not password:
                    print(f"reviewapp sync: no password: set {PASSWORD_ENV} or give it on standard input.",
                          file=sys.stderr)
                    return 1
                _sign_in(client, password)
                print(f"Signed in to {args.server} as {args.username}; the sign-in is kept in your keyring.")
            try:
                summary = client.sync()
            except NotSignedInError:
                # The kept sign-in has expired (or was forgotten by the server): a script that gives the password
                # signs in again rather than failing every night until someone notices.
                if not os.environ.get(PASSWORD_ENV):
                    raise
                _sign_in(client, os.environ[PASSWORD_ENV])
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
