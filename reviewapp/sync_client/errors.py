"""What can stop a sync, as exceptions whose messages are written for the person using the app.
"""

from __future__ import annotations


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


class RevokedDuringPrefetch(Exception):
    """A page fetched on the helper thread was answered `device_revoked`; the wipe is done on the sync's thread."""


class Cancelled(Exception):
    """The user cancelled; everything done so far is kept."""

