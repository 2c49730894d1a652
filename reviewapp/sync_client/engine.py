"""The sync itself: push the outbox in batches, then pull pages (the next fetched on a helper thread while one is
applied), atomic and resumable at every step (see the package docstring).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from pydantic import BaseModel, PrivateAttr, ValidationError

from reviewapp.core.dates import utc_now
from reviewapp.core.file_names import remove_saved_copy_folders
from reviewapp.store import office_settings
from reviewapp.store.models import new_id
from reviewapp.store.sync.page import validate_page
from reviewapp.store.sync.pull import CursorMoved, DanglingReferences, apply_pages
from reviewapp.store.sync.push import SentEntry, apply_push_results, mark_told, pending_entries, untold_resolutions
from reviewapp.store.sync.resync import start_resync
from reviewapp.store.sync.state import (
    CURSOR,
    DEVICE_ID,
    LAST_SYNC,
    SERVER_ID,
    BadServerData,
    get_state,
    rewind_cursor,
    set_state,
)
from reviewapp.store.unapplied import Skipped
from reviewapp.sync_client.batching import batches
from reviewapp.sync_client.config import ProgressFn
from reviewapp.sync_client.errors import Cancelled, RevokedDuringPrefetch, SyncError, UpdateNeededError
from reviewapp.sync_client.progress import PullProgress
from reviewapp.sync_client.signin import SignIn
from reviewapp.sync_client.summary import SyncSummary
from reviewapp.sync_client.transport import newer_than_ours
from sync.protocol import (
    PROTOCOL_VERSION,
    RESOLVED_SINCE,
    HealthResponse,
    ProviderSettingsResponse,
    PullResponse,
    PushResponse,
)

log = logging.getLogger(__name__)


class SyncClient(SignIn):
    """Syncs one account's store with one server. Safe to construct on any thread; use from one at a time."""

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
        """Send the outbox in batches; the last (or, with nothing else to send, an empty one) also names the
        conflicts resolved here since the last push, for a server that takes them (protocol 5), so the office
        sees them resolved: keep theirs changes nothing on the server, so only this tells it."""
        entries = pending_entries(self.store)
        total = len(entries)
        resolved = untold_resolutions(self.store) if self._server_protocol >= RESOLVED_SINCE else []
        with self.store.read() as session:
            device_id = get_state(session, DEVICE_ID) or "unknown-device"
        done = 0
        packed = batches(entries, self.batch_size) or ([[]] if resolved else [])
        for index, batch in enumerate(packed):
            self._check_cancel()
            body: dict[str, Any] = {
                "batch_id": new_id(),
                "device_id": device_id,
                "changes": [
                    {"change_id": e.change_id, "entity": e.entity, "id": e.record_id, "op": e.op,
                     "base_rev": e.base_rev, "base": e.base, "fields": e.fields, **self._made_at(e)}
                    for e in batch
                ],
            }
            told = resolved if index == len(packed) - 1 else []
            if told:
                body["resolved"] = [{"conflict_id": cid, "resolution": how} for cid, how in told]
            answer = self._call("POST", "/api/v1/sync/push", PushResponse, json=body)
            self._same_server(answer.server_id)
            mark_told(self.store, [cid for cid, _how in told])
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
        progress = PullProgress()
        fetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-pull")
        upcoming: Future[tuple[PullResponse, list[BaseModel | None]]] | None = None

        def take() -> tuple[PullResponse, list[BaseModel | None]]:
            nonlocal upcoming
            assert upcoming is not None
            try:
                page = upcoming.result()
            except RevokedDuringPrefetch:
                upcoming = None
                self._wipe_revoked()  # here, on the sync's own thread, never beside a write in progress
            upcoming = fetcher.submit(self._fetch_in_background, page[0].cursor) if page[0].more else None
            return page

        try:
            while True:
                with self.store.read() as session:
                    since = int(get_state(session, CURSOR, "0") or 0)
                upcoming = fetcher.submit(self._fetch_in_background, since, True)  # with the total, once
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
                        progress.received(pages)
                        report(progress.done, progress.total or 0,
                               progress.text() or f"Received {summary.pulled} change(s) in {summary.pages} page(s)")
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

    def _fetch_in_background(self, since: int, count: bool = False) -> tuple[PullResponse, list[BaseModel | None]]:
        self._background.active = True
        return self._fetch_page(since, count) if count else self._fetch_page(since)

    def _fetch_page(self, since: int, count: bool = False) -> tuple[PullResponse, list[BaseModel | None]]:
        params: dict[str, Any] = {"since": since, "limit": self.page_size, **({"count": "true"} if count else {})}
        raw = self._call("GET", "/api/v1/sync/pull", _RawPage, params=params)
        self._same_server(raw.server_id)
        try:
            return validate_page({**(raw.model_extra or {}), "server_id": raw.server_id},
                                            parsed_leniently=raw._lenient)
        except BadServerData as exc:
            if newer_than_ours((raw.model_extra or {}).get("protocol_version")):
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

