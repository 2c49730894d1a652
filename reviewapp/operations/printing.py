"""What printing needs from the store, as bytes and plain data: a review's document, the copies rendered and kept,
a reading copy of a draft, a pre-visit pack kept with the learner's saved copies, a blank form, and the record of
each copy handed over. The Qt side (`ui/printing.py`) only shows the print dialog and sends the bytes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from reviewapp.core.documents import ReportSettings, ReviewDocument
from reviewapp.core.templates import available_templates, load_template
from reviewapp.operations.changes import NOTHING, Changes, Outcome
from reviewapp.reports import saving
from reviewapp.reports.blank_form import blank_form_pdf
from reviewapp.reports.pre_visit import pre_visit_pdf
from reviewapp.reports.review_pdf import Copy, review_pdf
from reviewapp.store import review_documents
from reviewapp.store.database import Store
from reviewapp.store.deliveries import record_in_store
from reviewapp.store.saved_copies import keep_copy


@dataclass(frozen=True)
class KeptPack:
    """A pre-visit pack kept in the learner's saved copies: its id, whose it is, and its bytes to print."""

    copy_id: str
    learner_name: str
    pdf: bytes


def report_settings(store: Store) -> ReportSettings:
    """The provider's name and logo (and what else heads a copy) as the settings hold them now."""
    with store.read() as session:
        return review_documents.report_settings(session)


def review_document(store: Store, review_id: str) -> tuple[ReviewDocument | None, ReportSettings]:
    """A review as its copies print it, with the settings that head them, read in one session."""
    with store.read() as session:
        return review_documents.load_review_document(session, review_id), review_documents.report_settings(session)


def keep_review_copies(store: Store, document: ReviewDocument, rendered: list[tuple[Copy, bytes]]
                       ) -> Outcome[list[str]]:
    """Keep rendered signed copies in the encrypted store (one unit of work); their ids."""
    ids = saving.keep_review_copies(store, document, rendered)
    return Outcome(ids, Changes(learners=frozenset({document.learner_id}), reviews=frozenset({document.review_id}),
                                outbox=True))


def record_delivery(store: Store, *, review_id: str, learner_id: str, copies: Iterable[str], channel: str
                    ) -> Outcome[list[str]]:
    """Each review copy handed over ("printed", or "saved" as a PDF file) is a delivery, synced to the office."""
    ids = record_in_store(store, review_id=review_id, learner_id=learner_id, copies=copies, channel=channel)
    return Outcome(ids, Changes(learners=frozenset({learner_id}), reviews=frozenset({review_id}), outbox=True)
                   if ids else NOTHING)


def reading_copy(store: Store, review_id: str) -> bytes:
    """A draft to read through, every page marked "DRAFT — not signed"; kept nowhere."""
    document, settings = review_document(store, review_id)
    return review_pdf(document, purpose="reading", settings=settings)


def keep_pre_visit_pack(store: Store, learner_id: str, today: dt.date) -> Outcome[KeptPack | None]:
    """The learner's pre-visit pack as of `today`, kept in their saved copies; None when the learner is gone."""
    with store.read() as session:
        pack = review_documents.load_pre_visit_pack(session, learner_id)
        settings = review_documents.report_settings(session)
    if pack is None:
        return Outcome(None)
    pdf = pre_visit_pdf(pack, settings=settings, as_of=today)
    with store.write() as session:
        copy_id = keep_copy(session, learner_id=pack.learner_id, kind="pre-visit",
                            file_name=saving.pre_visit_pack_name(today), pdf=pdf)
    return Outcome(KeptPack(copy_id, pack.learner_name, pdf), Changes(learners=frozenset({pack.learner_id})))


def blank_form(store: Store) -> bytes:
    """The review template as a paper form headed by the provider's name; it holds nobody's answers."""
    template = load_template(available_templates()[0][0])
    return blank_form_pdf(template, settings=report_settings(store))
