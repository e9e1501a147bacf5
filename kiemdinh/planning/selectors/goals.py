"""A plan's targets (chỉ tiêu) with their live progress computed from the data (``goals_progress``)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Min
from django.utils import timezone

from kiemdinh.planning.models import AnnualPlan, GoalMeasure, GoalMetric, GoalScope, PlanGoal, PlanTarget
from kiemdinh.planning.selectors.common import decision_text
from kiemdinh.recognition.models import Decision, DecisionKind
from kiemdinh.selfassessment.models import CycleStatus, CycleTransition
from kiemdinh.units.models import School
from kiemdinh.units.selectors import schools_under_on


@dataclass(frozen=True)
class GoalProgress:
    goal: PlanGoal
    achieved: list[School]
    pending: list[School]
    details: dict[int, str] = field(default_factory=dict)  # school id → what counted (a date, a decision)

    @property
    def total(self) -> int:
        return len(self.achieved) + len(self.pending)

    @property
    def value(self) -> Decimal:
        """The achieved share (percent) or count, as the target is expressed."""
        if self.goal.measure == GoalMeasure.COUNT:
            return Decimal(len(self.achieved))
        if not self.total:
            return Decimal(0)
        return (Decimal(100 * len(self.achieved)) / self.total).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def met(self) -> bool:
        return self.total > 0 and self.value >= self.goal.target_value

    @property
    def fraction(self) -> float:
        """How far along, 0..1, for a progress bar."""
        target = float(self.goal.target_value)
        return min(float(self.value) / target, 1.0) if target else 0.0

    @property
    def value_label(self) -> str:
        if self.goal.measure == GoalMeasure.COUNT:
            return f"{len(self.achieved)}/{_int(self.goal.target_value)} trường"
        return (
            f"{_num(self.value)}% ({len(self.achieved)}/{self.total} trường; chỉ tiêu {_num(self.goal.target_value)}%)"
        )


def _int(value: Decimal) -> str:
    return f"{int(value):02d}" if value < 10 else str(int(value))


def _num(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


def goal_schools(plan: AnnualPlan, goal: PlanGoal, targets: list[PlanTarget]) -> list[School]:
    if goal.scope == GoalScope.TARGETS:
        schools = [t.school for t in targets]
    else:
        schools = list(schools_under_on(plan.unit, plan.dated_on).filter(is_active=True).order_by("name"))
    types = goal.type_list
    return [s for s in schools if not types or s.school_type in types]


def goals_progress(plan: AnnualPlan) -> list[GoalProgress]:
    """Each target of the plan with what the data says now (two queries plus at most two per target)."""
    goals = list(plan.goals.all())
    if not goals:
        return []
    targets = list(plan.targets.select_related("school").order_by("position"))
    by_school = {t.school_id: t for t in targets}
    unit_schools: list[School] | None = None
    progress = []
    for goal in goals:
        if goal.scope == GoalScope.UNIT and unit_schools is None:
            unit_schools = list(schools_under_on(plan.unit, plan.dated_on).filter(is_active=True).order_by("name"))
        pool = [t.school for t in targets] if goal.scope == GoalScope.TARGETS else unit_schools
        pool = [s for s in pool if not goal.type_list or s.school_type in goal.type_list]
        deadline = goal.deadline or plan.ends_on
        details = _achievements(plan, goal, [s.pk for s in pool], deadline, by_school)
        progress.append(
            GoalProgress(
                goal=goal,
                achieved=[s for s in pool if s.pk in details],
                pending=[s for s in pool if s.pk not in details],
                details=details,
            )
        )
    return progress


def _achievements(plan, goal: PlanGoal, ids: list[int], deadline: date | None, targets) -> dict[int, str]:
    """school id → why it counts, for the schools that count towards the goal (one query)."""
    if not ids:
        return {}
    if goal.metric in (GoalMetric.SELF_ASSESSMENT_SUBMITTED, GoalMetric.SELF_ASSESSMENT_ACCEPTED):
        kind = (
            CycleTransition.Kind.SUBMITTED
            if goal.metric == GoalMetric.SELF_ASSESSMENT_SUBMITTED
            else CycleTransition.Kind.ACCEPTED
        )
        rows = CycleTransition.objects.filter(kind=kind, cycle__school_id__in=ids, cycle__school_year=goal.school_year)
        if deadline:
            rows = rows.filter(at__lte=_end_of(deadline))
        if goal.metric == GoalMetric.SELF_ASSESSMENT_ACCEPTED:
            rows = rows.filter(cycle__status=CycleStatus.ACCEPTED)
        verb = "Nộp" if kind == CycleTransition.Kind.SUBMITTED else "Được chấp nhận"
        first = rows.values("cycle__school_id").annotate(first=Min("at"))
        return {row["cycle__school_id"]: f"{verb} ngày {timezone.localtime(row['first']):%d/%m/%Y}" for row in first}
    decisions = Decision.objects.filter(school_id__in=ids, revoked_on__isnull=True)
    if plan.starts_on:
        decisions = decisions.filter(decided_on__gte=plan.starts_on)
    if deadline:
        decisions = decisions.filter(decided_on__lte=deadline)
    if goal.metric == GoalMetric.TARGETS_REACHED:
        held: dict[int, dict[str, Decision]] = {}
        for d in decisions.order_by("decided_on", "id"):
            held.setdefault(d.school_id, {})[d.kind] = d
        reached = {}
        for school_id, kinds in held.items():
            target = targets.get(school_id)
            if target is None:
                continue
            grade, level = kinds.get(DecisionKind.ACCREDITATION), kinds.get(DecisionKind.NATIONAL_STANDARD)
            ok_grade = not target.accreditation_grade or (grade and grade.level >= target.accreditation_grade)
            ok_level = not target.national_standard_level or (level and level.level >= target.national_standard_level)
            if not (target.accreditation_grade or target.national_standard_level):
                ok_grade = bool(grade or level)
            if ok_grade and ok_level:
                reached[school_id] = ", ".join(decision_text(d) for d in (grade, level) if d)
        return reached
    kind = DecisionKind.ACCREDITATION if goal.metric == GoalMetric.ACCREDITED else DecisionKind.NATIONAL_STANDARD
    decisions = decisions.filter(kind=kind)
    if goal.level:
        decisions = decisions.filter(level__gte=goal.level)
    found = {}
    for d in decisions.order_by("decided_on", "id"):
        found.setdefault(d.school_id, decision_text(d))
    return found
