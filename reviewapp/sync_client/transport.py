"""Requests to the sync server: bounded retries, cancellation, protocol checks, and what a 401 means.
"""

from __future__ import annotations

import logging
import platform
import threading
import time
from collections.abc import Callable
from typing import Any, Self, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from reviewapp.core.file_names import remove_saved_copy_folders
from reviewapp.store.database import Store
from reviewapp.store.sync.removals import learner_folder_names
from reviewapp.store.sync.state import SERVER_ID, get_state
from reviewapp.sync_client import reachability
from reviewapp.sync_client.errors import (
    Cancelled,
    DeviceRevokedError,
    NotSignedInError,
    RevokedDuringPrefetch,
    ServerRefusedError,
    ServerUnreachableError,
    SyncError,
    UpdateNeededError,
)
from reviewapp.sync_client.server_address import check_server_url
from reviewapp.sync_client.tokens import forget_token, load_token
from sync.protocol import MAX_PULL_LIMIT, MAX_PUSH_CHANGES, PROTOCOL_HEADER, PROTOCOL_VERSION, ErrorResponse

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)


class Transport:
    """The HTTP side of a sync client: one server, bounded retries with back-off, cancellation, and what a 401
    means (a revoked laptop wipes its caseload). `SignIn` and `SyncClient` build on it."""

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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

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
                raise UpdateNeededError(f"{error_detail(response)} (The server at {self.server_url} no longer serves "
                                        "this version; your changes are kept and sync once it is updated.)")
            if response.status_code == 404 and absent_ok:
                return None  # an older server, without this route
            if response.status_code >= 400:
                check_protocol(response)
                raise ServerRefusedError(
                    f"The server refused the request (HTTP {response.status_code}): {error_detail(response)}"
                )
            try:
                return model.model_validate_json(response.content)  # parsed in pydantic-core, not json + validate
            except (ValidationError, ValueError) as exc:
                check_protocol(response)
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
        answered_by, code = auth_failure(response)
        forget_token(self.store.path)
        if code != "device_revoked" or not known_server or answered_by != known_server:
            reason = {
                "token_expired": "Your sign-in has expired",
                "account_disabled": "The server says your account is disabled (ask an admin)",
                "device_revoked": "The server no longer accepts this laptop's sign-in",
            }.get(code or "", "Your sign-in is no longer accepted")
            raise NotSignedInError(f"{reason}: sign in again to sync. Your changes are kept.")
        if getattr(self._background, "active", False):
            raise RevokedDuringPrefetch  # the wipe waits for the sync's own thread (see `_pull`)
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


def check_protocol(response: httpx.Response) -> None:
    """An answer this laptop could not use, from a server on a newer protocol: say "update", not what failed."""
    try:
        server_protocol = response.json().get("protocol_version")
    except (ValueError, AttributeError):
        return
    if newer_than_ours(server_protocol):
        raise UpdateNeededError(
            f"The server speaks a newer version of the sync protocol ({server_protocol}) than this version of "
            f"ReviewApp ({PROTOCOL_VERSION}): update ReviewApp. Your changes are kept and sync once it is updated."
        )


def newer_than_ours(server_protocol: Any) -> bool:
    return isinstance(server_protocol, int) and not isinstance(server_protocol, bool) and (
        server_protocol > PROTOCOL_VERSION)


def auth_failure(response: httpx.Response) -> tuple[str, str | None]:
    """(server id, code) of a 401 answer; ("", None) for anything that is not a well-formed error body."""
    try:
        body = ErrorResponse.model_validate(response.json())
    except (ValidationError, ValueError):
        return "", None
    return body.server_id, body.code


def refuses_fields(response: httpx.Response, names: set[str]) -> bool:
    """True when a 422 says only that some of `names` are not expected (an older server's answer)."""
    try:
        errors = response.json().get("errors") or []
        return bool(errors) and all(
            e.get("type") == "extra_forbidden" and str(e.get("loc", "")).rpartition(".")[2] in names for e in errors
        )
    except (ValueError, AttributeError):
        return False


def error_detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail") or response.text[:200])
    except ValueError:
        return response.text[:200] or response.reason_phrase

