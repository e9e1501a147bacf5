"""The evidence catalogue (Phụ lục 4) as a workbook."""

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from kiemdinh.core.office.missing import Missing
from kiemdinh.core.tabular import workbook_bytes
from kiemdinh.documents.appendices.criteria import EvidenceCatalogueContext

XLSX_WIDTHS_2018 = (6, 16, 50, 24, 24, 30)
XLSX_WIDTHS_TT57 = (6, 16, 50, 45, 30)


def evidence_catalogue_xlsx(ctx: EvidenceCatalogueContext) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Danh mục minh chứng"
    width = len(ctx.columns)
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    sheet.append(list(ctx.columns))
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for index, row in enumerate(ctx.rows, start=2):  # counted here: sheet.max_row scans every cell each time
        sheet.append([str(v) if isinstance(v, Missing) else (v or "") for v in row.cells])
        if row.is_heading:
            sheet.merge_cells(start_row=index, start_column=1, end_row=index, end_column=width)
            sheet.cell(index, 1).font = Font(bold=True, color="C00000") if row.kind == "gap" else bold
            sheet.cell(index, 1).alignment = wrap
            continue
        for column, value in enumerate(row.cells, start=1):
            cell = sheet.cell(index, column)
            cell.alignment = wrap
            if isinstance(value, Missing):
                cell.font = Font(bold=True, color="C00000")
    for column, chars in enumerate(XLSX_WIDTHS_2018 if width == 6 else XLSX_WIDTHS_TT57, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = chars
    sheet.freeze_panes = "A2"
    return workbook_bytes(book)
