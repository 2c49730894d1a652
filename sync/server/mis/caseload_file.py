"""A caseload file as the admin hands it over: an ILR XML file or the caseload CSV, told apart by content.

The file's name says nothing reliable (an MIS may save an ILR as .txt, or a CSV as .xml), so the first bytes
decide: XML starts with "<" (after any byte-order mark and white space), a CSV never does in its header row. An
ILR file is streamed from disk (it can be large); a CSV is read whole, as it always was. Either way the good rows
go to a spool on disk (row_spool.py), not to memory: the import reads them back chunk by chunk.
"""

from __future__ import annotations

from pathlib import Path

from ..caseload_csv import ParsedCaseload, parse_caseload

#: Bytes read to tell XML from CSV.
HEAD_BYTES = 64


class ReaderMissing(RuntimeError):
    """The file is XML but the XML reader (lxml, of the server's dependencies) is not installed."""


def looks_like_xml(head: bytes) -> bool:
    """True when a file's first bytes are XML rather than CSV (UTF-8, or UTF-16 either way round)."""
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        head = head.removeprefix(bom)
    return head.lstrip(b" \t\r\n").startswith(b"<") or head.startswith((b"<\x00", b"\x00<"))


def read_caseload_file(path: Path) -> ParsedCaseload:
    """The rows and problems of a caseload file, ILR or CSV. OSError when it cannot be read."""
    with path.open("rb") as source:
        if not looks_like_xml(source.read(HEAD_BYTES)):
            source.seek(0)
            return parse_caseload(source.read(), spool=True)
        source.seek(0)
        try:
            from .ilr import parse_ilr
        except ImportError as error:
            raise ReaderMissing(f"{path.name} is an XML file, and reading ILR XML needs lxml ({error}): install "
                                "the server's dependencies with `pip install 'reviewapp[server]'`") from None
        return parse_ilr(source, spool=True)
