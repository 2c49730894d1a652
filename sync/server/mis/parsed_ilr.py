"""What reading an ILR file gives, apart from the reader itself, so that code which only reports on it (the command
line) does not need lxml."""

from __future__ import annotations

from dataclasses import dataclass

from ..caseload_csv import ParsedCaseload


@dataclass
class ParsedIlr(ParsedCaseload):
    """The rows and problems of an ILR file, with its year and how many learners were left out as not apprentices."""

    year: str = ""
    learners: int = 0
    not_apprentices: int = 0
    #: The XML breaks somewhere (not well-formed): nothing of the file may be imported.
    unreadable: bool = False
