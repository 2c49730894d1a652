"""Errors the store raises that a user can meet, each with what happened and what to do next."""

from __future__ import annotations


class StoreError(Exception):
    """Base of the store's errors. `advice` tells the user what they can do; both are shown as they are."""

    def __init__(self, message: str, advice: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.advice = advice

    def __str__(self) -> str:
        return f"{self.message}\n{self.advice}" if self.advice else self.message


class StoreOpenError(StoreError):
    """The local caseload could not be opened."""


_REDOWNLOAD = (
    "If your caseload is kept on the ReviewApp server, you can move this file aside and download the caseload "
    "again by syncing; work not yet synced from this laptop would stay in the moved file."
)


class KeyringUnavailableError(StoreOpenError):
    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "ReviewApp could not reach your computer's secure password store (keyring), where the key to your "
            "encrypted caseload is kept." + (f" ({detail})" if detail else ""),
            "Unlock your keyring (on Linux: log in to the desktop session, or unlock 'Login' in Passwords and Keys; "
            "on Windows: Credential Manager; on macOS: Keychain Access) and start ReviewApp again.",
        )


class MissingKeyError(StoreOpenError):
    def __init__(self, path: str) -> None:
        super().__init__(
            f"The key to the encrypted caseload {path} is not in your keyring, so the file cannot be opened.",
            "Check you are logged in as the same user who created it, and that your keyring is unlocked. "
            + _REDOWNLOAD,
        )


#: How to set a damaged caseload aside, for the headless commands' messages (the app offers it in a dialog).
SET_ASIDE_OPTION = "--set-aside-damaged"


class DamagedStoreError(StoreOpenError):
    """The caseload file cannot be read: damaged on disk (a failing drive, a copy cut short, a sync tool).

    Raised at open and by any query that meets a damaged page (see `database._make_engine`), so no caller shows a
    raw "database disk image is malformed". The file is never changed: `Store.set_aside_damaged` renames it (key
    and all) and a fresh caseload is downloaded from the server.
    """

    def __init__(self, path: str, detail: str = "", *, message: str = "") -> None:
        super().__init__(
            message or f"Your caseload {path} is damaged and cannot be read"
            + (f" ({detail})." if detail else "."),
            "Everything you synced is safe on the ReviewApp server. ReviewApp can set the damaged file aside, "
            "untouched and under a dated name (its key kept in your keyring beside it, so work not yet synced may "
            "still be recovered from it by IT), and start a fresh caseload, so you can download the caseload again "
            "from the server: start ReviewApp and choose 'Set aside and start afresh', or run "
            f"`reviewapp sync --data-dir ... --server ... --username ... {SET_ASIDE_OPTION}`.",
        )
        self.path = path


class WrongKeyError(DamagedStoreError):
    """The key kept for the file does not open it: the file is damaged (or not a caseload at all), or was made
    with another key. Either way the way out is the same as for a damaged file."""

    def __init__(self, path: str) -> None:
        super().__init__(path, message=(
            f"The key in your keyring does not open the caseload {path}: the file is damaged (or is not a "
            "ReviewApp caseload at all), or was made with a different key."
        ))


class NewerSchemaError(StoreOpenError):
    def __init__(self, path: str, found: str) -> None:
        super().__init__(
            f"The caseload {path} was saved by a newer version of ReviewApp (schema {found}); "
            "this version cannot open it safely.",
            "Install the latest ReviewApp and open it again. Nothing in the file has been changed.",
        )


class ImmutableRecordError(StoreError):
    """A change to a finalised review or its signatures: finalised reviews are never edited."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what} is part of a finalised review and cannot be changed.",
            "To correct a finalised review, add an addendum to it.",
        )


class BypassedOutboxError(StoreError):
    """A write to a synced table that did not go through the store's API, and so would never reach the server."""
