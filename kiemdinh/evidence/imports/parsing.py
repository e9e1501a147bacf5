"""The catalogue's columns (the 2018 form and TT57's) and the reading of a file's table: the header row found among
the title lines, then each line as a criterion heading, an item or another line (titles, signatures) shown but
ignored."""

import re

from django.core.exceptions import ValidationError

from kiemdinh.core.tabular import header_key
from kiemdinh.core.tabular.columns import Column
from kiemdinh.core.text import fold
from kiemdinh.frameworks.choices import Regime

HEADER_SEARCH_ROWS = 20  # official catalogues have title lines above the header

COL_TT = Column("tt", "TT", aliases=("STT", "Số TT", "Số thứ tự"), example="1")
COL_CODE = Column("code", "Mã minh chứng", required=True, aliases=("Mã MC", "Mã"), as_text=True)
COL_NAME = Column("name", "Tên minh chứng", required=True, max_length=1000, aliases=("Tên MC", "Tên"))
COL_ISSUE = Column(
    "issue_ref",
    "Số, ngày ban hành",
    max_length=300,
    aliases=("Số, ngày ban hành, hoặc thời điểm khảo sát, điều tra, phỏng vấn, quan sát", "Số/ngày ban hành"),
)
COL_ISSUER = Column("issued_by", "Nơi ban hành", max_length=300, aliases=("Nơi ban hành hoặc nhóm, cá nhân thực hiện",))
COL_NOTE = Column("note", "Ghi chú", max_length=5000)
COL_LOCATION = Column(
    "location",
    "Định dạng, vị trí lưu trữ hoặc đường dẫn điện tử",
    max_length=1000,
    aliases=("Vị trí lưu trữ", "Đường dẫn điện tử", "Đường dẫn"),
)
COLUMNS_2018 = (COL_TT, COL_CODE, COL_NAME, COL_ISSUE, COL_ISSUER, COL_NOTE)
COLUMNS_TT57 = (COL_TT, COL_CODE, COL_NAME, COL_LOCATION, COL_NOTE)
ALL_COLUMNS = (COL_TT, COL_CODE, COL_NAME, COL_ISSUE, COL_ISSUER, COL_LOCATION, COL_NOTE)
COLUMN_LABEL = {c.key: c.label for c in ALL_COLUMNS} | {"heading": "Tiêu chí"}

HEADING_RE = re.compile(r"^tieu\s*(?P<what>chuan|chi)\s*(?P<code>\d{1,2}(?:\s*\.\s*\d{1,2})?)(?![\d.]\d)")


def columns_for(regime: str) -> tuple[Column, ...]:
    return COLUMNS_TT57 if regime == Regime.TT57 else COLUMNS_2018


def _header_positions(cells: list[str]) -> dict[str, int]:
    """Column key → index for a header row (names matched loosely, long names by their beginning)."""
    keys = [(c.key, header_key(text)) for c in ALL_COLUMNS for text in (c.label, *c.aliases)]
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        cell_key = header_key(cell)
        if not cell_key:
            continue
        for column_key, key in keys:
            if column_key in positions:
                continue
            if cell_key == key or (len(key) >= 6 and cell_key.startswith(key)):
                positions[column_key] = index
                break
    return positions


def parse_table(table: list[tuple[int, list[str]]]) -> list[dict]:
    """Rows of a catalogue as dicts: headings {"row", "kind": "heading", "text", "what", "code"}, items {"row",
    "kind": "item", "tt", "code", "name", "issue_ref", "issued_by", "note", "location"} and other lines
    {"kind": "other"} (titles, signatures), which are shown but ignored."""
    if not table:
        raise ValidationError("Tệp không có dữ liệu.")
    header_at, positions = None, {}
    for index, (_, cells) in enumerate(table[:HEADER_SEARCH_ROWS]):
        found = _header_positions(cells)
        if "code" in found and "name" in found:
            header_at, positions = index, found
            break
    if header_at is None:
        raise ValidationError(
            "Không tìm thấy dòng tiêu đề có các cột “Mã minh chứng” và “Tên minh chứng”. "
            "Hãy dùng tệp mẫu hoặc kiểm tra tên cột."
        )
    rows = []
    for number, cells in table[header_at + 1 :]:

        def cell(key, cells=cells):
            index = positions.get(key)
            return cells[index] if index is not None and index < len(cells) else ""

        code, name = cell("code"), cell("name")
        first_text = next((c for c in cells if c), "")
        if not code:
            heading = HEADING_RE.match(fold(first_text)) or (HEADING_RE.match(fold(name)) if name else None)
            if heading:
                rows.append(
                    {
                        "row": number,
                        "kind": "heading",
                        "text": first_text if HEADING_RE.match(fold(first_text)) else name,
                        "what": "standard" if heading["what"] == "chuan" else "criterion",
                        "code": re.sub(r"\s+", "", heading["code"]),
                    }
                )
                continue
            if not name or not cell("tt"):
                # Titles, signatures ("Người lập bảng") and notes: no code and no number, shown but ignored.
                rows.append({"row": number, "kind": "other", "text": " ".join(c for c in cells if c)})
                continue
        rows.append(
            {
                "row": number,
                "kind": "item",
                "tt": cell("tt"),
                "code": code,
                "name": name,
                "issue_ref": cell("issue_ref"),
                "issued_by": cell("issued_by"),
                "note": cell("note"),
                "location": cell("location"),
            }
        )
    if not any(r["kind"] == "item" for r in rows):
        raise ValidationError("Tệp không có dòng minh chứng nào dưới dòng tiêu đề.")
    return rows
