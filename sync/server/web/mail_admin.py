"""The office web app's Mail page (/admin/mail, admins only): what the outbox holds that is not yet delivered,
the failed and bounced messages first, each of those with a Retry button (CSRF-checked)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..api.deps import SessionDep, require_role, session_caller
from ..db import transaction
from ..mail import MailSettingsError, counts, retry, smtp_from_env, unsent
from ..models import MailMessage
from ..scope import Caller
from .csrf import check_csrf
from .pages import page

router = APIRouter(prefix="/admin/mail", include_in_schema=False)
AdminPageDep = Annotated[Caller, Depends(require_role("admin", via=session_caller))]
#: Status → (words, GOV.UK tag colour): the words carry the meaning, the colour only repeats it.
STATUS_TAGS = {
    "failed": ("Failed", "govuk-tag--red"),
    "bounced": ("Bounced", "govuk-tag--orange"),
    "waiting_for_settings": ("Waiting for settings", "govuk-tag--grey"),
    "sending": ("Sending", "govuk-tag--light-blue"),
    "queued": ("Queued", "govuk-tag--blue"),
    "sent": ("Sent", "govuk-tag--green"),
}


def _settings_line() -> str:
    try:
        smtp = smtp_from_env()
    except MailSettingsError as error:
        return f"E-mail settings cannot work: {error}"
    if smtp is None:
        return "E-mail is off: REVIEWAPP_SMTP_HOST is not set. Messages wait here until it is."
    return f"E-mail goes through {smtp.describe()}."


@router.get("", response_class=HTMLResponse)
def mail_page(request: Request, caller: AdminPageDep, session: SessionDep) -> HTMLResponse:
    return page(request, "admin_mail.html", section="admin", tab="mail", totals=counts(session),
                rows=unsent(session), tags=STATUS_TAGS, settings_line=_settings_line(),
                done=request.query_params.get("done", ""))


@router.post("/{message_id}/retry")
def retry_message(message_id: str, request: Request, caller: AdminPageDep,
                  csrf_token: Annotated[str, Form(max_length=100)] = "") -> Response:
    check_csrf(csrf_token, request.state.csrf_token)
    with transaction(request.app.state.session_factory) as session:
        if len(message_id) > 36 or session.get(MailMessage, message_id) is None:
            raise HTTPException(status_code=404, detail="There is no message here.")
        if not retry(session, message_id):
            raise HTTPException(status_code=409, detail="This message is neither failed nor bounced: there is "
                                "nothing to retry.")
    return RedirectResponse("/admin/mail?done=Queued+again:+a+worker+sends+it+shortly", status_code=303)
