"""Reads of the team's work: the school's self-assessed result, members and their progress, the ratings table (every
member's proposal, the agreed level, the school's level) and the result the agreed levels give.

Each function runs a fixed number of queries whatever the number of criteria, members and reviews."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch

from kiemdinh.evaluation.models import (
    EvaluationReport,
    MemberReview,
    MemberRole,
    SchoolFeedback,
    Team,
    TeamMember,
    TeamRating,
)
from kiemdinh.evaluation.selectors.teams import team_spans
from kiemdinh.frameworks.choices import Confidence, Regime
from kiemdinh.frameworks.models import Criterion, Level4Item, Standard
from kiemdinh.frameworks.rules import Evaluation, evaluate_levels, regime2018, tt57
from kiemdinh.frameworks.spec import get_spec
from kiemdinh.frameworks.subjects import Subject
from kiemdinh.selfassessment.models import CycleSnapshot, Level4Rating
from kiemdinh.selfassessment.selectors import cycle_evaluation

# --- The school's self-assessment ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolResult:
    """What the school rated itself: from the snapshot the authority accepted (the cycle's live data otherwise)."""

    criteria: dict[str, int]
    level4: dict[str, bool]
    school_level: int
    accreditation_grade: int | None
    national_standard_level: int | None


def school_result(cycle) -> SchoolResult:
    """1 query (the accepted snapshot); 2 more when the cycle has none."""
    content = (
        CycleSnapshot.objects.filter(cycle=cycle, accepted=True)
        .order_by("-created_at", "-id")
        .values_list("content", flat=True)
        .first()
    )
    result = (content or {}).get("result")
    if result:
        return SchoolResult(
            criteria={k: int(v or 0) for k, v in (result.get("criteria") or {}).items()},
            level4={k: bool(v) for k, v in ((content or {}).get("level4") or {}).items()},
            school_level=int(result.get("school_level") or 0),
            accreditation_grade=result.get("accreditation_grade"),
            national_standard_level=result.get("national_standard_level"),
        )

    evaluation = cycle_evaluation(cycle)
    return SchoolResult(
        criteria=dict(evaluation.criteria),
        level4=dict(Level4Rating.objects.filter(cycle=cycle).values_list("item__code", "achieved")),
        school_level=evaluation.school_level,
        accreditation_grade=evaluation.accreditation_grade,
        national_standard_level=evaluation.national_standard_level,
    )


# --- Stages ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    label: str
    starts_on: date | None
    ends_on: date | None
    current: bool


def team_stages(team: Team, today: date) -> list[Stage]:
    """The team's stages with their dates, the one of `today` marked (no query)."""
    stages = [(label, start, end) for label, start, end in team_spans(team) if start or end]
    current = None
    for index, (_label, start, end) in enumerate(stages):
        if start and start <= today:
            current = index
        if end and start and start <= today <= end:
            current = index
            break
    if today < team.dossier_from or today > team.ends_on:
        current = None
    return [Stage(label, start, end, index == current) for index, (label, start, end) in enumerate(stages)]


def today_stage(team: Team, today: date) -> str:
    if today < team.dossier_from:
        return f"Chưa bắt đầu (đoàn làm việc từ ngày {team.dossier_from:%d/%m/%Y})"
    if today > team.ends_on:
        return f"Đã kết thúc làm việc (ngày {team.ends_on:%d/%m/%Y})"
    current = [s for s in team_stages(team, today) if s.current]
    return current[0].label if current else "Đang làm việc"


# --- Members and progress --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberProgress:
    member: TeamMember
    criteria: tuple[Criterion, ...]
    level4_items: tuple[Level4Item, ...]
    written: int  # reviews written (with a proposal)
    assigned: int
    reviews: dict[str, MemberReview]  # subject key ("1.1", "muc4/1") → review

    @property
    def percent(self) -> int:
        return round(100 * self.written / self.assigned) if self.assigned else 0


def members_progress(team: Team) -> list[MemberProgress]:
    """Members with their assigned criteria and reviews (4 queries)."""
    members = list(
        team.members.select_related("evaluator__user").prefetch_related(
            Prefetch("criteria", queryset=Criterion.objects.order_by("position")),
            Prefetch("level4_items", queryset=Level4Item.objects.order_by("position")),
            Prefetch("reviews", queryset=MemberReview.objects.select_related("criterion", "level4_item")),
        )
    )
    rows = []
    for member in members:
        criteria = tuple(member.criteria.all())
        items = tuple(member.level4_items.all())
        reviews = {r.subject.code_key: r for r in member.reviews.all()}
        assigned_keys = {Subject.criterion(c).code_key for c in criteria} | {
            Subject.level4_item(i).code_key for i in items
        }
        written = sum(
            1
            for key, r in reviews.items()
            if key in assigned_keys and (r.proposed_level is not None or r.level4_achieved is not None)
        )
        rows.append(MemberProgress(member, criteria, items, written, len(assigned_keys), reviews))
    return rows


# --- The ratings table -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    member: TeamMember
    review: MemberReview

    @property
    def value(self):
        return self.review.proposed_level if self.review.criterion_id else self.review.level4_achieved


@dataclass
class RatingRow:
    """One criterion (or Mức 4 item): the school's level, every member's proposal, the agreed rating."""

    criterion: Criterion | None
    item: Level4Item | None
    school_value: object  # int level, or bool for a Mức 4 item
    proposals: list[Proposal] = field(default_factory=list)
    rating: TeamRating | None = None
    assignees: list[TeamMember] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.criterion.code if self.criterion else self.item.code

    @property
    def key(self) -> str:
        return Subject.of(self.criterion, self.item).code_key

    @property
    def agreed(self):
        if self.rating is None:
            return None
        return self.rating.level if self.criterion else self.rating.achieved

    @property
    def unanimous(self):
        """The proposal every member made, when they all made the same (None otherwise)."""
        values = {p.value for p in self.proposals if p.value is not None}
        return next(iter(values)) if len(values) == 1 else None

    @property
    def level_choices(self) -> list[int]:
        return list(range(0, self.criterion.max_level + 1)) if self.criterion else []


@dataclass(frozen=True)
class StandardBlock:
    standard: Standard
    rows: tuple[RatingRow, ...]


@dataclass(frozen=True)
class RatingsTable:
    standards: tuple[StandardBlock, ...]
    level4: tuple[RatingRow, ...]
    school: SchoolResult
    result: Evaluation
    rated: int  # criteria with an agreed level
    total: int

    @property
    def rows(self) -> list[RatingRow]:
        return [row for block in self.standards for row in block.rows]

    @property
    def complete(self) -> bool:
        return self.rated == self.total


def agreed_result(team: Team, ratings=None) -> Evaluation:
    """The school level, grade and national-standard level the agreed ratings give (1 query without `ratings`)."""
    if ratings is None:
        ratings = TeamRating.objects.filter(team=team).select_related("criterion", "level4_item")
    criteria, level4 = {}, {}
    for rating in ratings:
        if rating.criterion_id and rating.level is not None:
            criteria[rating.criterion.code] = rating.level
        elif rating.level4_item_id and rating.achieved is not None:
            level4[rating.level4_item.code] = rating.achieved
    return evaluate_levels(get_spec(team.registration.cycle.framework.code), criteria, level4)


def ratings_table(team: Team) -> RatingsTable:
    """Every criterion and Mức 4 item of the framework with proposals, agreed rating and the school's level
    (6 queries: criteria, items, reviews, ratings, members' assignments, snapshot)."""
    cycle = team.registration.cycle
    criteria = list(Criterion.objects.filter(version=cycle.framework).select_related("standard").order_by("position"))
    items = list(
        Level4Item.objects.filter(version=cycle.framework).exclude(confidence=Confidence.MISSING).order_by("position")
    )
    school = school_result(cycle)
    by_criterion = {c.pk: RatingRow(c, None, school.criteria.get(c.code, 0)) for c in criteria}
    by_item = {i.pk: RatingRow(None, i, school.level4.get(i.code)) for i in items}
    members = {
        m.pk: m
        for m in TeamMember.objects.filter(team=team)
        .select_related("evaluator")
        .prefetch_related(Prefetch("criteria", queryset=Criterion.objects.only("id")), "level4_items")
    }
    for member in members.values():
        for c in member.criteria.all():
            if c.pk in by_criterion:
                by_criterion[c.pk].assignees.append(member)
        for i in member.level4_items.all():
            if i.pk in by_item:
                by_item[i.pk].assignees.append(member)
    for review in MemberReview.objects.filter(team=team).order_by("member__position", "id"):
        row = by_criterion.get(review.criterion_id) if review.criterion_id else by_item.get(review.level4_item_id)
        if row is not None and review.member_id in members:
            row.proposals.append(Proposal(members[review.member_id], review))
    ratings = list(TeamRating.objects.filter(team=team))
    for rating in ratings:
        row = by_criterion.get(rating.criterion_id) if rating.criterion_id else by_item.get(rating.level4_item_id)
        if row is not None:
            row.rating = rating
    blocks: list[StandardBlock] = []
    for criterion in criteria:
        if not blocks or blocks[-1].standard.pk != criterion.standard_id:
            blocks.append(StandardBlock(criterion.standard, ()))
        last = blocks[-1]
        blocks[-1] = StandardBlock(last.standard, (*last.rows, by_criterion[criterion.pk]))
    levels = {r.criterion.code: r.agreed for r in by_criterion.values() if r.agreed is not None}
    level4 = {r.item.code: r.agreed for r in by_item.values() if r.agreed is not None}
    result = evaluate_levels(get_spec(cycle.framework.code), levels, level4)
    return RatingsTable(
        standards=tuple(blocks),
        level4=tuple(by_item[i.pk] for i in items),
        school=school,
        result=result,
        rated=len(levels),
        total=len(criteria),
    )


# --- The proposal for recognition ------------------------------------------------------------------------------------


def recognition_proposal(team: Team, result: Evaluation) -> str:
    """The sentence proposing recognition, from what the registration asked, capped at the level it asked for, and
    the framework's mapping (grade = level; national-standard level from the level)."""
    registration = team.registration
    school = registration.school
    spec = get_spec(registration.cycle.framework.code)
    module = regime2018 if spec.regime == Regime.R2018 else tt57
    level = result.school_level
    if registration.requested_level:
        level = min(level, registration.requested_level)
    grade = module.accreditation_grade(level) if level else None
    national = module.national_standard_level(level) if level else None
    parts = []
    if registration.wants_accreditation and grade:
        parts.append(f"đạt kiểm định chất lượng giáo dục cấp độ {grade}")
    if registration.wants_national_standard and national:
        parts.append(f"đạt chuẩn quốc gia mức độ {national}")
    if parts:
        return f"Đề nghị công nhận {school.name} " + " và ".join(parts) + "."
    if not level:
        return f"Kết quả đánh giá ngoài chưa đạt Mức 1: chưa đủ điều kiện đề nghị công nhận {school.name}."
    return (
        f"Kết quả đánh giá ngoài đạt Mức {level}: chưa đủ điều kiện đề nghị công nhận {school.name} "
        f"{registration.wants_label}."
    )


# --- Suggested report texts ------------------------------------------------------------------------------------------


def _join(lines: list[str]) -> str:
    return "\n".join(line for line in lines if line)


def report_suggestions(team: Team, table: RatingsTable) -> dict[str, str]:
    """Texts the report starts from the first time, generated from the data (no query beyond `table`'s, except the
    members' reviews already in it)."""
    registration = team.registration
    school = registration.school
    decision = f"Quyết định số {team.decision_number}" if team.decision_number else "Quyết định"
    if team.decision_on:
        decision += f" ngày {team.decision_on:%d/%m/%Y}"
    stages = [
        f"nghiên cứu hồ sơ tự đánh giá từ ngày {team.dossier_from:%d/%m/%Y}"
        + (f" đến ngày {team.dossier_to:%d/%m/%Y}" if team.dossier_to else ""),
        f"khảo sát sơ bộ ngày {team.preliminary_on:%d/%m/%Y}" if team.preliminary_on else "",
        (
            f"khảo sát chính thức từ ngày {team.official_from:%d/%m/%Y}"
            + (f" đến ngày {team.official_to:%d/%m/%Y}" if team.official_to else "")
        )
        if team.official_from
        else "",
    ]
    introduction = (
        f"Thực hiện {decision} của {team.issuer} về việc thành lập Đoàn đánh giá ngoài {school.name}, "
        f"Đoàn đã {', '.join(s for s in stages if s)}. "
        f"Nhà trường đăng ký đề nghị công nhận {registration.wants_label} trên cơ sở kết quả tự đánh giá "
        f"năm học {registration.cycle.school_year} (tự đánh giá đạt Mức {table.school.school_level})."
    )
    rows = table.rows
    counts = {}
    for row in rows:
        if row.agreed is not None:
            counts[row.agreed] = counts.get(row.agreed, 0) + 1
    overview_lines = [f"Tổng số tiêu chí được đánh giá: {table.total} tiêu chí; đoàn đã thống nhất {table.rated}."]
    for level in sorted(counts, reverse=True):
        label = f"Đạt Mức {level}" if level else "Chưa đạt Mức 1"
        overview_lines.append(f"- {label}: {counts[level]} tiêu chí.")
    if table.level4:
        met = sum(1 for r in table.level4 if r.agreed is True)
        overview_lines.append(f"- Tiêu chí Mức 4: đạt {met}/{len(table.level4)} tiêu chí.")
    result = table.result
    overview_lines.append(
        f"Kết quả đánh giá ngoài: trường đạt Mức {result.school_level}."
        if result.school_level
        else "Kết quả đánh giá ngoài: trường chưa đạt Mức 1."
    )
    strengths, weaknesses, recommendations = [], [], []
    for row in rows:
        for p in row.proposals:
            if p.review.strengths:
                strengths.append(f"- Tiêu chí {row.code}: {p.review.strengths}")
            if p.review.weaknesses:
                weaknesses.append(f"- Tiêu chí {row.code}: {p.review.weaknesses}")
            if p.review.recommendations:
                recommendations.append(f"- Tiêu chí {row.code}: {p.review.recommendations}")
    conclusions = _join(
        [
            "1. Điểm mạnh cơ bản" if strengths else "",
            *strengths,
            "2. Điểm yếu cơ bản" if weaknesses else "",
            *weaknesses,
        ]
    )
    recommendation_text = _join(
        [
            "1. Đối với nhà trường" if recommendations else "",
            *recommendations,
            ("2. " if recommendations else "") + recognition_proposal(team, result),
        ]
    )
    return {
        "introduction": introduction,
        "overview": _join(overview_lines),
        "conclusions": conclusions,
        "recommendations": recommendation_text,
    }


# --- The report and the school's answers -----------------------------------------------------------------------------


def team_report(team: Team) -> EvaluationReport | None:
    return EvaluationReport.objects.filter(team=team).first()


def report_feedback(report: EvaluationReport | None) -> list[SchoolFeedback]:
    if report is None:
        return []
    return list(report.feedback.select_related("criterion", "submitted_by"))


def agreeing_member(team: Team, user) -> TeamMember | None:
    return (
        TeamMember.objects.filter(team=team, evaluator__user=user, role__in=[MemberRole.LEADER, MemberRole.SECRETARY])
        .select_related("evaluator")
        .first()
    )
