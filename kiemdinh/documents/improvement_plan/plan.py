"""The quality-improvement plan as plain data: its text, the self-assessment results it starts from and its table
(2018: the Thanh Chấn seed's nine columns; TT57: the sections of Biểu 2 Phụ lục V)."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from kiemdinh.core.office.docx_kit import Text, recipient_lines
from kiemdinh.core.office.missing import Missing, MissingLog
from kiemdinh.documents.common import CycleHeader, document_header, place_date, vn_date
from kiemdinh.documents.report.context import ReportContext
from kiemdinh.frameworks.choices import Regime
from kiemdinh.improvement.models import TT57_STATUS_LABEL, ImprovementPlan, LineStatus, PlanLine
from kiemdinh.improvement.selectors import monitoring_state, plan_table, results_summary
from kiemdinh.improvement.services import cost_label, time_label
from kiemdinh.selfassessment.models import Cycle

NO_PLAN = "Chưa lập kế hoạch cải tiến"


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


def plan_of(cycle: Cycle) -> ImprovementPlan | None:
    """The cycle's plan (one query), its cycle taken from the one given so nothing is read twice."""
    plan = ImprovementPlan.objects.filter(cycle=cycle).first()
    if plan is not None:
        plan.cycle = cycle
    return plan


def lines_of(plan: ImprovementPlan, table_) -> list[PlanLine]:
    for line in table_.lines:
        line.plan = plan  # time_label reads the plan's school year: no query per line
    return table_.lines


def spaced_year(school_year: str) -> str:
    return school_year.replace("-", " - ")


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
    for review in reviews_held(state):
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


def reviews_held(state) -> list:
    return sorted((r for r in state.reviews if r.is_held), key=lambda r: (r.held_on, r.scheduled_on, r.pk))


def _recorders(state) -> dict[int, str]:
    """Who recorded each held review (one query)."""
    ids = {r.recorded_by_id for r in state.reviews if r.recorded_by_id}
    if not ids:
        return {}
    return {u.pk: u.display_name for u in get_user_model().objects.filter(pk__in=ids)}


def build_improvement_plan(cycle: Cycle, header: CycleHeader | None = None) -> ImprovementPlanContext:
    """At most 12 queries whatever the plan's size: header (2–3, none when given), plan, table (2–3), results (3),
    and for TT57 the reviews with their entries and evidence (3) and who recorded them (1)."""
    log = MissingLog()
    header = header or document_header(cycle)  # this document prints its own signer, not the council's chair
    tt57 = header.regime == Regime.TT57
    plan = plan_of(cycle)
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
        lines_of(plan, table_)
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
        school_year=spaced_year(cycle.school_year),
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


def improvement_plan_lacks(cycle: Cycle, report: ReportContext) -> tuple[str, ...]:
    """What the plan lacks: its context on the report's header."""
    return build_improvement_plan(cycle, report.header).missing
