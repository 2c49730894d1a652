"""Reading an ILR XML file into the caseload rows the import takes, streamed, validated against its year's schema.

The file is read with lxml's `iterparse`, one top-level element at a time (the header, then each `Learner`), and
each is dropped once read, so the document is never held: what the reader keeps is, to find a learner given twice,
each learner's ULN and reference with its line, and the rows it takes (on disk, in a `RowSpool`, when an import
reads a file: `parse_ilr(..., spool=True)`). The year is told by the
root element's namespace (`ESFA/ILR/2025-26`); a namespace with no mapping in `YEARS` is refused as a whole.

Validation is the year's XSD, applied element by element: the schema's own declarations of the `Message`'s
children (`Header`, `SourceFiles`, `LearningProvider`, `Learner`) are made global in a copy of it, and each element
is validated against its declaration as soon as it is read. Validating the whole document in one go would need the
whole tree in memory, and validating while parsing (lxml can) reports no line numbers; this way every error has its
line, and all of a learner's errors are reported at once. The `Message`'s own sequence (a header, then the
provider, then one learner or more) is checked here as the schema states it.

What the schema cannot check is checked after it, learner by learner, on apprentices only (see ilr_mapping): the
ULN's check digit, a learner in the file twice (by ULN, or by LearnRefNumber), dates this server cannot hold. Any
problem is reported with its line, and the import (shared with the CSV, caseload_import.py) writes nothing unless
asked to skip the bad learners.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from sync.protocol import TEMPORARY_ULN

from ..caseload_csv import CaseloadRow, RowProblem
from ..row_spool import RowSpool
from .ilr_2025_26 import Ilr2025To26
from .ilr_mapping import IlrYear, LearnerProblem, Node
from .parsed_ilr import ParsedIlr

SCHEMAS = Path(__file__).with_name("schemas")
_POSITION = re.compile(r",? line \d+(, column \d+)?\s*$")
XS = "http://www.w3.org/2001/XMLSchema"
#: The ILR years this server reads, by namespace.
YEARS: dict[str, IlrYear] = {year.namespace: year for year in (Ilr2025To26(),)}
#: The Message's children in the schema's order, with how often each may appear (at least, at most).
MESSAGE_SEQUENCE: tuple[tuple[str, int, int | None], ...] = (
    ("Header", 1, 1), ("SourceFiles", 0, 1), ("LearningProvider", 1, 1), ("Learner", 1, None))
#: Schema errors reported for one learner at most; the rest are counted.
ERRORS_PER_ELEMENT = 5


class NotIlr(ValueError):
    """The XML is not an ILR file (another root element)."""


@cache
def _part_schema(schema_file: str) -> etree.XMLSchema:
    """The year's schema with the Message's children made global, so that each can be validated on its own."""
    tree = etree.parse(str(SCHEMAS / schema_file), etree.XMLParser(resolve_entities=False, no_network=True))
    root = tree.getroot()
    sequence = root.find(f"{{{XS}}}element[@name='Message']/{{{XS}}}complexType/{{{XS}}}sequence")
    if sequence is None:
        raise RuntimeError(f"{schema_file} has no Message sequence: it is not an ILR schema")
    for declaration in sequence.iterfind(f"{{{XS}}}element"):
        part = copy.deepcopy(declaration)
        part.attrib.pop("minOccurs", None)
        part.attrib.pop("maxOccurs", None)
        root.append(part)
    return etree.XMLSchema(tree)


def _parser_options() -> dict[str, object]:
    # No DTDs, no entities from anywhere, no network: an upload is not trusted.
    return {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}


def _root_namespace(source: BinaryIO) -> tuple[str, str]:
    """The root element's namespace and local name, from the first start event only."""
    for _, element in etree.iterparse(source, events=("start",), **_parser_options()):
        docinfo = element.getroottree().docinfo
        if docinfo.doctype or docinfo.internalDTD is not None:
            # An ILR file never has one, and its entities could hide content from the schema (or blow it up).
            raise NotIlr("the XML file has a DOCTYPE declaration, which an ILR file never has: export it again "
                         "from the MIS")
        name = etree.QName(element)
        return name.namespace or "", name.localname
    raise NotIlr("the XML file has no root element")


def parse_ilr(source: BinaryIO, *, spool: bool = False) -> ParsedIlr:
    """Every apprentice of an ILR file and every problem, with its line; `source` must be seekable. With `spool`,
    the rows go to a `RowSpool` on disk as they are read (what an import of a file does), not to a list."""
    parsed = ParsedIlr()
    rows: list[CaseloadRow] | RowSpool = RowSpool() if spool else []
    for row in iter_ilr(source, parsed):
        rows.append(row)
    # After a break in the XML nothing can be read, so even the learners before it are not taken: importing them
    # alone (with --skip-bad-rows) would be importing part of a file as if it were the whole.
    if parsed.unreadable and isinstance(rows, RowSpool):
        rows.close()
    parsed.rows = [] if parsed.unreadable else rows
    parsed.problems.sort(key=lambda p: p.line)
    return parsed


def iter_ilr(source: BinaryIO, parsed: ParsedIlr) -> Iterator[CaseloadRow]:
    """The apprentices of an ILR file one by one, as it is read; the year, counts and problems go into `parsed`
    as they are found (`parsed.rows` is left alone). Holds no more of the file than one learner at a time."""
    start = source.tell()
    try:
        namespace, root = _root_namespace(source)
    except etree.XMLSyntaxError as error:
        parsed.problems.append(_syntax_problem(error))
        parsed.unreadable = True
        return
    except NotIlr as error:
        parsed.problems.append(RowProblem(1, str(error)))
        return
    if root != "Message":
        parsed.problems.append(RowProblem(1, f"the XML file is not an ILR file: its root element is {root!r}"
                                          + (f" in the namespace {namespace!r}" if namespace else "")
                                          + ", not an ILR Message"))
        return
    year = YEARS.get(namespace)
    if year is None:
        known = ", ".join(f"{y.label} ({y.namespace})" for y in YEARS.values())
        parsed.problems.append(RowProblem(1, f"the file is an ILR of a year this server does not read (namespace "
                                          f"{namespace!r}); it reads the ILR for {known}"))
        return
    parsed.year = year.label
    source.seek(start)
    yield from _read(source, year, parsed)


def parse_ilr_file(path: Path) -> ParsedIlr:
    with path.open("rb") as source:
        return parse_ilr(source)


def _syntax_problem(error: etree.XMLSyntaxError) -> RowProblem:
    line = error.lineno or 1
    message = error.msg or str(error)
    message = _POSITION.sub("", message)  # libxml2 repeats the position; the line is ours to report
    return RowProblem(line, f"the file is not well-formed XML: {message}; nothing in it can be imported until it "
                            "is exported again")


def _top_level(source: BinaryIO, namespace: str) -> Iterator[etree._Element]:
    """The root's children, one at a time, each dropped from the tree once the caller has read it.

    Only the Message's own children come up to Python (the parser filters by tag: a learner's forty elements stay
    in C). Any other element at the top is yielded too, once the next known one (or the end) shows it is there,
    so the caller can report it; comments are dropped."""
    tags = [f"{{{namespace}}}{name}" for name, _, _ in MESSAGE_SEQUENCE]
    context = etree.iterparse(source, events=("end",), tag=tags, **_parser_options())
    done: etree._Element | None = None
    for _, element in context:
        parent = element.getparent()
        if parent is None or parent.getparent() is not None:
            continue  # nested inside another element: that element's validation reports it
        while (previous := element.getprevious()) is not None:
            if previous is not done and isinstance(previous.tag, str):
                yield previous
            parent.remove(previous)
        yield element
        element.clear()
        done = element
    for child in context.root if context.root is not None else ():
        if child is not done and isinstance(child.tag, str):
            yield child


def _read(source: BinaryIO, year: IlrYear, parsed: ParsedIlr) -> Iterator[CaseloadRow]:
    schema = _part_schema(year.schema_file)
    order = [name for name, _, _ in MESSAGE_SEQUENCE]
    counts = dict.fromkeys(order, 0)
    last_position, last_line = -1, 1
    seen_uln: dict[str, int] = {}
    seen_ref: dict[str, int] = {}
    try:
        for element in _top_level(source, year.namespace):
            last_line = element.sourceline or last_line
            name = etree.QName(element)
            if name.namespace != year.namespace or name.localname not in counts:
                parsed.problems.append(RowProblem(last_line, f"{name.localname!r} is not an element of an ILR "
                                                  "Message"))
                continue
            position = order.index(name.localname)
            counts[name.localname] += 1
            most = MESSAGE_SEQUENCE[position][2]
            if position < last_position:
                parsed.problems.append(RowProblem(last_line, f"{name.localname} comes after "
                                                  f"{order[last_position]}; the schema puts it before"))
            elif most is not None and counts[name.localname] > most:
                parsed.problems.append(RowProblem(last_line, f"the file has more than one {name.localname}"))
            last_position = max(last_position, position)
            try:
                valid = schema.validate(element)
            except etree.XMLSchemaValidateError as error:
                # libxml2 gave up on the element: seen only with entity references, which come with a DOCTYPE
                # (refused above); kept so that whatever else does it is a problem on its line, never a crash.
                parsed.problems.append(RowProblem(last_line, f"this {name.localname} cannot be checked against the "
                                                  f"ILR schema ({error}); export the file again from the MIS"))
                continue
            if not valid:
                errors = list(schema.error_log)
                for entry in errors[:ERRORS_PER_ELEMENT]:
                    parsed.problems.append(RowProblem(entry.line or last_line, _schema_message(entry.message)))
                if len(errors) > ERRORS_PER_ELEMENT:
                    parsed.problems.append(RowProblem(errors[ERRORS_PER_ELEMENT].line or last_line, (
                        f"and {len(errors) - ERRORS_PER_ELEMENT} more schema error(s) in this {name.localname}")))
                if name.localname == "Learner":
                    parsed.learners += 1
                continue
            if name.localname == "Learner":
                parsed.learners += 1
                row = _take_learner(Node(element, year.namespace), year, parsed, seen_uln, seen_ref)
                if row is not None:
                    yield row
    except etree.XMLSyntaxError as error:
        parsed.problems.append(_syntax_problem(error))
        parsed.unreadable = True
        return
    for name, least, _ in MESSAGE_SEQUENCE:
        if counts[name] < least:
            parsed.problems.append(RowProblem(last_line, f"the file has no {name}; an ILR Message needs one"))


def _schema_message(message: str) -> str:
    """libxml2's message, with the namespace taken out of element names (`Element 'ULN': ...`), and a hint on
    dates (the schema's word for a day that does not exist, or one not written YYYY-MM-DD, is "not valid")."""
    for namespace in YEARS:
        message = message.replace(f"{{{namespace}}}", "")
    if "atomic type 'xs:date'" in message:
        message += " Dates are written YYYY-MM-DD, and must be days that exist."
    return f"not valid against the ILR schema: {message}"


def _take_learner(learner: Node, year: IlrYear, parsed: ParsedIlr, seen_uln: dict[str, int],
                  seen_ref: dict[str, int]) -> CaseloadRow | None:
    """The learner's row, or None (with the problem recorded, or counted as not an apprentice)."""
    try:
        row = year.row(learner)
    except LearnerProblem as problem:
        parsed.problems.append(problem.problem)
        return None
    if row is None:
        parsed.not_apprentices += 1
        return None
    uln, ref = row.learner["uln"], row.learner["learner_ref"]
    if ref in seen_ref:
        parsed.problems.append(RowProblem(row.line, f"LearnRefNumber {ref} is already the learner on line "
                                          f"{seen_ref[ref]}: the file holds the learner twice"))
        return None
    if uln != TEMPORARY_ULN and uln in seen_uln:
        parsed.problems.append(RowProblem(learner.line_of("ULN"), f"ULN {uln} is already the learner on line "
                                          f"{seen_uln[uln]}: the file holds the learner twice"))
        return None
    seen_ref[ref] = row.line
    if uln != TEMPORARY_ULN:
        seen_uln[uln] = row.line
    return row
