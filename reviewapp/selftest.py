"""`reviewapp --self-test`: prove an installation works, end to end, in a few seconds and without a screen.

It is what the provider's IT team runs after installing ReviewApp on a laptop, and what CI runs against the built
bundle. It walks the path an assessor depends on at an employer's site — an encrypted store, a caseload, a review
answered, signed by three parties, finalised, its signed PDF made and printed through Qt — so a missing Qt plugin,
font, template, migration script or database driver shows up here rather than in front of a learner.

Nothing of the user's is touched: the store lives in a temporary folder that is deleted afterwards, and its key is
held by an in-memory keyring rather than the OS keyring (no plaintext keyring is shipped for this). The log goes to
the usual log file, so support can read a failed run's details.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.compat import properties

from reviewapp import APP_NAME, __version__
from reviewapp.core.finalise import carried_target_item
from reviewapp.core.review_rules import ReviewContext
from reviewapp.logs import LOG_FILE, log_dir

log = logging.getLogger(__name__)

TEMPLATE_ID = "apprenticeship-progress-review"
SELF_TEST_ACCOUNT = "self-test"
DEMO_LEARNERS = 3
DEMO_SEED = 11

#: A signature drawn in the pad's 0–1 coordinates: a few loops and a flourish, enough to make a real PNG.
SIGNATURE_STROKES: list[list[list[float]]] = [
    [[0.05, 0.70], [0.10, 0.30], [0.15, 0.65], [0.20, 0.35], [0.25, 0.70], [0.30, 0.40]],
    [[0.35, 0.60], [0.45, 0.30], [0.50, 0.65], [0.60, 0.35], [0.70, 0.60], [0.80, 0.45]],
    [[0.10, 0.85], [0.50, 0.80], [0.92, 0.78]],
]


class MemoryKeyring(KeyringBackend):
    """A keyring that lives and dies with the process, so the self-test never writes to the user's keyring.

    Its priority raises, which makes keyring treat it as not viable: it is only ever used when set explicitly
    with `keyring.set_keyring`, never picked on its own just because this module was imported.
    """

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("the self-test keyring is only used when set explicitly")

    def __init__(self) -> None:
        super().__init__()
        self._passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self._passwords.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("no such password")


def scripted_answers(context: ReviewContext, visit: dt.date) -> dict[str, Any]:
    """A complete set of answers to the apprenticeship progress review for this learner's review context.

    Every required question is answered with green ratings; each open target from the last review is followed up
    (the first carried forward: it is among the new targets, reworded and dated) and one new target is set.
    """
    targets = list(context.open_targets)
    previous: dict[str, dict[str, Any]] = {tid: {"status": "met", "comment": ""} for tid in targets}
    new_targets: list[dict[str, Any]] = [
        {"text": "Complete the stock-take spreadsheet and present it to the office manager",
         "due_date": (visit + dt.timedelta(weeks=4)).isoformat(), "actions": ["Collect counts"]},
    ]
    if targets:
        previous[targets[0]] = {"status": "not_met", "comment": "Shift pattern changed", "carry_forward": True}
        carried = carried_target_item(targets[0], context.open_targets[targets[0]])
        new_targets.append({**carried, "due_date": (visit + dt.timedelta(weeks=6)).isoformat()})
    return {
        "visit_date": visit.isoformat(),
        "visit_mode": "in_person",
        "visit_location": "Head office, Leeds",
        "attendees": ["learner", "employer", "assessor"],
        "employer_rep_name": "Tom Clarke",
        "employer_rep_role": "Office manager",
        "evidence_seen": ["work_products", "otj_log"],
        "previous_targets": previous,
        "plan_progress": {pid: {"progress": min(100, item.progress + 10), "comment": ""}
                          for pid, item in context.plan_items.items()},
        "progress_summary": "Has taken over the post log and answers customer emails alone.",
        "progress_rag": "green",
        "otj_hours_since_last": 30,
        "otj_hours_to_date": 140,
        "otj_activities": ["teaching", "shadowing"],
        "otj_examples": "Shadowed the finance officer for two days.",
        "otj_paid_hours": True,
        "english_status": "achieved_prior",
        "maths_status": "working_towards",
        "maths_level": "fs_level_2",
        "hs_incidents": {"raised": False, "detail": ""},
        "hs_discussion": "Knows the fire marshal and how to log a near miss.",
        "hs_scenario": {"response": "Unplug it, warn people and tell my supervisor."},
        "hs_understanding": "secure",
        "hs_concern": {"raised": False, "detail": ""},
        "edi_discussion": "Named five protected characteristics.",
        "edi_scenario": {"response": "It is harassment; I would report it to my manager."},
        "edi_understanding": "developing",
        "edi_concern": {"raised": False, "detail": ""},
        "sg_feels_safe": True,
        "sg_knows_contact": True,
        "sg_discussion": "Knows the safeguarding email and what Prevent is for.",
        "sg_scenario": {"response": "Tell the safeguarding lead the same day."},
        "sg_understanding": "secure",
        "sg_concern": {"raised": False, "detail": ""},
        "welfare_own_words": "Enjoying the job, a bit tired with college work.",
        "welfare_rag": "green",
        "refer_safeguarding": {"raised": False, "detail": ""},
        "refer_learning_support": {"raised": False, "detail": ""},
        "als_in_place": False,
        "employer_contribution": "Weekly one-to-ones with a mentor.",
        "employer_opportunities": "Will run the April stock take.",
        "employer_feedback": "Reliable and keen.",
        "employer_concern": {"raised": False, "detail": ""},
        "new_targets": new_targets,
        "next_review_date": (visit + dt.timedelta(weeks=8)).isoformat(),
        "next_review_time": "10:00",
    }


class SelfTestFailure(Exception):
    """A check that did not hold; the message says what was expected, for IT or support."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SelfTestFailure(message)


@dataclass
class _Run:
    """The steps so far: each prints one line as it passes, so a failure's line is the one that is missing."""

    out: TextIO
    passed: int = 0
    #: Objects the later steps need alive (the QApplication), held here rather than in module globals.
    keep: list[Any] = field(default_factory=list)

    @contextmanager
    def step(self, name: str) -> Iterator[list[str]]:
        """Run one step; the caller appends what it found to the yielded list, printed after `ok: name`."""
        found: list[str] = []
        started = time.perf_counter()
        try:
            yield found
        except SelfTestFailure as exc:
            raise _StepFailed(name, str(exc)) from exc
        except Exception as exc:
            raise _StepFailed(name, f"{type(exc).__name__}: {exc}") from exc
        took = time.perf_counter() - started
        self.passed += 1
        detail = f" — {'; '.join(found)}" if found else ""
        print(f"ok: {name}{detail} ({took:.2f} s)", file=self.out, flush=True)


class _StepFailed(Exception):
    def __init__(self, step: str, message: str) -> None:
        super().__init__(f"{step}: {message}")
        self.step = step
        self.message = message


def _choose_platform() -> None:
    """Offscreen unless a platform was asked for or a display is there: IT may run this over SSH or in a service."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def _pdf_pages_and_text(path: Path) -> tuple[int, str]:
    """Open a PDF with QtPdf (the engine printing uses) and return its page count and the text of its pages."""
    from PySide6.QtPdf import QPdfDocument

    document = QPdfDocument(None)
    try:
        error = document.load(str(path))
        check(error == QPdfDocument.Error.None_, f"QtPdf could not open {path.name} ({error.name})")
        text = "\n".join(document.getAllText(page).text() for page in range(document.pageCount()))
        return document.pageCount(), " ".join(text.split())
    finally:
        document.close()


def run_self_test(out: TextIO | None = None, today: dt.date | None = None) -> int:
    """Run every step, printing one line each and a summary; 0 when all passed, 1 at the first failure.

    It leaves the in-memory keyring selected, so run it in a process of its own (as `reviewapp --self-test` does).
    """
    out = out or sys.stdout
    run = _Run(out)
    started = time.perf_counter()
    print(f"{APP_NAME} {__version__} self-test ({'bundle' if getattr(sys, 'frozen', False) else 'source'}, "
          f"Python {sys.version.split()[0]}, {sys.platform})", file=out, flush=True)
    try:
        # ignore_cleanup_errors: on Windows a scanner may still hold a file; a leftover temp folder is no failure.
        with tempfile.TemporaryDirectory(prefix="reviewapp-self-test-", ignore_cleanup_errors=True) as temp:
            _steps(run, Path(temp), today)
    except Exception as exc:
        if isinstance(exc, _StepFailed):
            step, message, cause = exc.step, exc.message, exc.__cause__
        else:  # outside any step: a bug in the self-test itself, still reported as a failure
            step, message, cause = "self-test", f"{type(exc).__name__}: {exc}", exc
        log.error("Self-test failed at %s: %s", step, message, exc_info=cause)
        print(f"FAILED: {step}: {message}", file=out, flush=True)
        print(f"{APP_NAME} self-test FAILED after {run.passed} passing steps "
              f"({time.perf_counter() - started:.1f} s). Details are in {log_dir() / LOG_FILE}", file=out, flush=True)
        return 1
    took = time.perf_counter() - started
    log.info("Self-test passed: %d steps in %.1f s", run.passed, took)
    print(f"{APP_NAME} self-test passed: {run.passed} steps in {took:.1f} s", file=out, flush=True)
    return 0


def _steps(run: _Run, temp: Path, today: dt.date | None) -> None:
    from reviewapp.core.dates import london_today

    today = today or london_today()

    with run.step("Qt started") as found:
        _choose_platform()
        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import qVersion
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication(sys.argv[:1])
        found.append(f"Qt {qVersion()}, PySide6 {pyside_version}, platform {QApplication.platformName()}")
        run.keep.append(app)

    with run.step("keyring") as found:
        keyring.set_keyring(MemoryKeyring())
        found.append("an in-memory keyring for this run; the user's keyring is not touched")

    from reviewapp.store.database import Store

    with run.step("encrypted store opened") as found:
        from reviewapp.store.migrations import SCHEMA_HEAD, current_revision

        store = Store.open(temp / "data", SELF_TEST_ACCOUNT)
        check(store.encrypted, "the store was opened without encryption")
        revision = current_revision(store.engine)
        check(revision == SCHEMA_HEAD, f"the schema is at {revision}, expected {SCHEMA_HEAD}")
        found.append(f"SQLCipher, schema {revision}")
    try:
        _review_steps(run, store, temp, today)
    finally:
        store.close()


def _review_steps(run: _Run, store: Any, temp: Path, today: dt.date) -> None:
    with run.step("app modules loaded") as found:
        # One step of its own: in a bundle, a module PyInstaller missed fails here, named, not half-way through.
        from sqlalchemy import func, select

        from reviewapp import demo
        from reviewapp.core.templates import load_template
        from reviewapp.reports.review_pdf import review_pdf
        from reviewapp.store import reviews
        from reviewapp.store.models import Learner, Review
        from reviewapp.store.review_documents import load_review_document
        from reviewapp.ui.printing import print_to_pdf_file
        from reviewapp.ui.signature_pad import strokes_to_png

        found.append("store, reports, printing, signature pad, demo")

    with run.step("demo caseload made") as found:
        counts = demo.generate(store, learners=DEMO_LEARNERS, seed=DEMO_SEED, today=today)
        with store.read() as session:
            learners = session.scalar(select(func.count()).select_from(Learner))
        check(learners == DEMO_LEARNERS, f"{learners} learners in the store, expected {DEMO_LEARNERS}")
        found.append(f"{learners} learners, {counts.get('review', 0)} past reviews")

    with run.step("review started") as found:
        template = load_template(TEMPLATE_ID)
        with store.read() as session:
            candidates = session.scalars(select(Learner).order_by(Learner.last_name, Learner.first_name)).all()
            active = [learner for learner in candidates if learner.status == "active"] or list(candidates)
            learner = active[0]
            learner_id, learner_name = learner.id, f"{learner.first_name} {learner.last_name}"
        review_id = reviews.start_draft(store, learner_id, template, today)
        found.append(f"a draft for {learner_name} on template {template.id} v{template.version}")

    with run.step("answers saved") as found:
        with store.read() as session:
            context = reviews.review_context(session, learner_id, review_id)
        answers = scripted_answers(context, today)
        reviews.save_answers(store, review_id, answers)
        found.append(f"{len(answers)} answers, {len(context.open_targets)} earlier targets followed up")

    with run.step("three signatures drawn") as found:
        parties = (("learner", learner_name), ("employer", "Tom Clarke"), ("assessor", demo.ASSESSOR_NAME))
        for role, name in parties:
            png = strokes_to_png(SIGNATURE_STROKES)
            check(len(png) > 100, f"the {role}'s signature image is empty")
            reviews.save_signature(store, review_id, role, name=name, image_png=png, strokes=SIGNATURE_STROKES)
        found.append("learner, employer and assessor, as PNG images from strokes")

    with run.step("review finalised") as found:
        result = reviews.finalise(store, review_id, template)
        with store.read() as session:
            status, content_hash = session.execute(
                select(Review.status, Review.content_hash).where(Review.id == review_id)
            ).one()
        check(status == "finalised", f"the review is {status!r} after finalising")
        check(bool(content_hash) and len(content_hash) == 64, "the finalised review has no SHA-256 content hash")
        found.append(f"content hash {content_hash[:12]}…, {len(result.new_targets)} new targets")

    pdf_path = temp / "review.pdf"
    with run.step("signed PDF made") as found:
        with store.read() as session:
            document = load_review_document(session, review_id)
        check(document is not None, "the finalised review could not be loaded")
        pdf_path.write_bytes(review_pdf(document, copy="learner"))
        pages, text = _pdf_pages_and_text(pdf_path)
        check(pages >= 1, "the PDF has no pages")
        check(learner_name in text, f"the PDF does not name the learner ({learner_name})")
        check(content_hash in text.replace(" ", "") or content_hash[:12] in text,
              "the PDF does not carry the review's content hash")
        found.append(f"{pages} pages, {pdf_path.stat().st_size // 1024} KB, names {learner_name}")

    with run.step("printed through Qt to a PDF file") as found:
        printed = temp / "printed.pdf"
        printed_pages = print_to_pdf_file([pdf_path], printed)
        check(printed.is_file() and printed.stat().st_size > 0, "the printer wrote no file")
        check(printed_pages == pages, f"{printed_pages} pages printed, expected {pages}")
        file_pages, _text = _pdf_pages_and_text(printed)
        check(file_pages == pages, f"the printed file has {file_pages} pages, expected {pages}")
        found.append(f"{file_pages} pages, {printed.stat().st_size // 1024} KB")

    _server_step(run, temp)


def _server_step(run: _Run, temp: Path) -> None:
    """The demo mode's embedded sync server: its migrations (read from disk) and its HTTP stack, if installed."""
    import importlib.util

    if importlib.util.find_spec("uvicorn") is None or importlib.util.find_spec("fastapi") is None:
        print("skip: embedded sync server — the server extra is not installed here", file=run.out, flush=True)
        return
    with run.step("embedded sync server") as found:
        import httpx

        from sync.server.embedded import EmbeddedServer

        with EmbeddedServer(f"sqlite:///{(temp / 'demo-server.sqlite3').as_posix()}", archive_interval=None) as server:
            response = httpx.get(f"{server.url}/api/v1/health", timeout=10)
        check(response.status_code == 200, f"/api/v1/health answered {response.status_code}")
        found.append(f"migrated and answering on 127.0.0.1 ({response.json().get('database')})")

