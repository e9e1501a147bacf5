"""Tabular files in and out: uploads read with caps, and spreadsheets written without live formulas.

Reading (every Excel/CSV import goes through ``read_table``). An upload is hostile until read: a 100 KB XLSX can hold
a 100 MB string or six million empty rows. So the file is refused as early and as cheaply as possible, always with a
Vietnamese message naming the cap it broke:

1. the name (.xlsx or .csv) and the upload size (``KIEMDINH_IMPORT_MAX_MB``);
2. for XLSX, the zip's table of contents before anything is decompressed: the number of members, each member's and the
   total uncompressed size (``KIEMDINH_IMPORT_MAX_UNZIPPED_MB``) and each large member's compression ratio — a member
   cannot yield more than its declared size (zipfile stops there and checks the CRC), so what follows is bounded;
3. the first sheet streamed through expat (no DOCTYPE, so no entity expansion), never built as a tree: its declared
   dimension, then, as each element arrives, the sheet rows read (empty ones included; ``max_sheet_rows``), the cells
   read (``max_cells``), the columns holding data (``KIEMDINH_IMPORT_MAX_COLUMNS``), each cell's length
   (``KIEMDINH_IMPORT_MAX_CELL_CHARS``; shared strings keep at most that many characters) and the rows holding data
   (``KIEMDINH_IMPORT_MAX_ROWS``). A sheet of six million empty rows stops at row 15,001 (or at its dimension) after
   reading a few hundred kilobytes;
4. CSV likewise (UTF-8, at most the same rows, columns and cell length).

Empty rows are skipped without counting against the data rows, so trailing formatted rows do not make a short list
"too long"; they only count against the larger ``max_sheet_rows``, which exists to stop reading early.

Writing (every XLSX export saves through ``workbook_bytes``). openpyxl stores a text starting with "=" as a formula,
and a cell written as text but starting with =, +, -, @, a tab or a carriage return becomes a formula again when a
person edits it in Excel. ``workbook_bytes`` writes every text cell as text and marks those with Excel's quote prefix
(shown as plain text, kept as text when edited). The project has no CSV export; one would put an apostrophe before
such text (OWASP's advice for CSV, which has no cell types).
"""

import csv
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.cell import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, from_excel, from_ISO8601

from kiemdinh.core.text import fold, nfc

ALLOWED_SUFFIXES = (".xlsx", ".csv")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Format sanity, not tuning: an Excel workbook has a dozen or so parts, and its XML compresses 5-20 times (a sheet
# of formatted empty rows about 10 times). A deflate bomb compresses about a thousand times.
MAX_ZIP_MEMBERS = 1000
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_FROM = 1024 * 1024  # small members may compress as they like
SHEET_ROWS_PER_DATA_ROW = 3  # rows read (empty ones included) before giving up, per row of data allowed
EXCEL_MAX_COLUMNS = 16384
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Caps:
    """The limits one upload is read under (settings ``KIEMDINH_IMPORT_*``; see .env.example)."""

    max_bytes: int
    max_unzipped_bytes: int
    max_rows: int  # rows holding data (one more is allowed for the header)
    max_columns: int
    max_cell_chars: int

    @classmethod
    def from_settings(cls) -> "Caps":
        return cls(
            max_bytes=settings.KIEMDINH_IMPORT_MAX_BYTES,
            max_unzipped_bytes=settings.KIEMDINH_IMPORT_MAX_UNZIPPED_BYTES,
            max_rows=settings.KIEMDINH_IMPORT_MAX_ROWS,
            max_columns=settings.KIEMDINH_IMPORT_MAX_COLUMNS,
            max_cell_chars=settings.KIEMDINH_IMPORT_MAX_CELL_CHARS,
        )

    @property
    def max_sheet_rows(self) -> int:
        """Rows read, empty or not, before the file is refused: stops a sheet of millions of empty rows early."""
        return self.max_rows * SHEET_ROWS_PER_DATA_ROW

    @property
    def max_cells(self) -> int:
        """Cells read, empty or not (a formatted empty cell is an element too): as many as `max_rows` full rows."""
        return self.max_rows * self.max_columns


def number(value: int) -> str:
    """5000 → "5.000", as Vietnamese writes it."""
    return f"{value:,}".replace(",", ".")


def megabytes(size: int) -> str:
    """5242880 → "5", 1572864 → "1,5"."""
    return f"{size / 1024 / 1024:.1f}".rstrip("0").rstrip(".").replace(".", ",")


def max_size_text() -> str:
    return f"{megabytes(settings.KIEMDINH_IMPORT_MAX_BYTES)} MB"


UNREADABLE_XLSX = "Không đọc được tệp Excel. Hãy kiểm tra tệp có đúng định dạng .xlsx và không bị đặt mật khẩu."
UNREADABLE_CSV = "Không đọc được tệp CSV. Hãy lưu lại tệp dưới dạng “CSV UTF-8”."


class _Unreadable(Exception):
    """The file is not what it claims to be (raised inside parser callbacks, turned into a ValidationError)."""


# --- Cell values ---------------------------------------------------------------------------------------------------


def cell_text(value) -> str:
    """A cell as the text the user sees: whole numbers without ".0", dates as dd/mm/yyyy, NFC, spaces collapsed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return " ".join(nfc(str(value)).replace("\xa0", " ").split())


def header_key(text: str) -> str:
    """Header cells are matched loosely: case, diacritics, spaces, a trailing "*" and a "(…)" note are ignored."""
    text = fold(cell_text(text)).rstrip("*").strip()
    if "(" in text:
        text = text.split("(", 1)[0]
    return " ".join(text.split())


def shown(text: str, limit: int = 80) -> str:
    """A value quoted back in a message or a preview, cut to `limit` characters ("…" marks the cut)."""
    return text if len(text) <= limit else text[:limit] + "…"


# --- Reading -------------------------------------------------------------------------------------------------------


def read_table(uploaded_file, *, caps: Caps | None = None) -> list[tuple[int, list[str]]]:
    """Every non-empty row of the file's first sheet as (row number as the spreadsheet shows it, cell texts without
    trailing empty cells); a ValidationError with a Vietnamese message when the file breaks a cap or cannot be read.
    Reads no more of the file than it needs to refuse it."""
    caps = caps or Caps.from_settings()
    name = getattr(uploaded_file, "name", "") or ""
    suffix = PurePath(name).suffix.lower()
    if suffix == ".xls":
        raise ValidationError(
            "Tệp Excel 97-2003 (.xls) không được hỗ trợ. Hãy mở tệp trong Excel và lưu lại dưới dạng .xlsx."
        )
    if suffix not in ALLOWED_SUFFIXES:
        raise ValidationError(f"Tệp “{shown(name)}” không đúng định dạng. Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv).")
    limit = caps.max_bytes
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise ValidationError(f"Tệp quá lớn ({megabytes(size)} MB). Dung lượng tối đa là {megabytes(limit)} MB.")
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(f"Tệp quá lớn. Dung lượng tối đa là {megabytes(limit)} MB.")
    if not data:
        raise ValidationError("Tệp rỗng, không có dữ liệu.")
    rows = _xlsx_rows(data, caps) if suffix == ".xlsx" else _csv_rows(data, caps)
    table = []
    for number_, cells in rows:
        texts = [cell_text(c) for c in cells]
        while texts and not texts[-1]:
            texts.pop()
        if texts:
            table.append((number_, texts))
            if len(table) > caps.max_rows + 1:  # the header row is not data
                raise ValidationError(
                    f"Tệp có hơn {number(caps.max_rows)} dòng dữ liệu. Mỗi lần chỉ nhập được tối đa "
                    f"{number(caps.max_rows)} dòng; hãy chia thành nhiều tệp."
                )
    return table


def _too_many_sheet_rows(caps: Caps, declared: int | None = None) -> ValidationError:
    what = f"khai báo {number(declared)} dòng" if declared else f"có hơn {number(caps.max_sheet_rows)} dòng"
    return ValidationError(
        f"Trang tính đầu tiên {what} (kể cả dòng trống), vượt quá giới hạn {number(caps.max_sheet_rows)} dòng. "
        "Hãy xóa các dòng trống thừa ở cuối bảng, hoặc chia thành nhiều tệp "
        f"(mỗi tệp tối đa {number(caps.max_rows)} dòng dữ liệu)."
    )


def _too_many_columns(caps: Caps, column: int, row: int | None = None) -> ValidationError:
    where = f"Dòng {number(row)} có dữ liệu" if row else "Trang tính đầu tiên có dữ liệu"
    return ValidationError(
        f"{where} ở cột thứ {number(column)} ({get_column_letter(min(column, EXCEL_MAX_COLUMNS))}), vượt quá giới hạn "
        f"{number(caps.max_columns)} cột. Hãy xóa các cột thừa rồi tải lên lại."
    )


def _cell_too_long(caps: Caps, address: str, length: int | None = None) -> ValidationError:
    size = f"có {number(length)} ký tự" if length else f"dài hơn {number(caps.max_cell_chars)} ký tự"
    return ValidationError(
        f"Ô {address} {size}, vượt quá giới hạn {number(caps.max_cell_chars)} ký tự mỗi ô. "
        "Hãy rút gọn nội dung ô này rồi tải lên lại."
    )


# --- XLSX ----------------------------------------------------------------------------------------------------------


def _check_archive(archive: zipfile.ZipFile, caps: Caps) -> None:
    """The zip's table of contents against the caps, before a byte is decompressed."""
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise ValidationError(
            f"Tệp Excel chứa {number(len(members))} phần bên trong, vượt quá giới hạn {number(MAX_ZIP_MEMBERS)} phần "
            "của một bảng tính. Hệ thống không đọc tệp này."
        )
    limit = caps.max_unzipped_bytes
    total = 0
    for member in members:
        if member.flag_bits & 0x1:  # encrypted
            raise _Unreadable
        if member.file_size > limit:
            raise ValidationError(
                f"Tệp Excel khi giải nén có {_part(member.filename)} lớn {megabytes(member.file_size)} MB, vượt quá "
                f"giới hạn {megabytes(limit)} MB{_likely_cause(member.filename)}. Hãy xóa bớt dữ liệu thừa hoặc chia "
                "thành nhiều tệp."
            )
        if member.file_size > RATIO_CHECKED_FROM and member.file_size > MAX_COMPRESSION_RATIO * max(
            member.compress_size, 1
        ):
            raise ValidationError(
                f"Tệp Excel có {_part(member.filename)} bị nén tới "
                f"{number(member.file_size // max(member.compress_size, 1))} lần, vượt quá giới hạn "
                f"{number(MAX_COMPRESSION_RATIO)} lần của một bảng tính thông thường{_likely_cause(member.filename)}. "
                "Hệ thống không đọc tệp này."
            )
        total += member.file_size
    if total > limit:
        raise ValidationError(
            f"Tệp Excel khi giải nén lớn {megabytes(total)} MB, vượt quá giới hạn {megabytes(limit)} MB. "
            "Hãy xóa bớt dữ liệu thừa hoặc chia thành nhiều tệp."
        )


def _part(name: str) -> str:
    """A zip member as a person may understand it: "trang tính (xl/worksheets/sheet1.xml)"."""
    if "worksheets/" in name:
        return f"trang tính “{shown(name, 60)}”"
    if name.endswith("sharedStrings.xml"):
        return f"phần chữ của các ô “{shown(name, 60)}”"
    return f"phần “{shown(name, 60)}”"


def _likely_cause(name: str) -> str:
    if "worksheets/" in name:
        return " (thường do rất nhiều dòng hoặc cột trống có định dạng)"
    if name.endswith("sharedStrings.xml"):
        return " (thường do có ô chứa văn bản rất dài)"
    return ""


def _local(name: str) -> str:
    """An element or attribute name without its prefix ("x:row" → "row"): files use any prefix they like."""
    return name.rpartition(":")[2]


def _refuse_doctype(*_args) -> None:
    raise _Unreadable  # spreadsheets have no DTD; refusing it rules out entity expansion


def _parser() -> expat.XMLParserType:
    parser = expat.ParserCreate()
    parser.buffer_text = True  # character data arrives in pieces of at most buffer_size (8 KB), never whole
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    return parser


def _feed(parser, stream) -> Iterator[None]:
    """Feed a member to the parser in chunks, pausing after each so a generator can hand on what it found."""
    while chunk := stream.read(CHUNK):
        parser.Parse(chunk, False)
        yield
    parser.Parse(b"", True)
    yield


def _parse_all(archive: zipfile.ZipFile, path: str, start=None, end=None, chars=None) -> None:
    parser = _parser()
    if start:
        parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if chars:
        parser.CharacterDataHandler = chars
    with archive.open(path) as stream:
        for _ in _feed(parser, stream):
            pass


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Id → (type, member path) of a part's relationships ("xl/workbook.xml" → "xl/_rels/workbook.xml.rels")."""
    folder, name = posixpath.split(part)
    rels_path = posixpath.join(folder, "_rels", f"{name}.rels")
    found: dict[str, tuple[str, str]] = {}

    def start(tag, attrs):
        if _local(tag) == "Relationship" and "Id" in attrs and "Target" in attrs:
            target = attrs["Target"]
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            found[attrs["Id"]] = (attrs.get("Type", ""), path)

    _parse_all(archive, rels_path, start=start)
    return found


@dataclass
class _Workbook:
    sheet: str  # member path of the first sheet
    shared_strings: str | None
    styles: str | None
    epoch: datetime


def _locate(archive: zipfile.ZipFile) -> _Workbook:
    office = next(
        (path for kind, path in _relationships(archive, "").values() if kind.endswith("/officeDocument")),
        "xl/workbook.xml",
    )
    first_sheet: list[str] = []
    epoch = [WINDOWS_EPOCH]

    def start(tag, attrs):
        name = _local(tag)
        if name == "sheet" and not first_sheet:
            first_sheet.extend(v for k, v in attrs.items() if _local(k) == "id" and k != "sheetId")
        elif name == "workbookPr" and attrs.get("date1904", "").lower() in ("1", "true"):
            epoch[0] = CALENDAR_MAC_1904

    _parse_all(archive, office, start=start)
    relations = _relationships(archive, office)
    if not first_sheet or first_sheet[0] not in relations:
        raise _Unreadable

    def of_type(suffix: str) -> str | None:
        return next((path for kind, path in relations.values() if kind.endswith(suffix)), None)

    return _Workbook(relations[first_sheet[0]][1], of_type("/sharedStrings"), of_type("/styles"), epoch[0])


def _date_styles(archive: zipfile.ZipFile, path: str | None) -> set[int]:
    """Indexes of the cell formats (cellXfs) that show a number as a date, as openpyxl decides it."""
    if not path:
        return set()
    custom: dict[int, str] = {}
    formats: list[int] = []
    inside = [False]

    def start(tag, attrs):
        name = _local(tag)
        if name == "numFmt" and attrs.get("numFmtId", "").isdigit():
            custom[int(attrs["numFmtId"])] = attrs.get("formatCode", "")
        elif name == "cellXfs":
            inside[0] = True
        elif name == "xf" and inside[0]:
            value = attrs.get("numFmtId", "0")
            formats.append(int(value) if value.isdigit() else 0)

    def end(tag):
        if _local(tag) == "cellXfs":
            inside[0] = False

    _parse_all(archive, path, start=start, end=end)
    dates = set()
    for index, format_id in enumerate(formats):
        code = custom.get(format_id, BUILTIN_FORMATS.get(format_id))
        if code and is_date_format(code):
            dates.add(index)
    return dates


@dataclass(frozen=True)
class _TooLong:
    length: int


def _shared_strings(archive: zipfile.ZipFile, path: str | None, caps: Caps) -> list:
    """The shared string table; a string over the cell cap is kept as its length only (refused if a cell uses it)."""
    if not path:
        return []
    strings: list = []
    state = {"parts": [], "length": 0, "collect": False, "phonetic": False}

    def start(tag, attrs):
        name = _local(tag)
        if name == "si":
            state["parts"], state["length"] = [], 0
        elif name == "t" and not state["phonetic"]:
            state["collect"] = True
        elif name == "rPh":
            state["phonetic"] = True

    def chars(data):
        if state["collect"]:
            state["length"] += len(data)
            if state["length"] <= caps.max_cell_chars:
                state["parts"].append(data)

    def end(tag):
        name = _local(tag)
        if name == "t":
            state["collect"] = False
        elif name == "rPh":
            state["phonetic"] = False
        elif name == "si":
            length = state["length"]
            strings.append("".join(state["parts"]) if length <= caps.max_cell_chars else _TooLong(length))

    _parse_all(archive, path, start=start, end=end, chars=chars)
    return strings


_COLUMNS: dict[str, int] = {}  # "AB" → 28, filled as met (at most the 18,278 one- to three-letter names)


def _cell_column(reference: str) -> int:
    letters = reference.rstrip("0123456789")
    column = _COLUMNS.get(letters)
    if column is None:
        if not letters or len(letters) > 3 or not letters.isalpha() or not letters.isascii():
            raise _Unreadable
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
        parser = _parser()
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.chars
        for _ in _feed(parser, stream):
            yield from self.finished
            self.finished.clear()

    def local(self, tag: str) -> str:
        name = self.names.get(tag)
        if name is None:
            name = self.names[tag] = _local(tag)
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
                raise _Unreadable
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
                raise _Unreadable from None
            if self.rows_read > self.max_sheet_rows or self.row > self.max_sheet_rows:
                raise _too_many_sheet_rows(self.caps)
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
                raise _too_many_sheet_rows(self.caps, declared=size[0])
            if size and size[1] > self.max_columns:
                raise _too_many_columns(self.caps, size[1])

    def chars(self, data):
        if self.collect:
            self.length += len(data)
            if self.length > self.max_chars:
                raise _cell_too_long(self.caps, self.address())
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
                            raise _too_many_columns(self.caps, self.column, self.row)
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
                raise _Unreadable from None
            if isinstance(value, _TooLong):
                raise _cell_too_long(self.caps, self.address(), value.length)
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
            raise _Unreadable from None
        if self.cell_style.isdigit() and int(self.cell_style) in self.date_styles:
            try:
                return from_excel(value, self.epoch)
            except (OverflowError, ValueError):
                return value
        return value


def _xlsx_rows(data: bytes, caps: Caps) -> Iterator[tuple[int, list]]:
    try:
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
            raise _Unreadable from None
        with archive:
            _check_archive(archive, caps)
            book = _locate(archive)
            strings = _shared_strings(archive, book.shared_strings, caps)
            reader = _SheetReader(caps, strings, _date_styles(archive, book.styles), book.epoch)
            with archive.open(book.sheet) as stream:
                yield from reader.rows(stream)
    except (
        _Unreadable,
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


# --- CSV -----------------------------------------------------------------------------------------------------------


def _csv_rows(data: bytes, caps: Caps) -> Iterator[tuple[int, list]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            "Tệp CSV phải dùng bảng mã UTF-8. Trong Excel, chọn Lưu thành → “CSV UTF-8 (Comma delimited)”."
        ) from None
    first_line = text[:4096].split("\n", 1)[0]
    # Excel with Vietnamese regional settings separates CSV fields with ";".
    delimiter = max([",", ";", "\t"], key=first_line.count)
    # csv.reader builds a whole record before handing it over: a line is bounded first, so a record of a million
    # fields is never built. A quoted cell may span lines, so this bounds lines, not records.
    longest = caps.max_columns * (caps.max_cell_chars + 3)
    too_long = re.search(f"[^\r\n]{{{longest + 1}}}", text)
    if too_long:
        line = text.count("\n", 0, too_long.start()) + 1
        raise ValidationError(
            f"Dòng {number(line)} của tệp CSV dài hơn {number(longest)} ký tự, vượt quá giới hạn "
            f"{number(caps.max_columns)} cột × {number(caps.max_cell_chars)} ký tự mỗi ô."
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # csv.reader counts records, not physical lines; a quoted cell with a line break is rare enough here.
        for index, row in enumerate(reader, start=1):
            if index > caps.max_sheet_rows:
                raise _too_many_sheet_rows(caps)
            last = max((i for i, cell in enumerate(row, start=1) if cell.strip()), default=0)
            if last > caps.max_columns:
                raise _too_many_columns(caps, last, index)
            for column, cell in enumerate(row[:last], start=1):
                if len(cell) > caps.max_cell_chars:
                    raise _cell_too_long(caps, f"{get_column_letter(column)}{index}", len(cell))
            yield index, row[:last]
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise _cell_too_long(caps, f"ở dòng {number(reader.line_num)}") from None
        raise ValidationError(UNREADABLE_CSV) from None


# --- Writing -------------------------------------------------------------------------------------------------------

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def workbook_bytes(book) -> bytes:
    """Save an openpyxl workbook built from data, with every text cell written as text: never a formula (openpyxl
    makes "=…" one) or an error value ("#N/A"), and text Excel would take for a formula when edited (=, +, -, @, tab,
    carriage return first) marked with the quote prefix. None of the exports writes a formula on purpose."""
    for sheet in book.worksheets:
        # _cells holds only the cells written; iter_rows would create every empty cell of the grid.
        for cell in sheet._cells.values():
            value = cell.value
            if isinstance(value, str):
                cell.data_type = "s"
                if value.startswith(FORMULA_TRIGGERS):
                    cell.quotePrefix = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class ImportPending(ValidationError):
    """A person uploads while a batch of theirs waits for confirmation (one waiting import per person): the refusal
    names the waiting batch, which the start page links."""

    def __init__(self, batch, *, what: str = "lô nhập", where: str = ""):
        self.batch = batch
        super().__init__(
            f"Bạn đang có một {what} chờ xác nhận: tệp “{batch.original_filename}”{where}, tải lên lúc "
            f"{timezone.localtime(batch.created_at):%H:%M ngày %d/%m/%Y}. Hãy xác nhận hoặc hủy lô đó trước khi tải "
            "lên tệp khác."
        )
