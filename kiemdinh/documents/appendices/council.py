"""The contexts of the documents read from the self-assessment council: the decision establishing it and the plan
(Phụ lục 1), both with its members and working groups."""

from dataclasses import dataclass

from kiemdinh.core.office.docx_kit import Text
from kiemdinh.core.office.missing import Missing, MissingLog
from kiemdinh.documents.common import CycleHeader, document_header, keep_marker, place_date, vn_date
from kiemdinh.documents.report.context import ReportContext
from kiemdinh.selfassessment.council.selectors import SEVEN_STEPS, AssignmentRow, council_overview, plan_activities
from kiemdinh.selfassessment.models import AssessmentPlan, CouncilDecision, Cycle


def _dated(log: MissingLog, place: str, when, label: str) -> str | Missing:
    return place_date(place, when) if when else log.missing(label)


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


def build_council_decision(cycle: Cycle, header: CycleHeader | None = None) -> CouncilDecisionContext:
    """At most 9 queries: header (2–3, none when given), council (5), the decision's number and date (entered on
    the council page)."""
    log = MissingLog()
    header = header or document_header(cycle)
    decision = CouncilDecision.objects.filter(cycle=cycle).first()
    number = log.value(decision.number if decision else "", "số quyết định thành lập hội đồng")
    when = _dated(log, header.place, decision.issued_on if decision else None, "ngày ký quyết định thành lập hội đồng")
    council = _council(cycle, log)
    return CouncilDecisionContext(
        header=header,
        number=number,
        place_date=when,
        legal_bases=(_legal_basis(cycle),),
        principal=keep_marker(log, header.principal),
        council=council,
        missing=log.labels,
    )


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


def build_plan(cycle: Cycle, header: CycleHeader | None = None) -> PlanContext:
    """At most 10 queries: header (2–3, none when given), plan, council (5), activities."""
    log = MissingLog()
    header = header or document_header(cycle)
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
        principal=keep_marker(log, header.principal),
        missing=log.labels,
        **texts,
    )


def council_decision_lacks(cycle: Cycle, report: ReportContext) -> tuple[str, ...]:
    """What the decision lacks: its context on the report's header (every datum it prints may be missing)."""
    return build_council_decision(cycle, report.header).missing


def plan_lacks(cycle: Cycle, report: ReportContext) -> tuple[str, ...]:
    """What the plan lacks: its context on the report's header (every datum it prints may be missing)."""
    return build_plan(cycle, report.header).missing
