"""Uploads with a preview for the office's other files (issue 14 item 7): assignments, plans, starting points and
off-the-job entries, each previewed by the CLI's own dry run and then committed all or nothing; admins only; CSRF on
every form."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient
from server_testkit import Server
from sqlalchemy import func, select
from test_web_admin import ANN, SAM, events, form, signed_in
from web_kit import csrf_of

from sync.server.models import Assignment, OtjEntry, PlanTemplateItem, User


def holders(server: Server) -> dict[str, str]:
    with server.factory() as session:
        rows = session.execute(select(Assignment.learner_id, User.username)
                               .join(User, User.id == Assignment.assessor_id)).all()
        return dict(rows)  # type: ignore[arg-type]


def upload(client: TestClient, kind: str, data: bytes, token: str, name: str = "file.csv") -> httpx.Response:
    return client.post(f"/admin/files/{kind}", data={"csrf_token": token},
                       files={"upload": (name, data, "text/csv")})


@pytest.mark.parametrize("role", ["assessor", "manager", "quality_lead"])
def test_only_admins_upload_the_other_files(server: Server, role: str) -> None:
    client = signed_in(server, "someone", role)
    token = csrf_of(client.get("/learners").text)
    for kind in ("assignments", "plans", "starting-points", "otj"):
        assert client.get(f"/admin/files/{kind}").status_code == 403
        assert upload(client, kind, b"uln,assessor\n", token).status_code == 403


def test_an_assignments_file_is_previewed_by_its_dry_run_then_committed_all_or_nothing(server: Server) -> None:
    client = signed_in(server)
    server.add_user("alice")
    server.add_user("bob")
    sam, ann = (server.add_learner("alice", uln=uln) for uln in (SAM, ANN))
    token = form(client, "/admin/files/assignments")
    assert client.post("/admin/files/assignments", files={"upload": ("a.csv", b"x", "text/csv")}).status_code == 403
    empty = client.post("/admin/files/assignments", data={"csrf_token": token})
    assert empty.status_code == 400 and "Choose a CSV file" in empty.text and "govuk-error-summary" in empty.text
    assert client.get("/admin/files/no-such-kind").status_code == 404

    bad = upload(client, "assignments", f"uln,assessor\n{SAM},bob\n{ANN},nobody\n".encode(), token)
    assert bad.status_code == 200 and "committing would write nothing" in bad.text and "line 3" in bad.text
    assert "Commit</button>" not in bad.text and holders(server) == {sam: "alice", ann: "alice"}

    good = upload(client, "assignments", f"uln,assessor\n{SAM},bob\n{ANN},alice\n".encode(), token)
    assert good.status_code == 200 and "nothing has been written" in good.text
    assert "1 learner(s) would be assigned, 1 already with that assessor" in good.text
    assert holders(server) == {sam: "alice", ann: "alice"}  # the preview wrote nothing
    key = str(good.url).rstrip("/").rsplit("/", 1)[1]
    commit = f"/admin/files/assignments/{key}/commit"
    assert client.post(commit).status_code == 403 and client.post(commit, data={"csrf_token": "x"}).status_code == 403
    other = signed_in(server, "root2")
    assert other.get(f"/admin/files/assignments/{key}").status_code == 404  # another admin's upload
    assert client.get(f"/admin/files/otj/{key}").status_code == 404  # another kind's
    done = client.post(commit, data={"csrf_token": token})
    assert done.status_code == 200 and "1 learner(s) assigned, 1 already with that assessor" in done.text
    assert holders(server) == {sam: "bob", ann: "alice"}  # what the preview said
    assert [e.actor for e in events(server, "assignments_uploaded")] == ["root"]
    assert client.post(commit, data={"csrf_token": token}).status_code == 404  # committed once, then gone


def test_plans_otj_and_starting_points_files_are_previewed_and_bad_rows_refused(server: Server) -> None:
    client = signed_in(server)
    server.add_user("alice")
    server.add_learner("alice", uln=SAM)
    token = form(client, "/admin/files/plans")
    bad_plans = upload(client, "plans", b"standard,kind,code,title,planned date\n374,idea,K2,Thinking,\n", token)
    assert bad_plans.status_code == 200 and "line 2" in bad_plans.text and "Commit</button>" not in bad_plans.text
    plans = upload(client, "plans", b"standard;kind;code;title;planned date\n374;K;K1;Data <b>sources</b>;\n", token)
    assert "1 plan item(s) for 1 standard(s)" in plans.text and "nothing has been written" in plans.text
    with server.factory() as session:
        assert session.scalar(select(func.count()).select_from(PlanTemplateItem)) == 0
    key = str(plans.url).rsplit("/", 1)[1]
    assert client.post(f"/admin/files/plans/{key}/commit", data={"csrf_token": token}).status_code == 200
    with server.factory() as session:
        assert session.scalar(select(func.count()).select_from(PlanTemplateItem)) == 1

    otj = upload(client, "otj", f"ULN;Date;Hours;Activity;What was learnt;Evidence\r\n{SAM};03/11/2026;3,5;"
                 "Training course;Risk <script>x</script>;Certificate\r\n".encode("cp1252"), token)
    assert otj.status_code == 200 and "1 entr(ies) would be added, 3.5 hours for 1 learner(s)" in otj.text
    with server.factory() as session:
        assert session.scalar(select(func.count()).select_from(OtjEntry)) == 0
    key = str(otj.url).rsplit("/", 1)[1]
    discarded = client.post(f"/admin/files/otj/{key}/discard", data={"csrf_token": token})
    assert discarded.status_code == 200 and client.get(f"/admin/files/otj/{key}").status_code == 404
    with server.factory() as session:
        assert session.scalar(select(func.count()).select_from(OtjEntry)) == 0

    starting = upload(client, "starting-points", b"uln,nothing\n1,2\n", token)
    assert starting.status_code == 200 and "committing would write nothing" in starting.text


def test_a_file_whose_rows_went_bad_after_the_preview_writes_nothing_and_says_why(server: Server) -> None:
    client = signed_in(server)
    server.add_user("alice")
    server.add_user("bob")
    sam = server.add_learner("alice", uln=SAM)
    token = form(client, "/admin/files/assignments")
    good = upload(client, "assignments", f"uln,assessor\n{SAM},bob\n".encode(), token)
    assert "1 learner(s) would be assigned" in good.text
    with server.factory() as session, session.begin():
        bob = session.scalar(select(User).where(User.username == "bob"))
        assert bob is not None
        bob.role = "manager"  # no longer an assessor: the row is bad now
    key = str(good.url).rsplit("/", 1)[1]
    failed = client.post(f"/admin/files/assignments/{key}/commit", data={"csrf_token": token})
    assert failed.status_code == 200 and "Nothing was written" in failed.text and "line 2" in failed.text
    assert holders(server) == {sam: "alice"} and events(server, "assignments_uploaded") == []
