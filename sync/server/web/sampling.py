"""Quality sampling pages: the sample form of a finalised review (`/reviews/{id}/sample`) and the samples list
(`/samples`). The rules and queries are sync/server/sampling.py's; this module only reads forms and renders."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reviewapp.core.sampling import ANSWER_WORDS, CHECK_QUESTIONS, MAX_FEEDBACK_CHARS, MAX_NOTE_CHARS
from sync.protocol import SAMPLE_CHECKS

from ..api.deps import PageCallerDep, SessionDep, require_role, session_caller
from ..models import User
from ..sampling import SAMPLER_ROLES, finalised_review, record_sample, review_facts, visible_samples
from ..scope import Caller
from .csrf import FIELD, check_csrf
from .pages import page

router = APIRouter(include_in_schema=False)
SamplerDep = Annotated[Caller, Depends(require_role(*SAMPLER_ROLES, via=session_caller))]
#: Shown for a review the caller may not see, an unknown id and a review not finalised alike.
NOT_SAMPLEABLE = "There is no finalised review here that you may sample."


def _form_context(facts, values: dict[str, str], errors: list[tuple[str, str]]) -> dict:  # type: ignore[no-untyped-def]
    return {"facts": facts, "values": values, "errors": errors, "field_errors": dict(errors),
            "checks": [(name, CHECK_QUESTIONS[name]) for name in SAMPLE_CHECKS], "answers": ANSWER_WORDS,
            "max_note": MAX_NOTE_CHARS, "max_feedback": MAX_FEEDBACK_CHARS}


def _load(session, caller: Caller, review_id: str):  # type: ignore[no-untyped-def]
    with session.begin():
        review = finalised_review(session, caller, review_id)
        if review is None:
            raise HTTPException(status_code=403, detail=NOT_SAMPLEABLE)
        return review, review_facts(session, review_id, review)


@router.get("/reviews/{review_id}/sample", response_class=HTMLResponse)
def sample_form(review_id: str, request: Request, caller: SamplerDep, session: SessionDep) -> HTMLResponse:
    _, facts = _load(session, caller, review_id)
    return page(request, "sample_form.html", **_form_context(facts, {}, []))


def validate_sample(form: dict[str, str]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """(the answers as the record takes them, [(field, message)] in the form's order)."""
    answers: dict[str, str] = {}
    errors: list[tuple[str, str]] = []
    for name in SAMPLE_CHECKS:
        answer = form.get(name, "")
        if answer not in ANSWER_WORDS:
            errors.append((name, f"Select yes, partly or no for “{CHECK_QUESTIONS[name]}”"))
        else:
            answers[name] = answer
        note = form.get(f"{name}_note", "").strip()
        if len(note) > MAX_NOTE_CHARS:
            errors.append((f"{name}_note", f"The note must be {MAX_NOTE_CHARS:,} characters or fewer"))
        answers[f"{name}_note"] = note
    feedback = form.get("feedback", "").strip()
    if not feedback:
        errors.append(("feedback", "Enter feedback for the assessor"))
    elif len(feedback) > MAX_FEEDBACK_CHARS:
        errors.append(("feedback", f"The feedback must be {MAX_FEEDBACK_CHARS:,} characters or fewer"))
    answers["feedback"] = feedback
    return answers, errors


@router.post("/reviews/{review_id}/sample", response_class=HTMLResponse)
async def record(review_id: str, request: Request, caller: SamplerDep, session: SessionDep) -> Response:
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    check_csrf(form.get(FIELD), request.state.csrf_token)
    review, facts = _load(session, caller, review_id)
    answers, errors = validate_sample(form)
    if errors:
        return page(request, "sample_form.html", status=400, **_form_context(facts, form, errors))
    with session.begin():
        user = session.get(User, caller.user_id)
        record_sample(session, caller, review_id, review, answers,
                      (user.display_name if user else "") or caller.username)
    return RedirectResponse("/samples?recorded=1", status_code=303)


@router.get("/samples", response_class=HTMLResponse)
def samples(request: Request, caller: PageCallerDep, session: SessionDep) -> HTMLResponse:
    with session.begin():
        lines = visible_samples(session, caller)
    return page(request, "samples.html", lines=lines, recorded=request.query_params.get("recorded") == "1",
                questions=CHECK_QUESTIONS, answers=ANSWER_WORDS)
