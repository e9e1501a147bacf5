"""Reads of the council (hội đồng tự đánh giá), the self-assessment plan (Phụ lục 1) and the nội hàm worksheet (Phụ lục
2/3): the council page's overview and its rule checks, the plan's timeline, a worksheet page and its progress, and the
earlier cycles a carry-over may copy from. Each selector reads a fixed number of queries, whatever the size of the
council or the framework; the writes are in `council.services`.
"""

from dataclasses import dataclass, field

from django.db.models import Count, F

from kiemdinh.accounts.models import User
from kiemdinh.frameworks.choices import Confidence, Regime
from kiemdinh.frameworks.models import Criterion, Indicator, Level4Item, Standard
from kiemdinh.selfassessment.council.constants import LEVEL4_PAGE, SCOPE_TEXT_FIELDS
from kiemdinh.selfassessment.council.constants import SEVEN_STEPS as SEVEN_STEPS  # re-exported: other apps read it here
from kiemdinh.selfassessment.models import (
    AssessmentPlan,
    CouncilDecision,
    CouncilMember,
    CouncilRole,
    CriterionAssignment,
    Cycle,
    PlanActivity,
    ScopeAnalysis,
    WorkingGroup,
)

KINDERGARTEN_2018 = "tt19-2018"


# --- shared ---------------------------------------------------------------------------------------------------------


def usable_level4_items(version_id: int):
    # Items marked "missing" are placeholders without text (e.g. TT19 items 5 and later): nothing to assign or analyse.
    return Level4Item.objects.filter(version_id=version_id).exclude(confidence=Confidence.MISSING)


def earlier_cycles(cycle: Cycle) -> list[Cycle]:
    """Earlier cycles of the same school, newest first: the sources a carry-over may copy from (one query)."""
    return list(
        Cycle.objects.filter(school_id=cycle.school_id, school_year__lt=cycle.school_year)
        .select_related("framework")
        .order_by("-school_year")
    )


def school_accounts(cycle: Cycle):
    """Users with an active role at the cycle's school: the accounts a council member may be linked to."""
    return (
        User.objects.filter(memberships__school_id=cycle.school_id, memberships__is_active=True)
        .distinct()
        .order_by("full_name", "username")
    )


# --- Council: rules and overview ----------------------------------------------------------------------------------


def _council_problems(framework, roles: list[str]) -> list[str]:
    """The council's breaches of its regulation, for the members' roles given (no query)."""
    count = len(roles)
    chairs = roles.count(CouncilRole.CHAIR)
    secretaries = roles.count(CouncilRole.SECRETARY)
    circular = framework.circular
    problems: list[str] = []
    if framework.regime == Regime.TT57:
        source = f"Điều 9 {circular}"
        if count < 5:
            problems.append(f"Hội đồng tự đánh giá phải có ít nhất 05 thành viên, hiện có {count} ({source}).")
        if count % 2 == 0:
            problems.append(f"Số thành viên hội đồng phải là số lẻ, hiện có {count} ({source}).")
    else:
        # The 2018 circulars: the council is formed at step 1 of Điều 23; the clause on its make-up (one chair, one
        # secretary) was not checked against the official text in the reference documents.
        source = f"{circular}, Điều 23 bước 1 “{SEVEN_STEPS[0]}”; điều khoản về thành phần chưa đối chiếu nguyên văn"
        if framework.code == KINDERGARTEN_2018 and count < 7:
            problems.append(
                f"Hội đồng tự đánh giá của trường mầm non phải có ít nhất 07 thành viên, hiện có {count} "
                f"({circular}, theo bản dịch tiếng Anh trên lawnet.vn, chưa đối chiếu nguyên văn)."
            )
    if chairs != 1:
        problems.append(f"Hội đồng phải có đúng 01 Chủ tịch, hiện có {chairs} ({source}).")
    if secretaries != 1:
        problems.append(f"Hội đồng phải có đúng 01 Thư ký, hiện có {secretaries} ({source}).")
    return problems


def council_problems(cycle: Cycle) -> list[str]:
    """Rule breaches of the council's make-up per regime, each citing its source (one query)."""
    roles = list(CouncilMember.objects.filter(cycle=cycle).values_list("role", flat=True))
    return _council_problems(cycle.framework, roles)


def council_notes(cycle: Cycle) -> list[str]:
    """Informational notes on what the rule check does not (or cannot) cover for the cycle's regulation (no query)."""
    framework = cycle.framework
    if framework.regime == Regime.TT57:
        return [
            f"Ưu tiên thành viên đã được tập huấn về bảo đảm chất lượng, không bắt buộc; Phó Chủ tịch và ủy viên "
            f"không bắt buộc (Điều 9 {framework.circular})."
        ]
    if framework.code == KINDERGARTEN_2018:
        return [
            f"Số thành viên tối thiểu 07 lấy theo bản dịch tiếng Anh của {framework.circular} (lawnet.vn); "
            "chưa đối chiếu với văn bản gốc."
        ]
    return [
        f"Số thành viên tối thiểu của hội đồng tự đánh giá theo {framework.circular} chưa được xác nhận trong các "
        "văn bản tham chiếu của hệ thống, nên hệ thống không kiểm tra số thành viên."
    ]


@dataclass(frozen=True)
class AssignmentRow:
    """One line of the assignment table: a criterion or a Mức 4 item, with its current group and member."""

    key: str  # "c12" for criterion 12, "m3" for Mức 4 item 3; also the form field suffix
    kind: str  # "criterion" or "level4"
    target_id: int
    code: str
    name: str
    heading: str  # the standard (or "Tiêu chí Mức 4") the row is listed under
    group_id: int | None
    member_id: int | None

    @property
    def assigned(self) -> bool:
        return bool(self.group_id or self.member_id)

    @property
    def label(self) -> str:
        return f"tiêu chí {self.code}" if self.kind == "criterion" else f"tiêu chí Mức 4 số {self.code}"


def assignment_rows(cycle: Cycle) -> list[AssignmentRow]:
    """Every criterion and usable Mức 4 item of the cycle's framework with its assignment (three queries)."""
    current = {
        ("c", a.criterion_id) if a.criterion_id else ("m", a.level4_item_id): (a.group_id, a.member_id)
        for a in CriterionAssignment.objects.filter(cycle=cycle)
    }
    rows = []
    for criterion in (
        Criterion.objects.filter(version_id=cycle.framework_id).select_related("standard").order_by("position")
    ):
        group_id, member_id = current.get(("c", criterion.pk), (None, None))
        heading = f"Tiêu chuẩn {criterion.standard.code}: {criterion.standard.name}"
        rows.append(
            AssignmentRow(
                f"c{criterion.pk}",
                "criterion",
                criterion.pk,
                criterion.code,
                criterion.name,
                heading,
                group_id,
                member_id,
            )
        )
    for item in usable_level4_items(cycle.framework_id).order_by("position"):
        group_id, member_id = current.get(("m", item.pk), (None, None))
        name = item.text
        rows.append(
            AssignmentRow(f"m{item.pk}", "level4", item.pk, item.code, name, "Tiêu chí Mức 4", group_id, member_id)
        )
    return rows


def _council_warnings(rows: list[AssignmentRow]) -> list[str]:
    warnings = []
    criteria = [r.code for r in rows if r.kind == "criterion" and not r.assigned]
    items = [r.code for r in rows if r.kind == "level4" and not r.assigned]
    if criteria:
        warnings.append(
            f"{len(criteria)} tiêu chí chưa được phân công cho nhóm công tác hoặc thành viên nào: {', '.join(criteria)}."
        )
    if items:
        warnings.append(f"{len(items)} tiêu chí Mức 4 chưa được phân công: {', '.join(items)}.")
    return warnings


def council_warnings(cycle: Cycle) -> list[str]:
    """Criteria and Mức 4 items nobody drafts (three queries)."""
    return _council_warnings(assignment_rows(cycle))


@dataclass(frozen=True)
class CouncilOverview:
    groups: list[WorkingGroup]  # annotated with member_count and assignment_count
    members: list[CouncilMember]  # with user and group loaded
    rows: list[AssignmentRow]
    problems: list[str]
    warnings: list[str]
    notes: list[str]

    @property
    def unassigned_count(self) -> int:
        return sum(1 for r in self.rows if not r.assigned)

    @property
    def is_empty(self) -> bool:
        return not self.groups and not self.members

    @property
    def named_rows(self) -> list[tuple[AssignmentRow, str, str]]:
        """The assignment rows with the names of their group and member, for read-only display."""
        groups = {g.pk: g.name for g in self.groups}
        members = {m.pk: m.full_name for m in self.members}
        return [(r, groups.get(r.group_id, ""), members.get(r.member_id, "")) for r in self.rows]

    @property
    def solo_member_ids(self) -> frozenset[int]:
        """Members who draft something without a group: removing them would leave it unassigned."""
        return frozenset(r.member_id for r in self.rows if r.member_id and not r.group_id)


def council_overview(cycle: Cycle) -> CouncilOverview:
    """Everything the council page shows (five queries, whatever the size of the council)."""
    groups = list(
        WorkingGroup.objects.filter(cycle=cycle).annotate(
            member_count=Count("members", distinct=True), assignment_count=Count("assignments", distinct=True)
        )
    )
    members = list(CouncilMember.objects.filter(cycle=cycle).select_related("user", "group"))
    rows = assignment_rows(cycle)
    return CouncilOverview(
        groups=groups,
        members=members,
        rows=rows,
        problems=_council_problems(cycle.framework, [m.role for m in members]),
        warnings=_council_warnings(rows),
        notes=council_notes(cycle),
    )


# --- The decision forming the council --------------------------------------------------------------------------------


def council_decision(cycle: Cycle) -> CouncilDecision | None:
    return CouncilDecision.objects.filter(cycle=cycle).first()


# --- Plan (Phụ lục 1) -----------------------------------------------------------------------------------------------


def plan_activities(cycle: Cycle) -> list[PlanActivity]:
    """The timeline in date order; undated activities last, in the order they were added (one query)."""
    return list(
        PlanActivity.objects.filter(cycle=cycle).order_by(F("starts_on").asc(nulls_last=True), "position", "id")
    )


def assessment_plan_of(cycle: Cycle) -> AssessmentPlan:
    """The cycle's self-assessment plan, or an unsaved empty one (one query)."""
    return AssessmentPlan.objects.filter(cycle=cycle).select_related("updated_by").first() or AssessmentPlan(
        cycle=cycle
    )


def plan_step_schedule(cycle: Cycle) -> dict[int, list[PlanActivity]]:
    """Activities per step of Điều 23: keys 1..7 always present, activities in timeline order; activities without a
    step are not included (one query)."""
    schedule: dict[int, list[PlanActivity]] = {n: [] for n in range(1, len(SEVEN_STEPS) + 1)}
    for activity in plan_activities(cycle):
        if activity.step in schedule:
            schedule[activity.step].append(activity)
    return schedule


# --- Nội hàm worksheet (Phụ lục 2 and 3) ----------------------------------------------------------------------------


def _is_filled(analysis: ScopeAnalysis | None) -> bool:
    # A row counts as done when its nội hàm and the evidence to collect are written; the rest is optional detail.
    return bool(analysis and analysis.meaning and analysis.evidence_needed)


def worksheet_progress(cycle: Cycle) -> tuple[int, int]:
    """(filled rows, total rows) of the worksheet: every indicator and every Mức 4 item that has a text; a row is
    filled when its nội hàm and its evidence to collect are written (three queries)."""
    total = Indicator.objects.filter(criterion__version_id=cycle.framework_id).count()
    total += usable_level4_items(cycle.framework_id).count()
    filled = ScopeAnalysis.objects.filter(cycle=cycle).exclude(meaning="").exclude(evidence_needed="").count()
    return filled, total


@dataclass(frozen=True)
class EditScope:
    """Which worksheet rows a user may edit: all of them, or those of the criteria / Mức 4 items given."""

    everything: bool = False
    criterion_ids: frozenset[int] = frozenset()
    item_ids: frozenset[int] = frozenset()

    def allows(self, *, criterion_id=None, level4_item_id=None) -> bool:
        if self.everything:
            return True
        return criterion_id in self.criterion_ids if criterion_id else level4_item_id in self.item_ids


@dataclass
class WorksheetRow:
    key: str  # "i12" (indicator 12) or "m3" (Mức 4 item 3): the HTML id and the form prefix
    indicator: Indicator | None
    level4_item: Level4Item | None
    analysis: ScopeAnalysis | None
    editable: bool
    hint: str = ""  # the criterion's suggested evidence, shown as a placeholder
    posted: dict | None = None  # input refused by validation, shown again instead of the saved texts
    errors: list[str] = field(default_factory=list)

    @property
    def values(self) -> dict[str, str]:
        if self.posted is not None:
            return self.posted
        return {name: getattr(self.analysis, name) if self.analysis else "" for name in SCOPE_TEXT_FIELDS}

    @property
    def label(self) -> str:
        if self.indicator is not None:
            letter = f" {self.indicator.letter})" if self.indicator.letter else ""
            return f"Mức {self.indicator.level}{letter}"
        return f"Tiêu chí Mức 4 số {self.level4_item.code}"

    @property
    def text(self) -> str:
        if self.indicator is not None:
            return self.indicator.text
        return self.level4_item.text

    @property
    def is_filled(self) -> bool:
        return _is_filled(self.analysis)


@dataclass
class WorksheetCriterion:
    criterion: Criterion
    rows: list[WorksheetRow] = field(default_factory=list)


@dataclass(frozen=True)
class WorksheetPage:
    standards: list[Standard]
    standard: Standard | None  # None on the Mức 4 page
    has_level4: bool
    criteria: list[WorksheetCriterion]
    level4_rows: list[WorksheetRow]

    @property
    def is_level4(self) -> bool:
        return self.standard is None


def worksheet_page(cycle: Cycle, *, page: str = "", edit: EditScope = EditScope()) -> WorksheetPage:
    """One page of the worksheet: a standard's criteria and indicators (Phụ lục 2), or the Mức 4 items (Phụ lục 3)
    when page is "muc-4"; unknown pages fall back to the first standard (four queries)."""
    standards = list(Standard.objects.filter(version_id=cycle.framework_id).order_by("position"))
    has_level4 = usable_level4_items(cycle.framework_id).exists()
    if page == LEVEL4_PAGE and has_level4:
        items = list(usable_level4_items(cycle.framework_id).order_by("position"))
        analyses = {a.level4_item_id: a for a in ScopeAnalysis.objects.filter(cycle=cycle, level4_item__in=items)}
        rows = [WorksheetRow(f"m{i.pk}", None, i, analyses.get(i.pk), edit.allows(level4_item_id=i.pk)) for i in items]
        return WorksheetPage(standards, None, has_level4, [], rows)
    standard = next((s for s in standards if s.code == page), standards[0] if standards else None)
    indicators = list(
        Indicator.objects.filter(criterion__standard=standard)
        .select_related("criterion")
        .order_by("criterion__position", "level", "position")
    )
    analyses = {a.indicator_id: a for a in ScopeAnalysis.objects.filter(cycle=cycle, indicator__in=indicators)}
    criteria: dict[int, WorksheetCriterion] = {}
    for indicator in indicators:
        criterion = indicator.criterion
        block = criteria.setdefault(criterion.pk, WorksheetCriterion(criterion))
        block.rows.append(
            WorksheetRow(
                f"i{indicator.pk}",
                indicator,
                None,
                analyses.get(indicator.pk),
                edit.allows(criterion_id=criterion.pk),
                criterion.suggested_evidence,
            )
        )
    return WorksheetPage(standards, standard, has_level4, list(criteria.values()), [])


def worksheet_row(cycle: Cycle, *, indicator=None, level4_item=None, edit: EditScope = EditScope()) -> WorksheetRow:
    """One row, as it is after a save (one query)."""
    if indicator is not None:
        analysis = ScopeAnalysis.objects.filter(cycle=cycle, indicator=indicator).first()
        return WorksheetRow(
            f"i{indicator.pk}",
            indicator,
            None,
            analysis,
            edit.allows(criterion_id=indicator.criterion_id),
            indicator.criterion.suggested_evidence,
        )
    analysis = ScopeAnalysis.objects.filter(cycle=cycle, level4_item=level4_item).first()
    return WorksheetRow(f"m{level4_item.pk}", None, level4_item, analysis, edit.allows(level4_item_id=level4_item.pk))
