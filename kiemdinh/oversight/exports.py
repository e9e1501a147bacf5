"""The participant list of a training as an XLSX workbook (people sort and fill it in a spreadsheet)."""

from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from kiemdinh.core.tabular import workbook_bytes
from kiemdinh.oversight.models import Training
from kiemdinh.oversight.selectors import training_participants

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ("STT", "Họ và tên", "Chức vụ", "Trường", "Mã trường", "Tham dự")
WIDTHS = (6, 30, 24, 40, 12, 10)


@dataclass(frozen=True)
class ParticipantRow:
    number: int
    full_name: str
    job_title: str
    school_name: str
    school_code: str
    attended: bool


@dataclass(frozen=True)
class ParticipantList:
    title: str
    dates: str
    location: str
    unit_name: str
    rows: tuple[ParticipantRow, ...]


def participant_list(training: Training) -> ParticipantList:
    """The list as plain data (one query; training.unit loaded)."""
    return ParticipantList(
        title=training.title,
        dates=training.dates_label,
        location=training.location,
        unit_name=training.unit.name,
        rows=tuple(
            ParticipantRow(
                number=i,
                full_name=p.full_name,
                job_title=p.job_title,
                school_name=p.school.name if p.school else "",
                school_code=p.school.code if p.school else "",
                attended=p.attended,
            )
            for i, p in enumerate(training_participants(training), start=1)
        ),
    )


def participants_xlsx(data: ParticipantList) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách tham dự"
    ws.append([f"DANH SÁCH THAM DỰ TẬP HUẤN: {data.title}"])
    ws["A1"].font = Font(bold=True, size=13)
    place = f" — {data.location}" if data.location else ""
    ws.append([f"{data.unit_name} · {data.dates}{place}"])
    ws.append([])
    ws.append(list(HEADERS))
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in data.rows:
        ws.append(
            [
                row.number,
                row.full_name,
                row.job_title,
                row.school_name,
                row.school_code,
                "Có" if row.attended else "Không",
            ]
        )
    for index, width in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + index)].width = width
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    return workbook_bytes(wb)
