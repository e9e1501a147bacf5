"""The first sheet of an XLSX file streamed into rows of cell values, the caps enforced as each element arrives."""

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from datetime import datetime
from xml.parsers import expat

from django.core.exceptions import ValidationError
from openpyxl.utils.cell import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import from_excel, from_ISO8601

from kiemdinh.core.tabular.caps import EXCEL_MAX_COLUMNS, Caps, number
from kiemdinh.core.tabular.refusals import (
    UNREADABLE_XLSX,
    Unreadable,
    cell_too_long,
    too_many_columns,
    too_many_sheet_rows,
)
from kiemdinh.core.tabular.xlsx_parts import (
    TooLong,
    check_archive,
    date_style_indexes,
    feed,
    local_name,
    locate_parts,
    read_shared_strings,
    xml_parser,
)

_COLUMNS: dict[str, int] = {}  # "AB" → 28, filled as met (at most the 18,278 one- to three-letter names)


def _cell_column(reference: str) -> int:
    letters = reference.rstrip("0123456789")
    column = _COLUMNS.get(letters)
    if column is None:
        if not letters or len(letters) > 3 or not letters.isalpha() or not letters.isascii():
            raise Unreadable
        column = _COLUMNS[letters] = column_index_from_string(letters.upper())
    return column


def _dimension_size(reference: str) -> tuple[int, int] | None:
    """(last row, last column) of a dimension such as "A1:F6000000"; None when it cannot be read."""
    match = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d{1,9})", reference.rpartition(":")[2].strip())
    if not match:
        return None
    return int(match[2]), column_index_from_string(match[1].upper())


class _SheetReader:
    """Turns the stream of a sheet's XML into rows of cell values, enforcing the caps as each element arrives.

    The handlers run once per element of a sheet that may hold hundreds of thousands of cells, so they do little:
    element names are looked up once per distinct name, values are converted only for cells that have one."""

    def __init__(self, caps: Caps, strings: list, date_styles: set[int], epoch: datetime):
        self.caps, self.strings, self.date_styles, self.epoch = caps, strings, date_styles, epoch
        self.max_cells, self.max_sheet_rows = caps.max_cells, caps.max_sheet_rows
        self.max_chars, self.max_columns = caps.max_cell_chars, caps.max_columns
        self.finished: list[tuple[int, list]] = []
        self.names: dict[str, str] = {}
        self.rows_read = self.cells_read = 0
        self.row = 0  # the current row's number
        self.column = 0  # the current cell's column
        self.values: dict[int, object] = {}
        self.in_cell = False
        self.cell_type = self.cell_style = ""
        self.text: list[str] = []
        self.length = 0
        self.collect = self.inline = self.phonetic = False

    def rows(self, stream) -> Iterator[tuple[int, list]]:
        parser = xml_parser()
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.chars
        for _ in feed(parser, stream):
            yield from self.finished
            self.finished.clear()

    def local(self, tag: str) -> str:
        name = self.names.get(tag)
        if name is None:
            name = self.names[tag] = local_name(tag)
        return name

    def address(self) -> str:
        return f"{get_column_letter(min(max(self.column, 1), EXCEL_MAX_COLUMNS))}{self.row}"

    def start(self, tag, attrs):
        name = self.local(tag)
        if name == "c" and not self.in_cell:
            self.cells_read += 1
            if self.cells_read > self.max_cells:
                raise ValidationError(
                    f"Trang tính đầu tiên có hơn {number(self.max_cells)} ô (kể cả ô trống có định dạng), vượt "
                    "quá giới hạn. Hãy xóa các dòng, cột trống thừa rồi tải lên lại."
                )
            reference = attrs.get("r")
            self.column = _cell_column(reference) if reference else self.column + 1
            if self.column > EXCEL_MAX_COLUMNS:
                raise Unreadable
            self.in_cell = True
            self.cell_type = attrs.get("t", "n")
            self.cell_style = attrs.get("s", "")
            self.text = []
            self.length = 0
        elif name == "row":
            self.rows_read += 1
            reference = attrs.get("r")
            try:
                self.row = int(reference) if reference else self.row + 1
            except ValueError:
                raise Unreadable from None
            if self.rows_read > self.max_sheet_rows or self.row > self.max_sheet_rows:
                raise too_many_sheet_rows(self.caps)
            self.values, self.column = {}, 0
        elif self.in_cell:
            if name == "v":
                self.collect = True
            elif name == "is":
                self.inline = True
            elif name == "rPh":
                self.phonetic = True
            elif name == "t" and self.inline and not self.phonetic:
                self.collect = True
        elif name == "dimension":
            size = _dimension_size(attrs.get("ref", ""))
            if size and size[0] > self.max_sheet_rows:
                raise too_many_sheet_rows(self.caps, declared=size[0])
            if size and size[1] > self.max_columns:
                raise too_many_columns(self.caps, size[1])

    def chars(self, data):
        if self.collect:
            self.length += len(data)
            if self.length > self.max_chars:
                raise cell_too_long(self.caps, self.address())
            self.text.append(data)

    def end(self, tag):
        name = self.local(tag)
        if name == "c":
            if self.in_cell:
                self.in_cell = self.collect = self.inline = self.phonetic = False
                if self.text:
                    value = self.value("".join(self.text))
                    if value is not None and value != "":
                        if self.column > self.max_columns:
                            raise too_many_columns(self.caps, self.column, self.row)
                        self.values[self.column] = value
        elif name in ("v", "t"):
            self.collect = False
        elif name == "row":
            if self.values:
                row = [None] * max(self.values)
                for column, value in self.values.items():
                    row[column - 1] = value
                self.finished.append((self.row, row))
            self.values = {}
        elif name == "is":
            self.inline = False
        elif name == "rPh":
            self.phonetic = False

    def value(self, text: str):
        kind = self.cell_type
        if kind in ("inlineStr", "str", "e"):
            return text
        if kind == "s":
            try:
                value = self.strings[int(text)]
            except (ValueError, IndexError):
                raise Unreadable from None
            if isinstance(value, TooLong):
                raise cell_too_long(self.caps, self.address(), value.length)
            return value
        if kind == "b":
            return text.strip() == "1"
        if kind == "d":
            try:
                return from_ISO8601(text)
            except ValueError:
                return text
        try:
            value = float(text) if any(ch in text for ch in ".eE") else int(text)
        except ValueError:
            raise Unreadable from None
        if self.cell_style.isdigit() and int(self.cell_style) in self.date_styles:
            try:
                return from_excel(value, self.epoch)
            except (OverflowError, ValueError):
                return value
        return value


def xlsx_rows(data: bytes, caps: Caps) -> Iterator[tuple[int, list]]:
    try:
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
            raise Unreadable from None
        with archive:
            check_archive(archive, caps)
            book = locate_parts(archive)
            strings = read_shared_strings(archive, book.shared_strings, caps)
            reader = _SheetReader(caps, strings, date_style_indexes(archive, book.styles), book.epoch)
            with archive.open(book.sheet) as stream:
                yield from reader.rows(stream)
    except (
        Unreadable,
        KeyError,
        expat.ExpatError,
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        NotImplementedError,
        RuntimeError,
    ):
        raise ValidationError(UNREADABLE_XLSX) from None
