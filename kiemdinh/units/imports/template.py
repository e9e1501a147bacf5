"""The .xlsx template offered for download: the header row, one example row, and a sheet explaining each column."""

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from kiemdinh.core.tabular import workbook_bytes
from kiemdinh.units.imports.columns import columns_for


def template_workbook(kind: str) -> bytes:
    """An .xlsx with the header row, one example row and a sheet explaining each column."""
    columns = columns_for(kind)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách"
    sheet.append([c.label for c in columns])
    sheet.append([c.example for c in columns])
    header_fill = PatternFill("solid", fgColor="DCE8F5")
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(14, len(column.label) + 4, len(column.example) + 4)
        if column.as_text:
            # Text format, so codes like "01" and phone numbers keep their leading zeros.
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet("Hướng dẫn")
    guide.append(["Cột", "Cách điền"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
    for column in columns:
        guide.append([column.label, column.help])
    guide.append([])
    guide.append(["Lưu ý", "Dòng 1 là dòng tiêu đề, giữ nguyên tên cột. Xóa dòng ví dụ trước khi nhập."])
    guide.column_dimensions["A"].width = 28
    guide.column_dimensions["B"].width = 110
    for row in guide.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    return workbook_bytes(workbook)
