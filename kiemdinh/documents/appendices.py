"""The appendices of the self-assessment report as separate documents (regulations.md §4.1 and §4.2).

Each document is a context builder (plain data from the cycle, a fixed number of queries whatever its size) plus one
renderer per format:

- council-decision: Quyết định thành lập hội đồng tự đánh giá, with the list of members and working groups;
- plan: Phụ lục 1, Kế hoạch tự đánh giá;
- scope-worksheet: Phụ lục 2/3, Phiếu xác định nội hàm (a blank cell is a worksheet not yet filled, not missing data);
- evidence-catalogue: Phụ lục 4, Danh mục mã minh chứng (DOCX and XLSX; TT57 columns per mục II khoản 4 Phụ lục IV);
- criterion-forms: Phụ lục 5a/5b, Phiếu đánh giá tiêu chí, built from the report's criterion parts.

Each context lists in `missing` the labels of the markers its renderers print, and only those.
"""

from dataclasses import dataclass

from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from kiemdinh.core.schoolyear import school_year_start
from kiemdinh.core.tabular import workbook_bytes
from kiemdinh.documents.common import CycleHeader, cycle_header, place_date, vn_date
from kiemdinh.documents.docx_kit import (
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
from kiemdinh.documents.missing import Missing, MissingLog
from kiemdinh.documents.registry import DocumentKind, register
from kiemdinh.documents.report import CriterionPart, _evidence_rows, build_report
from kiemdinh.frameworks.choices import Confidence, Regime
from kiemdinh.frameworks.models import Criterion, Level4Item, Standard
from kiemdinh.frameworks.selectors.amendments import amendments_in_force
from kiemdinh.selfassessment.council import SEVEN_STEPS, AssignmentRow, council_overview, plan_activities
from kiemdinh.selfassessment.models import (
    AssessmentPlan,
    CouncilDecision,
    CriterionAssignment,
    Cycle,
    IndicatorRating,
    Level4Rating,
    ScopeAnalysis,
    indicator_key,
)

ACHIEVED, NOT_ACHIEVED = "Đạt", "Không đạt"


def _keep(log: MissingLog, value):
    """A value taken from another context: its Missing marker is recorded here too, since this document prints it."""
    if isinstance(value, Missing):
        return log.missing(value.label)
    return value


def _header(cycle: Cycle) -> CycleHeader:
    """Two or three queries (cycle_header), and the cycle's school, unit and framework where not loaded yet."""
    # cycle_header records the principal and the report date as missing; each document keeps only what it prints.
    return cycle_header(cycle, MissingLog())


def _is_2018(header: CycleHeader) -> bool:
    return header.regime == Regime.R2018


def _dated(log: MissingLog, place: str, when, label: str) -> str | Missing:
    return place_date(place, when) if when else log.missing(label)


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


# --- Council: members and working groups (shared by the decision and the plan) -------------------------------------


@dataclass(frozen=True)
class MemberRow:
    number: int
    full_name: str
    job_title: str | Missing
    role: str  # "Chủ tịch", "Thư ký"…
    group: str


@dataclass(frozen=True)
class GroupRow:
    name: str
    members: tuple[str, ...] | Missing
    criteria: tuple[str, ...] | Missing  # "1.1", "Mức 4 số 2", with the member in charge in brackets


@dataclass(frozen=True)
class AssignmentLine:
    heading: str  # "Tiêu chuẩn 1: …" or "Tiêu chí Mức 4"
    label: str  # "Tiêu chí 1.1: …"
    group: Text
    member: Text


@dataclass(frozen=True)
class Council:
    members: tuple[MemberRow, ...]
    members_missing: Missing | None  # the marker printed instead of an empty list
    groups: tuple[GroupRow, ...]
    groups_missing: Missing | None
    assignments: tuple[AssignmentLine, ...]


def _subject(row: AssignmentRow) -> str:
    return row.code if row.kind == "criterion" else f"Mức 4 số {row.code}"


def _council(cycle: Cycle, log: MissingLog, *, with_assignments: bool = False) -> Council:
    """Members, working groups and, with_assignments, who drafts each criterion (five queries: council_overview)."""
    overview = council_overview(cycle)
    names = {m.pk: m.full_name for m in overview.members}
    members = tuple(
        MemberRow(
            number=n,
            full_name=m.full_name,
            job_title=log.value(m.job_title, f"chức vụ của {m.full_name}"),
            role=m.get_role_display(),
            group=m.group.name if m.group else "",
        )
        for n, m in enumerate(overview.members, start=1)
    )
    groups = []
    for g in overview.groups:
        in_group = tuple(m.full_name for m in overview.members if m.group_id == g.pk)
        drafts = tuple(
            _subject(r) + (f" ({names[r.member_id]})" if r.member_id in names else "")
            for r in overview.rows
            if r.group_id == g.pk
        )
        groups.append(
            GroupRow(
                name=g.name,
                members=in_group or log.missing(f"thành viên của {g.name}"),
                criteria=drafts or log.missing(f"tiêu chí do {g.name} phụ trách"),
            )
        )
    # Criteria drafted by one member without a group: one line per member.
    solo: dict[int, list[str]] = {}
    for r in overview.rows:
        if r.member_id in names and not r.group_id:
            solo.setdefault(r.member_id, []).append(_subject(r))
    for member_id, subjects in solo.items():
        groups.append(GroupRow(f"Cá nhân: {names[member_id]}", (names[member_id],), tuple(subjects)))

    group_names = {g.pk: g.name for g in overview.groups}
    unassigned = None
    assignments = []
    for r in overview.rows if with_assignments else ():
        label = f"Tiêu chí {r.code}: {r.name}" if r.kind == "criterion" else f"Tiêu chí Mức 4 số {r.code}: {r.name}"
        if not r.assigned:
            unassigned = unassigned or log.missing("phân công nhóm công tác hoặc người phụ trách")
            assignments.append(AssignmentLine(r.heading, label, unassigned, ""))
        else:
            assignments.append(
                AssignmentLine(r.heading, label, group_names.get(r.group_id, ""), names.get(r.member_id, ""))
            )
    return Council(
        members=members,
        members_missing=None if members else log.missing("danh sách thành viên hội đồng tự đánh giá"),
        groups=tuple(groups),
        groups_missing=None if groups else log.missing("nhóm công tác và tiêu chí phụ trách"),
        assignments=tuple(assignments),
    )


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


# --- 1. Quyết định thành lập hội đồng tự đánh giá --------------------------------------------------------------------


@dataclass(frozen=True)
class CouncilDecisionContext:
    header: CycleHeader
    number: str | Missing
    place_date: str | Missing
    legal_bases: tuple[str, ...]
    principal: str | Missing
    council: Council
    missing: tuple[str, ...]


def _legal_basis(cycle: Cycle) -> str:
    """The circular the self-assessment follows, in its own title's words (nothing else is claimed)."""
    framework = cycle.framework
    title = framework.title.strip()
    title = title[:1].lower() + title[1:]
    return f"Căn cứ {framework.circular} của Bộ trưởng Bộ Giáo dục và Đào tạo {title};"


def build_council_decision(cycle: Cycle) -> CouncilDecisionContext:
    """At most 9 queries: header (2–3), council (5), the decision's number and date (entered on the council page)."""
    log = MissingLog()
    header = _header(cycle)
    decision = CouncilDecision.objects.filter(cycle=cycle).first()
    number = log.value(decision.number if decision else "", "số quyết định thành lập hội đồng")
    when = _dated(log, header.place, decision.issued_on if decision else None, "ngày ký quyết định thành lập hội đồng")
    council = _council(cycle, log)
    return CouncilDecisionContext(
        header=header,
        number=number,
        place_date=when,
        legal_bases=(_legal_basis(cycle),),
        principal=_keep(log, header.principal),
        council=council,
        missing=log.labels,
    )


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


# --- 2. Phụ lục 1: Kế hoạch tự đánh giá -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityRow:
    number: int
    when: str | Missing  # "dd/mm/yyyy – dd/mm/yyyy"
    title: str
    owner: str | Missing
    step: str  # the title of the step of Điều 23, or ""


@dataclass(frozen=True)
class PlanContext:
    header: CycleHeader
    number: str | Missing
    place_date: str | Missing
    purpose: str | Missing
    scope: str | Missing
    tools: str | Missing
    resources: str | Missing
    hired_experts: str | Missing
    evidence_collection: str | Missing
    council: Council
    activities: tuple[ActivityRow, ...]
    activities_missing: Missing | None
    principal: str | Missing
    missing: tuple[str, ...]


def _period(start, end) -> str:
    if start and end and start != end:
        return f"{vn_date(start)} – {vn_date(end)}"
    return vn_date(start or end)


def build_plan(cycle: Cycle) -> PlanContext:
    """At most 10 queries: header (2–3), plan, council (5), activities."""
    log = MissingLog()
    header = _header(cycle)
    plan = AssessmentPlan.objects.filter(cycle=cycle).first() or AssessmentPlan(cycle=cycle)
    number = log.value(plan.number, "số kế hoạch")
    when = _dated(log, header.place, plan.issued_on, "ngày ban hành kế hoạch")
    texts = {
        name: log.value(getattr(plan, name), label)
        for name, label in (
            ("purpose", "mục đích tự đánh giá"),
            ("scope", "phạm vi tự đánh giá"),
            ("tools", "tập huấn, công cụ đánh giá"),
            ("resources", "nguồn lực và thời điểm cần huy động"),
            ("hired_experts", "dự kiến thuê chuyên gia"),
            ("evidence_collection", "dự kiến thu thập minh chứng"),
        )
    }
    council = _council(cycle, log, with_assignments=True)
    activities = tuple(
        ActivityRow(
            number=n,
            when=_period(a.starts_on, a.ends_on) or log.missing(f"thời gian của hoạt động “{a.title}”"),
            title=a.title,
            owner=log.value(a.owner, f"người/bộ phận thực hiện “{a.title}”"),
            step=f"Bước {a.step}. {SEVEN_STEPS[a.step - 1]}" if a.step else "",
        )
        for n, a in enumerate(plan_activities(cycle), start=1)
    )
    return PlanContext(
        header=header,
        number=number,
        place_date=when,
        council=council,
        activities=activities,
        activities_missing=None if activities else log.missing("thời gian biểu (các hoạt động của kế hoạch)"),
        principal=_keep(log, header.principal),
        missing=log.labels,
        **texts,
    )


def plan_docx(ctx: PlanContext) -> bytes:
    h = ctx.header
    doc = new_document()
    if _is_2018(h):
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


# --- 3. Phụ lục 2/3: Phiếu xác định nội hàm -------------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeRow:
    indicator: str  # "Mức 1 a) …" or the Mức 4 item
    meaning: str
    questions: str
    evidence_needed: str
    sources: str

    @property
    def cells(self) -> tuple[str, ...]:
        return (self.indicator, self.meaning, self.questions, self.evidence_needed, self.sources)


@dataclass(frozen=True)
class ScopeCriterion:
    code: str
    name: str
    group: str
    rows: tuple[ScopeRow, ...]
    amendment_marks: tuple[str, ...] = ()  # as in the report: an amendment in force whose wording is not recorded


@dataclass(frozen=True)
class ScopeStandard:
    code: str
    name: str
    criteria: tuple[ScopeCriterion, ...]


@dataclass(frozen=True)
class ScopeWorksheetContext:
    header: CycleHeader
    standards: tuple[ScopeStandard, ...]
    level4: tuple[ScopeRow, ...]  # Phụ lục 3 (2018 only)
    filled: int  # indicators with their nội hàm written
    total: int
    missing: tuple[str, ...]


SCOPE_HEADERS = ("Chỉ báo", "Nội hàm", "Câu hỏi đặt ra", "Minh chứng cần thu thập", "Nơi thu thập")
SCOPE_WIDTHS = (7.2, 4.5, 4.5, 4.5, 4.5)


def _scope_row(label: str, analysis: ScopeAnalysis | None) -> ScopeRow:
    a = analysis
    return ScopeRow(
        label,
        a.meaning if a else "",
        a.questions if a else "",
        a.evidence_needed if a else "",
        a.sources if a else "",
    )


def _assignment_labels(cycle: Cycle) -> dict[str, str]:
    """'Nhóm 1 · Trần Văn Hải' per criterion id and per "4/<Mức 4 item id>" (one query)."""
    labels = {}
    for a in CriterionAssignment.objects.filter(cycle=cycle).select_related("group", "member"):
        parts = (a.group.name if a.group else "", a.member.full_name if a.member else "")
        labels[a.criterion_id or f"4/{a.level4_item_id}"] = " · ".join(x for x in parts if x)
    return labels


def build_scope_worksheet(cycle: Cycle) -> ScopeWorksheetContext:
    """At most 9 queries: header (2–3), standards, criteria and indicators (2), analyses, Mức 4 items,
    assignments."""
    log = MissingLog()
    header = _header(cycle)
    framework = cycle.framework
    standards = list(Standard.objects.filter(version=framework).order_by("position"))
    criteria = list(Criterion.objects.filter(version=framework).prefetch_related("indicators").order_by("position"))
    analyses = {
        (a.indicator_id and f"i{a.indicator_id}") or f"m{a.level4_item_id}": a
        for a in ScopeAnalysis.objects.filter(cycle=cycle)
    }
    groups = _assignment_labels(cycle)
    by_standard: dict[int, list[ScopeCriterion]] = {}
    filled = total = 0
    starts = school_year_start(cycle.school_year)
    for c in criteria:
        rows = []
        in_force = amendments_in_force(c, starts)
        amended = {(a.level, letter): text for a in in_force if a.updated for letter, text in a.indicators}
        marks = tuple(f"Mức {a.level}: {a.pending_text}." for a in in_force if not a.updated)
        for ind in sorted(c.indicators.all(), key=lambda i: (i.level, i.position)):
            analysis = analyses.get(f"i{ind.pk}")
            total += 1
            filled += bool(analysis and analysis.meaning.strip())
            text = amended.get((ind.level, ind.letter), ind.text)
            label = f"Mức {ind.level} {ind.letter}) {text}" if ind.letter else f"Mức {ind.level}: {text}"
            rows.append(_scope_row(label, analysis))
        by_standard.setdefault(c.standard_id, []).append(
            ScopeCriterion(c.code, c.name, groups.get(c.pk, ""), tuple(rows), marks)
        )
    level4: tuple[ScopeRow, ...] = ()
    level4_filled = 0
    if _is_2018(header):
        items = list(
            Level4Item.objects.filter(version=framework).exclude(confidence=Confidence.MISSING).order_by("position")
        )
        level4 = tuple(_scope_row(f"Tiêu chí Mức 4 số {i.code}: {i.text}", analyses.get(f"m{i.pk}")) for i in items)
        level4_filled = sum(1 for r in level4 if r.meaning.strip())
    gaps = []
    if filled < total:
        gaps.append(f"nội hàm của {total - filled}/{total} chỉ báo")
    if level4_filled < len(level4):
        gaps.append(f"nội hàm của {len(level4) - level4_filled}/{len(level4)} tiêu chí Mức 4")
    if gaps:
        log.missing("phiếu xác định nội hàm chưa điền: " + ", ".join(gaps))
    return ScopeWorksheetContext(
        header=header,
        standards=tuple(
            ScopeStandard(s.code, s.name, tuple(by_standard.get(s.pk, ()))) for s in standards if by_standard.get(s.pk)
        ),
        level4=level4,
        filled=filled,
        total=total,
        missing=log.labels,
    )


def scope_worksheet_docx(ctx: ScopeWorksheetContext) -> bytes:
    h = ctx.header
    doc = new_document(landscape=True)
    if _is_2018(h):
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


# --- 4. Phụ lục 4: Danh mục mã minh chứng ---------------------------------------------------------------------------

COLUMNS_2018 = ("TT", "Mã minh chứng", "Tên minh chứng", "Số, ngày ban hành", "Nơi ban hành", "Ghi chú")
WIDTHS_2018 = (1.0, 2.6, 5.4, 2.8, 2.6, 2.1)
COLUMNS_TT57 = (
    "TT",
    "Mã minh chứng",
    "Tên minh chứng",
    "Định dạng, vị trí lưu trữ hoặc đường dẫn điện tử",
    "Ghi chú",
)
WIDTHS_TT57 = (1.0, 2.6, 5.4, 5.0, 2.5)
TT57_CATALOGUE_NOTE = "Lập theo mục II khoản 4 Phụ lục IV Thông tư số 57/2026/TT-BGDĐT"


@dataclass(frozen=True)
class CatalogueRow:
    kind: str  # "standard", "criterion" (heading rows), "gap" (a marker: a criterion without evidence), "item"
    cells: tuple[Text, ...]

    @property
    def is_heading(self) -> bool:
        return self.kind != "item"


@dataclass(frozen=True)
class EvidenceCatalogueContext:
    header: CycleHeader
    columns: tuple[str, ...]
    widths_cm: tuple[float, ...]
    caption: str  # under the title (TT57), else ""
    rows: tuple[CatalogueRow, ...]
    codes: tuple[str, ...]  # every code of the cycle, once each
    missing: tuple[str, ...]


def build_evidence_catalogue(cycle: Cycle) -> EvidenceCatalogueContext:
    """At most 9 queries: header (2–3), standards, criteria, the evidence rows (up to 4)."""
    log = MissingLog()
    header = _header(cycle)
    tt57 = not _is_2018(header)
    standards = list(Standard.objects.filter(version=cycle.framework).order_by("position"))
    criteria = list(Criterion.objects.filter(version=cycle.framework).order_by("position"))
    evidence = _evidence_rows(cycle, criteria)
    under: dict[str, list] = {}
    for row in evidence:
        under.setdefault(row.listed_under, []).append(row)
    rows: list[CatalogueRow] = []
    number = 0
    for s in standards:
        rows.append(CatalogueRow("standard", (f"Tiêu chuẩn {s.code}: {s.name}",)))
        for c in (c for c in criteria if c.standard_id == s.pk):
            rows.append(CatalogueRow("criterion", (f"Tiêu chí {c.code}: {c.name}",)))
            items = under.get(c.code, [])
            if not items and evidence:
                rows.append(CatalogueRow("gap", (log.missing(f"minh chứng của tiêu chí {c.code}"),)))
            for e in items:
                number += 1
                note = e.note
                if e.own_criterion != e.listed_under:
                    shared = f"Minh chứng dùng chung, mã của tiêu chí {e.own_criterion}"
                    note = f"{shared}. {note}" if note else shared
                if tt57:
                    where = "\n".join(x for x in (e.link, *(f"Tệp: {n}" for n in e.file_names)) if x)
                    where = where or log.missing(f"vị trí lưu trữ hoặc đường dẫn của minh chứng {e.code}")
                    cells = (str(number), e.code, e.name, where, note)
                else:
                    cells = (str(number), e.code, e.name, e.issue_ref, e.issued_by, note)
                rows.append(CatalogueRow("item", cells))
    if not evidence:
        log.missing("danh mục minh chứng (đợt tự đánh giá chưa có minh chứng nào)")
    return EvidenceCatalogueContext(
        header=header,
        columns=COLUMNS_TT57 if tt57 else COLUMNS_2018,
        widths_cm=WIDTHS_TT57 if tt57 else WIDTHS_2018,
        caption=TT57_CATALOGUE_NOTE if tt57 else "",
        rows=tuple(rows),
        codes=tuple(dict.fromkeys(e.code for e in evidence)),
        missing=log.labels,
    )


def evidence_catalogue_docx(ctx: EvidenceCatalogueContext) -> bytes:
    h = ctx.header
    doc = new_document()
    if _is_2018(h):
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


XLSX_WIDTHS_2018 = (6, 16, 50, 24, 24, 30)
XLSX_WIDTHS_TT57 = (6, 16, 50, 45, 30)


def evidence_catalogue_xlsx(ctx: EvidenceCatalogueContext) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Danh mục minh chứng"
    width = len(ctx.columns)
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    sheet.append(list(ctx.columns))
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for index, row in enumerate(ctx.rows, start=2):  # counted here: sheet.max_row scans every cell each time
        sheet.append([str(v) if isinstance(v, Missing) else (v or "") for v in row.cells])
        if row.is_heading:
            sheet.merge_cells(start_row=index, start_column=1, end_row=index, end_column=width)
            sheet.cell(index, 1).font = Font(bold=True, color="C00000") if row.kind == "gap" else bold
            sheet.cell(index, 1).alignment = wrap
            continue
        for column, value in enumerate(row.cells, start=1):
            cell = sheet.cell(index, column)
            cell.alignment = wrap
            if isinstance(value, Missing):
                cell.font = Font(bold=True, color="C00000")
    for column, chars in enumerate(XLSX_WIDTHS_2018 if width == 6 else XLSX_WIDTHS_TT57, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = chars
    sheet.freeze_panes = "A2"
    return workbook_bytes(book)


# --- 5. Phụ lục 5a/5b: Phiếu đánh giá tiêu chí ----------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorSheet:
    letter: str
    text: str
    description: str | Missing
    rating: str | Missing  # "Đạt", "Không đạt", or a marker when the indicator was not rated


@dataclass(frozen=True)
class LevelSheet:
    level: int
    indicators: tuple[IndicatorSheet, ...]


@dataclass(frozen=True)
class CriterionSheet:
    standard: str  # "Tiêu chuẩn 1: …"
    code: str
    name: str
    group: str | Missing
    levels: tuple[LevelSheet, ...]
    strengths: str | Missing
    weaknesses: str | Missing
    improvement: str | Missing
    level: int  # reached, from the rule engine (0: not even Mức 1)
    amendment_marks: tuple[str, ...] = ()

    def reached(self, level: int) -> bool:
        return self.level >= level


@dataclass(frozen=True)
class Level4Sheet:
    code: str
    text: str
    group: str | Missing
    description: str | Missing
    strengths: str | Missing
    weaknesses: str | Missing
    improvement: str | Missing
    result: str | Missing


@dataclass(frozen=True)
class CriterionFormsContext:
    header: CycleHeader
    levels: tuple[int, ...]  # (1, 2, 3) or (1, 2)
    criteria: tuple[CriterionSheet, ...]
    level4: tuple[Level4Sheet, ...]
    missing: tuple[str, ...]


def _criterion_sheet(
    log: MissingLog, standard: str, part: CriterionPart, rated: set[tuple[str, str]], achieved: set[tuple[str, str]]
) -> CriterionSheet:
    levels = []
    for level in part.levels:
        indicators = []
        for ind in level.indicators:
            key = (part.code, indicator_key(level.level, ind.letter))
            if key in rated:
                rating = ACHIEVED if key in achieved else NOT_ACHIEVED
            else:
                rating = log.missing(f"tự đánh giá các chỉ báo của tiêu chí {part.code}")
            indicators.append(IndicatorSheet(ind.letter, ind.text, _keep(log, ind.description), rating))
        levels.append(LevelSheet(level.level, tuple(indicators)))
    return CriterionSheet(
        standard=standard,
        code=part.code,
        name=part.name,
        group=part.group or log.missing(f"nhóm công tác phụ trách tiêu chí {part.code}"),
        levels=tuple(levels),
        strengths=_keep(log, part.strengths),
        weaknesses=_keep(log, part.weaknesses),
        improvement=_keep(log, part.improvement),
        level=part.level,
        amendment_marks=part.amendment_marks,
    )


def build_criterion_forms(cycle: Cycle) -> CriterionFormsContext:
    """The report's queries (build_report) and three more: the indicator ratings, the Mức 4 ratings and who drafts
    each Mức 4 item."""
    log = MissingLog()
    report = build_report(cycle)
    rated, achieved = set(), set()
    for code, level, letter, ok in IndicatorRating.objects.filter(cycle=cycle).values_list(
        "indicator__criterion__code", "indicator__level", "indicator__letter", "achieved"
    ):
        rated.add((code, indicator_key(level, letter)))
        if ok:
            achieved.add((code, indicator_key(level, letter)))
    sheets = tuple(
        _criterion_sheet(log, f"Tiêu chuẩn {s.code}: {s.name}", part, rated, achieved)
        for s in report.standards
        for part in s.criteria
    )
    level4: tuple[Level4Sheet, ...] = ()
    if report.level4:
        results = dict(Level4Rating.objects.filter(cycle=cycle).values_list("item__code", "achieved"))
        groups = {}
        for a in CriterionAssignment.objects.filter(cycle=cycle, level4_item__isnull=False).select_related(
            "group", "member", "level4_item"
        ):
            parts = (a.group.name if a.group else "", a.member.full_name if a.member else "")
            groups[a.level4_item.code] = " · ".join(x for x in parts if x)
        level4 = tuple(
            Level4Sheet(
                code=p.code,
                text=p.text,
                group=groups.get(p.code) or log.missing(f"nhóm công tác phụ trách tiêu chí Mức 4 số {p.code}"),
                description=_keep(log, p.description),
                strengths=_keep(log, p.strengths),
                weaknesses=_keep(log, p.weaknesses),
                improvement=_keep(log, p.improvement),
                result=(ACHIEVED if results[p.code] else NOT_ACHIEVED)
                if p.code in results
                else log.missing(f"tự đánh giá tiêu chí Mức 4 số {p.code}"),
            )
            for p in report.level4
        )
    return CriterionFormsContext(
        header=report.header,
        levels=report.levels,
        criteria=sheets,
        level4=level4,
        missing=log.labels,
    )


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
    if _is_2018(ctx.header):
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


# --- registration, in the order of the download page -----------------------------------------------------------------

register(
    DocumentKind(
        kind="council-decision",
        title="Quyết định thành lập hội đồng tự đánh giá",
        slug="quyet-dinh-thanh-lap-hoi-dong",
        build=build_council_decision,
        renderers={"docx": council_decision_docx},
    )
)
register(
    DocumentKind(
        kind="plan",
        title="Phụ lục 1: Kế hoạch tự đánh giá",
        slug="ke-hoach-tu-danh-gia",
        build=build_plan,
        renderers={"docx": plan_docx},
    )
)
register(
    DocumentKind(
        kind="scope-worksheet",
        title="Phụ lục 2/3: Phiếu xác định nội hàm",
        slug="phieu-xac-dinh-noi-ham",
        build=build_scope_worksheet,
        renderers={"docx": scope_worksheet_docx},
    )
)
register(
    DocumentKind(
        kind="evidence-catalogue",
        title="Phụ lục 4: Danh mục mã minh chứng",
        slug="danh-muc-ma-minh-chung",
        build=build_evidence_catalogue,
        renderers={"docx": evidence_catalogue_docx, "xlsx": evidence_catalogue_xlsx},
    )
)
register(
    DocumentKind(
        kind="criterion-forms",
        title="Phụ lục 5a/5b: Phiếu đánh giá tiêu chí",
        slug="phieu-danh-gia-tieu-chi",
        build=build_criterion_forms,
        renderers={"docx": criterion_forms_docx},
    )
)
