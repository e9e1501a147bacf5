"""An authority's plan (kế hoạch của UBND, Phòng GD&ĐT…) as documents, in the layout of the Hương Trà seed.

- DOCX (A4 portrait, Nghị định 30/2020): the header table (issuing body / national motto, "Số: 20/KH-UBND", place and
  date), "KẾ HOẠCH" and the trích yếu, the "Căn cứ… / Thực hiện…" paragraphs, "I. MỤC ĐÍCH, YÊU CẦU" (1. Mục đích,
  2. Yêu cầu) when the plan has them, the officer's sections numbered II, III, IV… (I, II… without section I), the
  closing paragraph, "Nơi nhận" beside the signature block; then, each on a new page and only when it has rows, the
  list of schools ("DANH SÁCH CƠ SỞ GIÁO DỤC…", Hương Trà) and the assignment of tasks ("PHỤ LỤC: PHÂN CÔNG NHIỆM
  VỤ", Cao Lộc, on a landscape page).
- XLSX: the schools with where each stands today, the targets (chỉ tiêu) with their live progress, the tasks.

Before the plan is signed its number and date stay blank as the seeds print them ("Số:        /KH-UBND", "Cao Lộc,
ngày      tháng      năm 2024"); what is still blank is listed in `missing` (the export command prints it).
"""

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from kiemdinh.core.office.docx_kit import (
    _no_borders,
    keep_row_whole,
    new_document,
    para,
    recipient_lines,
    set_widths,
    signature_block,
    table,
    tight,
    to_bytes,
    write,
)
from kiemdinh.core.tabular import workbook_bytes
from kiemdinh.core.text import fold
from kiemdinh.documents.common import place_date, short_place, vn_date
from kiemdinh.planning.models import AnnualPlan, GoalMeasure, GoalMetric, GoalScope, PlanKind, TaskStatus
from kiemdinh.planning.selectors import goals_progress, plan_targets_with_positions, signer_lines

BLANK = " " * 8  # where the number, the day and the month are written by hand once the plan is signed
TABLE_FONT = Pt(12)
SECTION_I = "MỤC ĐÍCH, YÊU CẦU"
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

# A numbered sub-heading of a body: "1. Mục đích", "2.4. Giải pháp, thời gian thực hiện:", "1. Phòng Giáo dục và Đào
# tạo" — a short numbered line that is not a sentence (a sentence ends with "." or ";"). A numbered line with a short
# label before a colon ("2.1. Lãnh đạo phụ trách: Đồng chí …") prints its label in bold.
NUMBERED = re.compile(r"^\d+(?:\.\d+)*\.\s+\S")
HEADING_MAX = 120
LABEL = re.compile(r"^(\d+(?:\.\d+)*\.\s+[^:]{1,60}:)\s+(\S.*)$")


# --- context ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One paragraph of a body: `lead` is printed bold before `text`; a heading is bold as a whole."""

    text: str
    lead: str = ""
    heading: bool = False

    @property
    def full(self) -> str:
        return f"{self.lead} {self.text}" if self.lead else self.text


@dataclass(frozen=True)
class Section:
    heading: str  # "II. MỤC TIÊU, CHỈ TIÊU"
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Header:
    """The left column of the header table, line by line with whether it is bold, and the number and date."""

    issuer_lines: tuple[tuple[str, bool], ...]
    number: str  # "20/KH-UBND" or "        /KH-UBND"
    place_date: str


@dataclass(frozen=True)
class TargetRow:
    number: str  # "1."
    school: str
    school_type: str
    unit: str
    target: str  # "CĐ2-MĐ1"
    note: str  # "CN lần đầu", "CN lại" (and the officer's note)
    evaluation_period: str
    position: str  # "Đang tự đánh giá; CĐ2-MĐ1 còn hiệu lực đến 31/12/2025"


@dataclass(frozen=True)
class GoalRow:
    text: str
    measured_by: str
    target: str  # "100%", "02 trường"
    result: str  # goals_progress value_label
    met: str  # "Đạt" / "Chưa đạt"


@dataclass(frozen=True)
class TaskRow:
    number: str
    content: str
    agency: str
    lead_official: str
    cooperating: str
    deadline: str
    status: str


@dataclass(frozen=True)
class AnnualPlanContext:
    plan_id: int
    header: Header
    title: str  # the trích yếu
    preamble: tuple[Line, ...]
    sections: tuple[Section, ...]  # section I (when the plan has a purpose or requirements) and the officer's
    closing: tuple[Line, ...]
    recipients: tuple[str, ...]  # "- Sở GD&ĐT tỉnh TTH (báo cáo);" … "- Lưu: VT."
    signer_title: tuple[str, ...]  # "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"
    signer_name: str
    list_title: str  # "DANH SÁCH CƠ SỞ GIÁO DỤC … NĂM 2024"
    attached_to: str  # "(Kèm theo Kế hoạch số 20/KH-UBND ngày 04/01/2024 của UBND thị xã Hương Trà)"
    targets: tuple[TargetRow, ...]
    goals: tuple[GoalRow, ...]
    tasks: tuple[TaskRow, ...]
    issuer: str
    number: str  # as stored ("" before signing)
    period: str
    period_text: str  # "năm 2024", "năm học 2019-2020", "giai đoạn 2021-2025"
    unit_code: str
    missing: tuple[str, ...]

    @property
    def list_total(self) -> str:
        return f"Danh sách này gồm: {len(self.targets):02d} đơn vị./."

    def filename(self, fmt: str) -> str:
        """ASCII: "Ke-hoach-20-KH-UBND-2024.docx" (the unit's code stands in for a number not given yet)."""
        return f"Ke-hoach-{ascii_slug(self.number or self.unit_code)}-{ascii_slug(self.period)}.{fmt}"

    def display_name(self, fmt: str) -> str:
        """The same in Vietnamese, for the UTF-8 filename* of the download: "Kế hoạch 20-KH-UBND năm 2024.docx"."""
        number = f" {self.number.replace('/', '-')}" if self.number else ""
        return f"Kế hoạch{number} {self.period_text}.{fmt}"


def roman(number: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    text = ""
    for value, numeral in numerals:
        while number >= value:
            text, number = text + numeral, number - value
    return text


def ascii_slug(text: str) -> str:
    """ "20/KH-UBND" → "20-KH-UBND"; diacritics dropped (đ → d), case kept."""
    decomposed = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-")


def issuer_lines(issuer: str, parent: str = "") -> tuple[tuple[str, bool], ...]:
    """The issuing body as Nghị định 30 prints it: the body above it (not bold) over its name (bold); a People's
    Committee in full on two bold lines ("ỦY BAN NHÂN DÂN" / "THỊ XÃ HƯƠNG TRÀ")."""
    issuer = (issuer or "").strip()
    if parent.strip():
        return ((parent.strip().upper(), False), (issuer.upper(), True))
    words = issuer.split()
    for size, name in ((1, "ubnd"), (4, "uy ban nhan dan")):
        if len(words) > size and fold(" ".join(words[:size])) == name:
            return (("ỦY BAN NHÂN DÂN", True), (" ".join(words[size:]).upper(), True))
    return ((issuer.upper(), True),)


def blank_number(issuer: str, code: str) -> str:
    """ "        /KH-UBND" for a People's Committee (as the Cao Lộc and Tân Thành seeds), else "        /KH"."""
    folded = fold(issuer)
    suffix = "-UBND" if folded.startswith(("ubnd ", "uy ban nhan dan ")) else ""
    return f"{BLANK}/{code}{suffix}"


def blank_date(place: str, year: str) -> str:
    return f"{place}, ngày{BLANK}tháng{BLANK}năm {year}"


def body_lines(text: str) -> tuple[Line, ...]:
    """A body as paragraphs (one a line, as written); numbered sub-headings bold, numbered labels bold."""
    lines = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        if NUMBERED.match(line):
            if len(line) <= HEADING_MAX and not line.endswith((".", ";", ",")):
                lines.append(Line(line, heading=True))
                continue
            labelled = LABEL.match(line)
            if labelled:
                lines.append(Line(labelled[2], lead=labelled[1]))
                continue
        lines.append(Line(line))
    return tuple(lines)


def period_label(plan: AnnualPlan) -> str:
    word = {PlanKind.SCHOOL_YEAR: "NĂM HỌC", PlanKind.ROADMAP: "GIAI ĐOẠN"}.get(plan.kind, "NĂM")
    return f"{word} {plan.period}"


UNIT_WORD = re.compile(
    r"^(UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+(Xã|Phường|Thị trấn|Thị xã|Thành phố|Huyện|Quận|Tỉnh)\s"
)


def in_sentence(issuer: str) -> str:
    """ "UBND Huyện Cao Lộc" (a unit's name after "UBND") → "UBND huyện Cao Lộc", as a sentence writes it."""
    return UNIT_WORD.sub(lambda m: f"{m[1]} {m[2].lower()} ", issuer.strip(), count=1)


def attached_to(plan: AnnualPlan, number: str) -> str:
    when = vn_date(plan.issued_on) if plan.issued_on else f"{BLANK}/{BLANK}/{plan.period[:4]}"
    return f"(Kèm theo Kế hoạch số {number} ngày {when} của {in_sentence(plan.issuer)})"


def _first_is(lines: tuple[Line, ...], words: str) -> bool:
    return bool(lines) and fold(lines[0].full).startswith(words)


def _section_one(plan: AnnualPlan) -> tuple[Line, ...]:
    purpose, requirements = body_lines(plan.purpose), body_lines(plan.requirements)
    if purpose and requirements:
        # "1. Mục đích" / "2. Yêu cầu" unless the officer already wrote them
        head_1 = () if _first_is(purpose, "1. muc dich") else (Line("1. Mục đích", heading=True),)
        head_2 = () if _first_is(requirements, "2. yeu cau") else (Line("2. Yêu cầu", heading=True),)
        return (*head_1, *purpose, *head_2, *requirements)
    return purpose or requirements  # one of them alone is the section itself (Hóc Môn: numbered aims)


def _value(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


def _goal_target(goal) -> str:
    if goal.measure == GoalMeasure.COUNT:
        return f"{int(goal.target_value):02d} trường"
    return f"{_value(goal.target_value)}%"


def _measured_by(goal) -> str:
    parts = [GoalMetric(goal.metric).label]
    if goal.level:
        parts.append(f"cấp độ/mức độ từ {goal.level}")
    if goal.school_year:
        parts.append(f"năm học {goal.school_year}")
    if goal.type_list:
        parts.append(", ".join(goal.type_list))
    if goal.scope == GoalScope.TARGETS:
        parts.append("tính trên các trường trong danh sách")
    return "; ".join(parts)


def _position_text(position) -> str:
    text = position.stage_label
    if position.recognition_label:
        expires = position.expires_on
        text += f"; {position.recognition_label}" + (f" còn hiệu lực đến {vn_date(expires)}" if expires else "")
    return text


def annual_plan_context(plan: AnnualPlan) -> AnnualPlanContext:
    """Plain data for the documents of a plan. Queries: the plan's unit (unless loaded), the sections, the targets
    with their schools' cycles and decisions (3), the goals with their progress (goals_progress: 2 plus the unit's
    schools and one a goal) and the tasks — whatever the number of sections, schools or tasks."""
    log: list[str] = []
    unit = plan.unit
    place = plan.place or short_place(unit.name)
    number = plan.number or blank_number(plan.issuer, "KH")
    if not plan.number:
        log.append("số kế hoạch")
    if plan.issued_on:
        when = place_date(place, plan.issued_on)
    else:
        when = blank_date(place, plan.period[:4])
        log.append("ngày ban hành")
    if not plan.signer_title.strip():
        log.append("chức vụ người ký")
    if not plan.signer_name.strip():
        log.append("người ký")

    sections = []
    first = _section_one(plan)
    if first:
        sections.append(Section(f"I. {SECTION_I}", first))
    for section in plan.sections.all():
        heading = re.sub(r"^[IVXLC]+\.\s*", "", section.heading.strip())  # the numeral is ours
        sections.append(Section(f"{roman(len(sections) + 1)}. {heading.upper()}", body_lines(section.body)))

    targets = tuple(
        TargetRow(
            number=f"{index}.",
            school=target.school.name,
            school_type=target.school.get_school_type_display(),
            unit=target.school.unit.name,
            target=target.target_label,
            note="; ".join(part for part in (target.round_label, target.note) if part),
            evaluation_period=target.evaluation_period,
            position=_position_text(position),
        )
        for index, (target, position) in enumerate(plan_targets_with_positions(plan, timezone.localdate()), start=1)
    )
    goals = tuple(
        GoalRow(
            text=progress.goal.text,
            measured_by=_measured_by(progress.goal),
            target=_goal_target(progress.goal),
            result=progress.value_label,
            met="Đạt" if progress.met else "Chưa đạt",
        )
        for progress in goals_progress(plan)
    )
    tasks = tuple(
        TaskRow(
            number=str(index),
            content=task.content,
            agency=task.agency,
            lead_official=task.lead_official,
            cooperating=task.cooperating,
            deadline=task.deadline_label,
            status=TaskStatus(task.status).label,
        )
        for index, task in enumerate(plan.tasks.all(), start=1)
    )
    return AnnualPlanContext(
        plan_id=plan.pk,
        header=Header(issuer_lines(plan.issuer, plan.issuer_parent), number, when),
        title=plan.title,
        preamble=body_lines(plan.preamble),
        sections=tuple(sections),
        closing=body_lines(plan.closing),
        recipients=recipient_lines(plan.recipients),
        signer_title=tuple(signer_lines(plan)),
        signer_name=plan.signer_name.strip(),
        list_title=(
            "DANH SÁCH CƠ SỞ GIÁO DỤC CÔNG NHẬN TRƯỜNG ĐẠT KIỂM ĐỊNH CHẤT LƯỢNG GIÁO DỤC VÀ TRƯỜNG ĐẠT CHUẨN QUỐC GIA, "
            + period_label(plan)
        ),
        attached_to=attached_to(plan, number),
        targets=targets,
        goals=goals,
        tasks=tasks,
        issuer=plan.issuer,
        number=plan.number,
        period=plan.period,
        period_text=period_label(plan).lower(),
        unit_code=unit.code,
        missing=tuple(log),
    )


# --- DOCX pieces shared with the plan's reports -----------------------------------------------------------------------


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
    _no_borders(grid)
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


# --- XLSX -------------------------------------------------------------------------------------------------------------

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
