"""Signing in (a password exchanged once for a token in the keyring) and changing the password.
"""

from __future__ import annotations

import logging
import platform
from typing import Any

import httpx
from pydantic import ValidationError

from reviewapp.store.queries import pending_change_count
from reviewapp.store.settings import get_setting
from reviewapp.store.sync.state import CURSOR, DEVICE_ID, SERVER_ID, TOKEN_EXPIRES, get_state, set_state
from reviewapp.sync_client import reachability
from reviewapp.sync_client.config import USERNAME, remember_server
from reviewapp.sync_client.errors import NotSignedInError, PasswordChangeRequiredError, ServerRefusedError, SyncError
from reviewapp.sync_client.tokens import load_token, save_token
from reviewapp.sync_client.transport import Transport, auth_failure, error_detail, refuses_fields
from sync.protocol import TokenResponse

log = logging.getLogger(__name__)


class SignIn(Transport):
    """Sign-in on top of the transport: never retried, since each failure counts towards a lockout."""

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
            if newer and response.status_code == 422 and refuses_fields(response, newer):
                response = self.http.post(path, json=without)
        except httpx.TransportError as exc:
            log.info("sign-in: %s: %s", type(exc).__name__, exc)
            words = reachability.transport_problem(exc, self.server_url).words
            raise SyncError(f"Could not sign in. {words} Check this laptop's network connection and the server "
                            "address in Sync > Sync settings, then try again.") from None
        if response.status_code == 403 and auth_failure(response)[1] == "password_change_required":
            raise PasswordChangeRequiredError(error_detail(response))
        if response.status_code == 401:
            raise NotSignedInError(error_detail(response))
        if response.status_code == 422 and path.endswith("/password"):
            raise ServerRefusedError(f"The new password was not accepted: {error_detail(response)}")
        if response.status_code >= 400:
            raise ServerRefusedError(f"The server refused the sign-in (HTTP {response.status_code}): "
                                     f"{error_detail(response)}")
        return response

    def _check_account(self) -> None:
        """One caseload per store: signing in as someone else here would mix two assessors' learners."""
        previous = get_setting(self.store, USERNAME)
        if not previous or previous == self.username:
            return
        with self.store.read() as session:
            synced = int(get_state(session, CURSOR, "0") or 0) > 0
            pending = pending_change_count(session) > 0
        if synced or pending:
            raise SyncError(
                f"The caseload in this folder belongs to {previous}, so it cannot be signed in as {self.username}: "
                f"the two caseloads would mix. Sign in as {previous}, or open {self.username}'s own caseload "
                f"(reviewapp --account {self.username})."
            )

    def signed_in(self) -> bool:
        return bool(load_token(self.store, self.server_url))
