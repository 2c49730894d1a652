"""Reading what spreadsheets save as "CSV": the text's encoding, the separator, and the cells that hold dates and
numbers, with no knowledge of any column. Kept apart from the caseload's columns so every CSV the server takes
(the caseload, assignments, plans) reads a file the same way.

What Excel and LibreOffice save, and so what is accepted:
- text: UTF-8 with or without a byte-order mark, UTF-16 with its mark (Excel's "Unicode text"), or, when the
  bytes are not UTF-8, Windows-1252 (Excel's "CSV" on Windows in the UK). A file that is mostly UTF-8 with a
  stray byte that is not (two exports pasted together) is refused at that byte: reading it as Windows-1252 would
  turn every accented letter of the UTF-8 part into two wrong ones;
- separator: a comma, a semicolon (LibreOffice's default where the comma is the decimal mark) or a tab,
  chosen by the caller's test of which one splits the header into the columns it knows;
- dates: YYYY-MM-DD, or day first, DD/MM/YYYY (also with - or .), never month first: 03/04/2026 is 3 April.
  A date written as a number is an Excel serial date (days since 1899-12-30, as Excel counts them). A date
  that does not exist (31/02/2026) is an error saying why, never moved to a neighbouring day.
"""

from __future__ import annotations

import calendar
import codecs
import csv
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

#: What ends a line, for the line an editor shows: the same set `csv.reader` over a `newline=""` stream splits on.
_LINE_END = re.compile(rb"\r\n|\r|\n")
#: A well-formed UTF-8 sequence of two to four bytes: Windows-1252 text almost never holds one (an accented
#: capital followed by a symbol such as "Ã©"), so finding one in bytes that are not UTF-8 means a mixed file.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
#: One line of text with its end, as `io.StringIO(text, newline="")` splits it for `csv.reader` (\r\n, \r or \n).
_TEXT_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
SEPARATORS: tuple[str, ...] = (",", ";", "\t")
SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def text_lines(text: str) -> Iterator[str]:
    """The lines of `text` with their ends, one at a time, for `csv.reader`: what `io.StringIO(text, newline="")`
    gives, without a second copy of the text (a caseload of 100,000 rows is tens of megabytes of it)."""
    return (match.group() for match in _TEXT_LINE.finditer(text))


class SpreadsheetError(ValueError):
    """The file cannot be read as text at all: the line (1-based) and why, for the admin to fix the export."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line, self.reason = line, reason


@dataclass(frozen=True)
class SpreadsheetText:
    text: str
    #: How it was decoded, in words for the preview: "UTF-8 with a byte-order mark", "Windows-1252", ...
    encoding: str


def _line_of(data: bytes, at: int) -> tuple[int, int]:
    """The physical line (1-based) and byte of that line (1-based) of offset `at`: what the admin's editor shows,
    a quoted cell over several lines included."""
    ends = list(_LINE_END.finditer(data, 0, at))
    return len(ends) + 1, at - (ends[-1].end() if ends else 0) + 1


def _bad_byte(data: bytes, at: int, length: int, what: str, advice: str) -> SpreadsheetError:
    line, column = _line_of(data, at)
    bad = data[at : at + max(length, 1)].hex(" ")
    return SpreadsheetError(line, f"the file is not {what} text: byte {column} of this line (0x{bad}, byte "
                                  f"{at + 1:,} of the file) is not {what}; {advice}")


def decode_spreadsheet(data: bytes) -> SpreadsheetText:
    """The text of a spreadsheet's CSV bytes (see the module docstring), or SpreadsheetError at the first bad byte."""
    marks = ((codecs.BOM_UTF8, "utf-8", "UTF-8 with a byte-order mark"),
             (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"), (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"))
    for bom, codec, name in marks:
        if data.startswith(bom):
            try:
                return SpreadsheetText(data[len(bom):].decode(codec), name)
            except UnicodeDecodeError as error:
                raise _bad_byte(data, error.start + len(bom), error.end - error.start, name.split()[0],
                                "save the file again as CSV UTF-8") from None
    try:
        return SpreadsheetText(data.decode("utf-8"), "UTF-8")
    except UnicodeDecodeError as error:
        if _UTF8_SEQUENCE.search(data):
            raise _bad_byte(data, error.start, error.end - error.start, "UTF-8",
                            "the rest of the file is UTF-8, so this part was saved differently: save the whole "
                            "file again as CSV UTF-8") from None
    try:
        return SpreadsheetText(data.decode("cp1252"), "Windows-1252")
    except UnicodeDecodeError as error:
        raise _bad_byte(data, error.start, error.end - error.start, "UTF-8 or Windows-1252",
                        "save the file again as CSV UTF-8") from None


def choose_separator(text: str, score: Callable[[list[str]], int]) -> str:
    """The separator whose split of the first row `score`s best (the caller counts the column names it knows);
    on a tie the one giving more cells, then the comma."""
    def rank(separator: str) -> tuple[int, int, int]:
        try:
            header = next(csv.reader(text_lines(text), delimiter=separator), [])
        except csv.Error:  # a header this separator cannot read (a cell over the csv module's limit): the
            header = []    # caller's own reading reports it on line 1
        return score(header), len(header), -SEPARATORS.index(separator)

    return max(SEPARATORS, key=rank)


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_FIRST = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{2,4})")
_MIDNIGHT = re.compile(r"[T ]00:00(?::00(?:\.0+)?)?$")  # a date cell a spreadsheet wrote with its time
_SERIAL = re.compile(r"\d{1,7}(?:\.0+)?")
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 once Excel's phantom 29 February 1900 is allowed for
_FIRST_SERIAL = 61  # 1900-03-01: before it, Excel's serials are off by one day
_LAST_SERIAL = (dt.date(9999, 12, 31) - _EXCEL_EPOCH).days
DATE_FORMS = "YYYY-MM-DD, DD/MM/YYYY (day first) or an Excel date number"


def _calendar_date(year: int, month: int, day: int, written: str) -> dt.date:
    if not 1 <= month <= 12:
        raise ValueError(f"{written!r} is not a date: there is no month {month} (dates are read day first, "
                         "DD/MM/YYYY, never month first)")
    days = calendar.monthrange(year, month)[1] if 1 <= year <= 9999 else 0
    if not 1 <= day <= days:
        if days == 0:
            raise ValueError(f"{written!r} is not a date: the year {year} is out of range")
        raise ValueError(f"{written!r} is not a date: {calendar.month_name[month]} {year} has {days} days")
    return dt.date(year, month, day)


def read_date(value: str) -> dt.date:
    """A date cell as spreadsheets write it (see the module docstring); ValueError saying why it is not one."""
    text = value.strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return dt.date.fromisoformat(text)  # the usual case, quickly: MIS exports write ISO dates
        except ValueError:
            pass  # said why below
    text = _MIDNIGHT.sub("", text)
    if match := _ISO.fullmatch(text):
        year, month, day = map(int, match.groups())
        return _calendar_date(year, month, day, value)
    if match := _DAY_FIRST.fullmatch(text):
        day, _, month, year_text = match.groups()
        if len(year_text) != 4:
            raise ValueError(f"{value!r} has a year of {len(year_text)} digits: write it in full, DD/MM/YYYY")
        return _calendar_date(int(year_text), int(month), int(day), value)
    if _SERIAL.fullmatch(text):
        serial = int(float(text))
        if not _FIRST_SERIAL <= serial <= _LAST_SERIAL:
            raise ValueError(f"{value!r} is not a date: as an Excel date number it would fall outside "
                             "1 March 1900 to 31 December 9999")
        return _EXCEL_EPOCH + dt.timedelta(days=serial)
    raise ValueError(f"{value!r} is not a date written as {DATE_FORMS}")


def read_number(value: str, *, decimal_comma: bool) -> float:
    """A number cell; with `decimal_comma` (a semicolon-separated file, saved where the comma is the decimal mark)
    "278,5" is 278.5. Thousands separators are refused rather than guessed at."""
    text = value.strip()
    if decimal_comma and re.fullmatch(r"-?\d+,\d+", text):
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{value!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"{value!r} is not a number")
    return number


def column_letter(index: int) -> str:
    """A 0-based column index as the spreadsheet shows it: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
