"""Saved copies: the PDFs handed out on a visit, kept inside the encrypted caseload rather than as plain files.

Every printed copy is kept, because a printer jam on site must not be the only record of what was handed over. The
copies hold a learner's welfare and safeguarding answers, so they live in the caseload's SQLCipher database, with
the same key and the same protection as the review itself. A plain file exists only when the assessor exports one
to a place they choose (`export_copy`), and every export says that the file is then unprotected (`EXPORT_WARNING`).

Older versions saved copies as plain files under `<data-dir>/reviews/<Name ULN>/`. `adopt_plain_copies`, run
whenever a caseload is opened, moves them in: each file is deleted only after its bytes have been read back from
the store and found identical.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reviewapp.core.file_names import REVIEWS_FOLDER
from reviewapp.store.models import Learner, Review, SavedCopy

if TYPE_CHECKING:
    from reviewapp.store.database import Store

log = logging.getLogger(__name__)

#: The kinds of saved copy, in the words the learner's history shows.
KIND_WORDS: dict[str, str] = {
    "learner": "Learner copy",
    "employer": "Employer copy",
    "provider": "Provider copy",
    "pre-visit": "Pre-visit pack",
    "file": "Saved file",
}

#: Said wherever a copy leaves the store as a file (the export dialog, `reviewapp export-pdf`).
EXPORT_WARNING = (
    "An exported file is not protected. Inside ReviewApp the copies are kept encrypted; the exported PDF is a plain "
    "file that anyone who gets hold of it can read, welfare and safeguarding answers included on the learner's and "
    "provider's copies. Keep it only somewhere safe, and delete it when it is no longer needed."
)

#: `<YYYY-MM-DD>-<review id, 8>-<copy>-copy[-draft].pdf`, as older versions named a review's saved copies.
_REVIEW_COPY = re.compile(r"^(?:\d{4}-\d{2}-\d{2}|undated)-([0-9a-f]{8})-(learner|employer|provider)-copy(?:-draft)?"
                          r"\.pdf$")
_PRE_VISIT = re.compile(r"^\d{4}-\d{2}-\d{2}-pre-visit-pack\.pdf$")


@dataclass(frozen=True)
class SavedCopyInfo:
    """A saved copy as listed (without its bytes)."""

    id: str
    learner_id: str
    review_id: str | None
    kind: str
    file_name: str
    created_at: dt.datetime
    size: int

    @property
    def words(self) -> str:
        return KIND_WORDS.get(self.kind, self.kind)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def keep_copy(session: Session, *, learner_id: str, kind: str, file_name: str, pdf: bytes,
              review_id: str | None = None, created_at: dt.datetime | None = None) -> str:
    """Keep one PDF in the store (in the caller's unit of work); its id."""
    if kind not in KIND_WORDS:
        raise ValueError(f"unknown kind of saved copy {kind!r}")
    row = SavedCopy(learner_id=learner_id, review_id=review_id, kind=kind, file_name=file_name, pdf=pdf,
                    sha256=_digest(pdf))
    if created_at is not None:
        row.created_at = created_at
    session.add(row)
    session.flush()
    return row.id


def copies_of_learner(session: Session, learner_id: str) -> list[SavedCopyInfo]:
    """A learner's saved copies, newest first, without reading their bytes."""
    table = SavedCopy.__table__
    query = (select(table.c.id, table.c.learner_id, table.c.review_id, table.c.kind, table.c.file_name,
                    table.c.created_at, func.length(table.c.pdf))
             .where(table.c.learner_id == learner_id)
             .order_by(table.c.created_at.desc(), table.c.file_name))
    return [SavedCopyInfo(*row) for row in session.execute(query)]


def copy_pdf(session: Session, copy_id: str) -> tuple[SavedCopyInfo, bytes] | None:
    """A saved copy and its bytes, or None if there is no such copy (gone with its learner, say)."""
    row = session.get(SavedCopy, copy_id)
    if row is None:
        return None
    info = SavedCopyInfo(row.id, row.learner_id, row.review_id, row.kind, row.file_name, row.created_at,
                         len(row.pdf))
    return info, row.pdf


def export_copy(store: Store, copy_id: str, path: Path) -> Path:
    """Write one saved copy as a plain file at exactly `path` (the folder must exist); the path written.

    The caller has told the assessor `EXPORT_WARNING`: from here on the file is outside the store's protection.
    """
    with store.read() as session:
        found = copy_pdf(session, copy_id)
    if found is None:
        raise KeyError(copy_id)
    path.write_bytes(found[1])
    return path


# --- Old plain files ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Adoption:
    """What `adopt_plain_copies` did: files moved into the store, and files left where they were."""

    moved: int = 0
    left: int = 0


@dataclass(frozen=True)
class _Found:
    path: Path
    learner_id: str
    kind: str
    review_id: str | None


def _uln_of_folder(name: str) -> str:
    """Older versions named a learner's folder `<first last> <ULN>`: the ULN is the last word."""
    return name.rsplit(" ", 1)[-1]


def _plain_files(root: Path, session: Session) -> tuple[list[_Found], int]:
    """The old plain PDFs under `root` that belong to a learner of this caseload, and how many others there are
    (another account's learners share the data folder; their files wait for that account's caseload)."""
    learners = {uln: learner_id for uln, learner_id in
                session.execute(select(Learner.__table__.c.uln, Learner.__table__.c.id))}
    found: list[_Found] = []
    others = 0
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        pdfs = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".pdf")
        learner_id = learners.get(_uln_of_folder(folder.name))
        if learner_id is None:
            others += len(pdfs)
            continue
        reviews = list(session.scalars(select(Review.__table__.c.id)
                                       .where(Review.__table__.c.learner_id == learner_id)))
        for path in pdfs:
            review_id, kind = None, "file"
            if match := _REVIEW_COPY.match(path.name):
                review_id = next((r for r in reviews if r.startswith(match.group(1))), None)
                kind = match.group(2)
            elif _PRE_VISIT.match(path.name):
                kind = "pre-visit"
            found.append(_Found(path, learner_id, kind, review_id))
    return found, others


def adopt_plain_copies(store: Store) -> Adoption:
    """Move the plain PDF copies older versions left under `<data-dir>/reviews/` into the store.

    Each file is deleted only once its bytes, read back from the committed store, match the file's; a file that
    cannot be read or removed stays, to be tried again at the next open. The log says how many, never whose.
    """
    root = store.path.parent / REVIEWS_FOLDER
    if not root.is_dir():
        return Adoption()
    with store.read() as session:
        found, others = _plain_files(root, session)
    moved = kept_back = 0
    for item in found:
        try:
            data = item.path.read_bytes()
        except OSError:
            kept_back += 1
            continue
        digest = _digest(data)
        with store.write() as session:
            existing = session.scalar(select(SavedCopy.__table__.c.id).where(
                SavedCopy.__table__.c.learner_id == item.learner_id,
                SavedCopy.__table__.c.file_name == item.path.name, SavedCopy.__table__.c.sha256 == digest))
            if existing is None:  # another window adopting at the same moment has not got there first
                mtime = dt.datetime.fromtimestamp(item.path.stat().st_mtime, dt.UTC)
                existing = keep_copy(session, learner_id=item.learner_id, kind=item.kind, file_name=item.path.name,
                                     pdf=data, review_id=item.review_id, created_at=mtime)
        with store.read() as session:
            stored = session.get(SavedCopy, existing)
            verified = stored is not None and _digest(stored.pdf) == digest
        if not verified:
            kept_back += 1
            continue
        try:
            item.path.unlink()
        except OSError:
            kept_back += 1
            continue
        moved += 1
    for folder in sorted((p for p in root.iterdir() if p.is_dir()), reverse=True):
        with contextlib.suppress(OSError):  # only an empty folder goes: anything else put there stays
            folder.rmdir()
    result = Adoption(moved=moved, left=kept_back + others)
    if moved:
        log.info("Moved %d saved copies from plain files into the encrypted caseload", moved)
    if kept_back:
        log.warning("%d saved copies could not be moved into the encrypted caseload and were left as plain "
                    "files; moving them will be tried again when the caseload is next opened", kept_back)
    if others:
        log.info("%d plain PDF files in the saved-copies folder belong to no learner of this caseload and were "
                 "left as they were", others)
    return result
