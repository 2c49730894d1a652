"""Review documents for the PDF tests, taken from the demo caseload and varied where a test needs it.

Variants (a long review, accented names, a draft) are re-hashed with the real `review_content_hash`, so they are
genuine signed reviews as far as the PDF code can tell; the tamper test is the one that deliberately is not.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from io import BytesIO
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from reviewapp.store.models import Review
from reviewapp.store.review_documents import (
    DEFAULT_PROVIDER_NAME,
    ReviewDocument,
    load_review_document,
)
from reviewapp.store.reviews import finalised_review_ids
from sync.protocol import review_content_hash

_FURNITURE = re.compile(r"Page \d+ of \d+|^(Learner|Employer|Provider) copy|^Pre-visit pack — assessor only")


def rehashed(document: ReviewDocument, **review_changes: Any) -> ReviewDocument:
    """The document with review fields changed and its content hash stamped again, as finalising would."""
    review = document.review.model_copy(update={**review_changes, "content_hash": None})
    review = review.model_copy(update={"content_hash": review_content_hash(document.review_id, review,
                                                                           list(document.signatures))})
    return dataclasses.replace(document, review=review)


def normalised(text: str) -> str:
    """Text compared as a reader would: NFC, white space collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def pdf_text(data: bytes) -> str:
    """The text of every page, without the running header and footer lines (they interrupt text that flows on)."""
    reader = PdfReader(BytesIO(data))
    kept = []
    for page in reader.pages:
        for line in page.extract_text().splitlines():
            if (_FURNITURE.search(line) or line.startswith(("Apprenticeship progress review — ", "Pre-visit pack — "))
                    or line.strip() == DEFAULT_PROVIDER_NAME):
                continue
            kept.append(line)
    return normalised("\n".join(kept))


@pytest.fixture
def demo_documents(demo_store) -> list[ReviewDocument]:
    """Every finalised review of the demo caseload, loaded for printing."""
    with demo_store.read() as session:
        return [load_review_document(session, rid) for rid in finalised_review_ids(session)]


@pytest.fixture
def typical(demo_documents) -> ReviewDocument:
    """A demo review with targets followed up, amber or red progress and support needs if there is one."""
    def interest(doc: ReviewDocument) -> int:
        return (bool(doc.followed_up_targets) + (doc.review.progress_rag != "green")
                + bool(doc.learner.support_needs) + (doc.review.welfare_rag != "green"))
    return max(demo_documents, key=interest)


def make_draft(store) -> str:
    """A draft review written through the store, as the wizard would leave it; its id."""
    with store.write() as session:
        learner_id = session.scalars(select(Review.learner_id)).first()
        draft = Review(learner_id=learner_id, template_id="apprenticeship-progress-review", template_version=1,
                       status="draft", assessor="demo", answers={"visit_date": "2026-11-23",
                                                                 "progress_summary": "Half way through the chat."})
        session.add(draft)
        session.flush()
        return draft.id


@pytest.fixture
def draft_id(demo_store) -> str:
    return make_draft(demo_store)
