"""An authority's plan as a workbook to follow up: the schools, the targets with their live progress, the tasks."""

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from kiemdinh.core.tabular import workbook_bytes
from kiemdinh.documents.annual_plan.context import AnnualPlanContext

SCHOOL_SHEET = (
    ("TT", 6),
    ("Cơ sở giáo dục", 36),
    ("Loại trường", 20),
    ("Đơn vị", 24),
    ("Tích hợp KĐCLGD&CQG", 16),
    ("Ghi chú", 18),
    ("Thời gian ĐGN dự kiến", 20),
    ("Tình trạng hiện nay", 48),
)
GOAL_SHEET = (
    ("Chỉ tiêu", 50),
    ("Đo bằng", 44),
    ("Giá trị chỉ tiêu", 14),
    ("Kết quả hiện tại", 36),
    ("Đạt/chưa", 12),
)
TASK_SHEET = (
    ("TT", 6),
    ("Nội dung nhiệm vụ", 60),
    ("Cơ quan chủ trì", 28),
    ("Lãnh đạo phụ trách", 24),
    ("Cơ quan phối hợp", 36),
    ("Thời hạn", 16),
    ("Trạng thái", 16),
)


def _sheet(book, title: str, columns, rows, *, first: bool = False) -> None:
    sheet = book.active if first else book.create_sheet()
    sheet.title = title
    sheet.append([name for name, _ in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    wrap = Alignment(wrap_text=True, vertical="top")
    # Rows are counted here: sheet.max_row and sheet[n] scan every cell, quadratic over a province's schools.
    for index, row in enumerate(rows, start=2):
        sheet.append(list(row))
        for column in range(1, len(row) + 1):
            sheet.cell(index, column).alignment = wrap
    for index, (_, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = sheet.dimensions


def annual_plan_xlsx(ctx: AnnualPlanContext) -> bytes:
    book = Workbook()
    schools = [
        (index, t.school, t.school_type, t.unit, t.target, t.note, t.evaluation_period, t.position)
        for index, t in enumerate(ctx.targets, start=1)
    ]
    _sheet(book, "Danh sách trường", SCHOOL_SHEET, schools, first=True)
    _sheet(book, "Chỉ tiêu", GOAL_SHEET, [(g.text, g.measured_by, g.target, g.result, g.met) for g in ctx.goals])
    tasks = [
        (int(t.number), t.content, t.agency, t.lead_official, t.cooperating, t.deadline, t.status) for t in ctx.tasks
    ]
    _sheet(book, "Nhiệm vụ", TASK_SHEET, tasks)
    return workbook_bytes(book)
