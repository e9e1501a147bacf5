"""Reads of plans: suggested schools, live progress of targets, each school's place in the pipeline.

Every function here runs a fixed number of queries whatever the number of schools (asserted in the tests)."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, Min, OuterRef, Q, TextChoices
from django.utils import timezone

from kiemdinh.core.schoolyear import reporting_year_start
from kiemdinh.evaluation.models import Registration, RegistrationStatus, ReportStatus
from kiemdinh.planning.models import (
    AnnualPlan,
    GoalMeasure,
    GoalMetric,
    GoalScope,
    PlanGoal,
    PlanStatus,
    PlanTarget,
    TaskStatus,
    TaskUpdate,
)
from kiemdinh.recognition.models import (
    REREGISTER_MONTHS_BEFORE,
    Decision,
    DecisionKind,
    RecognitionRound,
    months_before,
)
from kiemdinh.selfassessment.models import Cycle, CycleSnapshot, CycleStatus, CycleTransition
from kiemdinh.selfassessment.selectors import latest_cycle_filter
from kiemdinh.units.models import School

# --- Suggestions ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    school: School
    reason: str
    recognition_round: str
    accreditation_grade: int | None
    national_standard_level: int | None
    priority: int  # 0: recognition lapses in the period, 1: already lapsed, 2: never recognised
    dismissed_reason: str = ""

    @property
    def target_label(self) -> str:
        parts = []
        if self.accreditation_grade:
            parts.append(f"CĐ{self.accreditation_grade}")
        if self.national_standard_level:
            parts.append(f"MĐ{self.national_standard_level}")
        return "-".join(parts)

    @property
    def round_label(self) -> str:
        return "CN lại" if self.recognition_round == RecognitionRound.AGAIN else "CN lần đầu"


def fmt_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _decision_text(decision: Decision) -> str:
    number = f" số {decision.number}" if decision.number else ""
    return f"{decision.label} (quyết định{number} ngày {fmt_date(decision.decided_on)})"


def _decisions_text(decisions: list[Decision]) -> str:
    """One decision as _decision_text; a grade and a level signed together as "CĐ2-MĐ1 (quyết định ngày …)"."""
    if len(decisions) == 1 or len({(d.number, d.decided_on) for d in decisions}) > 1:
        return ", ".join(_decision_text(d) for d in decisions)
    first = decisions[0]
    number = f" số {first.number}" if first.number else ""
    labels = "-".join(d.label for d in sorted(decisions, key=lambda d: d.kind))
    return f"{labels} (quyết định{number} ngày {fmt_date(first.decided_on)})"


def national_level_for(school_level: int | None) -> int | None:
    """2018 regime: school Mức 2 → MĐ1, Mức 3 or 4 → MĐ2 (the rule engine's mapping, for a proposal only)."""
    if not school_level or school_level < 2:
        return None
    return 1 if school_level == 2 else 2


def accepted_results(school_ids) -> dict[int, tuple[str, dict]]:
    """Per school, the school year and rule-engine result of its latest accepted self-assessment (one query)."""
    rows = (
        CycleSnapshot.objects.filter(accepted=True, cycle__school_id__in=school_ids)
        .order_by("cycle__school_id", "-cycle__school_year", "-created_at")
        .values_list("cycle__school_id", "cycle__school_year", "content__result")
    )
    results: dict[int, tuple[str, dict]] = {}
    for school_id, school_year, result in rows:
        results.setdefault(school_id, (school_year, result or {}))
    return results


def suggestions(plan: AnnualPlan) -> tuple[list[Suggestion], list[Suggestion]]:
    """Schools below the plan's unit worth listing, and those the officer dismissed (with their reason).

    - a recognition that runs out before the plan's end plus the re-registration lead (5 months): it must be renewed
      within the plan (CN lại), with the same grade and level;
    - a recognition that ran out before the plan starts and was not renewed (CN lại);
    - a school never recognised (CN lần đầu): CĐ/MĐ from its latest accepted self-assessment where there is one,
      else CĐ2-MĐ1, the usual first target in the seeds.
    Schools already listed in the plan are left out. Four queries."""
    candidates = School.objects.within(plan.unit).filter(is_active=True).exclude(plan_targets__plan=plan)
    schools = list(candidates.select_related("unit"))
    # The schools as a subquery, not a list of ids: a province's thousand ids cost more to bind than to query.
    ids = candidates.values("pk")
    dismissed = dict(plan.dismissals.values_list("school_id", "reason"))
    latest: dict[tuple[int, str], Decision] = {}
    in_force = Decision.objects.filter(school_id__in=ids, revoked_on__isnull=True).order_by("decided_on", "id")
    for decision in in_force.only("school_id", "kind", "level", "number", "decided_on", "valid_until"):
        latest[(decision.school_id, decision.kind)] = decision
    results = accepted_results(ids)
    start, end = plan.starts_on, plan.ends_on
    horizon_end = end and _plus_months(end, REREGISTER_MONTHS_BEFORE)
    found = []
    kinds = DecisionKind.values
    for school in schools:
        held = [d for d in (latest.get((school.pk, k)) for k in kinds) if d]
        suggestion = None
        if held:
            lapsing = [d for d in held if start and start <= d.valid_until <= horizon_end]
            lapsed = [d for d in held if start and d.valid_until < start]
            grade = next((d.level for d in held if d.kind == DecisionKind.ACCREDITATION), None)
            level = next((d.level for d in held if d.kind == DecisionKind.NATIONAL_STANDARD), None)
            if lapsing:
                d = min(lapsing, key=lambda d: d.valid_until)
                suggestion = Suggestion(
                    school,
                    f"{_decisions_text([x for x in lapsing if x.valid_until == d.valid_until])} hết hiệu lực ngày "
                    f"{fmt_date(d.valid_until)}; cần đăng ký đánh giá lại trước "
                    f"{fmt_date(months_before(d.valid_until, REREGISTER_MONTHS_BEFORE))}.",
                    RecognitionRound.AGAIN,
                    grade,
                    level,
                    0,
                )
            elif lapsed and len(lapsed) == len(held):
                d = max(lapsed, key=lambda d: d.valid_until)
                suggestion = Suggestion(
                    school,
                    f"{_decision_text(d)} đã hết hiệu lực từ {fmt_date(d.valid_until)}, chưa được công nhận lại.",
                    RecognitionRound.AGAIN,
                    grade,
                    level,
                    1,
                )
        else:
            school_year, result = results.get(school.pk, ("", {}))
            school_level = result.get("school_level")
            if school_level:
                grade = min(result.get("accreditation_grade") or school_level, 4)
                level = result.get("national_standard_level") or national_level_for(school_level)
                basis = f"tự đánh giá năm học {school_year} đạt Mức {school_level}"
            else:
                grade, level = 2, 1
                basis = "chưa có kết quả tự đánh giá được chấp nhận"
            suggestion = Suggestion(
                school, f"Chưa từng được công nhận; {basis}.", RecognitionRound.FIRST, grade, level, 2
            )
        if suggestion is not None:
            found.append(suggestion)
    found.sort(key=lambda s: (s.priority, s.school.school_type, s.school.name))
    open_ = [s for s in found if s.school.pk not in dismissed]
    closed = [
        Suggestion(**{**s.__dict__, "dismissed_reason": dismissed[s.school.pk]})
        for s in found
        if s.school.pk in dismissed
    ]
    return open_, closed


def _plus_months(day: date, months: int) -> date:
    return months_before(day, -months)


# --- Targets (chỉ tiêu) and their live progress --------------------------------------------------------------------


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
        schools = list(School.objects.within(plan.unit).filter(is_active=True).order_by("name"))
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
            unit_schools = list(School.objects.within(plan.unit).filter(is_active=True).order_by("name"))
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
                reached[school_id] = ", ".join(_decision_text(d) for d in (grade, level) if d)
        return reached
    kind = DecisionKind.ACCREDITATION if goal.metric == GoalMetric.ACCREDITED else DecisionKind.NATIONAL_STANDARD
    decisions = decisions.filter(kind=kind)
    if goal.level:
        decisions = decisions.filter(level__gte=goal.level)
    found = {}
    for d in decisions.order_by("decided_on", "id"):
        found.setdefault(d.school_id, _decision_text(d))
    return found


# A plan that ended longer ago than this no longer raises reminders or deadlines: what is left undone belongs to its
# final report.
ENDED_PLAN_DAYS = 90


def live_plans(today: date, prefix: str = "plan__") -> Q:
    """Issued plans still running, or ended less than ENDED_PLAN_DAYS ago (a filter on a relation's `prefix`)."""
    return Q(**{f"{prefix}status": PlanStatus.ISSUED}) & (
        Q(**{f"{prefix}ends_on__isnull": True})
        | Q(**{f"{prefix}ends_on__gte": today - timedelta(days=ENDED_PLAN_DAYS)})
    )


# --- The pipeline --------------------------------------------------------------------------------------------------


class Stage(TextChoices):
    """Where a school stands in this year's work, in order (the dashboard's columns)."""

    NO_CYCLE = "no_cycle", "Chưa tự đánh giá"
    IN_PROGRESS = "in_progress", "Đang tự đánh giá"
    SUBMITTED = "submitted", "Đã nộp, chờ duyệt"
    ACCEPTED = "accepted", "Tự đánh giá được chấp nhận"
    REGISTERED = "registered", "Đã đăng ký đánh giá ngoài"
    EVALUATED = "evaluated", "Đã đánh giá ngoài, chờ công nhận"
    RECOGNISED = "recognised", "Đã được công nhận"


# A registration of the latest cycle that is still live (submitted or accepted).
OPEN_REGISTRATION = (RegistrationStatus.SUBMITTED, RegistrationStatus.ACCEPTED)


def live_registrations(cycle_ref):
    """The cycle's registrations still on their way: submitted or accepted, and no decision issued from their team
    yet (once issued, the school's place follows its decisions, in force or lapsed)."""
    return Registration.objects.filter(cycle=cycle_ref, status__in=OPEN_REGISTRATION).exclude(
        team__decisions__isnull=False
    )


@dataclass(frozen=True)
class SchoolPosition:
    school: School
    stage: str
    cycle: Cycle | None
    accreditation: Decision | None
    national_standard: Decision | None

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label

    @property
    def recognition_label(self) -> str:
        return "-".join(d.label for d in (self.accreditation, self.national_standard) if d)

    @property
    def expires_on(self) -> date | None:
        dates = [d.valid_until for d in (self.accreditation, self.national_standard) if d]
        return min(dates) if dates else None


def pipeline(schools, today: date) -> list[SchoolPosition]:
    """Each school's latest cycle (with its external-evaluation registration) and recognitions in force today (two
    queries after the schools).

    A school counts as recognised when a decision in force was signed after its latest cycle began; otherwise its
    place is its latest cycle's status (a returned cycle is back in progress)."""
    schools = list(schools)
    ids = [s.pk for s in schools]
    cycles: dict[int, Cycle] = {}
    live = live_registrations(OuterRef("pk"))
    for cycle in (
        Cycle.objects.filter(latest_cycle_filter(), school_id__in=ids)
        .only("id", "school_id", "school_year", "status")
        .order_by()  # the model's ordering would join the schools to sort by name
        .annotate(registered=Exists(live), evaluated=Exists(live.filter(team__report__status=ReportStatus.FINAL)))
    ):
        cycles[cycle.school_id] = cycle
    held: dict[tuple[int, str], Decision] = {}
    for d in Decision.objects.valid_on(today).filter(school_id__in=ids).order_by("decided_on", "id"):
        held[(d.school_id, d.kind)] = d
    positions = []
    for school in schools:
        cycle = cycles.get(school.pk)
        grade = held.get((school.pk, DecisionKind.ACCREDITATION))
        level = held.get((school.pk, DecisionKind.NATIONAL_STANDARD))
        newest = max((d.decided_on for d in (grade, level) if d), default=None)
        if newest and (cycle is None or newest >= reporting_year_start(cycle.school_year)):
            stage = Stage.RECOGNISED
        elif cycle is None:
            stage = Stage.NO_CYCLE
        elif cycle.status == CycleStatus.ACCEPTED and cycle.registered:
            stage = Stage.EVALUATED if cycle.evaluated else Stage.REGISTERED
        elif cycle.status == CycleStatus.ACCEPTED:
            stage = Stage.ACCEPTED
        elif cycle.status == CycleStatus.SUBMITTED:
            stage = Stage.SUBMITTED
        else:
            stage = Stage.IN_PROGRESS
        positions.append(SchoolPosition(school, stage, cycle, grade, level))
    return positions


def plan_targets_with_positions(plan: AnnualPlan, today: date) -> list[tuple[PlanTarget, SchoolPosition]]:
    targets = list(plan.targets.select_related("school", "school__unit").order_by("position"))
    positions = {p.school.pk: p for p in pipeline([t.school for t in targets], today)}
    return [(t, positions[t.school.pk]) for t in targets]


def plans_for_unit(unit):
    """Plans issued by the unit or any unit below or above it, newest first (the plans that concern it)."""
    return (
        AnnualPlan.objects.filter(Q(unit__path__startswith=unit.path) | Q(unit__path__in=unit.ancestor_paths))
        .select_related("unit")
        .order_by("-period", "unit__path", "-id")
    )


# --- The text ------------------------------------------------------------------------------------------------------

ROMAN_NUMERALS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV")


def numbered_sections(plan: AnnualPlan, sections) -> list[tuple[str, object]]:
    """The body's sections with their roman numerals: II, III… after "I. Mục đích, yêu cầu", or from I without it."""
    first = 1 if (plan.purpose or plan.requirements) else 0
    return [(ROMAN_NUMERALS[first + i], section) for i, section in enumerate(sections)]


def signer_lines(plan: AnnualPlan) -> list[str]:
    """ "TM.ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" → its three printed lines."""
    return [part.strip() for part in re.split(r"\s*/\s*", plan.signer_title or "") if part.strip()]


# --- Reports -------------------------------------------------------------------------------------------------------


def report_period(plan: AnnualPlan, today: date) -> tuple[date, date] | None:
    """The reporting period (every `report_every_months` from the plan's start) a report written today covers: the
    latest one that has ended, or ends within a fortnight; the first one before that. None when the plan reports
    only when asked."""
    months = plan.report_every_months
    if not months or not plan.starts_on:
        return None
    start = plan.starts_on
    chosen = (start, _plus_months(start, months) - timedelta(days=1))
    while True:
        end = _plus_months(start, months) - timedelta(days=1)
        if end > today + timedelta(days=15) or (plan.ends_on and start > plan.ends_on):
            return chosen
        chosen = (start, end)
        start = end + timedelta(days=1)


def period_label(start: date, end: date) -> str:
    """ "quý I năm 2024" for a calendar quarter, else "từ 01/2024 đến 06/2024"."""
    if start.day == 1 and start.month % 3 == 1 and end == _plus_months(start, 3) - timedelta(days=1):
        return f"quý {('I', 'II', 'III', 'IV')[start.month // 3]} năm {start.year}"
    return f"từ tháng {start.month:02d}/{start.year} đến tháng {end.month:02d}/{end.year}"


def report_draft(plan: AnnualPlan, today: date) -> dict:
    """A periodic report's starting text, from the data as it is today: the list's schools by stage, each target's
    progress, each task's status and latest update, the difficulties reported. The officer edits it before saving."""
    targets = plan_targets_with_positions(plan, today)
    progress = goals_progress(plan)
    tasks = list(plan.tasks.select_related("school").order_by("position", "id"))
    latest_updates: dict[int, TaskUpdate] = {}
    for update in TaskUpdate.objects.filter(task__plan=plan).order_by("at", "id"):
        latest_updates[update.task_id] = update
    lines = ["I. KẾT QUẢ THỰC HIỆN"]
    if targets:
        lines.append(f"1. Các cơ sở giáo dục trong danh sách kèm theo kế hoạch: {len(targets)} đơn vị.")
        counts = dict.fromkeys(Stage, 0)
        for _, position in targets:
            counts[position.stage] += 1
        lines.extend(f"- {stage.label}: {n:02d} đơn vị." for stage, n in counts.items() if n)
    if progress:
        lines.append(f"{2 if targets else 1}. Thực hiện các chỉ tiêu:")
        for item in progress:
            verdict = "đạt chỉ tiêu" if item.met else "chưa đạt chỉ tiêu"
            lines.append(f"- {item.goal.text.rstrip('.')}: {item.value_label}, {verdict}.")
    if tasks:
        lines.append(f"{1 + bool(targets) + bool(progress)}. Thực hiện nhiệm vụ của các cơ quan, đơn vị:")
        for task in tasks:
            status = task.get_status_display().lower()
            due = f" (hạn {task.deadline_label})" if task.deadline_label else ""
            late = "; quá hạn" if task.is_overdue(today) else ""
            update = latest_updates.get(task.pk)
            note = f" {update.note}" if update else ""
            lines.append(f"- {task.agency}{due}: {status}{late}.{note}")
    blocked = [t for t in tasks if t.status == TaskStatus.BLOCKED]
    lines.append("II. KHÓ KHĂN, VƯỚNG MẮC")
    if blocked:
        lines.extend(
            f"- {t.agency}: {latest_updates[t.pk].note if t.pk in latest_updates else t.get_status_display()}"
            for t in blocked
        )
    else:
        lines.append("- Không có khó khăn, vướng mắc được báo cáo trong kỳ.")
    lines.append("III. NHIỆM VỤ TRỌNG TÂM KỲ TỚI")
    pending = [t for t in tasks if t.status != TaskStatus.DONE]
    if pending:
        lines.extend(
            f"- {t.agency}: {t.content.splitlines()[0]}" + (f" (hạn {t.deadline_label})" if t.deadline_label else "")
            for t in pending
        )
    else:
        lines.append("- Các nhiệm vụ của kế hoạch đã hoàn thành.")
    bounds = report_period(plan, today)
    label = period_label(*bounds) if bounds else ""
    title = f"Kết quả thực hiện {plan_short_name(plan)}" + (f", {label}" if label else "")
    return {"title": title, "period_label": label, "body": "\n".join(lines)}


def plan_short_name(plan: AnnualPlan) -> str:
    """ "Kế hoạch số 20/KH-UBND ngày 04/01/2024 của UBND thị xã Hương Trà", or without number/date when none."""
    parts = ["Kế hoạch"]
    if plan.number:
        parts.append(f"số {plan.number}")
    if plan.issued_on:
        parts.append(f"ngày {plan.issued_on:%d/%m/%Y}")
    parts.append(f"của {plan.issuer}")
    return " ".join(parts)


def next_report_due(plan: AnnualPlan, last_periodic: date | None) -> date | None:
    """When the next periodic report is due: the end of the first reporting period not yet reported."""
    months = plan.report_every_months
    if not months or not plan.starts_on:
        return None
    due = _plus_months(plan.starts_on, months) - timedelta(days=1)
    while last_periodic and due <= last_periodic and (not plan.ends_on or due < plan.ends_on):
        due = _plus_months(due + timedelta(days=1), months) - timedelta(days=1)
    return due
