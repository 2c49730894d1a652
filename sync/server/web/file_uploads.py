"""Uploads with a preview for the office's other files (issue 14 item 7): assignments (`uln,assessor`), plan
templates, starting points and off-the-job entries, for admins only.

One flow for all four, like the caseload import's: the file is kept in a private folder (admin.Upload), its preview
is the dry run of the very function the CLI command runs (`--dry-run`), and the commit runs that function for real,
all or nothing. These files are small, so the commit runs in the request; a second click commits nothing twice.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session, sessionmaker

from ..audit import record_event
from ..caseload_assignments import assign_caseload, parse_assignments
from ..db import transaction
from ..otj_import import import_otj, parse_otj
from ..plan_templates import import_plans, parse_plans
from ..starting_points import import_starting_points, parse_starting_points
from .admin import (
    KEY,
    NO_UPLOAD,
    PREVIEW_NAMED,
    UPLOAD_LIMIT,
    AdminPageDep,
    CsrfField,
    Upload,
    _csrf,
    _factory,
    _forget_old_uploads,
)
from .pages import page

router = APIRouter(prefix="/admin/files", include_in_schema=False)


@dataclass(frozen=True)
class Kind:
    title: str
    hint: str
    #: The file's bytes to what the CLI's command parses them into.
    parse: Callable[[bytes], Any]
    #: (factory, parsed, by, dry_run) to the summary: the CLI command's own function.
    run: Callable[[sessionmaker[Session], Any, str, bool], Any]
    #: (summary, dry_run) to one sentence of what it would do, or did.
    tell: Callable[[Any, bool], str]


def _would(dry_run: bool, would: str, did: str) -> str:
    return would if dry_run else did


KINDS: dict[str, Kind] = {
    "assignments": Kind(
        "Assignments", "A CSV with the columns uln and assessor (and learner_ref, optional): each learner to the "
        "assessor named, as `reviewapp-server assign-caseload` does.", parse_assignments,
        lambda f, parsed, by, dry: assign_caseload(f, parsed, by=by, dry_run=dry),
        lambda s, dry: f"{s.assigned} learner(s) {_would(dry, 'would be', '')} assigned, {s.unchanged} already "
        "with that assessor.".replace("  ", " ")),
    "plans": Kind(
        "Plans", "The plan templates of each standard, as `reviewapp-server import-plans` takes them.", parse_plans,
        lambda f, parsed, by, dry: import_plans(f, parsed, dry_run=dry),  # items made by "plan-template", as the CLI
        lambda s, dry: f"{s.template_items} plan item(s) for {s.standards} standard(s); {s.plan_items} item(s) "
        f"{_would(dry, 'would be copied', 'copied')} into the plans of {s.learners} learner(s)."),
    "starting-points": Kind(
        "Starting points", "Learners' starting points and English and maths levels, as "
        "`reviewapp-server import-starting-points` takes them.", parse_starting_points,
        lambda f, parsed, by, dry: import_starting_points(f, parsed, dry_run=dry),
        lambda s, dry: f"Starting points {_would(dry, 'would be recorded', 'recorded')} for {s.plan_items_updated} "
        f"plan item(s) and the levels of {s.learners_updated} learner(s); {s.unchanged} already so."),
    "otj": Kind(
        "Off-the-job entries", "Off-the-job training entries, as `reviewapp-server import-otj` takes them.",
        parse_otj, lambda f, parsed, by, dry: import_otj(f, parsed, dry_run=dry),
        lambda s, dry: f"{len(s.added)} entr(ies) {_would(dry, 'would be', '')} added, {s.hours_added:g} hours for "
        f"{s.learners} learner(s); {len(s.already)} already in the log.".replace("  ", " ")),
}


def files_root() -> Path:
    """Where these uploads wait for their commit: private to the server's account (apart from the caseload's)."""
    root = Path(tempfile.gettempdir()) / f"reviewapp-admin-files-{os.getuid() if hasattr(os, 'getuid') else 0}"
    root.mkdir(mode=0o700, exist_ok=True)
    return root


def _kind(kind: str) -> Kind:
    if kind not in KINDS:
        raise HTTPException(status_code=404, detail="There is no such kind of file.")
    return KINDS[kind]


def _upload(kind: str, key: str, caller: Any) -> Upload:
    """The caller's own upload of this kind; another admin's, another kind's and an unknown key alike are 404."""
    upload = Upload.load(files_root() / key) if KEY.match(key) else None
    if upload is None or upload.by != caller.username or not upload.name.startswith(f"{kind}/"):
        raise HTTPException(status_code=404, detail=NO_UPLOAD)
    return upload


def _form(request: Request, kind: str, status: int = 200, error: str = "", done: str = "") -> HTMLResponse:
    return page(request, "admin_files.html", status=status, section="admin", tab="files", kind=kind,
                kinds=KINDS, this=_kind(kind), error=error, done=done)


@router.get("", include_in_schema=False)
def files_home(caller: AdminPageDep) -> RedirectResponse:
    return RedirectResponse("/admin/files/assignments", status_code=303)


@router.get("/{kind}", response_class=HTMLResponse)
def files_form(kind: str, request: Request, caller: AdminPageDep) -> HTMLResponse:
    return _form(request, kind, done=request.query_params.get("done", ""))


@router.post("/{kind}", response_class=HTMLResponse)
async def upload_file(kind: str, request: Request, caller: AdminPageDep, csrf_token: CsrfField = "",
                      upload: Annotated[UploadFile | None, File()] = None) -> Response:
    _csrf(request, csrf_token)
    _kind(kind)
    if upload is None or not upload.filename:
        return _form(request, kind, 400, "Choose a CSV file to upload.")
    data = await upload.read(UPLOAD_LIMIT + 1)
    if not data or len(data) > UPLOAD_LIMIT:
        return _form(request, kind, 400, "The file is empty." if not data else
                     f"The file is larger than {UPLOAD_LIMIT // (1024 * 1024)} MiB: use the command on the server.")
    _forget_old_uploads(files_root())
    key = secrets.token_urlsafe(16)
    folder = files_root() / key
    folder.mkdir(mode=0o700)
    (folder / "caseload").write_bytes(data)
    Upload(folder=folder, name=f"{kind}/{Path(upload.filename).name[:200]}", by=caller.username).save()
    return RedirectResponse(f"/admin/files/{kind}/{key}", status_code=303)


def _dry_run(request: Request, kind: str, upload: Upload, by: str) -> Any:
    this = _kind(kind)
    return this.run(_factory(request), this.parse(upload.path.read_bytes()), by, True)


@router.get("/{kind}/{key}", response_class=HTMLResponse)
def preview(kind: str, key: str, request: Request, caller: AdminPageDep) -> HTMLResponse:
    upload = _upload(kind, key, caller)
    if upload.status != "uploaded":
        return page(request, "admin_files_preview.html", section="admin", tab="files", kind=kind, this=_kind(kind),
                    key=key, upload=upload, file_name=upload.name.split("/", 1)[1], summary=None, sentence="",
                    problems=[])
    summary = _dry_run(request, kind, upload, caller.username)
    return page(request, "admin_files_preview.html", section="admin", tab="files", kind=kind, this=_kind(kind),
                key=key, upload=upload, file_name=upload.name.split("/", 1)[1], summary=summary,
                sentence="" if summary.problems else _kind(kind).tell(summary, True),
                problems=summary.problems[:PREVIEW_NAMED], more=max(0, len(summary.problems) - PREVIEW_NAMED))


@router.post("/{kind}/{key}/commit")
def commit(kind: str, key: str, request: Request, caller: AdminPageDep, csrf_token: CsrfField = "") -> Response:
    _csrf(request, csrf_token)
    upload = _upload(kind, key, caller)
    this = _kind(kind)
    if upload.status != "uploaded" or not upload.claim():
        return RedirectResponse(f"/admin/files/{kind}/{key}", status_code=303)
    factory = _factory(request)
    summary = this.run(factory, this.parse(upload.path.read_bytes()), caller.username, False)
    file_name = upload.name.split("/", 1)[1]
    if summary.problems:  # the database changed since the preview: nothing was written
        upload.status, upload.error = "failed", "; ".join(str(p) for p in summary.problems[:20])
        upload.save()
        return RedirectResponse(f"/admin/files/{kind}/{key}", status_code=303)
    sentence = this.tell(summary, False)
    with transaction(factory) as session:
        record_event(session, caller.username, f"{kind.replace('-', '_')}_uploaded",
                     detail=f"{file_name} (office web app): {sentence}"[:1000])
    shutil.rmtree(upload.folder, ignore_errors=True)
    return RedirectResponse(f"/admin/files/{kind}?{urlencode({'done': sentence})}", status_code=303)


@router.post("/{kind}/{key}/discard")
def discard(kind: str, key: str, request: Request, caller: AdminPageDep, csrf_token: CsrfField = "") -> Response:
    _csrf(request, csrf_token)
    upload = _upload(kind, key, caller)
    if upload.claim():
        shutil.rmtree(upload.folder, ignore_errors=True)
    return RedirectResponse(f"/admin/files/{kind}", status_code=303)


__all__ = ["router"]
