"""The quality-improvement plan (kế hoạch cải tiến chất lượng) of a cycle and the report of its monitoring.

- improvement-plan: 2018 regime in the layout of the Thanh Chấn seed (landscape; I mục đích, II căn cứ with the
  self-assessment results, III the nine-column table grouped "MỨC 1, 2, 3" by standard and criterion then "MỨC 4",
  IV tổ chức thực hiện, closing sentence, nơi nhận, signature); TT57 as Biểu 2 Phụ lục V (sections IV–VIII with the
  columns of the framework data). DOCX and XLSX (one sheet with a status column, for follow-up).
- monitoring-report: Báo cáo kết quả giám sát thực hiện kế hoạch — the monitoring team, the reviews held, every line
  with its latest status, the progress noted at each review, adjustments and evidence, counts and overdue lines.

Each builder reads the improvement selectors only (a fixed number of queries whatever the plan's size) and never
creates a plan: a cycle without one gets the marker "Chưa lập kế hoạch cải tiến".
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import prefetch_related_objects
from django.utils import timezone
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from kiemdinh.core.office.docx_kit import (
    Text,
    body,
    heading,
    national_header,
    new_document,
    para,
    recipient_lines,
    set_widths,
    signature_block,
    table,
    to_bytes,
    write,
)
from kiemdinh.core.office.missing import Missing, MissingLog
from kiemdinh.core.tabular import workbook_bytes
from kiemdinh.documents.common import CycleHeader, cycle_header, place_date, vn_date
from kiemdinh.evidence.selectors import versions_as_of
from kiemdinh.frameworks.models import Regime
from kiemdinh.improvement.models import (
    TT57_STATUS_LABEL,
    ImprovementPlan,
    LineStatus,
    MonitoringMember,
    MonitorRole,
    PlanLine,
)
from kiemdinh.improvement.selectors import is_overdue, monitoring_state, percent, plan_table, results_summary
from kiemdinh.improvement.services import cost_label, time_label
from kiemdinh.selfassessment.models import Cycle

NO_PLAN = "Chưa lập kế hoạch cải tiến"
TABLE_FONT = Pt(11)

# The nine columns of the Thanh Chấn seed's table, word for word.
COLUMNS_2018 = (
    "TT",
    "Tiêu chuẩn, tiêu chí",
    "Kết quả cần đạt (so với hiện trạng)",
    "Công việc/giải pháp cần thực hiện",
    "Chủ trì và phối hợp thực hiện",
    "Thời gian thực hiện và hoàn thành",
    "Dự kiến kinh phí (triệu đồng)",
    "Điều kiện hỗ trợ khác",
    "Ghi chú",
)
WIDTHS_2018 = (1.0, 2.4, 4.4, 4.8, 2.9, 2.9, 2.2, 3.0, 1.6)  # landscape A4: 25.2 cm between the margins
STATUS_COLUMN = "Trạng thái"

# Biểu 2 Phụ lục V (TT57), as in the framework data (rules.improvement_plan.biểu_2_sections); used when a framework
# version does not carry them. The titles of sections I–III were not seen in any source: the three below are ours,
# following the 2018 seed, and are not confirmed against the circular.
TT57_SECTION_I = "I. MỤC ĐÍCH, YÊU CẦU"
TT57_SECTION_II = "II. CĂN CỨ XÂY DỰNG KẾ HOẠCH"
TT57_SECTION_III = "III. KẾT QUẢ TỰ ĐÁNH GIÁ"
BIEU_2_SECTIONS = {
    "IV": {
        "title": "Các vấn đề trọng tâm cần cải tiến",
        "columns": ["TT", "Tiêu chuẩn", "Tiêu chí", "Hiện trạng", "Hạn chế", "Nguyên nhân"],
    },
    "V": {
        "title": "Kế hoạch cải tiến",
        "columns": [
            "TT",
            "Nội dung",
            "Mục tiêu",
            "Giải pháp",
            "Chỉ số kết quả",
            "Thời gian thực hiện",
            "Người phụ trách",
            "Nguồn lực",
            "Minh chứng dự kiến",
            "Mức độ thực hiện (Hoàn thành / Đang thực hiện / Chưa hoàn thành)",
        ],
    },
    "VI": {
        "title": "Theo dõi và đánh giá thực hiện (giám sát nội bộ)",
        "columns": ["Thời điểm", "Nội dung theo dõi", "Kết quả thực hiện", "Điều chỉnh (nếu có)", "Người đánh giá"],
    },
    "VII": {
        "title": "Tổ chức thực hiện",
        "items": ["Người đứng đầu cơ sở giáo dục", "Hội đồng tự đánh giá", "Các tổ chuyên môn và bộ phận liên quan"],
    },
    "VIII": {
        "title": "Cơ chế đánh giá và báo cáo",
        "items": [
            "a) Thực hiện rà soát, đánh giá tối thiểu 02 lần trong năm học;",
            "b) Kết quả thực hiện kế hoạch cải tiến là cơ sở để cập nhật báo cáo tự đánh giá và xây dựng kế hoạch "
            "cải tiến của năm học tiếp theo;",
            "c) Bảo đảm công khai, minh bạch và phục vụ trách nhiệm giải trình của cơ sở giáo dục./.",
        ],
    },
}
WIDTHS_TT57 = {
    "IV": (1.0, 4.0, 4.4, 5.4, 5.4, 5.0),
    "V": (0.9, 3.0, 2.8, 3.4, 2.4, 2.3, 2.3, 2.5, 2.6, 3.0),
    "VI": (3.4, 6.0, 7.0, 5.0, 3.8),
}


# --- shared pieces ---------------------------------------------------------------------------------------------------


def _plan_of(cycle: Cycle) -> ImprovementPlan | None:
    """The cycle's plan (one query), its cycle taken from the one given so nothing is read twice."""
    plan = ImprovementPlan.objects.filter(cycle=cycle).first()
    if plan is not None:
        plan.cycle = cycle
    return plan


def _lines_of(plan: ImprovementPlan, table_) -> list[PlanLine]:
    for line in table_.lines:
        line.plan = plan  # time_label reads the plan's school year: no query per line
    return table_.lines


def _spaced_year(school_year: str) -> str:
    return school_year.replace("-", " - ")


def _subject(line: PlanLine) -> str:
    if line.criterion_id:
        return f"Tiêu chí {line.criterion.code}"
    return f"Mức 4 – Tiêu chí {line.level4_item.code}"


def _tasks_text(tasks: tuple[str, ...]) -> str:
    return "\n".join(f"- {t}" for t in tasks) if len(tasks) > 1 else "".join(tasks)


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


# --- context: the plan ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRow:
    """One row of the seed's table. kind: "group" (MỨC 1, 2, 3 / MỨC 4), "standard" or "line"."""

    kind: str
    number: str = ""
    subject: Text = ""  # "Tiêu chí 1.6" on a criterion's first line only; the standard's or group's label
    target: str = ""
    tasks: tuple[str, ...] = ()
    owners: str = ""
    time: str = ""
    cost: str = ""
    support: str = ""
    notes: str = ""
    status: str = ""  # the line's current status (spreadsheet only)
    full_subject: str = ""  # the criterion label on every line (spreadsheet only: its rows are sorted and filtered)

    @property
    def cells(self) -> tuple:
        return (
            self.number,
            self.subject,
            self.target,
            self.tasks,
            self.owners,
            self.time,
            self.cost,
            self.support,
            self.notes,
        )


@dataclass(frozen=True)
class IssueRow:  # Biểu 2 mục IV
    number: str
    standard: str
    criterion: str
    current_state: str
    limitation: str
    cause: str


@dataclass(frozen=True)
class ActionRow:  # Biểu 2 mục V
    number: str
    content: str
    target: str
    tasks: tuple[str, ...]
    result_indicator: str
    time: str
    owner: str
    resources: str
    expected_evidence: str
    level: str  # Hoàn thành / Đang thực hiện / Chưa hoàn thành
    status: str  # the finer status (spreadsheet only)

    @property
    def cells(self) -> tuple:
        return (
            self.number,
            self.content,
            self.target,
            self.tasks,
            self.result_indicator,
            self.time,
            self.owner,
            self.resources,
            self.expected_evidence,
            self.level,
        )


@dataclass(frozen=True)
class FollowUpRow:  # Biểu 2 mục VI
    when: str
    subject: str
    result: str
    adjustment: str
    reviewer: str

    @property
    def cells(self) -> tuple:
        return (self.when, self.subject, self.result, self.adjustment, self.reviewer)


@dataclass(frozen=True)
class Section:
    title: str  # "IV. CÁC VẤN ĐỀ TRỌNG TÂM CẦN CẢI TIẾN"
    columns: tuple[str, ...] = ()
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImprovementPlanContext:
    header: CycleHeader
    tt57: bool
    number: Text
    place_date: Text
    school_year: str  # "2021 - 2022", as in the title
    purpose: Text
    bases: Text
    results_heading: str  # 2018: the item of section II that introduces the results; "" for TT57 (its own section)
    results: tuple[str, ...] | Missing  # "Tổng số tiêu chuẩn được đánh giá: 05 tiêu chuẩn", "- Mức 1: …"
    rows: tuple[PlanRow, ...]  # 2018 table; TT57: empty
    issues: tuple[IssueRow, ...]  # TT57 mục IV
    actions: tuple[ActionRow, ...]  # TT57 mục V
    follow_up: tuple[FollowUpRow, ...]  # TT57 mục VI
    sections: dict[str, Section]  # TT57: IV–VIII
    table_missing: Missing | None  # no plan, or a plan without lines
    organisation: Text
    closing: str
    recipients: tuple[str, ...]
    signer_title: str
    signer_name: Text
    missing: tuple[str, ...]


def _results(cycle: Cycle, log: MissingLog) -> tuple[str, ...] | Missing:
    """The self-assessment results in the seed's words (TT57 section III)."""
    lines = results_summary(cycle)
    return tuple(lines) if lines else log.missing("kết quả tự đánh giá (chưa ghi kết quả đánh giá các chỉ báo)")


def _rows_2018(plan: ImprovementPlan, table_) -> list[PlanRow]:
    rows: list[PlanRow] = []

    def line_row(line: PlanLine, number: str, subject: str, full_subject: str) -> PlanRow:
        return PlanRow(
            kind="line",
            number=number,
            subject=subject,
            target=line.target,
            tasks=tuple(line.tasks),
            owners=line.owners,
            time=time_label(line),
            cost=cost_label(line),
            support=line.support,
            notes=line.notes,
            status=LineStatus(line.status).label,
            full_subject=full_subject,
        )

    if table_.standards:
        rows.append(PlanRow(kind="group", subject="MỨC 1, 2, 3"))
        for number, block in enumerate(table_.standards, start=1):
            s = block.standard
            rows.append(PlanRow(kind="standard", number=str(number), subject=f"Tiêu chuẩn {s.code}: {s.name}"))
            for criterion_block in block.criteria:
                label = f"Tiêu chí {criterion_block.criterion.code}"
                for index, line in enumerate(criterion_block.lines):
                    rows.append(line_row(line, "", label if index == 0 else "", label))
    if table_.level4:
        rows.append(PlanRow(kind="group", subject="MỨC 4"))
        for number, block in enumerate(table_.level4, start=1):
            label = f"Tiêu chí {block.item.code}"
            for index, line in enumerate(block.lines):
                first = index == 0
                rows.append(line_row(line, str(number) if first else "", label if first else "", label))
    return rows


def _sections(cycle: Cycle) -> dict[str, Section]:
    data = (cycle.framework.rules or {}).get("improvement_plan", {}).get("biểu_2_sections") or BIEU_2_SECTIONS
    sections = {}
    for key, fallback in BIEU_2_SECTIONS.items():
        given = data.get(key) or fallback
        sections[key] = Section(
            title=f"{key}. {given.get('title', fallback['title']).upper()}",
            columns=tuple(given.get("columns", fallback.get("columns", ()))),
            items=tuple(given.get("items", fallback.get("items", ()))),
        )
    return sections


def _tt57_tables(plan: ImprovementPlan, table_, state, users: dict) -> tuple[list, list, list]:
    issues = []
    for number, block in enumerate(table_.issues, start=1):
        issue = block.issue
        c = issue.criterion
        issues.append(
            IssueRow(
                number=str(number),
                standard=f"Tiêu chuẩn {c.standard.code}: {c.standard.name}",
                criterion=f"Tiêu chí {c.code}: {c.name}",
                current_state=issue.current_state,
                limitation=issue.limitation,
                cause=issue.cause,
            )
        )
    actions, numbers = [], {}
    for number, line in enumerate(table_.lines, start=1):
        numbers[line.pk] = number
        resources = "\n".join(x for x in (cost_label(line), line.support) if x)
        actions.append(
            ActionRow(
                number=str(number),
                content=line.content or (line.issue.limitation if line.issue_id else ""),
                target=line.target,
                tasks=tuple(line.tasks),
                result_indicator=line.result_indicator,
                time=time_label(line),
                owner=line.owners,
                resources=resources,
                expected_evidence=line.expected_evidence,
                level=TT57_STATUS_LABEL[LineStatus(line.status)],
                status=LineStatus(line.status).label,
            )
        )
    follow_up = []
    by_pk = {line.pk: line for line in table_.lines}
    for review in _held(state):
        reviewer = users.get(review.recorded_by_id, "")
        when = f"{vn_date(review.held_on)}\n{review.title}"
        entries = sorted(
            (e for e in review.entries.all() if e.line_id in by_pk), key=lambda e: numbers.get(e.line_id, 0)
        )
        rows = []
        for entry in entries:
            line = by_pk[entry.line_id]
            level = TT57_STATUS_LABEL[LineStatus(entry.status)]
            result = f"{level}: {entry.progress}" if entry.progress else level
            content = actions[numbers[line.pk] - 1].content
            rows.append(["", f"{numbers[line.pk]}. {content}", result, entry.adjustment, ""])
        if review.summary:
            rows.append(["", "Nhận xét chung, kiến nghị", review.summary, "", ""])
        if not rows:
            rows.append(["", "", "", "", ""])
        rows[0][0], rows[0][4] = when, reviewer
        follow_up += [FollowUpRow(*r) for r in rows]
    return issues, actions, follow_up


def _held(state) -> list:
    return sorted((r for r in state.reviews if r.is_held), key=lambda r: (r.held_on, r.scheduled_on, r.pk))


def _recorders(state) -> dict[int, str]:
    """Who recorded each held review (one query)."""
    ids = {r.recorded_by_id for r in state.reviews if r.recorded_by_id}
    if not ids:
        return {}
    return {u.pk: u.display_name for u in get_user_model().objects.filter(pk__in=ids)}


def build_improvement_plan(cycle: Cycle) -> ImprovementPlanContext:
    """At most 12 queries whatever the plan's size: header (2–3), plan, table (2–3), results (3), and for TT57 the
    reviews with their entries and evidence (3) and who recorded them (1)."""
    log = MissingLog()
    header = cycle_header(cycle, MissingLog())  # this document prints its own signer, not the council's chair
    tt57 = header.regime == Regime.TT57
    plan = _plan_of(cycle)
    stored = plan or ImprovementPlan(cycle=cycle)
    number = log.value(stored.number, "số kế hoạch")
    when = (
        place_date(stored.place or header.place, stored.issued_on)
        if stored.issued_on
        else log.missing("ngày ban hành kế hoạch")
    )
    purpose = log.value(stored.purpose, "mục đích, yêu cầu của kế hoạch")
    bases = log.value(stored.bases, "căn cứ xây dựng kế hoạch")
    # 2018: the results are item 3 of the plan's own "Căn cứ" text (the seed writes them there; a new plan starts
    # with them computed, see improvement.services.default_texts); TT57 prints them as section III.
    results = _results(cycle, log) if tt57 else ()
    results_heading = ""

    rows, issues, actions, follow_up, table_missing = [], [], [], [], None
    if plan is None:
        table_missing = log.missing(NO_PLAN)
    else:
        table_ = plan_table(plan)
        _lines_of(plan, table_)
        if tt57:
            state = monitoring_state(plan, table_)
            issues, actions, follow_up = _tt57_tables(plan, table_, state, _recorders(state))
        else:
            rows = _rows_2018(plan, table_)
        if not table_.lines and not issues:
            table_missing = log.missing("nội dung kế hoạch (kế hoạch chưa có dòng nào)")

    signer_name = stored.signer_name or header.principal
    if isinstance(signer_name, Missing):
        signer_name = log.missing("người ký kế hoạch (hiệu trưởng)")
    organisation = log.value(stored.organisation, "tổ chức thực hiện")
    closing = (
        f"Trên đây là Kế hoạch cải tiến chất lượng giáo dục năm học {cycle.school_year} của {header.school_name}, "
        "yêu cầu CB, GV, NV nhà trường nghiêm túc thực hiện triển khai đạt yêu cầu mục đích đề ra./."
    )
    return ImprovementPlanContext(
        header=header,
        tt57=tt57,
        number=number,
        place_date=when,
        school_year=_spaced_year(cycle.school_year),
        purpose=purpose,
        bases=bases,
        results_heading=results_heading,
        results=results,
        rows=tuple(rows),
        issues=tuple(issues),
        actions=tuple(actions),
        follow_up=tuple(follow_up),
        sections=_sections(cycle) if tt57 else {},
        table_missing=table_missing,
        organisation=organisation,
        closing=closing,
        recipients=recipient_lines(stored.recipients),
        signer_title=stored.signer_title or "HIỆU TRƯỞNG",
        signer_name=signer_name,
        missing=log.labels,
    )


# --- render: the plan -----------------------------------------------------------------------------------------------


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


XLSX_WIDTHS_2018 = (6, 14, 40, 45, 24, 24, 18, 30, 16, 16)
XLSX_WIDTHS_TT57 = (6, 30, 30, 40, 24, 22, 22, 24, 26, 18, 16)
RED_FONT = Font(bold=True, color="C00000")


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


# --- context: the monitoring report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonitorRow:
    number: str
    full_name: str
    job_title: str
    role: str  # Tổ trưởng / Thành viên


@dataclass(frozen=True)
class ReviewRow:
    number: str
    held_on: str
    title: str
    summary: str


@dataclass(frozen=True)
class LineProgress:
    number: str
    subject: str  # "Tiêu chí 1.6", "Mức 4 – Tiêu chí 2"
    target: str
    owners: str
    time: str
    progress: tuple[str, ...]  # one per held review of the line: "dd/mm/yyyy — Hoàn thành: …"
    adjustments: tuple[str, ...]
    evidence: tuple[str, ...]  # names of the evidence collected at the reviews
    status: str
    overdue: bool

    @property
    def cells(self) -> tuple:
        return (
            self.number,
            self.subject,
            self.target,
            self.owners,
            self.time,
            self.progress or "",
            self.adjustments or "",
            self.evidence or "",
            self.status,
        )


@dataclass(frozen=True)
class MonitoringReportContext:
    header: CycleHeader
    tt57: bool
    number: Text
    place_date: Text
    school_year: str
    plan_reference: str  # the sentence that opens the report
    monitors: tuple[MonitorRow, ...]
    monitors_missing: Missing | None
    reviews: tuple[ReviewRow, ...]
    reviews_missing: Missing | None
    upcoming: tuple[str, ...]  # reviews scheduled and not held yet: "Sơ kết tháng 03/2027 (31/03/2027)"
    lines: tuple[LineProgress, ...]
    lines_missing: Missing | None
    total: int
    counts: tuple[tuple[str, int], ...]  # (status label, lines), in the order of the work
    overdue: tuple[str, ...]
    recipients: tuple[str, ...]
    signer_title: str
    signer_name: Text
    as_of: date  # overdue lines are those overdue on this day, the date of the report
    missing: tuple[str, ...]


STATUS_ORDER = (
    LineStatus.DONE,
    LineStatus.IN_PROGRESS,
    LineStatus.ADJUSTED,
    LineStatus.LATE,
    LineStatus.NOT_STARTED,
)
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


REPORT_DATE = "ngày báo cáo (ngày của đợt rà soát gần nhất)"


def _due_text(line: PlanLine) -> str:
    return f"tháng {line.due_on.month}/{line.due_on.year}" if line.due_on else time_label(line)  # as the seed


def build_monitoring_report(cycle: Cycle, as_of: date | None = None) -> MonitoringReportContext:
    """The report as of a day: the one given, else the day of the latest review held (the report follows it), else
    today. At most 12 queries whatever the plan's size: header (2–3), plan, table (2–3), lines carried over, reviews
    with their entries and evidence (3), monitors."""
    log = MissingLog()
    header = cycle_header(cycle, MissingLog())
    tt57 = header.regime == Regime.TT57
    plan = _plan_of(cycle)
    number = log.value(plan.report_number if plan else "", "số báo cáo")
    year = _spaced_year(cycle.school_year)
    if plan is None:
        marker = log.missing(NO_PLAN)
        return MonitoringReportContext(
            header=header,
            tt57=tt57,
            number=number,
            place_date=place_date(header.place, as_of) if as_of else log.missing(REPORT_DATE),
            school_year=year,
            plan_reference="",
            monitors=(),
            monitors_missing=marker,
            reviews=(),
            reviews_missing=marker,
            upcoming=(),
            lines=(),
            lines_missing=marker,
            total=0,
            counts=(),
            overdue=(),
            recipients=("Hiệu trưởng (để b/c)", "Lưu: VT"),
            signer_title="TỔ TRƯỞNG TỔ GIÁM SÁT",
            signer_name=_signer_name(log, header.principal),
            as_of=as_of or timezone.localdate(),
            missing=log.labels,
        )

    table_ = plan_table(plan)
    lines = _lines_of(plan, table_)
    prefetch_related_objects(lines, "carried_to")  # is_overdue asks whether a line was carried over: one query
    state = monitoring_state(plan, table_)
    held = _held(state)
    dated = as_of or (held[-1].held_on if held else None)
    as_of = dated or timezone.localdate()
    members = list(MonitoringMember.objects.filter(plan=plan))
    monitors = tuple(
        MonitorRow(str(n), m.full_name, m.job_title, MonitorRole(m.role).label) for n, m in enumerate(members, 1)
    )
    reviews = tuple(ReviewRow(str(n), vn_date(r.held_on), r.title, r.summary) for n, r in enumerate(held, start=1))
    upcoming = tuple(f"{r.title} (dự kiến ngày {vn_date(r.scheduled_on)})" for r in state.reviews if not r.is_held)

    entries: dict[int, list] = {}
    for review in held:
        for entry in review.entries.all():
            entries.setdefault(entry.line_id, []).append((review, entry))
    shown = versions_as_of(
        (cycle.pk, item.pk) for found in entries.values() for _, entry in found for item in entry.evidence.all()
    )
    rows, overdue = [], []
    for n, line in enumerate(lines, start=1):
        subject = f"Tiêu chí {line.criterion.code}" if tt57 else _subject(line)
        found = entries.get(line.pk, [])
        progress, adjustments, evidence = [], [], {}
        for review, entry in found:
            label = LineStatus(entry.status).label
            progress.append(
                f"{vn_date(review.held_on)} — {label}: {entry.progress}"
                if entry.progress
                else f"{vn_date(review.held_on)} — {label}"
            )
            if entry.adjustment:
                adjustments.append(f"{vn_date(review.held_on)}: {entry.adjustment}")
            for item in entry.evidence.all():
                if (cycle.pk, item.pk) in shown:
                    evidence.setdefault(item.pk, shown[(cycle.pk, item.pk)].name)
        late = is_overdue(line, as_of)
        status = LineStatus(line.status).label
        rows.append(
            LineProgress(
                number=str(n),
                subject=subject,
                target=line.target,
                owners=line.owners,
                time=time_label(line),
                progress=tuple(progress),
                adjustments=tuple(adjustments),
                evidence=tuple(evidence.values()),
                status=status,
                overdue=late,
            )
        )
        if late:
            overdue.append(f"{n}. {subject}: {line.target} (hạn hoàn thành {_due_text(line)}; trạng thái: {status}).")

    leader = next((m for m in members if m.role == MonitorRole.LEADER), None)
    if leader:
        signer_title, signer_name = "TỔ TRƯỞNG TỔ GIÁM SÁT", leader.full_name
        recipients = ("Hiệu trưởng (để b/c)", "Hội đồng tự đánh giá", "Lưu: VT")
    else:
        signer_title = plan.signer_title or "HIỆU TRƯỞNG"
        signer_name = plan.signer_name or _signer_name(log, header.principal)
        recipients = ("Hội đồng tự đánh giá", "Lưu: VT")
    plan_number = f" số {plan.number}" if plan.number else ""
    plan_date = f" ngày {vn_date(plan.issued_on)}" if plan.issued_on else ""
    reference = (
        f"Căn cứ Kế hoạch{plan_number}{plan_date} của {header.school_name} về cải tiến chất lượng giáo dục sau tự "
        f"đánh giá năm học {cycle.school_year}, Tổ giám sát báo cáo kết quả giám sát việc thực hiện kế hoạch như sau:"
    )
    return MonitoringReportContext(
        header=header,
        tt57=tt57,
        number=number,
        place_date=place_date(plan.place or header.place, dated) if dated else log.missing(REPORT_DATE),
        school_year=year,
        plan_reference=reference,
        monitors=monitors,
        monitors_missing=None if monitors else log.missing("thành viên tổ giám sát"),
        reviews=reviews,
        reviews_missing=None if reviews else log.missing("kết quả rà soát (chưa có đợt rà soát nào được ghi kết quả)"),
        upcoming=upcoming,
        lines=tuple(rows),
        lines_missing=None if rows else log.missing("nội dung kế hoạch (kế hoạch chưa có dòng nào)"),
        total=len(rows),
        counts=tuple((status.label, state.by_status[status.value]) for status in STATUS_ORDER),
        overdue=tuple(overdue),
        recipients=recipients,
        signer_title=signer_title,
        signer_name=signer_name,
        as_of=as_of,
        missing=log.labels,
    )


def _signer_name(log: MissingLog, principal: Text) -> Text:
    return log.missing("người ký báo cáo") if isinstance(principal, Missing) or not principal else principal


# --- render: the monitoring report ----------------------------------------------------------------------------------


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
