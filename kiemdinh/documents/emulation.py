"""The emulation score table as documents: "BẢNG TỔNG HỢP ĐIỂM THI ĐUA CÔNG TÁC KIỂM ĐỊNH CHẤT LƯỢNG GIÁO DỤC".

A context builder (plain data from score_table) and two renderers returning bytes: XLSX (one row per school, for
sorting and filing) and DOCX (Nghị định 30/2020/NĐ-CP: header table, title, landscape table, nơi nhận, signature).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from kiemdinh.core.office.docx_kit import (
    Text,
    national_header,
    new_document,
    para,
    set_widths,
    signature_block,
    table,
    to_bytes,
    write,
)
from kiemdinh.core.office.missing import Missing
from kiemdinh.core.tabular import workbook_bytes
from kiemdinh.documents.common import place_date, short_place
from kiemdinh.emulation.models import EmulationScheme, points_text
from kiemdinh.emulation.selectors import score_table
from kiemdinh.units.models import SHORT_TYPE_LABELS, SchoolType

TITLE = "BẢNG TỔNG HỢP ĐIỂM THI ĐUA CÔNG TÁC KIỂM ĐỊNH CHẤT LƯỢNG GIÁO DỤC"
TABLE_FONT = Pt(10)
LANDSCAPE_WIDTH = 25.2  # cm between the margins of a landscape A4 page


@dataclass(frozen=True)
class ScoreRow:
    number: int
    school: str
    school_type: str
    scores: tuple[Decimal, ...]
    explanations: tuple[str, ...]
    computed: Decimal
    adjustment: Decimal | None
    reason: str
    final: Decimal
    rank: int


@dataclass(frozen=True)
class ScoreSheetContext:
    authority: str  # the body above the issuer ("UBND huyện Hóc Môn")
    issuer: str  # "Phòng Giáo dục và Đào tạo Hóc Môn"
    place_date: Text
    school_year: str
    scheme_title: str
    school_type_label: str  # "" for every school type
    rule_headers: tuple[str, ...]  # "Nộp báo cáo đúng hạn (2 đ)"
    rule_labels: tuple[str, ...]
    rows: tuple[ScoreRow, ...]
    max_score: Decimal | None
    notes: str
    signer_title: str
    signer_name: Text
    recipients: tuple[str, ...]

    @property
    def title(self) -> str:
        return f"{TITLE} NĂM HỌC {self.school_year}"


def issuer_of(unit) -> tuple[str, str]:
    """(superior body, issuing body): the unit's education office under its People's Committee, else the People's
    Committee under the unit above."""
    if unit.education_office:
        return f"UBND {unit.name}", unit.education_office
    parent = unit.parent
    return (f"UBND {parent.name}" if parent else ""), f"UBND {unit.name}"


def build_score_sheet(scheme: EmulationScheme, school_type: str = "", today: date | None = None) -> ScoreSheetContext:
    """score_table's queries + 1 (the unit's parent when the unit has no education office)."""
    table_ = score_table(scheme, school_type)
    unit = scheme.unit
    authority, issuer = issuer_of(unit)
    rows = tuple(
        ScoreRow(
            number=index,
            school=row.school.name,
            school_type=SHORT_TYPE_LABELS[SchoolType(row.school.school_type)],
            scores=tuple(s.points for s in row.scores),
            explanations=tuple(s.explanation for s in row.scores),
            computed=row.computed,
            adjustment=row.adjustment.points if row.adjustment else None,
            reason=row.adjustment.reason if row.adjustment else "",
            final=row.final,
            rank=row.rank,
        )
        for index, row in enumerate(table_.rows, start=1)
    )
    return ScoreSheetContext(
        authority=authority,
        issuer=issuer,
        place_date=place_date(short_place(unit.name), today or timezone.localdate()),
        school_year=scheme.school_year,
        scheme_title=scheme.title,
        school_type_label=SchoolType(school_type).label if school_type else "",
        rule_headers=tuple(f"{r.label} ({points_text(r.max_points)} đ)" for r in table_.rules),
        rule_labels=tuple(r.label for r in table_.rules),
        rows=rows,
        max_score=scheme.max_score,
        notes=scheme.notes,
        signer_title=scheme.signer_title,
        signer_name=scheme.signer_name or Missing("họ tên người ký"),
        recipients=("Các trường trực thuộc", "Lưu: VT"),
    )


FIXED_BEFORE = ("TT", "Trường", "Loại")
FIXED_AFTER = ("Điểm tính", "Điều chỉnh", "Lý do", "Tổng", "Xếp hạng")


def score_sheet_columns(ctx: ScoreSheetContext) -> tuple[str, ...]:
    return (*FIXED_BEFORE, *ctx.rule_headers, *FIXED_AFTER)


# --- XLSX -----------------------------------------------------------------------------------------------------------


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def score_sheet_xlsx(ctx: ScoreSheetContext) -> bytes:
    """One sheet, bold header row, one row per school; scores are numbers (sortable), reasons and ranks as given."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Điểm thi đua"
    sheet.append(list(score_sheet_columns(ctx)))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    wrap = Alignment(wrap_text=True, vertical="top")
    rule_count = len(ctx.rule_headers)
    # Rows are counted here: sheet.max_row and sheet[n] scan every cell, quadratic over a province's schools.
    for index, row in enumerate(ctx.rows, start=2):
        values = [
            row.number,
            row.school,
            row.school_type,
            *(_number(v) for v in row.scores),
            _number(row.computed),
            _number(row.adjustment),
            row.reason,
            _number(row.final),
            row.rank,
        ]
        sheet.append(values)
        for column in range(4, 4 + rule_count + 4):
            sheet.cell(index, column).number_format = "0.0"
        for column in range(1, len(values) + 1):
            sheet.cell(index, column).alignment = wrap
        for offset, explanation in enumerate(row.explanations):
            # The computation of each score, as the table's tooltip gives it, in a note on the cell.
            sheet.cell(index, 4 + offset).comment = Comment(explanation, "Kiểm định")
    widths = (5, 36, 10, *([16] * rule_count), 11, 11, 36, 9, 9)
    for column, chars in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = chars
    sheet.row_dimensions[1].height = 45
    sheet.freeze_panes = "D2"
    return workbook_bytes(book)


# --- DOCX -----------------------------------------------------------------------------------------------------------


def _widths(rule_count: int) -> tuple[float, ...]:
    if rule_count == 0:
        return (1.0, 8.0, 1.6, 2.2, 2.2, 6.2, 2.0, 2.0)
    before = (1.0, 4.6, 1.4)
    after = (1.5, 1.5, 3.0, 1.4, 1.4)
    each = round((LANDSCAPE_WIDTH - sum(before) - sum(after)) / rule_count, 2)
    return (*before, *([each] * rule_count), *after)


def score_sheet_docx(ctx: ScoreSheetContext) -> bytes:
    doc = new_document(landscape=True)
    national_header(doc, authority=ctx.authority, issuer=ctx.issuer, place_date=ctx.place_date)
    set_widths(doc.tables[-1], (10.0, 15.2))
    para(doc, TITLE, bold=True, align="center", size=Pt(14), space_after=Pt(0))
    para(doc, f"NĂM HỌC {ctx.school_year}", bold=True, align="center", size=Pt(14), space_after=Pt(0))
    subtitle = ctx.scheme_title + (f" — {ctx.school_type_label}" if ctx.school_type_label else "")
    para(doc, f"({subtitle})", italic=True, align="center")
    if ctx.max_score is not None:
        para(doc, f"Thang điểm: {points_text(ctx.max_score)} điểm.", align="center")
    widths = _widths(len(ctx.rule_headers))
    rows = [
        (
            str(row.number),
            row.school,
            row.school_type,
            *(points_text(v) for v in row.scores),
            points_text(row.computed),
            points_text(row.adjustment) if row.adjustment is not None else "",
            row.reason,
            points_text(row.final),
            str(row.rank),
        )
        for row in ctx.rows
    ]
    grid = table(doc, score_sheet_columns(ctx), rows, widths_cm=widths, size=TABLE_FONT)
    numeric = set(range(3, 3 + len(ctx.rule_headers) + 2)) | {len(widths) - 2, len(widths) - 1, 0}
    for row_index, row in enumerate(grid.rows):
        for index, cell in enumerate(row.cells):
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            paragraph.paragraph_format.line_spacing = 1.0
            if index in numeric or row_index == 0:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if not rows:
        para(doc, "Không có trường nào.", italic=True)
    if ctx.notes:
        p = para(doc, "", align="justify")
        write(p, "Ghi chú: ", bold=True)
        write(p, ctx.notes)
    para(doc, "")
    signature_block(doc, recipients=ctx.recipients, title=ctx.signer_title, name=ctx.signer_name)
    set_widths(doc.tables[-1], (12.6, 12.6))
    return to_bytes(doc)
