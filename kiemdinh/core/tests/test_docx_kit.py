"""docx_kit.write puts runs straight into the paragraph's XML: it must give the XML python-docx itself gives."""

import pytest
from docx import Document
from docx.shared import Pt

from kiemdinh.core.office.docx_kit import table, write
from kiemdinh.core.office.missing import Missing


def python_docx_runs(paragraph, value, *, bold=False, italic=False, size=None):
    """What write() did through python-docx: one run per line, the properties set on each, a break between."""
    lines = (value or "").split("\n")
    for index, line in enumerate(lines):
        run = paragraph.add_run(line)
        if bold:
            run.bold = True
        if italic:
            run.italic = True
        if size:
            run.font.size = size
        if index < len(lines) - 1:
            run.add_break()


@pytest.mark.parametrize(
    "value", ["", None, "Mức 1: a) đạt", " đầu dòng", "cuối dòng ", "a\tb", "x\r\ny", "\n\nz\n", "\t", "a\r"]
)
@pytest.mark.parametrize(
    "properties", [{}, {"bold": True}, {"italic": True, "size": Pt(12)}, {"bold": True, "italic": True, "size": Pt(13)}]
)
def test_write_gives_the_xml_python_docx_gives(value, properties):
    doc = Document()
    expected, written = doc.add_paragraph(), doc.add_paragraph()
    python_docx_runs(expected, value, **properties)
    write(written, value, **properties)
    assert written._p.xml == expected._p.xml


def test_a_missing_value_is_a_red_bold_marker():
    doc = Document()
    paragraph = doc.add_paragraph()
    write(paragraph, Missing("số quyết định"))
    run = paragraph.runs[0]
    assert run.bold and str(run.font.color.rgb) == "C00000" and "số quyết định" in run.text


def test_copied_rows_hold_their_own_text_and_group_rows_span_the_table():
    doc = Document()
    grid = table(doc, ["A", "B"], [["1", "một"], ["Nhóm", ""], ["2", "hai"], ["Nhóm 2", ""]],
                 widths_cm=(3, 9), group_rows={1, 3})  # fmt: skip
    texts = [[cell.text for cell in row.cells] for row in grid.rows]
    assert texts == [["A", "B"], ["1", "một"], ["Nhóm", "Nhóm"], ["2", "hai"], ["Nhóm 2", "Nhóm 2"]]
    assert grid.rows[2].cells[0].width == grid.columns[0].width + grid.columns[1].width
