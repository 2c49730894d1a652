"""Central administration in the office web app (issue 14 items 6 and 7): users, teams, assignments, devices and
the caseload import, for admins only.

Every action goes through the same functions the CLI and the admin API use (accounts.py, teams.py,
caseload_import.py), so the password policy, the audit trail and the import's rules are theirs. A form that cannot
be carried out is shown again with the reason (400) and nothing changed; every POST checks its CSRF token.

The caseload import is upload, preview, commit: the uploaded file is kept in a private temporary folder, its preview
is the dry run's (`import-caseload --dry-run`: the same code, so the preview is what the commit does), and the
commit runs in a thread of the server, chunk by chunk under an import run (import_runs.py), whose progress page
refreshes itself with htmx. Sync goes on meanwhile: each chunk is its own short transaction.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from reviewapp.core.dates import format_datetime

from ..accounts import (
    ROLES,
    AccountError,
    assign_learner,
    create_user,
    disable_user,
    enable_user,
    find_user,
    reset_password,
    revoke_device,
    set_email,
    set_role,
)
from ..api.deps import SessionDep, require_role, session_caller
from ..audit import record_event
from ..caseload_import import ImportFailed, import_caseload
from ..db import transaction
from ..import_report import report_lines
from ..mis.caseload_file import ReaderMissing, read_caseload_file
from ..models import Assignment, Device, ImportRun, Learner, Team, TeamMember, User
from ..scope import Caller
from ..teams import TEAM_ROLES, add_to_team, create_team, remove_from_team
from .csrf import check_csrf
from .pages import page, templates

templates.env.filters["datetime"] = lambda value: format_datetime(value) or "—"
router = APIRouter(prefix="/admin", include_in_schema=False)
AdminPageDep = Annotated[Caller, Depends(require_role("admin", via=session_caller))]
CsrfField = Annotated[str, Form(max_length=100)]
#: The largest caseload file the upload form takes (below the server's body limit, which a form's own parts share).
UPLOAD_LIMIT = 15 * 1024 * 1024
#: How many learners per list, and rejected rows, the preview names (the rest are counted, as a commit's report).
PREVIEW_NAMED = 500
NO_UPLOAD = "There is no upload here: it was discarded, or is another admin's. Upload the file again."


def _factory(request: Request) -> sessionmaker[Session]:
    return request.app.state.session_factory


def _csrf(request: Request, sent: str) -> None:
    check_csrf(sent, request.state.csrf_token)


# --- Users -----------------------------------------------------------------------------------------------------


def _users_page(request: Request, session: Session, status: int = 200, **context: Any) -> HTMLResponse:
    users = list(session.scalars(select(User).order_by(User.username)))
    context.setdefault("errors", {})
    context.setdefault("values", {})
    return page(request, "admin_users.html", status=status, section="admin", tab="users", users=users, roles=ROLES,
                **context)


@router.get("/users", response_class=HTMLResponse)
def users(request: Request, caller: AdminPageDep, session: SessionDep) -> HTMLResponse:
    return _users_page(request, session, done=request.query_params.get("done", ""))


@router.post("/users", response_class=HTMLResponse)
def add_user(
    request: Request, caller: AdminPageDep, session: SessionDep, csrf_token: CsrfField = "",
    username: Annotated[str, Form(max_length=150)] = "", display_name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=20)] = "", password: Annotated[str, Form(max_length=1000)] = "",
    email: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    _csrf(request, csrf_token)
    values = {"username": username, "display_name": display_name, "role": role, "email": email}
    if not email.strip():  # every account has one from now on (issue 16): cases, alerts and sign-in links use it
        return _users_page(request, session, status=400, values=values, errors={
            "email": "Give the account's e-mail address: it is how the account is told of cases and alerts."})
    try:
        with transaction(_factory(request)) as s:
            create_user(s, username, password, role, display_name.strip(), actor=caller.username, email=email)
    except AccountError as error:
        text = str(error)
        field_name = ("password" if "assword" in text else "role" if "role" in text
                      else "email" if "e-mail" in text else "username")
        return _users_page(request, session, status=400, errors={field_name: str(error)}, values=values)
    return RedirectResponse(f"/admin/users?done=Created+{username.strip()}", status_code=303)


def _user_or_404(session: Session, user_id: str) -> User:
    user = session.get(User, user_id) if len(user_id) <= 36 else None
    if user is None:
        raise HTTPException(status_code=404, detail="There is no user here.")
    return user


def _user_page(request: Request, session: Session, user: User, status: int = 200, **context: Any) -> HTMLResponse:
    devices = list(session.scalars(select(Device).where(Device.user_id == user.id).order_by(Device.created_at)))
    held = session.scalar(select(func.count()).select_from(Assignment).where(Assignment.assessor_id == user.id))
    context.setdefault("errors", {})
    context.setdefault("values", {"email": user.email, "role": user.role})
    return page(request, "admin_user.html", status=status, section="admin", tab="users", user=user,
                devices=devices, held=held, roles=ROLES, **context)


@router.get("/users/{user_id}", response_class=HTMLResponse)
def user_page(user_id: str, request: Request, caller: AdminPageDep, session: SessionDep) -> HTMLResponse:
    return _user_page(request, session, _user_or_404(session, user_id), done=request.query_params.get("done", ""))


@router.post("/users/{user_id}/{action}", response_class=HTMLResponse)
def user_action(
    user_id: str, action: str, request: Request, caller: AdminPageDep, session: SessionDep,
    csrf_token: CsrfField = "", new_password: Annotated[str, Form(max_length=1000)] = "",
    role: Annotated[str, Form(max_length=20)] = "", email: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    _csrf(request, csrf_token)
    if action not in ("disable", "enable", "password", "role", "email"):
        raise HTTPException(status_code=404, detail="There is no such action.")
    try:
        with transaction(_factory(request)) as s:
            user = _user_or_404(s, user_id)
            if action == "disable":
                if user.id == caller.user_id:
                    raise AccountError("You cannot disable your own account: ask another admin.")
                disable_user(s, user, actor=caller.username)
                done = "Disabled: every sign-in of the account has ended"
            elif action == "enable":
                enable_user(s, user, actor=caller.username)
                done = "Enabled"
            elif action == "role":  # the CLI's set-role rule: an assessor holding learners keeps the role
                if user.id == caller.user_id and role != user.role:
                    raise AccountError("You cannot change your own role: ask another admin.")
                changed = set_role(s, user, role, actor=caller.username)
                done = (f"Role changed to {role.replace('_', ' ')}" if changed
                        else f"They are already a {role.replace('_', ' ')}")
            elif action == "email":
                done = "E-mail address changed" if set_email(s, user, email, actor=caller.username) else (
                    "That is their e-mail address already")
            else:
                reset_password(s, user, new_password, force_change=True, actor=caller.username)
                done = "Password reset: they choose their own at their next sign-in"
    except AccountError as error:
        field_name = {"password": "new_password", "role": "role", "email": "email"}.get(action, "action")
        return _user_page(request, session, _user_or_404(session, user_id), status=400,
                          errors={field_name: str(error)}, values={"email": email, "role": role})
    return RedirectResponse(f"/admin/users/{user_id}?done={done.replace(' ', '+')}", status_code=303)


# --- Teams and assignments ---------------------------------------------------------------------------------------


def _teams_page(request: Request, session: Session, status: int = 200, **context: Any) -> HTMLResponse:
    teams = list(session.scalars(select(Team).order_by(Team.name)))
    rows = session.execute(select(TeamMember.team_id, User).join(User, User.id == TeamMember.user_id)
                           .order_by(User.username)).all()
    members: dict[str, list[User]] = {}
    for team_id, user in rows:
        members.setdefault(team_id, []).append(user)
    people = list(session.scalars(select(User).where(User.role.in_(TEAM_ROLES)).order_by(User.username)))
    assessors = [user for user in people if user.role == "assessor"]
    context.setdefault("errors", {})
    context.setdefault("values", {})
    return page(request, "admin_teams.html", status=status, section="admin", tab="teams", teams=teams,
                members=members, people=people, assessors=assessors, **context)


@router.get("/teams", response_class=HTMLResponse)
def teams(request: Request, caller: AdminPageDep, session: SessionDep) -> HTMLResponse:
    return _teams_page(request, session, done=request.query_params.get("done", ""))


def _team_action(request: Request, session: Session, error_field: str, act: Any, done: str,
                 values: dict[str, str]) -> Response:
    try:
        with transaction(_factory(request)) as s:
            act(s)
    except AccountError as error:
        return _teams_page(request, session, status=400, errors={error_field: str(error)}, values=values)
    return RedirectResponse(f"/admin/teams?done={done.replace(' ', '+')}", status_code=303)


@router.post("/teams", response_class=HTMLResponse)
def add_team(request: Request, caller: AdminPageDep, session: SessionDep, csrf_token: CsrfField = "",
             name: Annotated[str, Form(max_length=200)] = "") -> Response:
    _csrf(request, csrf_token)
    return _team_action(request, session, "name", lambda s: create_team(s, name, actor=caller.username),
                        "Team created", {"name": name})


def _team_and_user(s: Session, team_id: str, username: str) -> tuple[Team, User]:
    team = s.get(Team, team_id) if len(team_id) <= 36 else None
    if team is None:
        raise AccountError("There is no such team.")
    user = find_user(s, username)
    if user is None:
        raise AccountError(f"There is no user called {username!r}.")
    return team, user


@router.post("/teams/{team_id}/members", response_class=HTMLResponse)
def team_member(
    team_id: str, request: Request, caller: AdminPageDep, session: SessionDep, csrf_token: CsrfField = "",
    username: Annotated[str, Form(max_length=150)] = "", remove: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    _csrf(request, csrf_token)

    def act(s: Session) -> None:
        team, user = _team_and_user(s, team_id, username)
        if remove:
            remove_from_team(s, team, user, actor=caller.username)
        else:
            add_to_team(s, team, user, actor=caller.username)

    return _team_action(request, session, f"member-{team_id}", act,
                        f"{username} {'removed from' if remove else 'added to'} the team", {})


@router.post("/assign", response_class=HTMLResponse)
def assign(
    request: Request, caller: AdminPageDep, session: SessionDep, csrf_token: CsrfField = "",
    uln: Annotated[str, Form(max_length=20)] = "", assessor: Annotated[str, Form(max_length=150)] = "",
) -> Response:
    """One learner, by ULN, to an assessor (the office's assignment from then on: a later import keeps it)."""
    _csrf(request, csrf_token)

    def act(s: Session) -> None:
        learner = s.execute(select(Learner).where(Learner.uln == uln.strip())).scalar_one_or_none()
        if learner is None:
            raise AccountError(f"No learner has the ULN {uln.strip()!r}.")
        user = find_user(s, assessor)
        if user is None:
            raise AccountError(f"There is no user called {assessor!r}.")
        assign_learner(s, learner, user, by=caller.username)

    return _team_action(request, session, "uln", act, f"Learner {uln.strip()} assigned to {assessor}",
                        {"uln": uln, "assessor": assessor})


@router.post("/reassign", response_class=HTMLResponse)
def reassign(
    request: Request, caller: AdminPageDep, session: SessionDep, csrf_token: CsrfField = "",
    from_assessor: Annotated[str, Form(max_length=150)] = "", to_assessor: Annotated[str, Form(max_length=150)] = "",
) -> Response:
    """Every learner of a leaving assessor to another, in one transaction (all or none)."""
    _csrf(request, csrf_token)
    moved = [0]

    def act(s: Session) -> None:
        leaving, taking = find_user(s, from_assessor), find_user(s, to_assessor)
        if leaving is None or taking is None:
            raise AccountError("Choose the assessor who is leaving and the one who takes their learners.")
        if leaving.id == taking.id:
            raise AccountError("Choose two different assessors.")
        ids = list(s.scalars(select(Assignment.learner_id).where(Assignment.assessor_id == leaving.id)))
        if not ids:
            raise AccountError(f"{leaving.username!r} holds no learners.")
        for learner in s.scalars(select(Learner).where(Learner.id.in_(ids))).all():
            moved[0] += assign_learner(s, learner, taking, by=caller.username)

    response = _team_action(request, session, "from_assessor", act, "", {"from_assessor": from_assessor,
                                                                         "to_assessor": to_assessor})
    if isinstance(response, RedirectResponse):
        return RedirectResponse(f"/admin/teams?done={moved[0]}+learner(s)+moved+to+{to_assessor}", status_code=303)
    return response


# --- Devices -----------------------------------------------------------------------------------------------------


@router.get("/devices", response_class=HTMLResponse)
def devices(request: Request, caller: AdminPageDep, session: SessionDep) -> HTMLResponse:
    rows = session.execute(select(Device, User.username).join(User, User.id == Device.user_id)
                           .order_by(Device.revoked_at.is_not(None), Device.last_seen_at.desc())).all()
    return page(request, "admin_devices.html", section="admin", tab="devices", rows=rows,
                done=request.query_params.get("done", ""))


@router.post("/devices/{device_id}/revoke")
def revoke(device_id: str, request: Request, caller: AdminPageDep, csrf_token: CsrfField = "") -> Response:
    _csrf(request, csrf_token)
    try:
        with transaction(_factory(request)) as s:
            if len(device_id) > 36:
                raise AccountError("no such device")
            revoke_device(s, device_id, actor=caller.username)
    except AccountError:
        raise HTTPException(status_code=404, detail="There is no device here.") from None
    return RedirectResponse("/admin/devices?done=Device+revoked:+it+can+no+longer+sync", status_code=303)


# --- Caseload import ---------------------------------------------------------------------------------------------


@dataclass
class Upload:
    """An uploaded caseload file waiting for its commit, and once committed how its import goes.

    Kept on disk (a private folder per upload under `upload_root`), not in memory, so every worker process of the
    server sees it: the upload, the preview, the commit and the progress page may each reach another worker."""

    folder: Path
    name: str
    by: str
    status: str = "uploaded"  # uploaded, running, completed, failed
    run_id: str | None = None
    error: str = ""

    @property
    def path(self) -> Path:
        return self.folder / "caseload"

    def save(self) -> None:
        meta = {"name": self.name, "by": self.by, "status": self.status, "run_id": self.run_id, "error": self.error}
        temporary = self.folder / "meta.json.new"
        temporary.write_text(json.dumps(meta), encoding="utf-8")
        temporary.replace(self.folder / "meta.json")  # atomic: a reader sees the old state or the new

    @classmethod
    def load(cls, folder: Path) -> Upload | None:
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return cls(folder=folder, name=meta["name"], by=meta["by"], status=meta["status"], run_id=meta["run_id"],
                   error=meta["error"])

    def claim(self) -> bool:
        """Whether this request is the one to start the import (a second click, in any worker, is not)."""
        try:
            os.close(os.open(self.folder / "committed", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            return False
        return True


KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


#: Where uploads wait, when set (a folder every worker process of the server can reach; default: the system's
#: temporary folder). Two servers on one machine give each its own, since the next upload forgets old ones.
UPLOAD_DIR_ENV = "REVIEWAPP_UPLOAD_DIR"


def upload_root() -> Path:
    """Where uploads wait for their commit: private to the server's account."""
    chosen = os.environ.get(UPLOAD_DIR_ENV, "").strip()
    root = Path(chosen) if chosen else (
        Path(tempfile.gettempdir()) / f"reviewapp-uploads-{os.getuid() if hasattr(os, 'getuid') else 0}")
    root.mkdir(mode=0o700, parents=bool(chosen), exist_ok=True)
    return root


#: Uploads older than this are forgotten at the next upload (their imports, if any, are in the import runs).
UPLOAD_KEPT = 24 * 3600


def _forget_old_uploads(root: Path) -> None:
    now = time.time()
    for folder in root.iterdir():
        upload = Upload.load(folder)
        try:  # a folder still being uploaded into has no meta.json yet: its own age then
            old = now - max(folder.stat().st_mtime, *[f.stat().st_mtime for f in folder.iterdir()]) > UPLOAD_KEPT
        except OSError:
            continue
        if old and (upload is None or upload.status != "running"):
            shutil.rmtree(folder, ignore_errors=True)


def _upload(key: str, caller: Caller) -> Upload:
    """The caller's own upload; another admin's and an unknown key alike are 404."""
    upload = Upload.load(upload_root() / key) if KEY.match(key) else None
    if upload is None or upload.by != caller.username:
        raise HTTPException(status_code=404, detail=NO_UPLOAD)
    return upload


def _import_form(request: Request, session: Session, status: int = 200, error: str = "") -> HTMLResponse:
    runs = list(session.scalars(select(ImportRun).order_by(ImportRun.started_at.desc()).limit(10)))
    return page(request, "admin_import.html", status=status, section="admin", tab="import", error=error, runs=runs)


@router.get("/import", response_class=HTMLResponse)
def import_form(request: Request, caller: AdminPageDep, session: SessionDep) -> HTMLResponse:
    return _import_form(request, session)


@router.post("/import", response_class=HTMLResponse)
async def upload_caseload(
    request: Request, caller: AdminPageDep, session: SessionDep, csrf_token: CsrfField = "",
    caseload: Annotated[UploadFile | None, File()] = None,
) -> Response:
    _csrf(request, csrf_token)
    if caseload is None or not caseload.filename:
        return _import_form(request, session, 400, "Choose a caseload file: an ILR XML file or a CSV export.")
    key = secrets.token_urlsafe(16)
    _forget_old_uploads(upload_root())
    folder = upload_root() / key
    folder.mkdir(mode=0o700)
    size = 0
    with (folder / "caseload").open("wb") as out:
        while chunk := await caseload.read(1024 * 1024):
            size += len(chunk)
            if size > UPLOAD_LIMIT:
                break
            out.write(chunk)
    if size > UPLOAD_LIMIT or size == 0:
        shutil.rmtree(folder, ignore_errors=True)
        why = (f"The file is larger than {UPLOAD_LIMIT // (1024 * 1024)} MiB: import it with "
               "`reviewapp-server import-caseload` on the server instead." if size else "The file is empty.")
        return _import_form(request, session, 400, why)
    Upload(folder=folder, name=Path(caseload.filename).name[:200], by=caller.username).save()
    return RedirectResponse(f"/admin/import/{key}", status_code=303)


def _preview(request: Request, upload: Upload) -> dict[str, Any]:
    """The dry run of the uploaded file: how it was read and what a commit would add, change, keep and reject."""
    try:
        parsed = read_caseload_file(upload.path)
        summary = import_caseload(_factory(request), parsed, dry_run=True, file_name=upload.name)
    except (ReaderMissing, ImportFailed) as error:
        return {"failure": str(error)}
    report = summary.report
    return {"reading": parsed.describe_reading(), "summary": summary, "readable": parsed.readable,
            "lines": report_lines(report, will=True, limit=PREVIEW_NAMED), "report": report,
            "problems": summary.problems[:PREVIEW_NAMED],
            "can_commit": parsed.readable and not summary.problems}


@router.get("/import/{key}", response_class=HTMLResponse)
def import_page(key: str, request: Request, caller: AdminPageDep, session: SessionDep) -> HTMLResponse:
    upload = _upload(key, caller)
    if upload.status == "uploaded":
        return page(request, "admin_import_preview.html", section="admin", tab="import", key=key, upload=upload,
                    **_preview(request, upload))
    return page(request, "admin_import_run.html", section="admin", tab="import", key=key, upload=upload,
                run=_run(session, upload))


@router.get("/import/{key}/progress", response_class=HTMLResponse)
def import_progress(key: str, request: Request, caller: AdminPageDep, session: SessionDep) -> HTMLResponse:
    """The progress panel alone, which the run's page asks for every two seconds (htmx) until the run ends."""
    upload = _upload(key, caller)
    return page(request, "_import_progress.html", key=key, upload=upload, run=_run(session, upload))


def _run(session: Session, upload: Upload) -> ImportRun | None:
    return session.get(ImportRun, upload.run_id) if upload.run_id else None


def _find_run_id(factory: sessionmaker[Session], upload: Upload) -> str | None:
    with factory() as session:
        return session.scalar(select(ImportRun.id).where(ImportRun.started_by == upload.by,
                                                         ImportRun.file_name == upload.name,
                                                         ImportRun.status == "running")
                              .order_by(ImportRun.started_at.desc()).limit(1))


def _run_import(factory: sessionmaker[Session], upload: Upload) -> None:
    """The commit, in its own thread: all or nothing (a bad row stops it before anything is written, a failed
    chunk rolls back what the run wrote), chunk by chunk so that sync goes on."""

    def progressed(done: int) -> None:
        if upload.run_id is None:
            upload.run_id = _find_run_id(factory, upload)
            upload.save()

    try:
        parsed = read_caseload_file(upload.path)
        summary = import_caseload(factory, parsed, file_name=upload.name, started_by=upload.by,
                                  after_chunk=progressed)
        upload.run_id = summary.run_id or upload.run_id
        if summary.imported:
            with transaction(factory) as session:
                record_event(session, upload.by, "caseload_imported", detail=(
                    f"{upload.name}, run {summary.run_id}: {summary.created} created, {summary.updated} updated, "
                    f"{summary.unchanged} unchanged, {summary.assigned} assigned (office web app)"))
            upload.status = "completed"
        else:
            upload.status, upload.error = "failed", "The file has bad rows now: nothing was imported."
    except Exception as error:  # the page shows why; the run (if any) was rolled back by the import itself
        upload.status, upload.error = "failed", str(error)
    finally:
        upload.path.unlink(missing_ok=True)
        upload.save()


@router.post("/import/{key}/commit")
def commit_import(key: str, request: Request, caller: AdminPageDep, csrf_token: CsrfField = "") -> Response:
    _csrf(request, csrf_token)
    upload = _upload(key, caller)
    if upload.status == "uploaded" and upload.claim():
        upload.status = "running"
        upload.save()
        threading.Thread(target=_run_import, args=(_factory(request), upload), daemon=True,
                         name=f"caseload-import-{key}").start()
    return RedirectResponse(f"/admin/import/{key}", status_code=303)


@router.post("/import/{key}/discard")
def discard_import(key: str, request: Request, caller: AdminPageDep, csrf_token: CsrfField = "") -> Response:
    _csrf(request, csrf_token)
    upload = _upload(key, caller)
    if upload.status == "uploaded" and upload.claim():
        shutil.rmtree(upload.folder, ignore_errors=True)
    return RedirectResponse("/admin/import", status_code=303)


@router.get("", include_in_schema=False)
def admin_home(caller: AdminPageDep) -> RedirectResponse:
    return RedirectResponse("/admin/users", status_code=303)


__all__ = ["router", "templates"]
