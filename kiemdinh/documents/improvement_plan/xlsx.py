"""The quality-improvement plan as a workbook to follow up: its table and the current status of each line."""

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from kiemdinh.core.office.missing import Missing
from kiemdinh.core.tabular import workbook_bytes
from kiemdinh.documents.improvement_plan.plan import COLUMNS_2018, ImprovementPlanContext

STATUS_COLUMN = "Trạng thái"
XLSX_WIDTHS_2018 = (6, 14, 40, 45, 24, 24, 18, 30, 16, 16)
XLSX_WIDTHS_TT57 = (6, 30, 30, 40, 24, 22, 22, 24, 26, 18, 16)
RED_FONT = Font(bold=True, color="C00000")


def _tasks_text(tasks: tuple[str, ...]) -> str:
    return "\n".join(f"- {t}" for t in tasks) if len(tasks) > 1 else "".join(tasks)


def _cell_value(value) -> str:
    if isinstance(value, Missing):
        return str(value)
    if isinstance(value, tuple):
        return _tasks_text(value)
    return value or ""


def improvement_plan_xlsx(ctx: ImprovementPlanContext) -> bytes:
    """One sheet: the table (2018: the seed's nine columns; TT57: mục V) and the current status of each line."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Kế hoạch cải tiến"
    columns = (*(ctx.sections["V"].columns if ctx.tt57 else COLUMNS_2018), STATUS_COLUMN)
    width = len(columns)
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")

    def span(value, first: int = 1, lead: str = "", font=bold) -> None:
        sheet.append([lead] + [""] * (width - 1) if first > 1 else [""] * width)
        index = sheet.max_row
        sheet.cell(index, first).value = _cell_value(value)
        sheet.merge_cells(start_row=index, start_column=first, end_row=index, end_column=width)
        for column in range(1, first + 1):
            sheet.cell(index, column).font = font
            sheet.cell(index, column).alignment = wrap

    if ctx.table_missing:
        span(ctx.table_missing, font=RED_FONT)
    if ctx.tt57:
        for action in ctx.actions:
            sheet.append([_cell_value(v) for v in (*action.cells, action.status)])
    else:
        for row in ctx.rows:
            if row.kind == "group":
                span(row.subject)
            elif row.kind == "standard":
                span(row.subject, first=2, lead=row.number)
            else:
                cells = list(row.cells)
                cells[1] = row.full_subject
                sheet.append([_cell_value(v) for v in (*cells, row.status)])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.font is None or not cell.font.bold:
                cell.alignment = wrap
    for column, chars in enumerate(XLSX_WIDTHS_TT57 if ctx.tt57 else XLSX_WIDTHS_2018, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = chars
    sheet.freeze_panes = "A2"
    return workbook_bytes(book)
