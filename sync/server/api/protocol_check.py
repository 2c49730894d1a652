"""Which clients the server serves: a laptop older than `MIN_CLIENT_PROTOCOL` is told to update, before anything.

Why a dependency of the whole app rather than a check in each route: an old laptop must get "update ReviewApp" from
whichever request it makes first (its health check, its sign-in, a push), not odd validation errors later, and no
route can forget it. Without the header a request is taken as protocol 1 (every client before the header spoke it),
so office scripts and load balancers are unaffected until protocol 1 itself is retired.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, HTTPException

from sync.protocol import CLIENT_TOO_OLD, MIN_CLIENT_PROTOCOL

#: The status for "speak a newer protocol": 426 Upgrade Required.
UPGRADE_REQUIRED = 426


def check_client_protocol(
    x_reviewapp_protocol: Annotated[str | None, Header(description="the protocol version the client speaks")] = None,
) -> None:
    """426 with `CLIENT_TOO_OLD` for a client older than the server serves; 400 for a header that is no number."""
    text = (x_reviewapp_protocol or "1").strip()
    if not text.isdigit() or len(text) > 6:
        raise HTTPException(status_code=400, detail="The X-ReviewApp-Protocol header must be a whole number.")
    if int(text) < MIN_CLIENT_PROTOCOL:
        raise HTTPException(status_code=UPGRADE_REQUIRED, detail=CLIENT_TOO_OLD)
