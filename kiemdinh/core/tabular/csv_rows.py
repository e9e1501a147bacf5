"""A CSV upload read into rows under the same caps as a sheet (UTF-8, the delimiter Excel chose)."""

import csv
import io
import re
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from openpyxl.utils.cell import get_column_letter

from kiemdinh.core.tabular.caps import Caps, number
from kiemdinh.core.tabular.refusals import UNREADABLE_CSV, cell_too_long, too_many_columns, too_many_sheet_rows


def csv_rows(data: bytes, caps: Caps) -> Iterator[tuple[int, list]]:
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
                raise too_many_sheet_rows(caps)
            last = max((i for i, cell in enumerate(row, start=1) if cell.strip()), default=0)
            if last > caps.max_columns:
                raise too_many_columns(caps, last, index)
            for column, cell in enumerate(row[:last], start=1):
                if len(cell) > caps.max_cell_chars:
                    raise cell_too_long(caps, f"{get_column_letter(column)}{index}", len(cell))
            yield index, row[:last]
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise cell_too_long(caps, f"ở dòng {number(reader.line_num)}") from None
        raise ValidationError(UNREADABLE_CSV) from None
