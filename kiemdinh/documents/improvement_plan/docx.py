"""The quality-improvement plan and its monitoring report as Word documents (landscape, Nghị định 30/2020)."""

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from kiemdinh.core.office.docx_kit import (
    Text,
    body,
    heading,
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
from kiemdinh.documents.common import CycleHeader, vn_date
from kiemdinh.documents.improvement_plan.monitoring import MonitoringReportContext
from kiemdinh.documents.improvement_plan.plan import (
    COLUMNS_2018,
    TT57_SECTION_I,
    TT57_SECTION_II,
    TT57_SECTION_III,
    ImprovementPlanContext,
    Section,
)
from kiemdinh.improvement.selectors import percent

TABLE_FONT = Pt(11)
WIDTHS_2018 = (1.0, 2.4, 4.4, 4.8, 2.9, 2.9, 2.2, 3.0, 1.6)  # landscape A4: 25.2 cm between the margins
WIDTHS_TT57 = {
    "IV": (1.0, 4.0, 4.4, 5.4, 5.4, 5.0),
    "V": (0.9, 3.0, 2.8, 3.4, 2.4, 2.3, 2.3, 2.5, 2.6, 3.0),
    "VI": (3.4, 6.0, 7.0, 5.0, 3.8),
}
MONITOR_COLUMNS = ("TT", "Họ và tên", "Chức vụ", "Nhiệm vụ")
MONITOR_WIDTHS = (1.2, 8.0, 8.0, 8.0)
REVIEW_COLUMNS = ("TT", "Ngày thực hiện", "Đợt rà soát, giám sát", "Nhận xét chung, kiến nghị")
REVIEW_WIDTHS = (1.2, 3.5, 6.5, 14.0)
LINE_COLUMNS = (
    "TT",
    "Tiêu chí",
    "Kết quả cần đạt",
    "Chủ trì và phối hợp thực hiện",
    "Thời gian thực hiện và hoàn thành",
    "Kết quả thực hiện qua các đợt rà soát",
    "Điều chỉnh",
    "Minh chứng",
    "Trạng thái",
)
LINE_WIDTHS = (0.9, 2.2, 4.0, 2.6, 2.6, 5.4, 3.0, 2.6, 1.9)


def _landscape_header(doc, header: CycleHeader, number: Text, when: Text) -> None:
    national_header(doc, authority=header.authority, issuer=header.school_name, number=number, place_date=when)
    set_widths(doc.tables[-1], (10.0, 15.2))  # the header spans the landscape page


def _landscape_signature(doc, recipients, title: str, name: Text) -> None:
    signature_block(doc, recipients=recipients, title=title, name=name)
    set_widths(doc.tables[-1], (12.6, 12.6))
    _keep_rows_whole(doc.tables[-1].rows[0])  # the signer's title and name on one page


def _title(doc, *lines: str) -> None:
    for index, line in enumerate(lines):
        para(doc, line, bold=True, align="center", size=Pt(14) if index == 0 else None, space_after=Pt(0))
    para(doc, "")


def _body_or_marker(doc, value: Text) -> None:
    if isinstance(value, Missing):
        para(doc, value, align="justify", first_line_indent=True)
    else:
        body(doc, value)


def _cell_paragraph(cell, index: int):
    paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = 1.0
    return paragraph


def _fill(cell, value, *, bold: bool = False, center: bool = False) -> None:
    """A cell's content: one paragraph per item of a tuple (a task, a review), else one paragraph."""
    values = value if isinstance(value, tuple) else (value,)
    for index, item in enumerate(values):
        paragraph = _cell_paragraph(cell, index)
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        write(paragraph, item, bold=bold, size=TABLE_FONT)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP


def _grid(doc, columns, widths):
    """An empty bordered table with its bold header row (repeated on every page)."""
    grid = table(doc, columns, [], widths_cm=widths, size=TABLE_FONT)
    for cell in grid.rows[0].cells:
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.space_after = Pt(0)
            paragraph.paragraph_format.line_spacing = 1.0
    return grid


def _keep_rows_whole(row) -> None:
    """A row is not split across pages (Word and LibreOffice move it whole to the next page)."""
    trpr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:cantSplit")
    element.set(qn("w:val"), "true")
    trpr.append(element)


def _keep_with_next(row) -> None:
    """A group or standard row stays on the page of the row that follows it."""
    for cell in row.cells:
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.keep_with_next = True


def _add_row(grid, cells, *, center_first: bool = True) -> None:
    added = grid.add_row()
    _keep_rows_whole(added)
    row = added.cells
    for index, (cell, value) in enumerate(zip(row, cells, strict=True)):
        _fill(cell, value, center=center_first and index == 0)


def _add_span(grid, value, *, first: int = 0, lead: Text = None, bold: bool = True) -> None:
    """A row whose cells from `first` to the last are merged into one holding `value` (cells before it hold `lead`)."""
    added = grid.add_row()
    _keep_rows_whole(added)
    row = added.cells
    if first:
        _fill(row[0], lead, bold=bold, center=True)
    merged = row[first].merge(row[-1])
    _fill(merged, value, bold=bold)
    if bold:
        _keep_with_next(added)


def _finish(grid, widths) -> None:
    """Widths again, for the rows added after the header; a merged cell gets the width of the columns it spans."""
    set_widths(grid, widths)
    for row in grid.rows:
        column = 0
        for tc in row._tr.tc_lst:
            tc.width = Cm(sum(widths[column : column + tc.grid_span]))
            column += tc.grid_span


def _results_paragraphs(doc, ctx: ImprovementPlanContext) -> None:
    if ctx.results_heading:
        para(doc, ctx.results_heading, align="justify", first_line_indent=True)
    if isinstance(ctx.results, Missing):
        para(doc, ctx.results, first_line_indent=True)
        return
    for line in ctx.results:
        para(doc, line, align="justify", first_line_indent=True)


def _plan_table_2018(doc, ctx: ImprovementPlanContext) -> None:
    grid = _grid(doc, COLUMNS_2018, WIDTHS_2018)
    if ctx.table_missing:
        _add_span(grid, ctx.table_missing, bold=False)
    for row in ctx.rows:
        if row.kind == "group":
            _add_span(grid, row.subject)
        elif row.kind == "standard":
            _add_span(grid, row.subject, first=1, lead=row.number)
        else:
            cells = list(row.cells)
            cells[3] = tuple(f"- {t}" for t in row.tasks) if len(row.tasks) > 1 else row.tasks or ""
            _add_row(grid, cells)
    _finish(grid, WIDTHS_2018)


def _section_table(doc, section: Section, widths, rows, empty: Text) -> None:
    grid = _grid(doc, section.columns, widths)
    if empty is not None:
        _add_span(grid, empty, bold=False)
    for cells in rows:
        _add_row(grid, cells)
    _finish(grid, widths)


def _tt57_body(doc, ctx: ImprovementPlanContext) -> None:
    s = ctx.sections
    heading(doc, TT57_SECTION_III, 2)
    _results_paragraphs(doc, ctx)

    heading(doc, s["IV"].title, 2)
    issues = [(r.number, r.standard, r.criterion, r.current_state, r.limitation, r.cause) for r in ctx.issues]
    _section_table(doc, s["IV"], WIDTHS_TT57["IV"], issues, ctx.table_missing if not issues else None)

    heading(doc, s["V"].title, 2)
    actions = []
    for r in ctx.actions:
        cells = list(r.cells)
        cells[3] = tuple(f"- {t}" for t in r.tasks) if len(r.tasks) > 1 else r.tasks or ""
        actions.append(cells)
    _section_table(doc, s["V"], WIDTHS_TT57["V"], actions, ctx.table_missing if not actions else None)

    heading(doc, s["VI"].title, 2)
    empty = None if ctx.follow_up else "Chưa có đợt rà soát nào được ghi kết quả."
    _section_table(doc, s["VI"], WIDTHS_TT57["VI"], [r.cells for r in ctx.follow_up], empty)

    heading(doc, s["VII"].title, 2)
    para(doc, _who_carries_out(s["VII"].items), align="justify", first_line_indent=True)
    _body_or_marker(doc, ctx.organisation)

    heading(doc, s["VIII"].title, 2)
    for item in s["VIII"].items:
        para(doc, item, align="justify", first_line_indent=True)


def _who_carries_out(items: tuple[str, ...]) -> str:
    """Biểu 2's parties of mục VII (verbatim) as one opening sentence for the school's own text, which is numbered
    itself: "Người đứng đầu cơ sở giáo dục, Hội đồng tự đánh giá, các tổ chuyên môn và bộ phận liên quan tổ chức thực
    hiện kế hoạch như sau:" (the joining words are ours)."""
    names = [item if index == 0 else item[:1].lower() + item[1:] for index, item in enumerate(items)]
    names = [name if not name.lower().startswith("hội đồng") else name[:1].upper() + name[1:] for name in names]
    return f"{', '.join(names)} tổ chức thực hiện kế hoạch như sau:" if names else ""


def improvement_plan_docx(ctx: ImprovementPlanContext) -> bytes:
    doc = new_document(landscape=True)
    _landscape_header(doc, ctx.header, ctx.number, ctx.place_date)
    _title(doc, "KẾ HOẠCH", "CẢI TIẾN CHẤT LƯỢNG GIÁO DỤC SAU TỰ ĐÁNH GIÁ", f"NĂM HỌC {ctx.school_year}")
    heading(doc, TT57_SECTION_I, 2)
    _body_or_marker(doc, ctx.purpose)
    heading(doc, TT57_SECTION_II, 2)
    _body_or_marker(doc, ctx.bases)
    if ctx.tt57:
        _tt57_body(doc, ctx)
    else:
        _results_paragraphs(doc, ctx)
        heading(doc, "III. NỘI DUNG KẾ HOẠCH CẢI TIẾN CHẤT LƯỢNG GIÁO DỤC", 2)
        _plan_table_2018(doc, ctx)
        heading(doc, "IV. TỔ CHỨC THỰC HIỆN", 2)
        _body_or_marker(doc, ctx.organisation)
        para(doc, ctx.closing, align="justify", first_line_indent=True)
    para(doc, "")
    _landscape_signature(doc, ctx.recipients, ctx.signer_title, ctx.signer_name)
    return to_bytes(doc)


def _simple_table(doc, columns, widths, rows, missing: Missing | None) -> None:
    grid = _grid(doc, columns, widths)
    if missing is not None:
        _add_span(grid, missing, bold=False)
    for cells in rows:
        _add_row(grid, cells)
    _finish(grid, widths)


def monitoring_report_docx(ctx: MonitoringReportContext) -> bytes:
    doc = new_document(landscape=True)
    _landscape_header(doc, ctx.header, ctx.number, ctx.place_date)
    _title(doc, "BÁO CÁO", "KẾT QUẢ GIÁM SÁT THỰC HIỆN KẾ HOẠCH CẢI TIẾN CHẤT LƯỢNG", f"NĂM HỌC {ctx.school_year}")
    if ctx.plan_reference:
        para(doc, ctx.plan_reference, align="justify", first_line_indent=True)

    heading(doc, "I. TỔ GIÁM SÁT KẾ HOẠCH CẢI TIẾN CHẤT LƯỢNG", 2)
    _simple_table(
        doc,
        MONITOR_COLUMNS,
        MONITOR_WIDTHS,
        [(m.number, m.full_name, m.job_title, m.role) for m in ctx.monitors],
        ctx.monitors_missing,
    )

    heading(doc, "II. CÁC ĐỢT RÀ SOÁT, GIÁM SÁT ĐÃ THỰC HIỆN", 2)
    _simple_table(
        doc,
        REVIEW_COLUMNS,
        REVIEW_WIDTHS,
        [(r.number, r.held_on, r.title, r.summary) for r in ctx.reviews],
        ctx.reviews_missing,
    )
    if ctx.upcoming:
        para(doc, "Các đợt rà soát dự kiến chưa thực hiện: " + "; ".join(ctx.upcoming) + ".", first_line_indent=True)

    heading(doc, "III. KẾT QUẢ THỰC HIỆN CÁC NỘI DUNG CỦA KẾ HOẠCH", 2)
    columns = LINE_COLUMNS if not ctx.tt57 else ("TT", "Tiêu chí", "Mục tiêu", *LINE_COLUMNS[3:])
    _simple_table(doc, columns, LINE_WIDTHS, [line.cells for line in ctx.lines], ctx.lines_missing)

    heading(doc, "IV. TỔNG HỢP KẾT QUẢ", 2)
    para(doc, f"Tổng số nội dung của kế hoạch: {ctx.total:02d}", first_line_indent=True)
    for label, count in ctx.counts:
        share = f", tỉ lệ {percent(count, ctx.total)}%" if ctx.total else ""
        para(doc, f"- {label}: {count}/{ctx.total} nội dung{share}", first_line_indent=True)

    heading(doc, "V. CÁC NỘI DUNG CHẬM TIẾN ĐỘ", 2)
    if ctx.overdue:
        para(doc, f"Đến ngày {vn_date(ctx.as_of)} có {len(ctx.overdue)} nội dung chậm tiến độ:", first_line_indent=True)
        for line in ctx.overdue:
            para(doc, line, align="justify", first_line_indent=True)
    elif ctx.lines:
        para(doc, f"Đến ngày {vn_date(ctx.as_of)} không có nội dung nào chậm tiến độ.", first_line_indent=True)
    para(doc, "")
    _landscape_signature(doc, ctx.recipients, ctx.signer_title, ctx.signer_name)
    return to_bytes(doc)
