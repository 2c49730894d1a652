"""Making, finding and purging archival copies: `archive_pending` (the background job), `expired_copies` and
`purge_expired` (`reviewapp-server purge-archive`).

`archive_pending(session)` is queue-agnostic: it archives whatever finalised review has no copy yet, each in its own
transaction, and returns what it did; the embedded server runs it from a loop (`ArchiveLoop`), a provider's server
from `reviewapp-server archive` (cron, a systemd timer) or a job queue. Two runs at once are harmless: the copy's
primary key is the review id, so the second insert of a copy is refused and skipped.

A copy is the provider copy of `reviewapp.reports.review_pdf` (the laptop's and /reviews/{id}.pdf's code), read
through `web.reviews.load_review_document` with a caller that sees everything (the job acts for the provider, not
for a user), made PDF/A-2b (pdfa.py) and signed (signing.py). Logs name review ids and counts only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from sqlalchemy import delete, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from reviewapp.core.dates import format_datetime
from reviewapp.core.retention import archive_kept_until
from reviewapp.core.review_rules import parse_iso_date
from reviewapp.reports.review_pdf import ReviewPdfError, review_pdf

from ..audit import record_event
from ..models import ArchivedCopy, Learner, Review, utcnow
from ..records import Rejected
from ..scope import Caller
from .pdfa import PdfaError, to_pdfa
from .signing import PRODUCER, ProviderSigner, SigningError, load_signer

log = logging.getLogger(__name__)

#: The archive job acts for the provider: it sees every finalised review (as a quality lead or admin does).
ARCHIVE_CALLER = Caller(user_id="", username="archive job", role="admin", device_id=None)
#: Reviews archived per run at most, so one run of the loop never holds the server for long.
DEFAULT_BATCH = 50


@dataclass
class ArchiveRun:
    """What one `archive_pending` run did: the review ids archived, and those it could not archive with why."""

    archived: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    signer: str = ""
    self_signed: bool = False


def pending_review_ids(session: Session, limit: int | None = None, skip: Collection[str] = ()) -> list[str]:
    """Finalised reviews with no archival copy yet (less those in `skip`), the earliest finalised first."""
    query = (select(Review.id).where(Review.status == "finalised", Review.deleted.is_(False),
                                     ~exists().where(ArchivedCopy.review_id == Review.id))
             .order_by(Review.finalised_at, Review.id))
    if skip:
        query = query.where(Review.id.not_in(list(skip)))
    return list(session.scalars(query.limit(limit) if limit else query))


def make_copy(session: Session, review_id: str, signer: ProviderSigner) -> ArchivedCopy:
    """The archival copy of one finalised review (not yet added to the session); raises ArchiveRefused with the
    reason when it cannot be made."""
    from ..web.reviews import load_review_document, report_settings, template_of

    document = load_review_document(session, ARCHIVE_CALLER, review_id)
    if document is None:
        raise ArchiveRefused("it is not a finalised review of a learner held here")
    try:
        template = template_of(session, document)
        with report_settings(session) as settings:
            rendered = review_pdf(document, copy="provider", settings=settings, template=template)
            finalised = format_datetime(document.review.finalised_at)
            reason = f"Archival copy of review {review_id}" + (f", finalised {finalised}" if finalised else "")
            signed = signer.sign(to_pdfa(rendered, producer=PRODUCER), reason=reason,
                                 location=settings.provider_name)
    except (Rejected, ReviewPdfError, PdfaError) as refused:
        raise ArchiveRefused(str(refused)) from None
    return ArchivedCopy(
        review_id=review_id, learner_id=document.learner_id, content_hash=document.review.content_hash or "",
        pdf=signed, pdf_sha256=hashlib.sha256(signed).hexdigest(), signer=signer.subject[:500],
        certificate_sha256=signer.fingerprint, self_signed=signer.self_signed_demo, archived_at=utcnow(),
        keep_until=archive_kept_until(document.learner.planned_end_date, document.review.visit_date),
    )


class ArchiveRefused(Exception):
    """One review's copy cannot be made; the message says why (the review is left for a later run)."""


def archive_pending(session: Session, signer: ProviderSigner | None = None, *, limit: int | None = DEFAULT_BATCH,
                    skip: Collection[str] = ()) -> ArchiveRun:
    """Archive up to `limit` finalised reviews that have no copy yet (all of them if None), committing each.

    `session` must not be inside a transaction block: each copy is committed on its own, so one that fails leaves
    the others kept. `signer` defaults to the configured one (signing.load_signer). `skip`: review ids not to try
    (those a caller running batches saw fail already)."""
    ids = pending_review_ids(session, limit, skip)
    session.rollback()  # end the read's transaction: each copy gets its own
    run = ArchiveRun()
    if not ids:
        return run
    if signer is None:
        from ..web.reviews import report_settings

        with report_settings(session) as settings:
            provider = settings.provider_name
        session.rollback()
        signer = load_signer(provider_name=provider)
    run.signer, run.self_signed = signer.subject, signer.self_signed_demo
    for review_id in ids:
        try:
            copy = make_copy(session, review_id, signer)
            session.add(copy)
            session.commit()
        except ArchiveRefused as refused:
            session.rollback()
            run.failed.append((review_id, str(refused)))
            log.warning("Review %s could not be archived: %s", review_id, refused)
            continue
        except IntegrityError:  # another run archived it meanwhile
            session.rollback()
            continue
        run.archived.append(review_id)
    if run.archived:
        log.info("Archived %d review copies (signed by %s)", len(run.archived), run.signer)
    return run


# --- Retention and purging --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpiredCopy:
    review_id: str
    learner_id: str
    uln: str
    visit_date: dt.date | None
    keep_until: dt.date


def refresh_retention(session: Session) -> int:
    """Work each copy's `keep_until` out again from its learner's current end date (an agreement extended or cut
    short since the copy was made); the number changed. Commits."""
    rows = session.execute(
        select(ArchivedCopy.review_id, ArchivedCopy.keep_until, Review.visit_date,
               Learner.data["planned_end_date"].as_string())
        .join(Review, Review.id == ArchivedCopy.review_id, isouter=True)
        .join(Learner, Learner.id == ArchivedCopy.learner_id, isouter=True)
    ).all()
    changed = 0
    for review_id, kept, visit, planned in rows:
        now_kept = archive_kept_until(parse_iso_date(planned), parse_iso_date(visit))
        if now_kept != kept:
            session.execute(update(ArchivedCopy).where(ArchivedCopy.review_id == review_id)
                            .values(keep_until=now_kept))
            changed += 1
    session.commit()
    return changed


def expired_copies(session: Session, today: dt.date) -> list[ExpiredCopy]:
    """The copies whose retention period has ended by `today`, oldest first (after `refresh_retention`)."""
    rows = session.execute(
        select(ArchivedCopy.review_id, ArchivedCopy.learner_id, Learner.uln, Review.visit_date,
               ArchivedCopy.keep_until)
        .join(Review, Review.id == ArchivedCopy.review_id, isouter=True)
        .join(Learner, Learner.id == ArchivedCopy.learner_id, isouter=True)
        .where(ArchivedCopy.keep_until.is_not(None), ArchivedCopy.keep_until < today)
        .order_by(ArchivedCopy.keep_until, ArchivedCopy.review_id)
    ).all()
    return [ExpiredCopy(r, lid, uln or "", parse_iso_date(visit), kept) for r, lid, uln, visit, kept in rows]


def purge_expired(session: Session, copies: list[ExpiredCopy], today: dt.date, actor: str) -> int:
    """Delete the listed copies that are still expired on `today`, each with an audit event; the number deleted."""
    deleted = 0
    for copy in copies:
        result = session.execute(delete(ArchivedCopy).where(
            ArchivedCopy.review_id == copy.review_id, ArchivedCopy.keep_until.is_not(None),
            ArchivedCopy.keep_until < today))
        if result.rowcount:
            record_event(session, actor, "archive_purged", learner_id=copy.learner_id,
                         detail=f"archived copy of review {copy.review_id}, kept until {copy.keep_until.isoformat()}")
            deleted += 1
    session.commit()
    log.info("Purged %d archived review copies past their retention period", deleted)
    return deleted


# --- The embedded server's background loop ----------------------------------------------------------------------------


class ArchiveLoop:
    """Runs `archive_pending` every `interval` seconds in a daemon thread until stopped (the embedded server's).

    Each run archives one batch (DEFAULT_BATCH); a backlog is worked through a batch per interval."""

    def __init__(self, factory: sessionmaker[Session], interval: float = 60.0,
                 signer: Callable[[], ProviderSigner] | None = None) -> None:
        self._factory = factory
        self._interval = interval
        self._signer = signer
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="reviewapp-archive", daemon=True)
        self.runs = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30) -> None:
        self._stop.set()
        self._thread.join(timeout=timeout)

    def _run(self) -> None:
        # The first run waits one interval too, so a server started and stopped at once (a self-test) makes none.
        while not self._stop.wait(self._interval):
            try:
                with self._factory() as session:
                    archive_pending(session, self._signer() if self._signer else None)
            except (SigningError, PdfaError) as problem:  # a setting to fix: said once a cycle, the loop goes on
                log.error("Archival copies cannot be made: %s", problem)
            except Exception:  # a background loop must outlive one bad run; the next one retries
                log.exception("The archive run failed; it will be tried again")
            self.runs += 1
