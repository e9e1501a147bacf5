"""The appendices as Word documents, from their contexts."""

from docx.shared import Cm, Pt

from kiemdinh.core.office.docx_kit import (
    RED,
    TABLE_SIZE,
    Text,
    body,
    heading,
    national_header,
    new_document,
    page_break,
    para,
    signature_block,
    table,
    to_bytes,
    write,
)
from kiemdinh.core.office.missing import Missing
from kiemdinh.documents.appendices.council import Council, CouncilDecisionContext, PlanContext
from kiemdinh.documents.appendices.criteria import (
    ACHIEVED,
    NOT_ACHIEVED,
    CriterionFormsContext,
    CriterionSheet,
    EvidenceCatalogueContext,
    Level4Sheet,
    ScopeWorksheetContext,
)


def _annex_caption(doc, text: str) -> None:
    para(doc, text, italic=True, align="right", space_after=Pt(0))


def _title(doc, *lines: Text) -> None:
    for index, line in enumerate(lines):
        para(doc, line, bold=index == 0, italic=index > 0, align="center", size=Pt(14) if index == 0 else None)


def _segments(paragraph, segments, *, bold: bool = False, size: Pt | None = None) -> None:
    for segment in segments:
        write(paragraph, segment, bold=bold, size=size)


def _labelled(doc, label: str, value: Text) -> None:
    """'Label: value' on one line, the label bold (the value a red marker when missing)."""
    paragraph = para(doc, f"{label}: ", bold=True)
    write(paragraph, value)


MEMBER_HEADERS = ("TT", "Họ và tên", "Chức vụ", "Nhiệm vụ")
MEMBER_WIDTHS = (1.2, 5.5, 5.0, 4.8)
GROUP_HEADERS = ("Nhóm", "Thành viên", "Tiêu chí phụ trách")
GROUP_WIDTHS = (4.0, 6.5, 6.0)


def _member_table(doc, council: Council) -> None:
    if council.members_missing:
        para(doc, council.members_missing)
        return
    rows = [(str(m.number), m.full_name, m.job_title, m.role) for m in council.members]
    table(doc, MEMBER_HEADERS, rows, widths_cm=MEMBER_WIDTHS)


def _group_table(doc, council: Council) -> None:
    if council.groups_missing:
        para(doc, council.groups_missing)
        return

    def joined(value, sep):
        return value if isinstance(value, Missing) else sep.join(value)

    rows = [(g.name, joined(g.members, "\n"), joined(g.criteria, "; ")) for g in council.groups]
    table(doc, GROUP_HEADERS, rows, widths_cm=GROUP_WIDTHS)


def council_decision_docx(ctx: CouncilDecisionContext) -> bytes:
    h = ctx.header
    doc = new_document()
    national_header(doc, authority=h.authority, issuer=h.school_name, number=ctx.number, place_date=ctx.place_date)
    _title(
        doc,
        "QUYẾT ĐỊNH",
        f"Về việc thành lập Hội đồng tự đánh giá {h.school_name} năm học {h.school_year}",
    )
    para(doc, f"HIỆU TRƯỞNG {h.school_name.upper()}", bold=True, align="center")
    for line in ctx.legal_bases:
        para(doc, line, italic=True, align="justify", first_line_indent=True)
    para(doc, "QUYẾT ĐỊNH:", bold=True, align="center")
    articles = (
        (
            "Điều 1. ",
            f"Thành lập Hội đồng tự đánh giá {h.school_name} năm học {h.school_year} gồm các ông (bà) có tên trong "
            "danh sách kèm theo Quyết định này.",
        ),
        (
            "Điều 2. ",
            f"Hội đồng tự đánh giá có nhiệm vụ triển khai tự đánh giá nhà trường theo {h.circular} và theo kế hoạch "
            "tự đánh giá của nhà trường; các nhóm công tác thực hiện các tiêu chí được phân công trong danh sách kèm "
            "theo.",
        ),
        (
            "Điều 3. ",
            "Quyết định có hiệu lực kể từ ngày ký. Các ông (bà) có tên tại Điều 1 chịu trách nhiệm thi hành Quyết "
            "định này.",
        ),
    )
    for label, text in articles:
        paragraph = para(doc, "", align="justify", first_line_indent=True)
        write(paragraph, label, bold=True)
        write(paragraph, text)
    signature_block(doc, recipients=("Như Điều 3", "Lưu: VT"), title="HIỆU TRƯỞNG", name=ctx.principal)

    page_break(doc)
    _title(
        doc,
        "DANH SÁCH THÀNH VIÊN HỘI ĐỒNG TỰ ĐÁNH GIÁ",
        f"(Kèm theo Quyết định thành lập Hội đồng tự đánh giá {h.school_name} năm học {h.school_year})",
    )
    _member_table(doc, ctx.council)
    para(doc, "")
    para(doc, "CÁC NHÓM CÔNG TÁC VÀ TIÊU CHÍ PHỤ TRÁCH", bold=True, align="center")
    _group_table(doc, ctx.council)
    return to_bytes(doc)


def plan_docx(ctx: PlanContext) -> bytes:
    h = ctx.header
    doc = new_document()
    if h.is_2018:
        _annex_caption(doc, "Phụ lục 1")
    national_header(doc, authority=h.authority, issuer=h.school_name, number=ctx.number, place_date=ctx.place_date)
    _title(doc, "KẾ HOẠCH TỰ ĐÁNH GIÁ", f"{h.school_name}, năm học {h.school_year}")

    heading(doc, "I. MỤC ĐÍCH VÀ PHẠM VI TỰ ĐÁNH GIÁ", 2)
    heading(doc, "1. Mục đích tự đánh giá", 3)
    body(doc, ctx.purpose)
    heading(doc, "2. Phạm vi tự đánh giá", 3)
    body(doc, ctx.scope)
    heading(doc, "II. THÀNH PHẦN HỘI ĐỒNG TỰ ĐÁNH GIÁ", 2)
    _member_table(doc, ctx.council)
    heading(doc, "III. TỔ THƯ KÝ VÀ CÁC NHÓM CÔNG TÁC", 2)
    _group_table(doc, ctx.council)
    heading(doc, "IV. PHÂN CÔNG THỰC HIỆN", 2)
    rows, group_rows, current = [], set(), None
    for line in ctx.council.assignments:
        if line.heading != current:
            current = line.heading
            group_rows.add(len(rows))
            rows.append((line.heading, "", ""))
        rows.append((line.label, line.group, line.member))
    table(
        doc,
        ("Tiêu chí", "Nhóm công tác", "Người phụ trách"),
        rows,
        widths_cm=(9.0, 4.0, 3.5),
        group_rows=group_rows,
    )
    heading(doc, "V. TẬP HUẤN, CÔNG CỤ ĐÁNH GIÁ", 2)
    body(doc, ctx.tools)
    heading(doc, "VI. DỰ KIẾN CÁC NGUỒN LỰC VÀ THỜI ĐIỂM CẦN HUY ĐỘNG", 2)
    body(doc, ctx.resources)
    heading(doc, "VII. DỰ KIẾN THUÊ CHUYÊN GIA", 2)
    body(doc, ctx.hired_experts)
    heading(doc, "VIII. DỰ KIẾN THU THẬP MINH CHỨNG", 2)
    body(doc, ctx.evidence_collection)
    heading(doc, "IX. THỜI GIAN BIỂU", 2)
    if ctx.activities_missing:
        para(doc, ctx.activities_missing)
    else:
        table(
            doc,
            ("TT", "Thời gian", "Hoạt động", "Người/bộ phận thực hiện", "Bước"),
            [(str(a.number), a.when, a.title, a.owner, a.step) for a in ctx.activities],
            widths_cm=(1.0, 3.2, 5.3, 3.5, 3.5),
        )
    para(doc, "")
    signature_block(doc, recipients=("Hội đồng tự đánh giá", "Lưu: VT"), title="HIỆU TRƯỞNG", name=ctx.principal)
    return to_bytes(doc)


SCOPE_HEADERS = ("Chỉ báo", "Nội hàm", "Câu hỏi đặt ra", "Minh chứng cần thu thập", "Nơi thu thập")
SCOPE_WIDTHS = (7.2, 4.5, 4.5, 4.5, 4.5)


def scope_worksheet_docx(ctx: ScopeWorksheetContext) -> bytes:
    h = ctx.header
    doc = new_document(landscape=True)
    if h.is_2018:
        _annex_caption(doc, "Phụ lục 2")
    _title(doc, "PHIẾU XÁC ĐỊNH NỘI HÀM, THU THẬP MINH CHỨNG", f"{h.school_name}, năm học {h.school_year}")
    for standard in ctx.standards:
        heading(doc, f"Tiêu chuẩn {standard.code}: {standard.name}", 2)
        for criterion in standard.criteria:
            heading(doc, f"Tiêu chí {criterion.code}: {criterion.name}", 3)
            _amendment_marks(doc, criterion.amendment_marks)
            if criterion.group:
                para(doc, f"Nhóm công tác (hoặc cá nhân): {criterion.group}", italic=True)
            table(doc, SCOPE_HEADERS, [r.cells for r in criterion.rows], widths_cm=SCOPE_WIDTHS)
    if ctx.level4:
        page_break(doc)
        _annex_caption(doc, "Phụ lục 3")
        _title(doc, "PHIẾU XÁC ĐỊNH NỘI HÀM TIÊU CHÍ MỨC 4", f"{h.school_name}, năm học {h.school_year}")
        headers = ("Tiêu chí Mức 4", *SCOPE_HEADERS[1:])
        table(doc, headers, [r.cells for r in ctx.level4], widths_cm=SCOPE_WIDTHS)
    return to_bytes(doc)


def evidence_catalogue_docx(ctx: EvidenceCatalogueContext) -> bytes:
    h = ctx.header
    doc = new_document()
    if h.is_2018:
        _annex_caption(doc, "Phụ lục 4")
    _title(doc, "DANH MỤC MÃ MINH CHỨNG", f"{h.school_name}, năm học {h.school_year}")
    if ctx.caption:
        para(doc, ctx.caption, italic=True, align="center")
    if not ctx.codes:
        para(doc, Missing("danh mục minh chứng (đợt tự đánh giá chưa có minh chứng nào)"))
    width = len(ctx.columns)
    rows = [r.cells if not r.is_heading else (r.cells[0], *[""] * (width - 1)) for r in ctx.rows]
    group_rows = {i for i, r in enumerate(ctx.rows) if r.is_heading}
    table(doc, ctx.columns, rows, widths_cm=ctx.widths_cm, group_rows=group_rows)
    return to_bytes(doc)


def _rating_table(doc, ctx: CriterionFormsContext, sheet: CriterionSheet) -> None:
    by_level = {lv.level: lv for lv in sheet.levels}
    grid = table(doc, [f"Mức {level}" for level in ctx.levels], [])
    height = max((len(lv.indicators) for lv in sheet.levels), default=0)
    for index in range(height):
        cells = grid.add_row().cells
        for cell, level in zip(cells, ctx.levels, strict=True):
            indicators = by_level[level].indicators if level in by_level else ()
            if index < len(indicators):
                ind = indicators[index]
                label = f"Chỉ báo {ind.letter}: " if ind.letter else "Chỉ báo: "
                _segments(cell.paragraphs[0], (label, ind.rating), size=TABLE_SIZE)
    cells = grid.add_row().cells
    for cell, level in zip(cells, ctx.levels, strict=True):
        if level in by_level:
            verdict = ACHIEVED if sheet.reached(level) else NOT_ACHIEVED
            _segments(cell.paragraphs[0], ("Tiêu chí: ", verdict), bold=True, size=TABLE_SIZE)


def _form_heading(doc, text: str) -> None:
    para(doc, text, bold=True, space_after=Pt(2))


def _criterion_form(doc, ctx: CriterionFormsContext, sheet: CriterionSheet) -> None:
    if ctx.header.is_2018:
        _annex_caption(doc, "Phụ lục 5a")
    para(doc, "PHIẾU ĐÁNH GIÁ TIÊU CHÍ", bold=True, align="center", size=Pt(14))
    _labelled(doc, "Nhóm công tác (hoặc cá nhân)", sheet.group)
    para(doc, sheet.standard, bold=True)
    para(doc, f"Tiêu chí {sheet.code}: {sheet.name}", bold=True)
    _amendment_marks(doc, sheet.amendment_marks)
    for level in sheet.levels:
        para(doc, f"Mức {level.level}", bold=True, italic=True, space_after=Pt(0))
        for ind in level.indicators:
            prefix = f"{ind.letter}) " if ind.letter else ""
            para(doc, f"{prefix}{ind.text}", align="justify").paragraph_format.left_indent = Cm(0.6)
    _form_heading(doc, "1. Mô tả hiện trạng")
    for level in sheet.levels:
        para(doc, f"Mức {level.level}", bold=True, italic=True, space_after=Pt(0))
        for ind in level.indicators:
            paragraph = para(doc, f"{ind.letter}) " if ind.letter else "", align="justify", first_line_indent=True)
            write(paragraph, ind.description)
    _form_heading(doc, "2. Điểm mạnh")
    body(doc, sheet.strengths)
    _form_heading(doc, "3. Điểm yếu")
    body(doc, sheet.weaknesses)
    _form_heading(doc, "4. Kế hoạch cải tiến chất lượng")
    body(doc, sheet.improvement)
    _form_heading(doc, "5. Tự đánh giá")
    _rating_table(doc, ctx, sheet)
    verdict = f"Đạt Mức {sheet.level}" if sheet.level else "Không đạt Mức 1"
    paragraph = para(doc, "Đánh giá tiêu chí: ", bold=True)
    paragraph.paragraph_format.space_before = Pt(6)
    write(paragraph, verdict, bold=True)


def _amendment_marks(doc, marks: tuple[str, ...]) -> None:
    """In red, as every gap in the data: the criterion was amended and its new wording is not recorded."""
    for mark in marks:
        run = para(doc, align="justify").add_run(mark)
        run.bold, run.font.color.rgb = True, RED


def _level4_form(doc, ctx: CriterionFormsContext, sheet: Level4Sheet) -> None:
    _annex_caption(doc, "Phụ lục 5b")
    para(doc, "PHIẾU ĐÁNH GIÁ TIÊU CHÍ MỨC 4", bold=True, align="center", size=Pt(14))
    _labelled(doc, "Trường", ctx.header.school_name)
    _labelled(doc, "Nhóm công tác (hoặc cá nhân)", sheet.group)
    para(doc, f"Tiêu chí Mức 4 số {sheet.code}: {sheet.text}", bold=True, align="justify")
    for title, value in (
        ("1. Mô tả hiện trạng", sheet.description),
        ("2. Điểm mạnh", sheet.strengths),
        ("3. Điểm yếu", sheet.weaknesses),
        ("4. Kế hoạch cải tiến chất lượng", sheet.improvement),
    ):
        _form_heading(doc, title)
        body(doc, value)
    paragraph = para(doc, "5. Tự đánh giá: ", bold=True)
    write(paragraph, sheet.result, bold=True)


def criterion_forms_docx(ctx: CriterionFormsContext) -> bytes:
    doc = new_document()
    first = True
    for sheet in ctx.criteria:
        if not first:
            page_break(doc)
        first = False
        _criterion_form(doc, ctx, sheet)
    for item in ctx.level4:
        if not first:
            page_break(doc)
        first = False
        _level4_form(doc, ctx, item)
    if first:
        para(doc, "PHIẾU ĐÁNH GIÁ TIÊU CHÍ", bold=True, align="center")
    return to_bytes(doc)
