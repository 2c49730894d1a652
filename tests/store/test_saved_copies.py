"""Saved copies inside the encrypted store: kept, listed, exported only on request, gone with their learner, and
moved in from the plain files older versions left in the data folder."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import select

from reviewapp.core.file_names import REVIEWS_FOLDER, saved_copies_folder
from reviewapp.store import saved_copies
from reviewapp.store.database import Store
from reviewapp.store.models import Learner, Review, SavedCopy
from reviewapp.store.saved_copies import adopt_plain_copies, copies_of_learner, copy_pdf, export_copy, keep_copy
from reviewapp.store.sync.removals import purge_learner

PDF = b"%PDF-1.4 a signed copy, with welfare answers (tangerine-heron)\n%%EOF\n"


def _two_learners(store: Store) -> list[Learner]:
    """Two learners who each have a review."""
    with store.read() as session:
        reviewed = select(Review.learner_id)
        return list(session.scalars(select(Learner).where(Learner.id.in_(reviewed)).order_by(Learner.uln).limit(2)))


def _a_review_of(store: Store, learner_id: str) -> str:
    with store.read() as session:
        return session.scalars(select(Review.id).where(Review.learner_id == learner_id)).first()


def test_a_kept_copy_is_listed_and_read_back_whole(demo_store):
    ann, _amy = _two_learners(demo_store)
    with demo_store.write() as session:
        copy_id = keep_copy(session, learner_id=ann.id, kind="employer", file_name="x-employer-copy.pdf", pdf=PDF)
    with demo_store.read() as session:
        [listed] = copies_of_learner(session, ann.id)
        info, data = copy_pdf(session, copy_id)
    assert (listed.kind, listed.words, listed.size) == ("employer", "Employer copy", len(PDF))
    assert data == PDF and info == listed
    assert PDF not in demo_store.path.read_bytes()  # encrypted at rest, like the review it copies


def test_an_export_writes_exactly_the_chosen_file(demo_store, tmp_path):
    ann, _amy = _two_learners(demo_store)
    with demo_store.write() as session:
        copy_id = keep_copy(session, learner_id=ann.id, kind="learner", file_name="x-learner-copy.pdf", pdf=PDF)
    chosen = tmp_path / "stick" / "for Ann.pdf"
    chosen.parent.mkdir()
    assert export_copy(demo_store, copy_id, chosen) == chosen
    assert list(chosen.parent.iterdir()) == [chosen] and chosen.read_bytes() == PDF
    assert not list(demo_store.path.parent.rglob("*.pdf"))


def test_purging_a_learner_removes_their_stored_copies(demo_store):
    """A learner moved to another assessor leaves the laptop with the copies printed for them."""
    ann, amy = _two_learners(demo_store)
    with demo_store.write() as session:
        for learner in (ann, amy):
            keep_copy(session, learner_id=learner.id, kind="provider", file_name="p.pdf", pdf=PDF,
                      review_id=_a_review_of(demo_store, learner.id))
            keep_copy(session, learner_id=learner.id, kind="pre-visit", file_name="v.pdf", pdf=PDF)
    with demo_store.apply_remote() as session:
        purge_learner(session, ann.id)
    with demo_store.read() as session:
        assert session.scalars(select(SavedCopy.learner_id)).all() == [amy.id, amy.id]
        assert copies_of_learner(session, ann.id) == []


def _plain_copies(data_dir: Path, learner: Learner, review_id: str) -> list[Path]:
    """Files as an older version left them: `<data-dir>/reviews/<Name ULN>/...pdf`."""
    folder = saved_copies_folder(data_dir, learner.full_name, learner.uln)
    folder.mkdir(parents=True)
    paths = [folder / f"2026-11-15-{review_id[:8]}-employer-copy.pdf", folder / "2026-11-14-pre-visit-pack.pdf",
             folder / "renamed by hand.pdf"]
    for number, path in enumerate(paths):
        path.write_bytes(PDF + str(number).encode())
    return paths


def test_plain_copies_left_by_an_older_version_move_into_the_store_on_open(demo_store, caplog):
    ann, amy = _two_learners(demo_store)
    data_dir = demo_store.path.parent
    ann_files = _plain_copies(data_dir, ann, _a_review_of(demo_store, ann.id))
    amy_files = _plain_copies(data_dir, amy, _a_review_of(demo_store, amy.id))
    stranger = data_dir / REVIEWS_FOLDER / "Someone Else 9999999999"  # another account's learner
    stranger.mkdir()
    (stranger / "2026-11-01-abcdef12-learner-copy.pdf").write_bytes(PDF)
    contents = {p.name: p.read_bytes() for p in ann_files}

    with caplog.at_level(logging.INFO, logger="reviewapp.store.saved_copies"), \
            Store.open(data_dir, demo_store.account) as reopened, reopened.read() as session:
        listed = {c.file_name: c for c in copies_of_learner(session, ann.id)}
        stored = {name: copy_pdf(session, c.id)[1] for name, c in listed.items()}
        assert len(copies_of_learner(session, amy.id)) == 3
    assert stored == contents
    assert [listed[p.name].kind for p in ann_files] == ["employer", "pre-visit", "file"]
    assert listed[ann_files[0].name].review_id == _a_review_of(demo_store, ann.id)
    assert not any(p.exists() for p in ann_files + amy_files) and not ann_files[0].parent.exists()
    assert [p.name for p in stranger.iterdir()] == ["2026-11-01-abcdef12-learner-copy.pdf"]  # not ours to move
    log = caplog.text
    assert "Moved 6 saved copies" in log and "1 plain PDF files" in log
    assert ann.last_name not in log and ann.uln not in log  # the log never says whose

    with Store.open(data_dir, demo_store.account) as again, again.read() as session:  # nothing moved twice
        assert len(copies_of_learner(session, ann.id)) == 3


def test_a_plain_copy_is_deleted_only_once_it_reads_back_from_the_store(demo_store, monkeypatch):
    ann, _amy = _two_learners(demo_store)
    files = _plain_copies(demo_store.path.parent, ann, _a_review_of(demo_store, ann.id))
    real_keep = saved_copies.keep_copy

    def damaged(session, **fields):  # the store keeps something other than the file: the file must stay
        return real_keep(session, **{**fields, "pdf": fields["pdf"][:-1]})

    monkeypatch.setattr(saved_copies, "keep_copy", damaged)
    assert adopt_plain_copies(demo_store).moved == 0
    assert all(p.exists() for p in files)
    monkeypatch.undo()
    with demo_store.write() as session:  # clear the damaged rows, then a clean run moves every file
        session.execute(SavedCopy.__table__.delete())
    assert adopt_plain_copies(demo_store).moved == 3 and not any(p.exists() for p in files)


@pytest.mark.parametrize("kind", ["secret", ""])
def test_an_unknown_kind_is_refused(demo_store, kind):
    ann, _amy = _two_learners(demo_store)
    with pytest.raises(ValueError, match="unknown kind"), demo_store.write() as session:
        keep_copy(session, learner_id=ann.id, kind=kind, file_name="x.pdf", pdf=PDF)
