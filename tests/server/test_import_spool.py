"""A caseload file read from disk is checked once and its good rows spooled (sync/server/row_spool.py); the import,
its dry run and the assessor check read them back from the spool, with the same outcomes as from a list."""

from __future__ import annotations

from pathlib import Path

from ilr_builder import sample_learner, write_ilr
from server_testkit import Server
from sqlalchemy import func, select
from test_server_caseload import _ulns, csv_bytes, row

from sync.server import row_spool
from sync.server.caseload_csv import CaseloadRow
from sync.server.caseload_import import import_caseload
from sync.server.mis.caseload_file import read_caseload_file
from sync.server.models import Learner
from sync.server.row_spool import RowSpool


def test_a_spool_gives_back_its_rows_in_order_however_often_it_is_read(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(row_spool, "BATCH", 3)  # several batches on disk, and some rows still pending
    rows = [CaseloadRow(line=n, learner={"uln": str(n)}, employer=None if n % 2 else {"name": f"E{n}"},
                        assessor="alice" if n % 3 else None, has_employer=bool(n % 5)) for n in range(2, 12)]
    spool = RowSpool(rows)
    assert len(spool) == 10 and list(spool) == rows and list(spool) == rows
    assert [len(batch) for batch in spool.batches()] == [3, 3, 3, 1]
    first = iter(spool)
    assert [next(first), *list(spool)[:1], next(first)] == [rows[0], rows[0], rows[1]]  # readers do not mix
    spool.close()
    assert list(spool) == [] and spool == [] and not spool


def _count(server: Server) -> int:
    with server.factory() as session:
        return session.scalar(select(func.count()).select_from(Learner)) or 0


def test_a_spooled_file_naming_an_unknown_assessor_is_refused_on_its_line(tmp_path: Path) -> None:
    server = Server(f"sqlite:///{tmp_path / 'db.sqlite'}")
    try:
        server.add_user("alice")
        ulns = _ulns(3)
        path = tmp_path / "caseload.csv"
        path.write_bytes(csv_bytes(row(uln=ulns[0]), row(uln=ulns[1], assessor="nobody"), row(uln=ulns[2])))
        parsed = read_caseload_file(path)
        assert isinstance(parsed.rows, RowSpool)
        refused = import_caseload(server.factory, parsed, file_name=path.name)
        assert not refused.imported and [str(p) for p in refused.problems] == [
            "line 3: assessor 'nobody' is not a user of this server"]
        assert _count(server) == 0  # nothing half-imported
        preview = import_caseload(server.factory, read_caseload_file(path), dry_run=True, skip_bad_rows=True)
        skipped = import_caseload(server.factory, read_caseload_file(path), skip_bad_rows=True)
        assert (preview.created, len(preview.problems)) == (skipped.created, len(skipped.problems)) == (2, 1)
        assert [o.line for o in skipped.report.added] == [2, 4] and _count(server) == 2
    finally:
        server.close()


def test_a_commit_counts_every_learner_and_names_the_first_few(tmp_path: Path) -> None:
    server = Server(f"sqlite:///{tmp_path / 'db.sqlite'}")
    try:
        path = write_ilr(tmp_path / "ilr.xml", (sample_learner(n) for n in range(1, 61)))
        summary = import_caseload(server.factory, read_caseload_file(path), file_name=path.name)
        assert summary.created == 60 and summary.report.total("added") == 60 and len(summary.report.added) == 50
        preview = import_caseload(server.factory, read_caseload_file(path), dry_run=True)
        assert preview.unchanged == 60 and preview.report.added == []
    finally:
        server.close()
