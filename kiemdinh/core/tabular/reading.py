"""``read_table``: the one entry point of every Excel/CSV import (name, size, then the XLSX or CSV reader)."""

from pathlib import PurePath

from django.core.exceptions import ValidationError

from kiemdinh.core.tabular.caps import ALLOWED_SUFFIXES, Caps, megabytes, number
from kiemdinh.core.tabular.cells import cell_text, shown
from kiemdinh.core.tabular.csv_rows import csv_rows
from kiemdinh.core.tabular.xlsx_sheet import xlsx_rows


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
    rows = xlsx_rows(data, caps) if suffix == ".xlsx" else csv_rows(data, caps)
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
