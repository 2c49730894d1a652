"""A small CSV file of named columns, read as every CSV the server takes is read (spreadsheet.py): its rows as
{column: cell} with their lines, and every problem with its line.

Shared by the plan templates and starting points files, whose columns are few and fixed: each column has a name
and the other names a spreadsheet may give it ("Plan item code" for `code`), matched in any case, with spaces or
underscores, in any order.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .caseload_csv import RowProblem
from .spreadsheet import SpreadsheetError, choose_separator, decode_spreadsheet


def column_name(header: str) -> str:
    """A header cell as a column name: any case, spaces or underscores ("Planned date" → planned_date)."""
    return "_".join(header.strip().casefold().replace("_", " ").split())


@dataclass(frozen=True)
class TableRow:
    line: int
    cells: dict[str, str]


@dataclass
class Table:
    rows: list[TableRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    #: True when the file was semicolon-separated (so a decimal comma may be meant).
    semicolons: bool = False


def read_table(data: bytes, columns: Mapping[str, Sequence[str]], required: Sequence[str], what: str) -> Table:
    """The rows of a CSV file's bytes by column (`columns` maps each column to its other names), or problems.

    A header lacking a `required` column, or naming one column twice, is one problem on line 1 and no rows; blank
    rows are skipped; cells are stripped, and columns the file lacks read as empty. `what` names the file for
    the message ("a plans file").
    """
    table = Table()
    names = {column_name(alias): column for column, aliases in columns.items() for alias in (column, *aliases)}
    try:
        text = decode_spreadsheet(data).text
    except SpreadsheetError as error:
        table.problems.append(RowProblem(error.line, error.reason))
        return table
    separator = choose_separator(text, lambda cells: sum(column_name(c) in names for c in cells))
    table.semicolons = separator == ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        header = [names.get(column_name(cell)) for cell in next(reader, [])]
    except csv.Error as error:
        table.problems.append(RowProblem(1, f"the header row cannot be read: {error}"))
        return table
    twice = sorted({c for c in header if c is not None and header.count(c) > 1})
    missing = [c for c in required if c not in header]
    if twice or missing:
        why = (f"the header row names the column(s) {', '.join(twice)} more than once" if twice else
               f"the header row lacks the column(s): {', '.join(missing)} ({what} has the columns "
               f"{', '.join(required)})")
        table.problems.append(RowProblem(1, why))
        return table
    where = {column: header.index(column) for column in columns if column in header}
    start = reader.line_num + 1
    try:
        for values in reader:
            line, start = start, reader.line_num + 1
            if not any(v.strip() for v in values):
                continue
            table.rows.append(TableRow(line, {c: values[i].strip() if i < len(values) else ""
                                              for c, i in where.items()} | {c: "" for c in columns if c not in where}))
    except csv.Error as error:
        table.problems.append(RowProblem(start, f"the CSV cannot be read here: {error}"))
    return table
