"""An authority's plan as a Word document, and the pieces its reports share (plan_report.py): the header table, the
title, the body's paragraphs."""

from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from kiemdinh.core.office.docx_kit import (
    keep_row_whole,
    new_document,
    no_borders,
    para,
    set_widths,
    signature_block,
    table,
    tight,
    to_bytes,
    write,
)
from kiemdinh.documents.annual_plan.context import AnnualPlanContext, Header, Line

TABLE_FONT = Pt(12)
TARGET_COLUMNS = ("TT", "CƠ SỞ GIÁO DỤC", "TÍCH HỢP KĐCLGD&CQG", "GHI CHÚ")  # the Hương Trà list, word for word
TARGET_WIDTHS = (1.3, 7.2, 4.2, 3.8)  # portrait A4: 16.5 cm between the margins
TASK_COLUMNS = (
    "TT",
    "Nội dung nhiệm vụ",
    "Cơ quan chủ trì",
    "Lãnh đạo phụ trách",
    "Cơ quan phối hợp",
    "Thời gian hoàn thành",
)
TASK_WIDTHS = (1.1, 9.4, 4.0, 3.6, 4.5, 2.6)  # landscape A4: 25.2 cm


def _rule(container, width_cm: float, room_cm: float, *, after: Pt | None = None) -> None:
    """The short centred line Nghị định 30 draws under the issuing body, the motto and the trích yếu: the top
    border of an empty, tiny paragraph narrowed by its indents."""
    paragraph = tight(container.add_paragraph(), after)
    paragraph.paragraph_format.space_before = Pt(2)
    indent = Cm(max(room_cm - width_cm, 0) / 2)
    paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = indent
    run = paragraph.add_run()
    run.font.size = Pt(2)
    paragraph.paragraph_format.line_spacing = Pt(2)
    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(name), value)
    borders.append(top)
    properties.append(borders)


HEADER_WIDTHS = (6.6, 9.9)


def header_table(doc, header: Header) -> None:
    """Issuing body and number on the left; the national motto and the place and date on the right."""
    grid = doc.add_table(rows=1, cols=2)
    no_borders(grid)
    left, right = grid.rows[0].cells
    for index, (text, bold) in enumerate(header.issuer_lines):
        p = tight(left.paragraphs[0] if index == 0 else left.add_paragraph())
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        write(p, text, bold=bold, size=Pt(13))
    _rule(left, 2.4, HEADER_WIDTHS[0] - 0.4)
    p = tight(left.add_paragraph())
    p.paragraph_format.space_before = Pt(6)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    write(p, f"Số: {header.number}", size=Pt(13))
    p = tight(right.paragraphs[0])
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    write(p, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=Pt(12))
    p = tight(right.add_paragraph())
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    write(p, "Độc lập - Tự do - Hạnh phúc", bold=True, size=Pt(13))
    _rule(right, 6.1, HEADER_WIDTHS[1] - 0.4)
    p = tight(right.add_paragraph())
    p.paragraph_format.space_before = Pt(6)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    write(p, header.place_date, italic=True, size=Pt(13))
    set_widths(grid, HEADER_WIDTHS)
    doc.add_paragraph()


def document_title(doc, kind: str, title: str) -> None:
    """ "KẾ HOẠCH" and, below it, the trích yếu (both bold, centred)."""
    tight(para(doc, kind, bold=True, align="center", size=Pt(14)))
    tight(para(doc, title, bold=True, align="center", size=Pt(14)))
    _rule(doc, 3.5, 16.5, after=Pt(12))


def body_paragraphs(doc, lines: tuple[Line, ...]) -> None:
    for line in lines:
        paragraph = para(doc, align="justify", first_line_indent=True)
        paragraph.paragraph_format.space_after = Pt(6)
        if line.heading:
            write(paragraph, line.text, bold=True)
            paragraph.paragraph_format.keep_with_next = True
        elif line.lead:
            write(paragraph, line.lead + " ", bold=True)
            write(paragraph, line.text)
        else:
            write(paragraph, line.text)


def section_heading(doc, text: str) -> None:
    paragraph = para(doc, text, bold=True, first_line_indent=True)
    paragraph.paragraph_format.space_before = Pt(6)
    paragraph.paragraph_format.space_after = Pt(6)
    paragraph.paragraph_format.keep_with_next = True


def _appendix_title(doc, title: str, note: str, *, new_page: bool) -> None:
    paragraph = tight(para(doc, title, bold=True, align="center", size=Pt(13)))
    paragraph.paragraph_format.page_break_before = new_page
    tight(para(doc, note, italic=True, align="center"), Pt(12))


def _fill_table(grid, centred: tuple[int, ...]) -> None:
    for row_index, row in enumerate(grid.rows):
        if row_index:
            keep_row_whole(row)
        for column, cell in enumerate(row.cells):
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            for paragraph in cell.paragraphs:
                tight(paragraph)
                paragraph.paragraph_format.space_before = Pt(2)
                paragraph.paragraph_format.space_after = Pt(2)
                if row_index == 0 or column in centred:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _landscape_section(doc):
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = Cm(2.0)
    section.left_margin, section.right_margin = Cm(3.0), Cm(1.5)
    return section


# --- DOCX -------------------------------------------------------------------------------------------------------------


def annual_plan_docx(ctx: AnnualPlanContext) -> bytes:
    doc = new_document()
    header_table(doc, ctx.header)
    document_title(doc, "KẾ HOẠCH", ctx.title)
    body_paragraphs(doc, ctx.preamble)
    for section in ctx.sections:
        section_heading(doc, section.heading)
        body_paragraphs(doc, section.lines)
    body_paragraphs(doc, ctx.closing)
    signature_block(doc, recipients=ctx.recipients, title=ctx.signer_title, name=ctx.signer_name)

    if ctx.targets:
        _appendix_title(doc, ctx.list_title, ctx.attached_to, new_page=True)
        rows = [(t.number, t.school, t.target, t.note) for t in ctx.targets]
        grid = table(doc, TARGET_COLUMNS, rows, widths_cm=TARGET_WIDTHS, size=TABLE_FONT)
        _fill_table(grid, centred=(0, 2, 3))
        total = para(doc, ctx.list_total, first_line_indent=True)
        total.paragraph_format.space_before = Pt(6)
    if ctx.tasks:
        _landscape_section(doc)
        _appendix_title(doc, "PHỤ LỤC: PHÂN CÔNG NHIỆM VỤ", ctx.attached_to, new_page=False)
        rows = [(t.number, t.content, t.agency, t.lead_official, t.cooperating, t.deadline) for t in ctx.tasks]
        grid = table(doc, TASK_COLUMNS, rows, widths_cm=TASK_WIDTHS, size=TABLE_FONT)
        _fill_table(grid, centred=(0, 5))
    return to_bytes(doc)
