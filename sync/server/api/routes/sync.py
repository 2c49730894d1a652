"""`GET /api/v1/sync/pull` and `POST /api/v1/sync/push`: thin handlers over sync_pull and sync_push."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic_core import PydanticSerializationError

from sync.protocol import (
    CONFLICT_DETAIL_FIELDS,
    CONFLICT_DETAIL_SINCE,
    MAX_PULL_LIMIT,
    Change,
    ErrorResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    fields_for_protocol,
)

from ...cases.notify import remember_base_url
from ...records import stored_fields
from ...sync_pull import pull_page, remaining_after
from ...sync_push import push_changes
from ..deps import CallerDep, ServerIdDep, SessionDep

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1/sync", tags=["sync"], responses={401: {"model": ErrorResponse}})


@router.get("/pull", response_model=PullResponse)
def pull(
    caller: CallerDep,
    session: SessionDep,
    server: ServerIdDep,
    since: Annotated[int, Query(ge=0, le=2**62, description="The cursor of the last page applied; 0 at first")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = 500,
    count: Annotated[bool, Query(description="Also say how many changes wait after this page")] = False,
    x_reviewapp_protocol: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> PullResponse:
    protocol = int((x_reviewapp_protocol or "1").strip())  # a number: check_client_protocol saw to it
    with session.begin():
        changes, cursor, more = pull_page(session, caller, since, limit, protocol)
        remaining = (remaining_after(session, caller, cursor, protocol) if more else 0) if count else None
    _for_client(changes, protocol)
    # Serialised here, once: returned as a model, FastAPI would validate the whole page again and then encode it.
    body = PullResponse(server_id=server, changes=changes, cursor=cursor, more=more, remaining=remaining)
    unasked = {"remaining"} if remaining is None else None  # a laptop that did not ask may not know the field
    try:
        content = body.model_dump_json(exclude=unasked)
    except (PydanticSerializationError, UnicodeError, ValueError):
        body.changes = _sendable(changes)
        content = body.model_dump_json(exclude=unasked)
    return Response(content=content, media_type="application/json")  # type: ignore[return-value]


def _for_client(changes: list[Change], protocol: int) -> None:
    """Each record as the client's protocol reads it: a field added since the record was stored is sent at its
    default (so every client and the office see the same whole record), and fields the client's protocol predates
    (`protocol.RECORD_FIELDS_SINCE`) are left out, since an older laptop's models forbid unknown fields and it
    would otherwise skip every learner that has them."""
    for change in changes:
        if change.data is not None:
            change.data = fields_for_protocol(change.entity, stored_fields(change.entity, change.data), protocol)


def _sendable(changes: list[Change]) -> list[Change]:
    """The page without records that cannot be written as JSON (a lone surrogate stored before the push refused
    them): one such record must not make every pull of a caseload a 500. Each left out is logged by kind and id
    only, for an admin to correct it (which gives it a new rev, so it is sent then)."""
    kept = []
    for change in changes:
        try:
            change.model_dump_json()
        except (PydanticSerializationError, UnicodeError, ValueError):
            log.warning("pull: %s %s cannot be sent (its stored data is not valid JSON text); left out", change.entity,
                        change.id)
            continue
        kept.append(change)
    return kept


@router.post("/push", response_model=PushResponse)
def push(body: PushRequest, caller: CallerDep, session: SessionDep, server: ServerIdDep, request: Request,
         x_reviewapp_protocol: Annotated[str | None, Header(include_in_schema=False)] = None) -> PushResponse:
    protocol = int((x_reviewapp_protocol or "1").strip())  # a number: check_client_protocol saw to it
    remember_base_url(session, str(request.base_url))  # a case's e-mail links here unless a public address is set
    with session.begin():
        results = push_changes(session, caller, body.changes, body.resolved, protocol)
    answer = PushResponse(server_id=server, results=results)
    if protocol >= CONFLICT_DETAIL_SINCE:
        return answer
    # An older laptop's models forbid the conflict details it predates: it would refuse the whole answer.
    older = {"results": {"__all__": {"conflicts": {"__all__": set(CONFLICT_DETAIL_FIELDS)}}}}
    return Response(content=answer.model_dump_json(exclude=older), media_type="application/json")  # type: ignore[return-value]
