"""The pieces every Word document of ours is made of, in the format of Nghị định 30/2020/NĐ-CP.

A4, Times New Roman 13 pt (Liberation Serif is metric-compatible where Times is absent), margins top/bottom 20 mm,
left 30 mm, right 15 mm; the national header table; page numbers; a table of contents field; visible red markers
where data is missing. Renderers call these; they hold no business rules.
"""

import io
import re
from collections.abc import Iterable, Sequence
from copy import deepcopy

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from kiemdinh.core.office.missing import Missing

FONT = "Times New Roman"
BODY_SIZE = Pt(13)
TABLE_SIZE = Pt(12)
RED = RGBColor(0xC0, 0x00, 0x00)

Text = str | Missing | None


def new_document(*, landscape: bool = False) -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    section.top_margin = section.bottom_margin = Cm(2.0)
    section.left_margin, section.right_margin = Cm(3.0), Cm(1.5)
    for name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Title", "Table Grid"):
        try:
            style = doc.styles[name]
        except KeyError:
            continue
        _set_font(style.element, style.font)
        style.font.color.rgb = RGBColor(0, 0, 0)
    normal = doc.styles["Normal"]
    normal.font.size = BODY_SIZE
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.15
    for level, size in ((1, 14), (2, 13), (3, 13), (4, 13)):
        heading = doc.styles[f"Heading {level}"]
        heading.font.size = Pt(size)
        heading.font.bold = True
        heading.font.italic = level == 4
        heading.paragraph_format.space_before = Pt(10 if level == 1 else 6)
        heading.paragraph_format.space_after = Pt(4)
        heading.paragraph_format.keep_with_next = True
    _update_fields_on_open(doc)
    page_numbers(doc)
    return doc


def _set_font(element, font) -> None:
    font.name = FONT
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)  # a theme font would win over Times New Roman


def _update_fields_on_open(doc) -> None:
    """Word refreshes the table of contents and page fields when the file is opened."""
    settings = doc.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def page_numbers(doc) -> None:
    for section in doc.sections:
        paragraph = section.footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_field(paragraph, "PAGE", "1")


def add_field(paragraph, instruction: str, shown: str = "") -> None:
    """A Word field (PAGE, TOC…) with `shown` as its cached result until it is updated."""

    def char(kind):
        run = paragraph.add_run()
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._r.append(element)
        return run

    char("begin")
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    char("separate")
    paragraph.add_run(shown)
    char("end")


def write(paragraph, value: Text, *, bold: bool = False, italic: bool = False, size: Pt | None = None) -> None:
    """Append text to a paragraph (a python-docx Paragraph or its `w:p` element): one run per line, with a break
    between lines, tabs and carriage returns as python-docx writes them; a Missing value becomes a red, bold marker.

    The runs are written straight into the XML with run properties copied from a run python-docx formatted (once per
    kind): the same document python-docx makes, without its element look-ups for every run (most of a long report's
    build time)."""
    p = getattr(paragraph, "_p", paragraph)
    if isinstance(value, Missing):
        run = Paragraph(p, None).add_run(str(value))
        run.bold = True
        run.font.color.rgb = RED
        return
    rpr = _run_properties(bold, italic, size)
    lines = (value or "").split("\n")
    for index, line in enumerate(lines):
        r = OxmlElement("w:r")
        if rpr is not None:
            r.append(deepcopy(rpr))
        for piece in _TAB_OR_CR.split(line):
            if piece in ("\t", "\r"):
                r.append(OxmlElement("w:tab" if piece == "\t" else "w:br"))
            elif piece:
                t = OxmlElement("w:t")
                t.text = piece
                if len(piece.strip()) < len(piece):
                    t.set(qn("xml:space"), "preserve")
                r.append(t)
        if index < len(lines) - 1:
            r.append(OxmlElement("w:br"))
        p.append(r)


_TAB_OR_CR = re.compile(r"([\t\r])")
_RUN_PROPERTIES: dict[tuple, object] = {}


def _run_properties(bold: bool, italic: bool, size: Pt | None):
    """The `w:rPr` python-docx writes for these properties (None when there are none); copied, never changed."""
    key = (bold, italic, size)
    if key not in _RUN_PROPERTIES:
        run = Paragraph(OxmlElement("w:p"), None).add_run()
        if bold:  # only set what differs from the style: every property is an XML element
            run.bold = True
        if italic:
            run.italic = True
        if size:
            run.font.size = size
        _RUN_PROPERTIES[key] = run._r.rPr
    return _RUN_PROPERTIES[key]


def para(
    doc_or_cell,
    value: Text = "",
    *,
    bold: bool = False,
    italic: bool = False,
    align: str | None = None,
    first_line_indent: bool = False,
    size: Pt | None = None,
    space_after: Pt | None = None,
):
    paragraph = doc_or_cell.add_paragraph()
    if align:
        paragraph.alignment = {
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
            "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
            "left": WD_ALIGN_PARAGRAPH.LEFT,
        }[align]
    if first_line_indent:
        paragraph.paragraph_format.first_line_indent = Cm(1.0)
    if space_after is not None:
        paragraph.paragraph_format.space_after = space_after
    write(paragraph, value, bold=bold, italic=italic, size=size)
    return paragraph


def body(doc, value: Text) -> None:
    """Body text: one justified, indented paragraph per line of the value (a marker when missing)."""
    if isinstance(value, Missing) or not value:
        para(doc, value if isinstance(value, Missing) else Missing("nội dung"), align="justify", first_line_indent=True)
        return
    for line in value.split("\n"):
        if line.strip():
            para(doc, line.strip(), align="justify", first_line_indent=True)


def heading(doc, text: str, level: int = 1):
    return doc.add_heading(text, level=level)


def page_break(doc) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def table(
    doc,
    headers: Sequence[str],
    rows: Iterable[Sequence[Text]],
    *,
    widths_cm: Sequence[float] | None = None,
    group_rows: set[int] | None = None,
    size: Pt = TABLE_SIZE,
):
    """A bordered table with a bold, repeated header row; rows listed in group_rows span all columns in bold.

    The first row of each kind (plain, group) is made by python-docx; the others are copies of its empty XML: the
    same document, without python-docx's element look-ups for every cell."""
    rows = list(rows)
    grid = doc.add_table(rows=1, cols=len(headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    if widths_cm:
        set_widths(grid, widths_cm)  # before the rows: each new row takes its cells' widths from the grid
    header = grid.rows[0]
    _repeat_header(header)
    for cell, text in zip(header.cells, headers, strict=True):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        write(cell.paragraphs[0], text, bold=True, size=size)
    empty: dict[bool, object] = {}  # the first row of each kind, as it was before any text: plain (False), group
    for index, row in enumerate(rows):
        grouped = bool(group_rows) and index in group_rows
        if grouped not in empty:
            made = grid.add_row()
            if grouped:
                made.cells[0].merge(made.cells[-1])
            tr = made._tr
            empty[grouped] = deepcopy(tr)
        else:
            tr = deepcopy(empty[grouped])
            grid._tbl.append(tr)
        paragraphs = [tc.find(qn("w:p")) for tc in tr.iterchildren(qn("w:tc"))]
        if grouped:
            write(paragraphs[0], row[0], bold=True, size=size)
            continue
        for paragraph, value in zip(paragraphs, row, strict=True):
            write(paragraph, value, size=size)
    return grid


def set_widths(grid, widths_cm: Sequence[float]) -> None:
    """Column widths that Word and LibreOffice both honour: the table grid and every cell."""
    grid.autofit = False
    for col, width in zip(grid._tbl.tblGrid.findall(qn("w:gridCol")), widths_cm, strict=False):
        col.set(qn("w:w"), str(int(Cm(width).twips)))
    for row in grid.rows:
        for cell, width in zip(row.cells, widths_cm, strict=False):
            cell.width = Cm(width)


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    trpr.append(element)


def no_borders(grid) -> None:
    tblpr = grid._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tblpr.append(borders)


def national_header(doc, *, authority: str, issuer: str, number: Text = None, place_date: Text = None) -> None:
    """The two-column header: issuing body (its superior above it) and number on the left, the national motto and
    place/date on the right."""
    grid = doc.add_table(rows=1, cols=2)
    no_borders(grid)
    set_widths(grid, (7.0, 9.5))
    left, right = grid.rows[0].cells
    para_left = left.paragraphs[0]
    para_left.alignment = WD_ALIGN_PARAGRAPH.CENTER
    write(para_left, authority.upper(), size=Pt(12))
    p = left.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    write(p, issuer.upper(), bold=True, size=Pt(12))
    if number is not None:
        p = left.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        write(p, "Số: ", size=Pt(13))
        write(p, number, size=Pt(13))
    p = right.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    write(p, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=Pt(12))
    p = right.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    write(p, "Độc lập - Tự do - Hạnh phúc", bold=True, size=Pt(13))
    if place_date is not None:
        p = right.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        write(p, place_date, italic=True, size=Pt(13))
    doc.add_paragraph()


def recipient_lines(entries: str | Sequence[str]) -> tuple[str, ...]:
    """ "Nơi nhận" entries as Nghị định 30 prints them: "- Sở GD&ĐT (báo cáo);" … "- Lưu: VT." — whatever bullet or
    end mark the user typed is replaced, and the last entry ends the list. A text gives one entry per line."""
    if isinstance(entries, str):
        entries = entries.splitlines()
    items = [re.sub(r"^[-–+•]\s*", "", line.strip()).rstrip(";.,").strip() for line in entries]
    items = [item for item in items if item]
    return tuple(f"- {item}{'.' if index == len(items) - 1 else ';'}" for index, item in enumerate(items))


def tight(paragraph, after: Pt | None = None):
    """No space after the paragraph (or `after`), single line spacing."""
    paragraph.paragraph_format.space_after = after or Pt(0)
    paragraph.paragraph_format.line_spacing = 1.0
    return paragraph


def keep_row_whole(row) -> None:
    """A table row that never breaks across pages."""
    trpr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:cantSplit")
    element.set(qn("w:val"), "true")
    trpr.append(element)


def signature_block(doc, *, recipients: str | Sequence[str] = (), title: str | Sequence[str], name: Text) -> None:
    """'Nơi nhận' on the left; the signer's title (one line, or several: "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"), room for
    the signature and the name on the right; kept on one page."""
    grid = doc.add_table(rows=1, cols=2)
    no_borders(grid)
    set_widths(grid, (7.5, 9.0))
    left, right = grid.rows[0].cells
    lines = recipient_lines(recipients)
    if lines:
        write(tight(left.paragraphs[0]), "Nơi nhận:", bold=True, italic=True, size=Pt(12))
        for line in lines:
            write(tight(left.add_paragraph()), line, size=Pt(11))
    titles = [title] if isinstance(title, str) else list(title) or [""]
    for index, line in enumerate(titles):
        p = tight(right.paragraphs[0] if index == 0 else right.add_paragraph())
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        write(p, line.upper(), bold=True, size=Pt(13))
    for _ in range(4):
        tight(right.add_paragraph())
    p = tight(right.add_paragraph())
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    write(p, name, bold=True, size=Pt(13))
    keep_row_whole(grid.rows[0])


def table_of_contents(doc, entries: Sequence[tuple[int, str]]) -> None:
    """A TOC field over headings 1–3. Its cached result lists the headings (without page numbers) so every viewer
    shows a contents list; Word fills in page numbers when it updates fields on opening."""
    paragraph = doc.add_paragraph()
    add_field(paragraph, 'TOC \\o "1-3" \\h \\z \\u', "")
    for level, text in entries:
        p = doc.add_paragraph()
        p.paragraph_format.left_indent = Cm(0.6 * (level - 1))
        p.paragraph_format.space_after = Pt(0)
        write(p, text, size=Pt(12))


def to_bytes(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
