"""Hostile spreadsheets for the import tests, generated in the test (a few kilobytes each), never committed.

``xlsx`` writes a minimal but valid workbook by hand — the parts Excel writes, the sheet XML streamed into the zip in
pieces — so a sheet of six million empty rows or a 100 MB shared string costs a second to make and stays tiny on disk,
and openpyxl (what the imports used before the caps) opens it like any workbook.
"""

import io
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl.utils import get_column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="Danh sách" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PKG_REL}">
<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId3" Type="{REL}/styles" Target="styles.xml"/>
</Relationships>"""
# Style 1 shows a number as a date (built-in format 14), as Excel does for a typed date.
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>"""


def _cell(row: int, column: int, value) -> str:
    ref = f"{get_column_letter(column)}{row}"
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def rows_xml(rows: Iterable[Iterable], start: int = 1) -> str:
    """Rows of values as sheet XML (text as inline strings)."""
    out = []
    for number, values in enumerate(rows, start=start):
        cells = "".join(_cell(number, column, v) for column, v in enumerate(values, start=1))
        out.append(f'<row r="{number}">{cells}</row>')
    return "".join(out)


def xlsx(
    sheet_data: Iterable[str] = (),
    *,
    shared_strings: Iterable[str] = (),
    dimension: str | None = None,
    extra_members: Iterable[tuple[str, bytes]] = (),
) -> bytes:
    """A workbook whose first sheet's <sheetData> is the concatenation of `sheet_data` (XML text, streamed in
    pieces) and whose shared string table is `shared_strings` (pieces of the XML inside <sst>, streamed too)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", STYLES)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            member.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="{MAIN}">'.encode())
            for piece in shared_strings:
                member.write(piece.encode())
            member.write(b"</sst>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN}" xmlns:r="{REL}">'
            if dimension:
                head += f'<dimension ref="{dimension}"/>'
            member.write((head + "<sheetData>").encode())
            for piece in sheet_data:
                member.write(piece.encode())
            member.write(b"</sheetData></worksheet>")
        for name, data in extra_members:
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(data: bytes, name: str = "danh-sach.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def giant_shared_string(header: list[str], size: int, column: int = 2) -> bytes:
    """The header, then one row whose cell (row 2, `column`) is a shared string of `size` characters ("A"s); the
    file is about size/1000 bytes."""
    chunk = "A" * (1024 * 1024)

    def pieces():
        yield "<si><t>"
        left = size
        while left > 0:
            yield chunk[: min(left, len(chunk))]
            left -= len(chunk)
        yield "</t></si>"

    row2 = f'<row r="2"><c r="A2" t="inlineStr"><is><t>1</t></is></c><c r="{get_column_letter(column)}2" t="s"><v>0</v></c></row>'
    return xlsx([rows_xml([header]), row2], shared_strings=pieces())


def empty_rows(header: list[str], count: int, *, dimension: bool = True, first_data: list | None = None) -> bytes:
    """The header (and optionally one data row), then empty rows up to row `count`, written as <row/> (numbered by
    their place, as the format allows) in pieces of 100,000: six million rows are 36 MB of XML in a file of about
    50 KB, like the one that held the database for 28 seconds."""

    def pieces():
        yield rows_xml([header, first_data] if first_data else [header])
        left = count - (2 if first_data else 1)
        block = "<row/>" * 100_000
        while left > 0:
            yield block[: 6 * min(left, 100_000)]
            left -= 100_000

    last = get_column_letter(max(len(header), 1))
    return xlsx(pieces(), dimension=f"A1:{last}{count}" if dimension else None)
