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


class WrongKeyError(StoreOpenError):
    def __init__(self, path: str) -> None:
        super().__init__(
            f"The key in your keyring does not open the caseload {path}: the file is damaged, "
            "or was made with a different key.",
            _REDOWNLOAD,
        )


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
