"""The archival copy of a finalised review (issue 17 item 5): PDF/A-2b, signed as PAdES, kept for the retention
period, downloaded by managers from the learner's page. Checked with real readers: poppler's `pdfsig` and
`pdffonts`, pikepdf, pypdf."""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
import re
import shutil
import stat
import subprocess
import time
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader
from server_testkit import Server, change
from sqlalchemy import select, update
from test_web_review_pages import push_review
from web_kit import browser, put_in_team, sign_in

from sync.server.archive.copies import archive_pending
from sync.server.archive.signing import SigningError, SigningSettings, load_signer
from sync.server.cli import main
from sync.server.db import new_id, transaction
from sync.server.embedded import EmbeddedServer
from sync.server.models import ArchivedCopy, AuditEvent, Learner, Review


@pytest.fixture(autouse=True)
def signing_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo certificate is made in the test's own folder, never in the user's data directory."""
    folder = tmp_path / "signing"
    monkeypatch.setenv("REVIEWAPP_SIGNING_DIR", str(folder))
    for name in ("REVIEWAPP_SIGNING_KEY", "REVIEWAPP_SIGNING_CERT", "REVIEWAPP_SIGNING_CHAIN"):
        monkeypatch.delenv(name, raising=False)
    return folder


def need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        message = f"{tool} is not installed (poppler-utils: scripts/system-deps.sh test)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def archive_all(server: Server) -> list[str]:
    with server.factory() as session:
        return archive_pending(session, limit=None).archived


def stored(server: Server, review_id: str) -> ArchivedCopy:
    with server.factory() as session:
        copy = session.get(ArchivedCopy, review_id)
        assert copy is not None, "no archived copy"
        session.expunge(copy)
        return copy


def pdfsig(path: Path) -> str:
    return subprocess.run([need("pdfsig"), str(path)], capture_output=True, text=True, timeout=60).stdout


@pytest.fixture
def office(server: Server) -> dict[str, str]:
    """alice's Ann (team North, managed by meg) and carol's Cat (South), each with a finalised review."""
    for name in ("alice", "carol"):
        server.add_user(name)
    server.add_user("meg", role="manager")
    server.add_user("quinn", role="quality_lead")
    put_in_team(server, "North", "alice", "meg")
    put_in_team(server, "South", "carol")
    ann = server.add_learner("alice", first_name="Ann", last_name="Ødegård", planned_end_date="2027-03-31")
    cat = server.add_learner("carol", first_name="Cat")
    return {"Ann": ann, "Cat": cat, "Ann review": push_review(server, "alice", ann),
            "Cat review": push_review(server, "carol", cat)}


def test_the_archived_copy_is_pdfa_2b_with_an_output_intent_and_every_font_embedded(
        server: Server, office: dict[str, str], tmp_path: Path) -> None:
    assert sorted(archive_all(server)) == sorted([office["Ann review"], office["Cat review"]])
    copy = stored(server, office["Ann review"])
    path = tmp_path / "archived.pdf"
    path.write_bytes(copy.pdf)
    with pikepdf.open(path) as pdf:
        meta = pdf.open_metadata()
        assert meta.pdfa_status == "2B"
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
        # The Info dictionary and the XMP agree after signing, as PDF/A requires (the signer rewrites both).
        assert str(pdf.docinfo["/Producer"]) == meta["pdf:Producer"]
        assert str(pdf.docinfo["/Title"]) == meta["dc:title"]
        assert "/Filter" not in pdf.Root.Metadata.stream_dict  # XMP left readable
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFA1" and str(intent.OutputConditionIdentifier) == "sRGB IEC61966-2.1"
        profile = intent.DestOutputProfile
        assert profile.N == 3 and profile.read_bytes()[36:40] == b"acsp"
        assert pdf.pdf_version == "1.7" and "/Encrypt" not in pdf.trailer
    fonts = subprocess.run([need("pdffonts"), str(path)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows, fonts
    for row in rows:  # name, type, encoding, then emb / sub / uni
        assert re.search(r"\s(yes)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", row), f"not embedded: {row}"
        assert "DejaVu" in row
    words = " ".join(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(copy.pdf)).pages).split())
    assert "Ann Ødegård" in words and "Provider copy" in words  # the provider copy, by the laptop's own code
    assert copy.keep_until == dt.date(2033, 3, 31)  # six years after the planned end of the agreement
    assert copy.self_signed and "self-signed demo" in copy.signer


def test_pdfsig_says_the_signature_is_valid_and_not_after_one_byte_is_changed(
        server: Server, office: dict[str, str], tmp_path: Path) -> None:
    archive_all(server)
    signed = stored(server, office["Ann review"]).pdf
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    report = pdfsig(path)
    assert "Signature Type: ETSI.CAdES.detached" in report  # PAdES
    assert "Signature Validation: Signature is Valid." in report, report
    assert "Total document signed" in report
    byte_range = re.search(rb"/ByteRange\s*\[\s*0\s+(\d+)", signed)
    assert byte_range
    start = int(byte_range.group(1))  # the first signed range is [0, start)
    at = signed.index(b"(Provider copy)")  # the document's subject, inside the first signed range
    assert at < start
    changed = bytearray(signed)
    changed[at + 1] = ord("Q")  # "Provider copy" -> "Qrovider copy": one byte, the file still reads
    path.write_bytes(bytes(changed))
    after = pdfsig(path)
    assert "Signature Validation: Signature is Valid." not in after, after
    assert "Signature is Invalid" in after or "Digest Mismatch" in after, after


def test_each_review_is_archived_once_and_a_changed_review_is_left_with_its_reason(
        server: Server, office: dict[str, str]) -> None:
    draft = new_id()
    server.push(server.login("alice"), change("review", "create", draft, {
        "learner_id": office["Ann"], "template_id": "apprenticeship-progress-review", "template_version": 2,
        "status": "draft", "answers": {}}))
    with transaction(server.factory) as session:  # changed after signing: its content no longer matches its hash
        row = session.get(Review, office["Cat review"])
        assert row is not None
        row.data = {**row.data, "answers": {**row.data["answers"], "progress_summary": "Edited afterwards"}}
    with server.factory() as session:
        first = archive_pending(session, limit=None)
    assert first.archived == [office["Ann review"]]
    assert [review for review, _ in first.failed] == [office["Cat review"]]
    assert "changed since it was signed" in first.failed[0][1]
    with server.factory() as session:
        again = archive_pending(session, limit=None)
        assert again.archived == [] and session.scalar(select(ArchivedCopy.review_id).where(
            ArchivedCopy.review_id == draft)) is None


def test_purge_lists_what_it_will_delete_asks_and_deletes_only_expired_copies(
        server: Server, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    server.add_user("alice")
    old = server.add_learner("alice", first_name="Olga", start_date="2013-09-01", planned_end_date="2015-07-31")
    extended = server.add_learner("alice", first_name="Eve", start_date="2013-09-01", planned_end_date="2015-07-31")
    recent = server.add_learner("alice", first_name="Rita", start_date="2023-09-01", planned_end_date="2024-07-31")
    ran_on = server.add_learner("alice", first_name="Ron", start_date="2013-09-01", planned_end_date="2015-07-31")
    no_end = server.add_learner("alice", first_name="Nia", start_date="2013-09-01")
    reviews = {
        "old": push_review(server, "alice", old, visit_date="2015-06-10"),
        "extended": push_review(server, "alice", extended, visit_date="2015-06-10"),
        "recent": push_review(server, "alice", recent, visit_date="2024-06-10"),
        "ran on": push_review(server, "alice", ran_on, visit_date="2021-01-15"),  # held after the planned end
        "no end": push_review(server, "alice", no_end, visit_date="2015-06-10"),
    }
    archive_all(server)
    with transaction(server.factory) as session:  # the agreement was extended after the copy was made
        learner = session.get(Learner, extended)
        assert learner is not None
        learner.data = {**learner.data, "planned_end_date": "2022-07-31"}
    url = server.database_url
    uln_of_old = stored_uln(server, old)

    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal: nothing is deleted without --yes
    assert main(["purge-archive", "--database", url]) == 1
    out, err = capsys.readouterr()
    assert "WILL be deleted" in out and reviews["old"] in out and uln_of_old in out
    assert "31/07/2021" in out  # kept until: six years after the planned end
    for kept in ("extended", "recent", "ran on", "no end"):
        assert reviews[kept] not in out
    assert "Nothing was deleted" in err and "--yes" in err
    assert copies(server) == set(reviews.values())

    answers = iter(["no"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    assert main(["purge-archive", "--database", url]) == 0
    assert "Nothing was deleted." in capsys.readouterr().out and copies(server) == set(reviews.values())

    assert main(["purge-archive", "--database", url, "--yes"]) == 0
    assert "Deleted 1 archived review copies" in capsys.readouterr().out
    assert copies(server) == {reviews[k] for k in ("extended", "recent", "ran on", "no end")}
    with server.factory() as session:
        (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "archive_purged")).all()
        assert event.learner_id == old and reviews["old"] in event.detail and event.actor.startswith("command line")
        kept = dict(session.execute(select(ArchivedCopy.review_id, ArchivedCopy.keep_until)).all())
    assert kept[reviews["extended"]] == dt.date(2028, 7, 31) and kept[reviews["no end"]] is None
    assert kept[reviews["ran on"]] == dt.date(2027, 1, 15)
    assert main(["purge-archive", "--database", url]) == 0
    assert "Nothing to delete" in capsys.readouterr().out


def stored_uln(server: Server, learner_id: str) -> str:
    with server.factory() as session:
        learner = session.get(Learner, learner_id)
        assert learner is not None
        return learner.uln


def copies(server: Server) -> set[str]:
    with server.factory() as session:
        return set(session.scalars(select(ArchivedCopy.review_id)))


def test_managers_download_it_from_the_learner_page_within_their_scope(server: Server,
                                                                       office: dict[str, str]) -> None:
    archive_all(server)
    unarchived = push_review(server, "alice", office["Ann"])
    manager = browser(server)
    sign_in(manager, "meg")
    page = manager.get(f"/learners/{office['Ann']}")
    link = f'href="/reviews/{office["Ann review"]}/archived.pdf"'
    assert page.status_code == 200 and link in page.text and "Archived signed copy (PDF/A)" in page.text
    assert f'href="/reviews/{unarchived}/archived.pdf"' not in page.text  # no copy yet, no link
    answer = manager.get(f"/reviews/{office['Ann review']}/archived.pdf")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith("attachment; filename=")
    assert answer.content == stored(server, office["Ann review"]).pdf
    other = manager.get(f"/reviews/{office['Cat review']}/archived.pdf")  # another team's learner
    unknown = manager.get(f"/reviews/{new_id()}/archived.pdf")
    assert other.status_code == unknown.status_code == 403 and other.text == unknown.text
    assert "Cat" not in other.text
    assert manager.get(f"/reviews/{'x' * 300}/archived.pdf").text == unknown.text
    not_yet = manager.get(f"/reviews/{unarchived}/archived.pdf")
    assert not_yet.status_code == 409 and "has not been made yet" in not_yet.text

    assessor = browser(server)
    sign_in(assessor, "alice")
    assert "Archived signed copy" not in assessor.get(f"/learners/{office['Ann']}").text
    assert assessor.get(f"/reviews/{office['Ann review']}/archived.pdf").status_code == 403
    lead = browser(server)
    sign_in(lead, "quinn")
    assert lead.get(f"/reviews/{office['Cat review']}/archived.pdf").status_code == 200
    signed_out = browser(server).get(f"/reviews/{office['Ann review']}/archived.pdf", follow_redirects=False)
    assert signed_out.status_code == 303


def test_the_demo_key_is_private_and_a_readable_provider_key_is_refused(signing_folder: Path, tmp_path: Path,
                                                                         server: Server,
                                                                         office: dict[str, str]) -> None:
    demo = load_signer(provider_name="Acme Training")
    assert demo.self_signed_demo and "Acme Training" in demo.subject
    key = signing_folder / "demo-signing-key.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and stat.S_IMODE(signing_folder.stat().st_mode) == 0o700
    assert load_signer().fingerprint == demo.fingerprint  # made once, then kept

    provider = tmp_path / "provider"  # the provider's own key and certificate, by the settings
    made = load_signer(SigningSettings(folder=provider), provider_name="Provider Ltd")
    settings = SigningSettings(key=provider / "demo-signing-key.pem", cert=provider / "demo-signing-cert.pem")
    own = load_signer(settings)
    assert not own.self_signed_demo and own.fingerprint == made.fingerprint
    with server.factory() as session:
        run = archive_pending(session, own, limit=1)
    assert run.archived  # whichever review comes first (finalised at the same instant: by id)
    assert stored(server, run.archived[0]).certificate_sha256 == made.fingerprint
    settings.key.chmod(0o644)
    with pytest.raises(SigningError, match="chmod 600"):
        load_signer(settings)
    with pytest.raises(SigningError, match="both"):
        load_signer(SigningSettings(cert=settings.cert))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_embedded_server_archives_in_the_background(database_url: str) -> None:
    setup = Server(database_url)
    setup.add_user("alice")
    learner = setup.add_learner("alice")
    review = push_review(setup, "alice", learner)
    setup.close()
    with EmbeddedServer(database_url, archive_interval=0.2) as embedded:
        factory = embedded.app.state.session_factory
        deadline = time.monotonic() + 60
        while True:
            with factory() as session:
                if session.get(ArchivedCopy, review) is not None:
                    break
            assert time.monotonic() < deadline, "the background loop made no copy"
            time.sleep(0.2)
        assert embedded.archive_loop.runs >= 1


def test_the_archive_command_says_what_it_did(server: Server, office: dict[str, str],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    with transaction(server.factory) as session:
        session.execute(update(Review).where(Review.id == office["Cat review"]).values(
            data={**session.get(Review, office["Cat review"]).data, "content_hash": "0" * 64}))
    assert main(["archive", "--database", server.database_url, "--batch", "1"]) == 0
    out = capsys.readouterr().out
    assert "Archived 1 review(s)" in out and "self-signed demo" in out and "REVIEWAPP_SIGNING_KEY" in out
    assert f"not archived: review {office['Cat review']}" in out
    assert main(["archive", "--database", server.database_url]) == 0
    assert "not archived" in capsys.readouterr().out  # still refused, still said; nothing else to do


def test_a_drawn_signature_with_transparency_is_archived_in_rgb_with_its_soft_mask(server: Server) -> None:
    from PIL import Image, ImageDraw
    from server_testkit import SIGNERS, drawn_signature, finalised_review

    image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))  # as the laptop's pad draws: ink on a clear ground
    ImageDraw.Draw(image).line((10, 80, 290, 20), fill=(0, 0, 0, 255), width=4)
    png = io.BytesIO()
    image.save(png, "PNG")
    drawn = base64.b64encode(png.getvalue()).decode()
    server.add_user("alice")
    learner = server.add_learner("alice")
    review_id = new_id()
    review, signatures = finalised_review(learner, review_id, [drawn_signature(review_id, role, name, image_png=drawn)
                                                              for role, name in SIGNERS])
    server.push(server.login("alice"), change("review", "create", review_id, review),
                *[change("signature", "create", sid, s) for sid, s in signatures])
    assert archive_all(server) == [review_id]
    with pikepdf.open(io.BytesIO(stored(server, review_id).pdf)) as pdf:
        assert pdf.open_metadata().pdfa_status == "2B"
        images = [x for page in pdf.pages for _, x in page.Resources.get("/XObject", pikepdf.Dictionary()).items()
                  if x.get("/Subtype") == "/Image"]
        assert images  # the three drawn signatures (the same picture here, so ReportLab keeps it once)
        assert all(x.ColorSpace == "/DeviceRGB" and "/SMask" in x for x in images)  # what sRGB characterises


def test_a_font_that_is_not_embedded_is_refused_rather_than_archived_as_pdfa() -> None:
    from reportlab.pdfgen.canvas import Canvas

    from sync.server.archive.pdfa import PdfaError, to_pdfa

    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.setFont("Helvetica", 12)  # a standard-14 font: ReportLab never embeds it
    canvas.drawString(72, 720, "Not embedded")
    canvas.save()
    with pytest.raises(PdfaError, match="Helvetica is not embedded"):
        to_pdfa(out.getvalue())
