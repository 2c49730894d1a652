"""The client side of the sync protocol (DESIGN.md, "Sync protocol"): sign in, push the outbox, pull pages.

Why it is built this way:
- Every unit of work is atomic and resumable. A push batch's answers are settled in one local transaction; a pull
  page is applied with its cursor in one local transaction. Stopping anywhere (cancel, crash, lost connection)
  leaves the laptop consistent, and the next sync carries on: a change sent again is answered `duplicate`.
- Nothing is lost. An outbox entry is deleted only once the server has answered for the very version sent;
  conflicts and refusals are kept locally and shown. No timestamp decides anything, so clock skew cannot matter.
- The token lives only in the OS keyring; the password is used once and never stored.

Runs on any thread (the UI runs it through `TaskRunner`); it never touches Qt.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import platform
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import keyring
import keyring.errors
from pydantic import BaseModel, PrivateAttr, ValidationError
from sqlalchemy import select

from reviewapp.core.dates import utc_now
from reviewapp.core.file_names import remove_saved_copy_folders
from reviewapp.store import office_settings
from reviewapp.store.database import Store
from reviewapp.store.keys import KEYRING_SERVICE, use_configured_collection
from reviewapp.store.models import OutboxEntry, new_id
from reviewapp.store.settings import get_setting, set_settings
from reviewapp.store.sync.conflicts import open_conflict_count
from reviewapp.store.sync.page import validate_page
from reviewapp.store.sync.pull import CursorMoved, DanglingReferences, apply_pages
from reviewapp.store.sync.push import SentEntry, apply_push_results, pending_entries
from reviewapp.store.sync.removals import learner_folder_names
from reviewapp.store.sync.resync import start_resync
from reviewapp.store.sync.state import (
    CURSOR,
    DEVICE_ID,
    LAST_SYNC,
    SERVER_ID,
    TOKEN_EXPIRES,
    BadServerData,
    get_state,
    rewind_cursor,
    set_state,
)
from reviewapp.store.unapplied import Skipped
from reviewapp.sync_client import reachability
from reviewapp.sync_client.server_address import check_server_url
from sync.protocol import (
    ENTITY_ORDER,
    MAX_BODY_BYTES,
    MAX_PULL_LIMIT,
    MAX_PUSH_CHANGES,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    ErrorResponse,
    HealthResponse,
    ProviderSettingsResponse,
    PullResponse,
    PushResponse,
    TokenResponse,
)

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

#: Settings keys (in the account's `setting` table: not secrets).
SERVER_URL = "sync.server_url"
#: Set when the server is the demo's embedded one, on this computer (see `reviewapp.app._start_demo_server`).
EMBEDDED = "sync.embedded"
USERNAME = "sync.username"
INTERVAL_MINUTES = "sync.interval_minutes"
DEFAULT_INTERVAL_MINUTES = 15

ProgressFn = Callable[[int, int, str], None]


def remember_server(store: Store, server_url: str, **others: Any) -> None:
    """Keep the sync server's address (with any other sync settings given as `set_settings` takes them). A new
    address is not the demo's embedded server, so the mark that said so goes with the old address; otherwise the
    status bar would go on naming the demo server after sync was pointed elsewhere."""
    changed = server_url != (get_setting(store, SERVER_URL, "") or "")
    set_settings(store, sync_server_url=server_url, **({"sync_embedded": False} if changed else {}), **others)


class SyncError(Exception):
    """A sync that could not finish; the message says what happened and what to do, for the person using the app."""


class NotSignedInError(SyncError):
    """There is no token for this account (or it has expired): the user must sign in."""


class DeviceRevokedError(SyncError):
    """The server no longer accepts this laptop: its local data for the account has been wiped."""


class ServerRefusedError(SyncError):
    """A 4xx answer other than 401: retrying would not help."""


class PasswordChangeRequiredError(NotSignedInError):
    """The password was right, but an admin reset it: choose a new one with `SyncClient.change_password`."""


class UpdateNeededError(ServerRefusedError):
    """The server and this laptop speak protocols too far apart: this version of ReviewApp must be updated."""


class ServerUnreachableError(SyncError):
    """No usable answer after every retry (no network, server down, 5xx): the laptop is working offline."""


class _RevokedDuringPrefetch(Exception):
    """A page fetched on the helper thread was answered `device_revoked`; the wipe is done on the sync's thread."""


class Cancelled(Exception):
    """The user cancelled; everything done so far is kept."""


@dataclass
class SyncSummary:
    pushed: int = 0
    applied: int = 0
    duplicates: int = 0
    conflicts: int = 0
    rejected: int = 0
    pulled: int = 0
    pages: int = 0
    purged_learners: int = 0
    #: Learners who left the caseload with unsent changes here: kept until the assessor decides.
    held_learners: int = 0
    requeued: int = 0
    server_changed: bool = False
    cancelled: bool = False
    finished_at: dt.datetime | None = None
    log: list[str] = field(default_factory=list)
    #: Pulled records skipped because this laptop could not apply them ("entity id: reason"; see
    #: `reviewapp.store.unapplied`), those it could not use first, then those left out with them.
    unapplied: list[str] = field(default_factory=list)
    #: How many of `unapplied` were only left out with a record they belong to.
    unapplied_with_parent: int = 0

    def text(self) -> str:
        parts = [
            f"pushed {self.pushed} change(s): {self.applied} applied, {self.duplicates} already there, "
            f"{self.conflicts} with conflicts, {self.rejected} refused",
            f"pulled {self.pulled} change(s) in {self.pages} page(s)",
            f"{self.purged_learners} learner(s) removed from this laptop",
        ]
        if self.held_learners:
            parts.append(f"{self.held_learners} learner(s) left your caseload with unsent changes, kept here until "
                         "you decide (Sync → Conflicts)")
        if self.unapplied:
            parts.append(self.unapplied_text())
        if self.server_changed:
            parts.append(f"new server: {self.requeued} record(s) queued to send again")
        if self.cancelled:
            parts.append("cancelled (what was done is kept)")
        return "; ".join(parts)


    def unapplied_text(self) -> str:
        """"1 record could not be applied: review 01H…: a number too large to store in template_version" …"""
        own = self.unapplied[: len(self.unapplied) - self.unapplied_with_parent]
        text = (f"{len(own)} record{'s' if len(own) != 1 else ''} could not be applied: " + "; ".join(own[:5])
                + (f"; and {len(own) - 5} more (see the log)" if len(own) > 5 else ""))
        if self.unapplied_with_parent:
            text += (f" ({self.unapplied_with_parent} record(s) that belong to them were left out with them; all "
                     "come again once the server's copy is corrected: tell IT)")
        else:
            text += " (it comes again once the server's copy is corrected: tell IT)"
        return text


# --- the token, in the keyring only -----------------------------------------------------------------------------


def _token_name(store_path: Path) -> str:
    return f"sync-token:{Path(store_path).resolve()}"


def _same_url(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and str(a).rstrip("/").lower() == str(b).rstrip("/").lower()


def load_token(store: Store, server_url: str) -> str | None:
    """The sign-in kept for this store, if it was made with `server_url`: a token never goes to another host."""
    use_configured_collection()
    try:
        raw = keyring.get_password(KEYRING_SERVICE, _token_name(store.path))
    except keyring.errors.KeyringError as exc:
        raise SyncError(f"Could not read your sign-in from the keyring ({exc}). Unlock it and try again.") from None
    if not raw:
        return None
    try:
        saved = json.loads(raw)
        token, for_server = str(saved["token"]), str(saved["server"])
    except (ValueError, TypeError, KeyError):  # a bare token, kept by an earlier version for the configured server
        token, for_server = raw, get_setting(store, SERVER_URL)
    return token if _same_url(for_server, server_url) else None


def save_token(store: Store, server_url: str, token: str) -> None:
    use_configured_collection()
    try:
        saved = json.dumps({"server": server_url, "token": token})
        keyring.set_password(KEYRING_SERVICE, _token_name(store.path), saved)
    except keyring.errors.KeyringError as exc:
        raise SyncError(f"Could not keep your sign-in in the keyring ({exc}). Unlock it and try again.") from None


def forget_token(store_path: Path) -> None:
    use_configured_collection()
    with contextlib.suppress(keyring.errors.KeyringError):
        keyring.delete_password(KEYRING_SERVICE, _token_name(store_path))


# --- batching ---------------------------------------------------------------------------------------------------


def push_units(entries: list[SentEntry]) -> list[list[SentEntry]]:
    """Entries grouped so a review travels with its signatures (the server's ordering rule: a review's signatures
    in the same push as, or an earlier push than, the change that finalises it), parents before children."""
    by_review: dict[str, list[SentEntry]] = {}
    reviews = {e.record_id for e in entries if e.entity == "review"}
    units: list[list[SentEntry]] = []
    review_units: dict[str, list[SentEntry]] = {}
    for entry in entries:
        if entry.entity == "signature" and entry.fields.get("review_id") in reviews:
            by_review.setdefault(entry.fields["review_id"], []).append(entry)
    for entry in entries:
        if entry.entity == "signature" and entry.fields.get("review_id") in reviews:
            continue
        unit = [entry]
        if entry.entity == "review":
            unit += by_review.get(entry.record_id, [])
            review_units[entry.record_id] = unit
        units.append(unit)
    order = {name: index for index, name in enumerate(ENTITY_ORDER)}
    units.sort(key=lambda unit: (order[unit[0].entity], unit[0].seq))
    return units


#: The most bytes of record data one push carries: half the server's body limit, leaving room for the envelope and
#: for JSON escaping, so a batch of many signed reviews (each up to a few hundred KB with its drawn signatures) is
#: split rather than answered 413 on every retry.
PUSH_BATCH_BYTES = MAX_BODY_BYTES // 2


def _entry_bytes(entry: SentEntry) -> int:
    return len(json.dumps(entry.fields, ensure_ascii=False).encode("utf-8")) + len(
        json.dumps(entry.base, ensure_ascii=False).encode("utf-8"))


def batches(entries: list[SentEntry], size: int, max_bytes: int = PUSH_BATCH_BYTES) -> list[list[SentEntry]]:
    """Push units packed into batches of at most `size` changes and about `max_bytes` of data (a unit is never
    split: a review travels with its signatures; one larger than `max_bytes` goes alone)."""
    out: list[list[SentEntry]] = []
    current: list[SentEntry] = []
    current_bytes = 0
    for unit in push_units(entries):
        unit_bytes = sum(_entry_bytes(e) for e in unit)
        if current and (len(current) + len(unit) > size or current_bytes + unit_bytes > max_bytes):
            out.append(current)
            current, current_bytes = [], 0
        current.extend(unit)
        current_bytes += unit_bytes
    if current:
        out.append(current)
    return out


# --- the client -------------------------------------------------------------------------------------------------


class SyncClient:
    """Syncs one account's store with one server. Safe to construct on any thread; use from one at a time."""

    def __init__(
        self,
        store: Store,
        server_url: str,
        username: str,
        *,
        http: httpx.Client | None = None,
        device_name: str | None = None,
        batch_size: int = 200,
        page_size: int = 500,
        max_attempts: int = 6,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        allow_insecure_http: bool | None = None,
    ) -> None:
        self.store = store
        #: Refused here, before any request, unless https:// or this computer (see `server_address`).
        self.server_url = check_server_url(server_url, allow_insecure_http=allow_insecure_http)
        self.username = username
        self.http = http or httpx.Client(base_url=self.server_url, timeout=timeout)
        self._own_http = http is None
        #: Every request says which protocol this laptop speaks, so a server that no longer serves it says so.
        self.http.headers[PROTOCOL_HEADER] = str(PROTOCOL_VERSION)
        #: The protocol the server says it speaks (from its health answer at the start of each sync).
        self._server_protocol = 1
        self.device_name = device_name or f"ReviewApp on {platform.node() or 'a laptop'}"
        self.batch_size = max(1, min(batch_size, MAX_PUSH_CHANGES))
        self.page_size = max(1, min(page_size, MAX_PULL_LIMIT))
        #: Marks the helper thread that fetches the next pull page (see `_pull`).
        self._background = threading.local()
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._sleep = sleep
        self.cancel_event = threading.Event()

    def close(self) -> None:
        if self._own_http:
            self.http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- transport -------------------------------------------------------------------------------------------

    def cancel(self) -> None:
        """Ask a running sync to stop at the next safe point (between batches, pages or retries)."""
        self.cancel_event.set()

    def _check_cancel(self) -> None:
        if self.cancel_event.is_set():
            raise Cancelled()

    def _wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while True:
            self._check_cancel()
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._sleep(min(left, 0.1))

    def _call(self, method: str, path: str, model: type[M], *, auth: bool = True, **kwargs: Any) -> M:
        answer = self._request(method, path, model, auth=auth, **kwargs)
        assert answer is not None
        return answer

    def _request(self, method: str, path: str, model: type[M], *, auth: bool = True, absent_ok: bool = False,
                 **kwargs: Any) -> M | None:
        """One request with bounded retries: timeouts, dropped connections and 5xx back off and retry; a server
        plainly not there (connection refused, name not found) is tried once more at most; 4xx stop at once.
        A sync that gives up says why in words (`reachability`); the technical detail is logged."""
        headers = {}
        if auth:
            token = load_token(self.store, self.server_url)
            if not token:
                raise NotSignedInError("You are not signed in to the server: sign in, then sync again.")
            headers["Authorization"] = f"Bearer {token}"
        problem: reachability.Problem | None = None
        attempts = 0
        while attempts < self.max_attempts:
            if problem is not None and problem.fail_fast and attempts >= reachability.FAST_FAIL_ATTEMPTS:
                break
            self._check_cancel()
            if attempts:
                self._wait(min(self.backoff * 2 ** (attempts - 1), self.max_backoff))
            attempts += 1
            try:
                response = self.http.request(method, path, headers=headers, **kwargs)
            except httpx.TransportError as exc:
                problem = reachability.transport_problem(exc, self.server_url)
                log.info("sync: %s %s: %s: %s (attempt %d)", method, path, type(exc).__name__, exc, attempts)
                continue
            if response.status_code >= 500:
                problem = reachability.server_error_problem(response.status_code, self.server_url)
                log.info("sync: %s %s: HTTP %d (attempt %d)", method, path, response.status_code, attempts)
                continue
            if response.status_code == 401 and auth:
                self._handle_unauthorised(response)
            if response.status_code == 426:  # Upgrade Required: this laptop is older than the server serves
                raise UpdateNeededError(f"{_detail(response)} (The server at {self.server_url} no longer serves "
                                        "this version; your changes are kept and sync once it is updated.)")
            if response.status_code == 404 and absent_ok:
                return None  # an older server, without this route
            if response.status_code >= 400:
                _check_protocol(response)
                raise ServerRefusedError(
                    f"The server refused the request (HTTP {response.status_code}): {_detail(response)}"
                )
            try:
                return model.model_validate_json(response.content)  # parsed in pydantic-core, not json + validate
            except (ValidationError, ValueError) as exc:
                _check_protocol(response)
                raise SyncError(
                    "The server's answer did not match what this version of ReviewApp expects, so nothing of it "
                    f"was used. Check the server address, or ask IT whether the server needs updating. ({exc})"
                ) from None
        problem = problem or reachability.transport_problem(httpx.ConnectError("no attempt made"), self.server_url)
        raise ServerUnreachableError(reachability.unreachable_message(problem, attempts))

    def _handle_unauthorised(self, response: httpx.Response) -> None:
        """A 401. Only `device_revoked` from the server this laptop syncs with wipes the account's local data;
        any other reason (expired, unknown token, disabled account, an older server that gives no reason, another
        server answering) forgets the token and asks for a sign-in, keeping every local change."""
        with self.store.read() as session:
            known_server = get_state(session, SERVER_ID)
        answered_by, code = _auth_failure(response)
        forget_token(self.store.path)
        if code != "device_revoked" or not known_server or answered_by != known_server:
            reason = {
                "token_expired": "Your sign-in has expired",
                "account_disabled": "The server says your account is disabled (ask an admin)",
                "device_revoked": "The server no longer accepts this laptop's sign-in",
            }.get(code or "", "Your sign-in is no longer accepted")
            raise NotSignedInError(f"{reason}: sign in again to sync. Your changes are kept.")
        if getattr(self._background, "active", False):
            raise _RevokedDuringPrefetch  # the wipe waits for the sync's own thread (see `_pull`)
        self._wipe_revoked()

    def _wipe_revoked(self) -> None:
        """This laptop was revoked: remove the account's caseload, its saved copies and its sign-in, and say so."""
        data_dir, account, path = self.store.path.parent, self.store.account, self.store.path
        with self.store.read() as session:
            folders = learner_folder_names(session)
        remove_saved_copy_folders(self.store.path.parent, folders)  # the signed copies saved here go with the caseload
        self.store.close()
        Store.discard(data_dir, account)
        forget_token(path)
        raise DeviceRevokedError(
            "The server no longer accepts this laptop (it was reported lost or signed out by an admin), so its "
            f"copy of {account}'s caseload has been wiped from this laptop. Sign in again to download it."
        )

    # --- signing in ------------------------------------------------------------------------------------------

    def login(self, password: str) -> TokenResponse:
        """Exchange the password for a token kept in the keyring; remembers server and user in the settings.

        Sends the device id an earlier sign-in here received, so the server keeps one device for this laptop
        (under the name given at the first sign-in) rather than a new one each time.
        """
        self._check_account()
        with self.store.read() as session:
            device_id = get_state(session, DEVICE_ID)
        import reviewapp

        body = {"username": self.username, "password": password, "device_name": self.device_name}
        laptop = {"host_name": platform.node()[:200], "app_version": str(reviewapp.__version__)[:50]}
        if device_id:
            laptop["device_id"] = device_id
        response = self._sign_in_request("/api/v1/auth/token", {**body, **laptop}, without=body)
        try:
            token = TokenResponse.model_validate(response.json())
        except (ValidationError, ValueError):
            raise SyncError(f"{self.server_url} does not answer like a ReviewApp server; check the address.") from None
        save_token(self.store, self.server_url, token.token)
        # The display name is kept for the assessor's name beside their signature, so they need not type it.
        remember_server(self.store, self.server_url, sync_username=self.username,
                        assessor_display_name=token.user.display_name)
        with self.store.apply_remote() as session:
            set_state(session, DEVICE_ID, token.device_id)
            set_state(session, TOKEN_EXPIRES, token.expires_at.isoformat())
            if not get_state(session, SERVER_ID):
                set_state(session, SERVER_ID, token.server_id)
        return token

    def change_password(self, current_password: str, new_password: str) -> TokenResponse:
        """Set a new password (the answer to `PasswordChangeRequiredError`, or the user's own choice), then sign
        in with it. The server ends every other sign-in of the account."""
        self._check_account()
        self._sign_in_request("/api/v1/auth/password", {
            "username": self.username, "current_password": current_password, "new_password": new_password,
        })
        return self.login(new_password)

    def _sign_in_request(
        self, path: str, body: dict[str, Any], without: dict[str, Any] | None = None
    ) -> httpx.Response:
        """POST a password to the server once (never retried: each failure counts towards a lockout).

        `without` is the body an older server understands: one that refuses the newer optional fields (a 422,
        before any password is checked) is asked again with it.
        """
        try:
            response = self.http.post(path, json=body)
            newer = set(body) - set(without or body)
            if newer and response.status_code == 422 and _refuses_fields(response, newer):
                response = self.http.post(path, json=without)
        except httpx.TransportError as exc:
            log.info("sign-in: %s: %s", type(exc).__name__, exc)
            words = reachability.transport_problem(exc, self.server_url).words
            raise SyncError(f"Could not sign in. {words} Check this laptop's network connection and the server "
                            "address in Sync > Sync settings, then try again.") from None
        if response.status_code == 403 and _auth_failure(response)[1] == "password_change_required":
            raise PasswordChangeRequiredError(_detail(response))
        if response.status_code == 401:
            raise NotSignedInError(_detail(response))
        if response.status_code == 422 and path.endswith("/password"):
            raise ServerRefusedError(f"The new password was not accepted: {_detail(response)}")
        if response.status_code >= 400:
            raise ServerRefusedError(f"The server refused the sign-in (HTTP {response.status_code}): "
                                     f"{_detail(response)}")
        return response

    def _check_account(self) -> None:
        """One caseload per store: signing in as someone else here would mix two assessors' learners."""
        previous = get_setting(self.store, USERNAME)
        if not previous or previous == self.username:
            return
        with self.store.read() as session:
            synced = int(get_state(session, CURSOR, "0") or 0) > 0
            pending = session.scalar(select(OutboxEntry.seq).limit(1)) is not None
        if synced or pending:
            raise SyncError(
                f"The caseload in this folder belongs to {previous}, so it cannot be signed in as {self.username}: "
                f"the two caseloads would mix. Sign in as {previous}, or open {self.username}'s own caseload "
                f"(reviewapp --account {self.username})."
            )

    def signed_in(self) -> bool:
        return bool(load_token(self.store, self.server_url))

    # --- sync ------------------------------------------------------------------------------------------------

    def sync(self, progress: ProgressFn | None = None) -> SyncSummary:
        """Push the outbox, then pull; after a server change, push again what the server lacks and pull again.

        Returns a summary; `cancelled` is set when stopped by `cancel()` (everything done so far is kept).
        Raises `SyncError` (with a message for the user) when the sync could not finish.
        """
        summary = SyncSummary()
        report = progress or (lambda _done, _total, _text="": None)
        try:
            self._check_server(summary)
            for _round in range(3):
                self._push(summary, report)
                requeued = self._pull(summary, report)
                if not requeued:
                    break
            self._fetch_settings(summary)
        except Cancelled:
            summary.cancelled = True
            summary.log.append("Cancelled by the user; what was done is kept.")
            return summary
        summary.finished_at = utc_now()
        with self.store.apply_remote() as session:
            set_state(session, LAST_SYNC, summary.finished_at.isoformat())
        summary.log.append(f"Sync finished: {summary.text()}.")
        return summary

    def _check_server(self, summary: SyncSummary) -> None:
        health = self._call("GET", "/api/v1/health", HealthResponse, auth=False)
        self._server_protocol = health.protocol_version
        if health.protocol_version > PROTOCOL_VERSION:  # it still serves this laptop (else 426), but say so
            log.info("sync: the server speaks protocol %d, this laptop %d", health.protocol_version, PROTOCOL_VERSION)
            summary.log.append("The server runs a newer version of ReviewApp's sync; update ReviewApp when you can.")
        with self.store.read() as session:
            known = get_state(session, SERVER_ID)
            cursor = get_state(session, CURSOR)
        if not known:
            with self.store.apply_remote() as session:
                set_state(session, SERVER_ID, health.server_id)
        elif known != health.server_id:
            summary.server_changed = True
            summary.log.append(
                f"The server has a new identity ({known[:8]} → {health.server_id[:8]}): it was restored or replaced. "
                "Everything will be pulled again and whatever it lacks sent again."
            )
            start_resync(self.store, health.server_id)
        elif not cursor:
            with self.store.apply_remote() as session:
                set_state(session, CURSOR, "0")

    def _fetch_settings(self, summary: SyncSummary) -> None:
        """Take the provider settings the office set (name, logo, schedule, templates) when they have changed.

        A server older than protocol 3, or one without the settings route, leaves the laptop's own settings as they
        are, with no error; a laptop that cannot reach the server keeps the last settings it received."""
        if self._server_protocol < 3:
            return
        have = office_settings.version_to_ask(self.store)
        received = self._request("GET", "/api/v1/settings", ProviderSettingsResponse, absent_ok=True,
                                 params={} if have is None else {"have": have})
        if received is None or received.unchanged:
            return
        self._same_server(received.server_id)
        office_settings.save_office_settings(self.store, received)
        summary.log.append(f"Took the provider settings set at the office (version {received.version}).")

    def _same_server(self, server_id: str) -> None:
        with self.store.read() as session:
            known = get_state(session, SERVER_ID)
        if known and server_id != known:
            raise SyncError("The server changed identity during the sync (restored or replaced). Sync again: "
                            "your changes are kept and will be sent again.")

    def _made_at(self, entry: SentEntry) -> dict[str, str]:
        """When the change was last made on this laptop, for the server's audit log: sent only to a server that
        takes it (protocol 2 and later; an older one refuses fields it does not know)."""
        if self._server_protocol < 2:
            return {}
        made = entry.updated_at if entry.updated_at.tzinfo else entry.updated_at.replace(tzinfo=dt.UTC)
        return {"made_at": made.isoformat()}

    def _push(self, summary: SyncSummary, report: ProgressFn) -> None:
        entries = pending_entries(self.store)
        total = len(entries)
        with self.store.read() as session:
            device_id = get_state(session, DEVICE_ID) or "unknown-device"
        done = 0
        for batch in batches(entries, self.batch_size):
            self._check_cancel()
            body = {
                "batch_id": new_id(),
                "device_id": device_id,
                "changes": [
                    {"change_id": e.change_id, "entity": e.entity, "id": e.record_id, "op": e.op,
                     "base_rev": e.base_rev, "base": e.base, "fields": e.fields, **self._made_at(e)}
                    for e in batch
                ],
            }
            answer = self._call("POST", "/api/v1/sync/push", PushResponse, json=body)
            self._same_server(answer.server_id)
            counts = apply_push_results(self.store, batch, answer.results)
            if counts.rewind_to is not None:
                rewind_cursor(self.store, counts.rewind_to)
            summary.pushed += len(batch)
            summary.applied += counts.applied
            summary.duplicates += counts.duplicates
            summary.conflicts += counts.conflicts
            summary.rejected += counts.rejected
            for result in answer.results:
                if result.status == "rejected":
                    summary.log.append(f"Refused by the server: {result.error}")
            done += len(batch)
            report(done, total, f"Sent {done} of {total} change(s)")

    def _pull(self, summary: SyncSummary, report: ProgressFn) -> int:
        """Pull until the server has nothing more; returns how many records were queued to send again.

        The next page is fetched on a helper thread while this one is applied, so the server's time and the
        laptop's overlap (each was about half of a first pull). Only one request is ever in flight. Each batch is
        applied only if the stored cursor is still where its first page was fetched from; if the assessor moved
        it back meanwhile (Keep theirs on a refused change), the pull starts again from the stored cursor.
        """
        requeued = 0
        fetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-pull")
        upcoming: Future[tuple[PullResponse, list[BaseModel | None]]] | None = None

        def take() -> tuple[PullResponse, list[BaseModel | None]]:
            nonlocal upcoming
            assert upcoming is not None
            try:
                page = upcoming.result()
            except _RevokedDuringPrefetch:
                upcoming = None
                self._wipe_revoked()  # here, on the sync's own thread, never beside a write in progress
            upcoming = fetcher.submit(self._fetch_in_background, page[0].cursor) if page[0].more else None
            return page

        try:
            while True:
                with self.store.read() as session:
                    since = int(get_state(session, CURSOR, "0") or 0)
                upcoming = fetcher.submit(self._fetch_in_background, since)
                try:
                    while True:
                        self._check_cancel()
                        pages = [take()]
                        while True:
                            try:
                                counts = apply_pages(self.store, pages, since=since,
                                                                allow_dangling=not pages[-1][0].more)
                                break
                            except DanglingReferences:
                                # A record names one on the next page: take that page too, apply both as one.
                                self._check_cancel()
                                pages.append(take())
                            except BadServerData as exc:
                                raise SyncError(f"The server sent data this laptop cannot use ({exc}); nothing of "
                                                "it was applied. Try again later, or tell IT.") from None
                        remove_saved_copy_folders(self.store.path.parent, counts.purged_folders)
                        since = pages[-1][0].cursor
                        summary.pages += len(pages)
                        summary.pulled += counts.applied
                        self._note_skipped(summary, counts.skipped)
                        summary.purged_learners += len(counts.purged_learners)
                        summary.held_learners += len(counts.held_learners)
                        requeued += counts.resync_queued
                        summary.requeued += counts.resync_queued
                        report(summary.pages, 0, f"Received {summary.pulled} change(s) in {summary.pages} page(s)")
                        if counts.rewound:  # a record skipped before applied: what was left out with it comes again
                            raise CursorMoved
                        if not pages[-1][0].more:
                            return requeued
                except CursorMoved:
                    if upcoming is not None:  # fetched from the old position: not wanted
                        with contextlib.suppress(Exception):
                            upcoming.result()
                        upcoming = None
        finally:
            fetcher.shutdown(wait=True, cancel_futures=True)

    @staticmethod
    def _note_skipped(summary: SyncSummary, skipped: list[Skipped]) -> None:
        if not skipped:
            return
        own = [item.text() for item in skipped if not item.parent]
        with_parent = [item.text() for item in skipped if item.parent]
        done = len(summary.unapplied) - summary.unapplied_with_parent
        summary.unapplied[done:done] = own
        summary.unapplied.extend(with_parent)
        summary.unapplied_with_parent += len(with_parent)
        summary.log.extend(f"Could not apply a record from the server, skipped: {text}" for text in own)

    def _fetch_in_background(self, since: int) -> tuple[PullResponse, list[BaseModel | None]]:
        self._background.active = True
        return self._fetch_page(since)

    def _fetch_page(self, since: int) -> tuple[PullResponse, list[BaseModel | None]]:
        raw = self._call("GET", "/api/v1/sync/pull", _RawPage, params={"since": since, "limit": self.page_size})
        self._same_server(raw.server_id)
        try:
            return validate_page({**(raw.model_extra or {}), "server_id": raw.server_id},
                                            parsed_leniently=raw._lenient)
        except BadServerData as exc:
            if _newer_than_ours((raw.model_extra or {}).get("protocol_version")):
                raise UpdateNeededError("The server speaks a newer version of the sync protocol than this version "
                                        "of ReviewApp: update ReviewApp. Your changes are kept.") from None
            raise SyncError(f"The server sent data this laptop cannot use ({exc}); nothing of it was applied. "
                            "Try again later, or tell IT.") from None


class _RawPage(BaseModel):
    """A pull answer read loosely first (only the server id), so the strict check can name what is wrong."""

    model_config = {"extra": "allow"}
    server_id: str
    #: Parsed by Python's json (see below), so its text may hold what pydantic-core's parser refuses.
    _lenient: bool = PrivateAttr(default=False)

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **options: Any) -> _RawPage:
        """Parsed in pydantic-core; a page it refuses as JSON (it refuses a lone surrogate such as "\\ud800" in one
        record's text) is parsed again by Python's json, so that record alone is refused later, not the page."""
        try:
            return super().model_validate_json(json_data, **options)
        except ValidationError as error:
            if not any(item["type"] == "json_invalid" for item in error.errors()):
                raise
        try:
            page = cls.model_validate(json.loads(json_data))
            page._lenient = True
            return page
        except RecursionError:  # nested too deeply for any parser here: said, as an answer that cannot be used
            raise ValueError("a pull page nested too deeply to read") from None


def _check_protocol(response: httpx.Response) -> None:
    """An answer this laptop could not use, from a server on a newer protocol: say "update", not what failed."""
    try:
        server_protocol = response.json().get("protocol_version")
    except (ValueError, AttributeError):
        return
    if _newer_than_ours(server_protocol):
        raise UpdateNeededError(
            f"The server speaks a newer version of the sync protocol ({server_protocol}) than this version of "
            f"ReviewApp ({PROTOCOL_VERSION}): update ReviewApp. Your changes are kept and sync once it is updated."
        )


def _newer_than_ours(server_protocol: Any) -> bool:
    return isinstance(server_protocol, int) and not isinstance(server_protocol, bool) and (
        server_protocol > PROTOCOL_VERSION)


def _auth_failure(response: httpx.Response) -> tuple[str, str | None]:
    """(server id, code) of a 401 answer; ("", None) for anything that is not a well-formed error body."""
    try:
        body = ErrorResponse.model_validate(response.json())
    except (ValidationError, ValueError):
        return "", None
    return body.server_id, body.code


def _refuses_fields(response: httpx.Response, names: set[str]) -> bool:
    """True when a 422 says only that some of `names` are not expected (an older server's answer)."""
    try:
        errors = response.json().get("errors") or []
        return bool(errors) and all(
            e.get("type") == "extra_forbidden" and str(e.get("loc", "")).rpartition(".")[2] in names for e in errors
        )
    except (ValueError, AttributeError):
        return False


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail") or response.text[:200])
    except ValueError:
        return response.text[:200] or response.reason_phrase


def status_counts(store: Store) -> tuple[int, int, dt.datetime | None]:
    """(pending changes, open conflicts, last sync) for the status bar and the headless summary."""
    from reviewapp.store.models import OutboxEntry, SyncConflict  # noqa: F401 - tables used below

    with store.read() as session:
        pending = len(session.scalars(select(OutboxEntry.seq)).all())
        conflicts = open_conflict_count(session)
        last = get_state(session, LAST_SYNC)
    return pending, conflicts, dt.datetime.fromisoformat(last) if last else None
