"""The parts of an XLSX file around its first sheet, read cheaply and under the caps: the zip's table of contents
checked before anything is decompressed, the workbook's relationships (which member is the first sheet), the date
formats of its styles and its shared strings. XML is streamed through expat with no DOCTYPE (no entity expansion).
"""

import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from xml.parsers import expat

from django.core.exceptions import ValidationError
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH

from kiemdinh.core.tabular.caps import Caps, megabytes, number
from kiemdinh.core.tabular.cells import shown
from kiemdinh.core.tabular.refusals import Unreadable

# Format sanity, not tuning: an Excel workbook has a dozen or so parts, and its XML compresses 5-20 times (a sheet
# of formatted empty rows about 10 times). A deflate bomb compresses about a thousand times.
MAX_ZIP_MEMBERS = 1000
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_FROM = 1024 * 1024  # small members may compress as they like
CHUNK = 64 * 1024


def check_archive(archive: zipfile.ZipFile, caps: Caps) -> None:
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
            raise Unreadable
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


def local_name(name: str) -> str:
    """An element or attribute name without its prefix ("x:row" → "row"): files use any prefix they like."""
    return name.rpartition(":")[2]


def _refuse_doctype(*_args) -> None:
    raise Unreadable  # spreadsheets have no DTD; refusing it rules out entity expansion


def xml_parser() -> expat.XMLParserType:
    parser = expat.ParserCreate()
    parser.buffer_text = True  # character data arrives in pieces of at most buffer_size (8 KB), never whole
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    return parser


def feed(parser, stream) -> Iterator[None]:
    """Feed a member to the parser in chunks, pausing after each so a generator can hand on what it found."""
    while chunk := stream.read(CHUNK):
        parser.Parse(chunk, False)
        yield
    parser.Parse(b"", True)
    yield


def parse_all(archive: zipfile.ZipFile, path: str, start=None, end=None, chars=None) -> None:
    parser = xml_parser()
    if start:
        parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if chars:
        parser.CharacterDataHandler = chars
    with archive.open(path) as stream:
        for _ in feed(parser, stream):
            pass


def relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Id → (type, member path) of a part's relationships ("xl/workbook.xml" → "xl/_rels/workbook.xml.rels")."""
    folder, name = posixpath.split(part)
    rels_path = posixpath.join(folder, "_rels", f"{name}.rels")
    found: dict[str, tuple[str, str]] = {}

    def start(tag, attrs):
        if local_name(tag) == "Relationship" and "Id" in attrs and "Target" in attrs:
            target = attrs["Target"]
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            found[attrs["Id"]] = (attrs.get("Type", ""), path)

    parse_all(archive, rels_path, start=start)
    return found


@dataclass
class WorkbookParts:
    sheet: str  # member path of the first sheet
    shared_strings: str | None
    styles: str | None
    epoch: datetime


def locate_parts(archive: zipfile.ZipFile) -> WorkbookParts:
    office = next(
        (path for kind, path in relationships(archive, "").values() if kind.endswith("/officeDocument")),
        "xl/workbook.xml",
    )
    first_sheet: list[str] = []
    epoch = [WINDOWS_EPOCH]

    def start(tag, attrs):
        name = local_name(tag)
        if name == "sheet" and not first_sheet:
            first_sheet.extend(v for k, v in attrs.items() if local_name(k) == "id" and k != "sheetId")
        elif name == "workbookPr" and attrs.get("date1904", "").lower() in ("1", "true"):
            epoch[0] = CALENDAR_MAC_1904

    parse_all(archive, office, start=start)
    relations = relationships(archive, office)
    if not first_sheet or first_sheet[0] not in relations:
        raise Unreadable

    def of_type(suffix: str) -> str | None:
        return next((path for kind, path in relations.values() if kind.endswith(suffix)), None)

    return WorkbookParts(relations[first_sheet[0]][1], of_type("/sharedStrings"), of_type("/styles"), epoch[0])


def date_style_indexes(archive: zipfile.ZipFile, path: str | None) -> set[int]:
    """Indexes of the cell formats (cellXfs) that show a number as a date, as openpyxl decides it."""
    if not path:
        return set()
    custom: dict[int, str] = {}
    formats: list[int] = []
    inside = [False]

    def start(tag, attrs):
        name = local_name(tag)
        if name == "numFmt" and attrs.get("numFmtId", "").isdigit():
            custom[int(attrs["numFmtId"])] = attrs.get("formatCode", "")
        elif name == "cellXfs":
            inside[0] = True
        elif name == "xf" and inside[0]:
            value = attrs.get("numFmtId", "0")
            formats.append(int(value) if value.isdigit() else 0)

    def end(tag):
        if local_name(tag) == "cellXfs":
            inside[0] = False

    parse_all(archive, path, start=start, end=end)
    dates = set()
    for index, format_id in enumerate(formats):
        code = custom.get(format_id, BUILTIN_FORMATS.get(format_id))
        if code and is_date_format(code):
            dates.add(index)
    return dates


@dataclass(frozen=True)
class TooLong:
    length: int


def read_shared_strings(archive: zipfile.ZipFile, path: str | None, caps: Caps) -> list:
    """The shared string table; a string over the cell cap is kept as its length only (refused if a cell uses it)."""
    if not path:
        return []
    strings: list = []
    state = {"parts": [], "length": 0, "collect": False, "phonetic": False}

    def start(tag, attrs):
        name = local_name(tag)
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
        name = local_name(tag)
        if name == "t":
            state["collect"] = False
        elif name == "rPh":
            state["phonetic"] = False
        elif name == "si":
            length = state["length"]
            strings.append("".join(state["parts"]) if length <= caps.max_cell_chars else TooLong(length))

    parse_all(archive, path, start=start, end=end, chars=chars)
    return strings
