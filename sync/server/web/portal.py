"""The portal's pages (issue 17 item 2), phone-first, for learners and employers' contacts: `/portal` asks for an
e-mail address and sends a single-use link; `/portal/link/{token}` signs in (a button, so a mail scanner opening
the link does not spend it); then a learner's page (their finalised reviews as their copy's PDF, their open
targets whose actions they tick off, their next review) and, for an employer, their apprentices and feedback for
the next review. Every page takes its principal from `portal_principal` (sync.server.portal.Principal: the one
scope rule); every POST checks its CSRF token; another employer's apprentice and an unknown id get the same 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reviewapp.core.file_names import safe_name
from reviewapp.core.review_rules import target_order
from reviewapp.reports.review_pdf import ReviewPdfError, review_pdf
from sync.protocol import MAX_PORTAL_FEEDBACK, LearnerData, PortalNoteData, ReviewData, TargetData

from .. import portal
from ..api.deps import AddressDep, SessionDep, _wait, session_factory
from ..api.sign_in_limits import TooManyAttempts
from ..models import Learner, Review, Target, utcnow
from ..provider_settings import public_address
from ..records import Rejected
from .csrf import FIELD, check_csrf
from .pages import page
from .reviews import load_review_document, report_settings, template_of

router = APIRouter(include_in_schema=False)
COOKIE = "reviewapp_portal"
FORM_COOKIE = "reviewapp_portal_csrf"
NOT_YOURS = "There is nothing here that you may see."


class PortalSignInNeeded(HTTPException):
    """A portal page asked for without a portal sign-in: the error handler sends the browser to /portal."""

    def __init__(self) -> None:
        super().__init__(status_code=401, detail="Ask for a sign-in link to see this page.")


def portal_principal(request: Request,
                     factory: Annotated[sessionmaker[Session], Depends(session_factory)]) -> portal.Principal:
    """THE portal's dependency: the learner or employer contact the portal cookie signs in, or a redirect to
    /portal. Never a staff account: an office sign-in does not open the portal, nor a portal one the office."""
    with factory() as session, session.begin():
        found = portal.signed_in(session, request.cookies.get(COOKIE))
    if found is None:
        raise PortalSignInNeeded()
    request.state.csrf_token = found.csrf_token
    request.state.portal = found
    return found


PrincipalDep = Annotated[portal.Principal, Depends(portal_principal)]


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _form_token(request: Request) -> str:
    import secrets

    return request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(32)


def _show(request: Request, name: str, status: int = 200, **context: object) -> HTMLResponse:
    context.setdefault("principal", getattr(request.state, "portal", None))
    context.setdefault("csrf_field", FIELD)
    return page(request, name, status=status, **context)


def portal_error(request: Request, exc: HTTPException, title: str) -> Response:
    """A portal page that cannot be: to /portal when not signed in, else the portal's own error page (never the
    office's, which would offer a staff sign-in)."""
    if exc.status_code == 401:
        return RedirectResponse("/portal", status_code=303)
    detail = str(exc.detail) if exc.status_code != 404 else "There is no page at this address."
    return _show(request, "portal_error.html", status=exc.status_code, title=title, detail=detail)


def _limiter(request: Request) -> portal.PortalLimiter:
    limiter = getattr(request.app.state, "portal_limiter", None)
    if limiter is None:
        limiter = request.app.state.portal_limiter = portal.PortalLimiter(request.app.state.settings.rate_limit_storage)
    return limiter


@router.get("/portal", response_class=HTMLResponse)
def ask_for_link(request: Request) -> HTMLResponse:
    token = _form_token(request)
    response = _show(request, "portal_start.html", csrf_token=token, email="", error="")
    response.set_cookie(FORM_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request), path="/portal")
    return response


@router.post("/portal", response_class=HTMLResponse)
def send_link(request: Request, session: SessionDep, address: AddressDep,
              email: Annotated[str, Form(max_length=320)] = "",
              csrf_token: Annotated[str, Form(max_length=100)] = "") -> HTMLResponse:
    check_csrf(csrf_token, request.cookies.get(FORM_COOKIE))
    if "@" not in email.strip():
        return _show(request, "portal_start.html", status=400, csrf_token=csrf_token, email=email,
                     error="Enter your e-mail address, like name@example.com")
    try:
        _limiter(request).hit(address, email)
    except TooManyAttempts as wait:
        response = _show(request, "portal_start.html", status=429, csrf_token=csrf_token, email=email,
                         error=f"There have been too many requests: wait {_wait(wait.retry_after)}, then try again.")
        response.headers["Retry-After"] = str(wait.retry_after)
        return response
    with session.begin():
        # The provider's public address when set (admin settings): a link built from the request's Host header alone
        # could be pointed at another site by whoever asks for someone else's link.
        base = public_address(session) or str(request.base_url)
        portal.request_link(session, email, base)
    # The same answer whether or not the address is known.
    return _show(request, "portal_sent.html", email=email)


@router.get("/portal/link/{token}", response_class=HTMLResponse)
def open_link(token: str, request: Request, session: SessionDep) -> HTMLResponse:
    with session.begin():
        try:
            portal.check_link(session, token)
        except portal.LinkRefused as refused:
            return _show(request, "portal_refused.html", status=410, reason=refused.reason)
    form = _form_token(request)
    response = _show(request, "portal_link.html", token=token, csrf_token=form)
    response.set_cookie(FORM_COOKIE, form, httponly=True, samesite="lax", secure=_secure(request), path="/portal")
    return response


@router.post("/portal/link/{token}", response_class=HTMLResponse)
def use_link(token: str, request: Request, session: SessionDep,
             csrf_token: Annotated[str, Form(max_length=100)] = "") -> Response:
    check_csrf(csrf_token, request.cookies.get(FORM_COOKIE))
    try:
        with session.begin():
            cookie = portal.use_link(session, token)
    except portal.LinkRefused as refused:
        return _show(request, "portal_refused.html", status=410, reason=refused.reason)
    response = RedirectResponse("/portal/home", status_code=303)
    response.set_cookie(COOKIE, cookie, httponly=True, samesite="lax", secure=_secure(request), path="/portal")
    response.delete_cookie(FORM_COOKIE, path="/portal")
    return response


@router.post("/portal/sign-out")
def sign_out(request: Request, principal: PrincipalDep, session: SessionDep,
             csrf_token: Annotated[str, Form(max_length=100)] = "") -> RedirectResponse:
    check_csrf(csrf_token, principal.csrf_token)
    with session.begin():
        portal.end_session(session, request.cookies.get(COOKIE))
    response = RedirectResponse("/portal", status_code=303)
    response.delete_cookie(COOKIE, path="/portal")
    return response


def _apprentices(session: Session, principal: portal.Principal) -> list[tuple[str, LearnerData, dt.date | None]]:
    rows = session.execute(select(Learner.id, Learner.data, Learner.next_review_due)
                           .where(principal.visible(Learner)))
    found = [(lid, LearnerData.model_validate(data), due) for lid, data, due in rows]
    return sorted(found, key=lambda item: (item[1].last_name.casefold(), item[1].first_name.casefold()))


@router.get("/portal/home", response_class=HTMLResponse)
def home(request: Request, principal: PrincipalDep, session: SessionDep) -> Response:
    with session.begin():
        apprentices = _apprentices(session, principal)
    if principal.kind == "learner" and apprentices:
        return RedirectResponse(f"/portal/learners/{apprentices[0][0]}", status_code=303)
    return _show(request, "portal_home.html", apprentices=apprentices)


def _learner_or_403(session: Session, principal: portal.Principal, learner_id: str) -> Learner:
    learner = principal.load_learner(session, learner_id)
    if learner is None:
        raise HTTPException(status_code=403, detail=NOT_YOURS)
    return learner


@router.get("/portal/learners/{learner_id}", response_class=HTMLResponse)
def learner_page(learner_id: str, request: Request, principal: PrincipalDep, session: SessionDep) -> HTMLResponse:
    with session.begin():
        learner = _learner_or_403(session, principal, learner_id)
        data = LearnerData.model_validate(learner.data)
        reviews = sorted(
            ((rid, ReviewData.model_validate(d)) for rid, d in session.execute(
                select(Review.id, Review.data).where(Review.learner_id == learner_id, Review.deleted.is_(False),
                                                     Review.status == "finalised"))),
            key=lambda item: item[1].visit_date or dt.date.min, reverse=True)
        targets = sorted(
            ((tid, TargetData.model_validate(d)) for tid, d in session.execute(
                select(Target.id, Target.data).where(Target.learner_id == learner_id, Target.deleted.is_(False),
                                                     Target.status == "open"))),
            key=lambda item: target_order(item[1]))
        notes = portal.notes_for(session, learner_id)
    done = {(n.target_id, n.action): n for n in notes if n.kind == "action_done"}
    feedback = [n for n in notes if n.kind == "feedback"]
    agreed = next((r.next_review_date for _, r in reviews if r.next_review_date and r.addendum_to_id is None), None)
    return _show(request, "portal_learner.html", learner_id=learner_id, learner=data, reviews=reviews,
                 targets=targets, done=done, feedback=feedback, next_review=agreed or learner.next_review_due,
                 max_feedback=MAX_PORTAL_FEEDBACK, saved=request.query_params.get("saved", ""))


@router.post("/portal/learners/{learner_id}/targets/{target_id}/done")
def tick_action(learner_id: str, target_id: str, request: Request, principal: PrincipalDep, session: SessionDep,
                action: Annotated[int, Form(ge=0, le=100)],
                csrf_token: Annotated[str, Form(max_length=100)] = "") -> RedirectResponse:
    check_csrf(csrf_token, principal.csrf_token)
    if principal.kind != "learner":
        raise HTTPException(status_code=403, detail="Only the learner ticks off their own actions.")
    with session.begin():
        _learner_or_403(session, principal, learner_id)
        row = session.execute(select(Target).where(Target.id == target_id, Target.learner_id == learner_id,
                                                   Target.deleted.is_(False))).scalar_one_or_none() \
            if len(target_id) <= 36 else None
        if row is None:
            raise HTTPException(status_code=403, detail=NOT_YOURS)
        target = TargetData.model_validate(row.data)
        if action >= len(target.actions):
            raise HTTPException(status_code=400, detail="That action is not one of this target's.")
        text = target.actions[action]
        already = {(n.target_id, n.action) for n in portal.notes_for(session, learner_id) if n.kind == "action_done"}
        if (target_id, text) not in already:
            portal.add_note(session, principal, PortalNoteData(
                learner_id=learner_id, kind="action_done", target_id=target_id, action=text,
                written_by=portal.written_by(principal), written_at=utcnow()))
    return RedirectResponse(f"/portal/learners/{learner_id}?saved=tick#target-{target_id}", status_code=303)


@router.post("/portal/learners/{learner_id}/feedback", response_class=HTMLResponse)
def write_feedback(learner_id: str, request: Request, principal: PrincipalDep, session: SessionDep,
                   feedback: Annotated[str, Form(max_length=MAX_PORTAL_FEEDBACK * 2)] = "",
                   csrf_token: Annotated[str, Form(max_length=100)] = "") -> Response:
    check_csrf(csrf_token, principal.csrf_token)
    if principal.kind != "employer":
        raise HTTPException(status_code=403, detail="Feedback for the next review is the employer's to write.")
    text = feedback.strip()
    if not text or len(text) > MAX_PORTAL_FEEDBACK:
        raise HTTPException(status_code=400, detail=f"Write your feedback in 1 to {MAX_PORTAL_FEEDBACK} characters.")
    with session.begin():
        _learner_or_403(session, principal, learner_id)
        portal.add_note(session, principal, PortalNoteData(
            learner_id=learner_id, kind="feedback", text=text, written_by=portal.written_by(principal),
            written_at=utcnow()))
    return RedirectResponse(f"/portal/learners/{learner_id}?saved=feedback", status_code=303)


@router.get("/portal/reviews/{review_id}.pdf")
def review_copy(review_id: str, principal: PrincipalDep, session: SessionDep) -> Response:
    """The learner's copy for a learner, the employer's copy (without what is confidential to the learner) for an
    employer; another learner's review, a draft and an unknown id all get the same 403."""
    with session.begin():
        document = load_review_document(session, principal, review_id)  # type: ignore[arg-type]
        if document is None:
            raise HTTPException(status_code=403, detail=NOT_YOURS)
        try:
            template = template_of(session, document)
            with report_settings(session) as settings:
                data = review_pdf(document, copy=principal.copy, settings=settings, template=template)
        except (Rejected, ReviewPdfError) as refused:
            raise HTTPException(status_code=409, detail=str(refused)) from None
    when = document.review.visit_date.isoformat() if document.review.visit_date else "undated"
    name = safe_name(f"Review {when} {principal.copy} copy").encode("ascii", "replace").decode()
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}.pdf"', "Cache-Control": "no-store"})
