"""The good rows of a caseload file, kept on disk between checking the file and writing it.

An import checks the whole file before it writes anything (all or nothing), and an MIS file can hold 100,000
learners: held as Python objects, the rows of such a file took some 250 MiB, and every full garbage collection
walked them all, so the import slowed as it went. The check therefore spools each good row, as read, to an
anonymous temporary file, and the writing (or the dry run) reads them back in chunks: what the process holds is
one chunk, whatever the file's size.

Why a spool rather than reading the file a second time: the second pass would parse and validate every learner
again against the ILR schema (about half of an import's time), and the file could have been changed or replaced
between the passes, so what was written would not be what was checked. The spool holds exactly the rows the
check passed, in the file's order.

The rows are pickled in batches into a file this process created and nobody else can open (`TemporaryFile` has
no name on POSIX), and read back by the same process: no untrusted data is ever unpickled.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from .caseload_csv import CaseloadRow

#: Rows pickled together: large enough that pickling is cheap per row, small enough to hold.
BATCH = 500


def _pack(row: CaseloadRow) -> tuple[Any, ...]:
    return row.line, row.learner, row.employer, row.assessor, row.has_employer


def _unpack(packed: tuple[Any, ...]) -> CaseloadRow:
    line, learner, employer, assessor, has_employer = packed
    return CaseloadRow(line=line, learner=learner, employer=employer, assessor=assessor, has_employer=has_employer)


class RowSpool:
    """Caseload rows appended once, then read back in order as often as needed; only a batch in memory.

    It quacks enough like the list of rows it replaces (`len`, iteration, `== []`) for code that only reads rows
    to take either."""

    def __init__(self, rows: Iterable[CaseloadRow] = ()) -> None:
        self._file: IO[bytes] | None = None
        self._pending: list[tuple[Any, ...]] = []
        self._count = 0
        self.extend(rows)

    def append(self, row: CaseloadRow) -> None:
        self._pending.append(_pack(row))
        self._count += 1
        if len(self._pending) >= BATCH:
            self._flush()

    def extend(self, rows: Iterable[CaseloadRow]) -> None:
        for row in rows:
            self.append(row)

    def _flush(self) -> None:
        if not self._pending:
            return
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="reviewapp-import-")  # noqa: SIM115 (closed by close())
        self._file.seek(0, 2)
        pickle.dump(self._pending, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._pending = []

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def __iter__(self) -> Iterator[CaseloadRow]:
        for batch in self.batches():
            yield from batch

    def batches(self) -> Iterator[list[CaseloadRow]]:
        """The rows in the order appended, a batch (at most BATCH rows) at a time."""
        self._flush()
        if self._file is None:
            return
        position = 0
        while True:
            self._file.seek(position)  # another reader may have moved it between our batches
            try:
                packed = pickle.load(self._file)
            except EOFError:
                return
            position = self._file.tell()
            yield [_unpack(p) for p in packed]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RowSpool | list):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def close(self) -> None:
        """Drop the rows (the temporary file is deleted)."""
        if self._file is not None:
            self._file.close()
        self._file, self._pending, self._count = None, [], 0

    def __del__(self) -> None:
        self.close()
