"""CSRF protection for every form of the office web app: each POST must send back a token the page was given.

Signed in, the token is the session's own (web_sessions.csrf_token). The sign-in form comes before any session, so
it carries a token also set in a short-lived cookie of its own, and the two must match (a cross-site page can
neither read the cookie nor set it). Either way, a POST without the right token is refused with 403.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import HTTPException, Request, Response

SIGN_IN_COOKIE = "reviewapp_sign_in_csrf"
FIELD = "csrf_token"
REFUSED = "This form has expired or did not come from this site: go back, reload the page and try again."


def check_csrf(sent: str | None, expected: str | None) -> None:
    """403 unless the form sent the expected token."""
    if not sent or not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise HTTPException(status_code=403, detail=REFUSED)


def sign_in_token(request: Request) -> str:
    """The sign-in form's token: the browser's cookie if it has one, else a new one (`remember_sign_in_token`)."""
    return request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(32)


def remember_sign_in_token(response: Response, token: str, secure: bool) -> None:
    response.set_cookie(SIGN_IN_COOKIE, token, httponly=True, samesite="lax", secure=secure, path="/sign-in")
