"""Reads of emulation schemes: the score table, computed from each school's data. A fixed number of queries whatever
the number of schools (asserted in the tests).

How each rule kind is computed for a school (for the scheme's school year):

- sa_submitted_on_time: the date (local time) of the cycle's FIRST "submitted" transition. On or before the deadline →
  the rule's points; after it → the rule's late points (default 0); never submitted or no cycle → 0.
- sa_accepted: the cycle's status is "accepted" → the rule's points; else 0.
- improvement_completion: lines of the cycle's improvement plan whose status (the status given at their latest
  review) is "done"; points × done / all lines, rounded half-up to 0.1. No plan, or a plan without lines → 0.
- level_reached: the school level in the accepted snapshot (content["result"]["school_level"]). Mode "minimum": level
  ≥ the minimum level → the rule's points. Mode "per_level": the rule's points × the level (Mức 0 → 0). No accepted
  snapshot → 0.
- recognised: a recognition decision of the chosen kind (or of either kind) in force on 31 July of the second year
  of the school year (signed, not expired, not revoked by then) → the rule's points.

A school's computed total is the sum of its rule scores; the final total adds the officer's adjustment. Ranks are
competition ranks ("1, 2, 2, 4") by final total among the rows shown (all schools, or one school type).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.utils import timezone

from kiemdinh.emulation.models import (
    EmulationRule,
    EmulationScheme,
    LevelMode,
    RecognitionWanted,
    RuleKind,
    ScoreAdjustment,
    points_text,
)
from kiemdinh.improvement.models import ImprovementPlan, LineStatus
from kiemdinh.recognition.models import Decision
from kiemdinh.selfassessment.models import Cycle, CycleSnapshot, CycleStatus, CycleTransition
from kiemdinh.units.models import School

ZERO = Decimal("0")
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class RuleScore:
    rule: EmulationRule
    points: Decimal
    explanation: str  # "Nộp ngày 20/01/2020, hạn 31/01/2020", "8/12 nội dung hoàn thành"


@dataclass
class SchoolScore:
    school: School
    scores: list[RuleScore]  # one per rule, in the rules' order
    adjustment: ScoreAdjustment | None
    rank: int = 0

    @property
    def computed(self) -> Decimal:
        return sum((s.points for s in self.scores), ZERO)

    @property
    def adjustment_points(self) -> Decimal:
        return self.adjustment.points if self.adjustment else ZERO

    @property
    def final(self) -> Decimal:
        return self.computed + self.adjustment_points


@dataclass
class ScoreTable:
    scheme: EmulationScheme
    rules: list[EmulationRule]
    rows: list[SchoolScore] = field(default_factory=list)
    school_type: str = ""

    @property
    def max_total(self) -> Decimal:
        return sum((r.max_points for r in self.rules), ZERO)

    @property
    def over_scale(self) -> bool:
        """The rules can give more than the scheme's scale (thang điểm)."""
        return self.scheme.max_score is not None and self.max_total > self.scheme.max_score


@dataclass(frozen=True)
class _SchoolData:
    """What the rules read of one school, gathered by score_table's bulk queries."""

    cycle: Cycle | None = None
    submitted_on: date | None = None
    accepted_on: date | None = None
    school_level: int | None = None
    lines_total: int = 0
    lines_done: int = 0
    has_plan: bool = False
    decisions: tuple[Decision, ...] = ()


def schools_of(scheme: EmulationScheme, school_type: str = ""):
    """The active schools below the scheme's unit (one school type when given)."""
    schools = School.objects.within(scheme.unit).filter(is_active=True)
    if school_type:
        schools = schools.filter(school_type=school_type)
    return schools.order_by("name", "id")


def _gather(scheme: EmulationScheme, schools: list[School], kinds: set[str]) -> dict[int, _SchoolData]:
    """At most 5 queries: cycles, transitions, accepted snapshots' levels, plans with their line counts, decisions
    (each only when a rule needs it)."""
    ids = [s.pk for s in schools]
    if not ids or not kinds:
        return {}
    cycles = {
        c.school_id: c
        for c in Cycle.objects.filter(school_id__in=ids, school_year=scheme.school_year).only(
            "id", "school_id", "status", "school_year"
        )
    }
    by_cycle = {c.pk: c.school_id for c in cycles.values()}
    submitted: dict[int, date] = {}
    accepted: dict[int, date] = {}
    if kinds & {RuleKind.SA_SUBMITTED_ON_TIME, RuleKind.SA_ACCEPTED} and by_cycle:
        transitions = CycleTransition.objects.filter(
            cycle_id__in=list(by_cycle),
            kind__in=[CycleTransition.Kind.SUBMITTED, CycleTransition.Kind.ACCEPTED],
        ).order_by("at", "id")
        for cycle_id, kind, at in transitions.values_list("cycle_id", "kind", "at"):
            school_id = by_cycle[cycle_id]
            target = submitted if kind == CycleTransition.Kind.SUBMITTED else accepted
            if kind == CycleTransition.Kind.SUBMITTED:
                target.setdefault(school_id, timezone.localdate(at))  # the first submission counts
            else:
                target[school_id] = timezone.localdate(at)  # the latest acceptance
    levels: dict[int, int | None] = {}
    if RuleKind.LEVEL_REACHED in kinds and by_cycle:
        snapshots = (
            CycleSnapshot.objects.filter(cycle_id__in=list(by_cycle), accepted=True)
            .order_by("created_at", "id")
            .values_list("cycle_id", "content__result__school_level")
        )
        for cycle_id, level in snapshots:
            levels[by_cycle[cycle_id]] = int(level) if level is not None else None
    counts: dict[int, tuple[int, int]] = {}
    planned: set[int] = set()
    if RuleKind.IMPROVEMENT_COMPLETION in kinds and by_cycle:
        plans = (
            ImprovementPlan.objects.filter(cycle_id__in=list(by_cycle))
            .annotate(total=Count("lines"), done=Count("lines", filter=Q(lines__status=LineStatus.DONE)))
            .values_list("cycle_id", "total", "done")
        )
        for cycle_id, total, done in plans:
            counts[by_cycle[cycle_id]] = (total, done)
            planned.add(by_cycle[cycle_id])
    decisions: dict[int, list[Decision]] = defaultdict(list)
    if RuleKind.RECOGNISED in kinds:
        for decision in (
            Decision.objects.valid_on(scheme.year_end).filter(school_id__in=ids).order_by("-decided_on", "-id")
        ):
            decisions[decision.school_id].append(decision)
    return {
        school_id: _SchoolData(
            cycle=cycles.get(school_id),
            submitted_on=submitted.get(school_id),
            accepted_on=accepted.get(school_id),
            school_level=levels.get(school_id),
            lines_total=counts.get(school_id, (0, 0))[0],
            lines_done=counts.get(school_id, (0, 0))[1],
            has_plan=school_id in planned,
            decisions=tuple(decisions.get(school_id, ())),
        )
        for school_id in ids
    }


def _no_cycle(rule: EmulationRule, scheme: EmulationScheme) -> RuleScore:
    return RuleScore(rule, ZERO, f"Chưa mở đợt tự đánh giá năm học {scheme.school_year}")


def rule_score(rule: EmulationRule, data: _SchoolData, scheme: EmulationScheme) -> RuleScore:
    """One rule's score for one school, with the sentence that explains it."""
    if rule.kind == RuleKind.RECOGNISED:
        wanted = rule.decision_kind
        found = [d for d in data.decisions if wanted == RecognitionWanted.ANY or d.kind == wanted]
        if not found:
            return RuleScore(rule, ZERO, f"Không có quyết định công nhận còn hiệu lực ngày {scheme.year_end:%d/%m/%Y}")
        d = found[0]
        number = f"số {d.number} " if d.number else ""
        return RuleScore(
            rule,
            rule.points,
            f"Quyết định {number}ngày {d.decided_on:%d/%m/%Y} công nhận {d.label}, hiệu lực đến {d.valid_until:%d/%m/%Y}",
        )
    if data.cycle is None:
        return _no_cycle(rule, scheme)
    if rule.kind == RuleKind.SA_SUBMITTED_ON_TIME:
        deadline = rule.deadline
        if deadline is None:
            return RuleScore(rule, ZERO, "Tiêu chí chưa ghi hạn nộp")
        if data.submitted_on is None:
            return RuleScore(rule, ZERO, f"Chưa nộp báo cáo tự đánh giá, hạn {deadline:%d/%m/%Y}")
        if data.submitted_on <= deadline:
            return RuleScore(rule, rule.points, f"Nộp ngày {data.submitted_on:%d/%m/%Y}, hạn {deadline:%d/%m/%Y}")
        return RuleScore(
            rule,
            min(rule.late_points, rule.points),
            f"Nộp muộn ngày {data.submitted_on:%d/%m/%Y}, hạn {deadline:%d/%m/%Y}",
        )
    if rule.kind == RuleKind.SA_ACCEPTED:
        if data.cycle.status == CycleStatus.ACCEPTED:
            when = f" ngày {data.accepted_on:%d/%m/%Y}" if data.accepted_on else ""
            return RuleScore(rule, rule.points, f"Được chấp nhận{when}")
        return RuleScore(rule, ZERO, f"Chưa được chấp nhận ({data.cycle.get_status_display().lower()})")
    if rule.kind == RuleKind.IMPROVEMENT_COMPLETION:
        if not data.has_plan:
            return RuleScore(rule, ZERO, "Chưa lập kế hoạch cải tiến chất lượng")
        if not data.lines_total:
            return RuleScore(rule, ZERO, "Kế hoạch cải tiến chưa có nội dung nào")
        share = rule.points * data.lines_done / data.lines_total
        return RuleScore(
            rule,
            share.quantize(TENTH, rounding=ROUND_HALF_UP),
            f"{data.lines_done}/{data.lines_total} nội dung hoàn thành",
        )
    if rule.kind == RuleKind.LEVEL_REACHED:
        level = data.school_level
        if level is None:
            return RuleScore(rule, ZERO, "Chưa có kết quả tự đánh giá được chấp nhận")
        reached = f"Tự đánh giá đạt Mức {level}" if level else "Tự đánh giá chưa đạt Mức 1"
        if rule.level_mode == LevelMode.PER_LEVEL:
            return RuleScore(rule, rule.points * level, f"{reached}: {level} × {points_text(rule.points)} điểm")
        if level >= rule.min_level:
            return RuleScore(rule, rule.points, f"{reached} (yêu cầu từ Mức {rule.min_level})")
        return RuleScore(rule, ZERO, f"{reached}, chưa đạt Mức {rule.min_level}")
    raise ValueError(f"unknown rule kind {rule.kind}")


def _rank(rows: list[SchoolScore]) -> list[SchoolScore]:
    rows.sort(key=lambda r: (-r.final, r.school.name, r.school.pk))
    previous, rank = None, 0
    for index, row in enumerate(rows, start=1):
        if row.final != previous:
            rank, previous = index, row.final
        row.rank = rank
    return rows


def score_table(scheme: EmulationScheme, school_type: str = "") -> ScoreTable:
    """Every active school below the scheme's unit (of one type when given) with each rule's score and explanation,
    the computed total, the adjustment, the final total and the rank; rows in rank order.

    At most 8 queries: the rules, the schools, the adjustments, and up to 5 for the data the rules need."""
    rules = list(scheme.rules.all())
    schools = list(schools_of(scheme, school_type))
    adjustments = {
        a.school_id: a
        for a in ScoreAdjustment.objects.filter(scheme=scheme, school_id__in=[s.pk for s in schools]).select_related(
            "by"
        )
    }
    data = _gather(scheme, schools, {r.kind for r in rules})
    empty = _SchoolData()
    rows = [
        SchoolScore(
            school=school,
            scores=[rule_score(rule, data.get(school.pk, empty), scheme) for rule in rules],
            adjustment=adjustments.get(school.pk),
        )
        for school in schools
    ]
    return ScoreTable(scheme=scheme, rules=rules, rows=_rank(rows), school_type=school_type)


def schemes_of_unit(unit):
    """The unit's schemes, newest school year first, with their number of rules (1 query)."""
    return (
        EmulationScheme.objects.filter(unit=unit)
        .annotate(rule_count=Count("rules"))
        .order_by("-school_year", "title", "id")
    )


@dataclass(frozen=True)
class SchoolStanding:
    table: ScoreTable
    row: SchoolScore

    @property
    def of(self) -> int:
        return len(self.table.rows)


def school_standings(school: School) -> list[SchoolStanding]:
    """The school's row in every scheme that includes it (its unit or a unit above), newest year first. One score
    table per scheme: a school sees few schemes."""
    prefixes = [school.unit.path[: i + 1] for i, ch in enumerate(school.unit.path) if ch == "/" and i > 0]
    schemes = EmulationScheme.objects.filter(unit__path__in=prefixes).select_related("unit")
    result = []
    for scheme in schemes:
        table = score_table(scheme)
        row = next((r for r in table.rows if r.school.pk == school.pk), None)
        if row is not None:
            result.append(SchoolStanding(table, row))
    return result


def adjustment_history(scheme: EmulationScheme, school: School) -> list:
    """Every version of the school's adjustment, newest first (1 query)."""
    return list(
        ScoreAdjustment.history.filter(scheme_id=scheme.pk, school_id=school.pk)
        .select_related("by")
        .order_by("-history_date", "-history_id")
    )
