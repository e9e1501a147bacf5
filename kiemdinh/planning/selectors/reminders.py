"""What a user should be reminded of today (nhắc việc), on the home page and in the daily e-mail.

School users: their school's self-assessment deadlines (the self-assessment targets of the plans that cover the
school), tasks the authority gave the school, overdue improvement-plan lines, and recognitions to renew.
Officers: tasks of their units' plans, periodic reports due, dossiers waiting for review, recognitions to renew.

A fixed number of queries whatever the number of schools or items (asserted in the tests)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max, Q, TextChoices
from django.urls import NoReverseMatch, reverse
from django.utils.text import Truncator

from kiemdinh.accounts.access import user_scope
from kiemdinh.improvement.selectors import overdue_lines
from kiemdinh.planning.models import (
    AnnualPlan,
    DeadlineKind,
    GoalMetric,
    GoalScope,
    PlanGoal,
    PlanStatus,
    PlanTarget,
    PlanTask,
    ReportKind,
    TaskStatus,
)
from kiemdinh.planning.selectors import fmt_date, live_plans, next_report_due
from kiemdinh.recognition.models import Decision, months_before
from kiemdinh.recognition.selectors import expiring
from kiemdinh.selfassessment.models import Cycle, CycleStatus, CycleTransition
from kiemdinh.units.models import School

SOON_DAYS = 30  # "sắp đến hạn"
SCHOOL_EXPIRY_MONTHS = 12
OFFICER_EXPIRY_MONTHS = 12  # re-registration is due 5 months before expiry: look a year ahead, as schools do
PAST_GOALS_DAYS = 60  # a missed self-assessment deadline stays on the list this long
SELF_ASSESSMENT_METRICS = (GoalMetric.SELF_ASSESSMENT_SUBMITTED, GoalMetric.SELF_ASSESSMENT_ACCEPTED)
OPEN_STATUSES = (CycleStatus.IN_PROGRESS, CycleStatus.RETURNED)


class Severity(TextChoices):
    """In the order reminders are listed."""

    OVERDUE = "overdue", "Quá hạn"
    SOON = "soon", "Sắp đến hạn"
    INFO = "info", "Cần lưu ý"


class Kind(TextChoices):
    CYCLE_DEADLINE = "cycle_deadline", "Tự đánh giá"
    TASK = "task", "Nhiệm vụ"
    IMPROVEMENT = "improvement", "Kế hoạch cải tiến"
    RECOGNITION = "recognition", "Công nhận"
    REPORT = "report", "Báo cáo định kỳ"
    REVIEW = "review", "Hồ sơ chờ duyệt"


@dataclass(frozen=True)
class Reminder:
    kind: str
    title: str
    due_on: date | None
    url: str
    severity: str
    where: str  # the school or unit it concerns

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label

    @property
    def severity_label(self) -> str:
        return Severity(self.severity).label

    @property
    def tag_class(self) -> str:
        """The style of the severity tag: due-tag-bad, due-tag-soon or due-tag-info."""
        return {Severity.OVERDUE: "bad", Severity.SOON: "soon"}.get(self.severity, "info")

    @property
    def needs_action(self) -> bool:
        """Overdue or soon: what the daily e-mail is sent for."""
        return self.severity in (Severity.OVERDUE, Severity.SOON)


def severity_of(due_on: date | None, today: date) -> str:
    if due_on is None:
        return Severity.INFO
    if due_on < today:
        return Severity.OVERDUE
    if due_on <= today + timedelta(days=SOON_DAYS):
        return Severity.SOON
    return Severity.INFO


def _url(name: str, *args) -> str:
    """The page of a reminder; "" while that page does not exist yet (the reminder is still shown, unlinked)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _sort_key(reminder: Reminder):
    return (list(Severity).index(reminder.severity), reminder.due_on or date.max, reminder.where, reminder.title)


def reminders_for(user, today: date) -> list[Reminder]:
    """The user's reminders, overdue first, then by date."""
    scope = user_scope(user)
    found: list[Reminder] = []
    if scope.school_ids:
        found += school_reminders(sorted(scope.school_ids), today)
    if scope.unit_paths:
        found += officer_reminders(scope.unit_paths, today)
    return sorted(set(found), key=_sort_key)


# --- School users ---------------------------------------------------------------------------------------------------


def school_reminders(school_ids: list[int], today: date) -> list[Reminder]:
    """Seven queries."""
    schools = {s.pk: s for s in School.objects.filter(pk__in=school_ids).select_related("unit")}
    found = _cycle_deadlines(schools, today)
    tasks = (
        PlanTask.objects.filter(live_plans(today), school_id__in=list(schools))
        .exclude(status=TaskStatus.DONE)
        .select_related("plan", "school")
        .order_by("due_on", "id")
    )
    for task in tasks:
        found.append(_task_reminder(task, today, task.school.name))
    for school_id, lines in overdue_lines(list(schools), today).items():
        first = lines[0]
        count = len(lines)
        found.append(
            Reminder(
                kind=Kind.IMPROVEMENT,
                title=f"{count} dòng kế hoạch cải tiến chất lượng quá hạn (năm học {first.plan.cycle.school_year})"
                if count > 1
                else f"Dòng kế hoạch cải tiến quá hạn: {Truncator(first.target).words(18)}",
                due_on=first.due_on,
                url=_url("improvement:plan", first.plan.cycle_id),
                severity=Severity.OVERDUE,
                where=schools[school_id].name,
            )
        )
    found += _recognition_reminders(list(schools), today, SCHOOL_EXPIRY_MONTHS)
    return found


def _cycle_deadlines(schools: dict[int, School], today: date) -> list[Reminder]:
    """Self-assessment targets (nộp / được chấp nhận) of the issued plans of the units above each school, for school
    years in which the school has not submitted yet (no cycle, or one still open). Three queries."""
    paths = set()
    for school in schools.values():
        paths.update([*school.unit.ancestor_paths, school.unit.path])
    goals = list(
        PlanGoal.objects.filter(
            metric__in=SELF_ASSESSMENT_METRICS, plan__status=PlanStatus.ISSUED, plan__unit__path__in=sorted(paths)
        )
        .select_related("plan", "plan__unit")
        .order_by("deadline", "id")
    )
    if not goals:
        return []
    years = {g.school_year for g in goals}
    cycles = {
        (c.school_id, c.school_year): c
        for c in Cycle.objects.filter(school_id__in=list(schools), school_year__in=sorted(years)).only(
            "id", "school_id", "school_year", "status"
        )
    }
    listed = set(
        PlanTarget.objects.filter(
            plan_id__in={g.plan_id for g in goals if g.scope == GoalScope.TARGETS}, school_id__in=list(schools)
        ).values_list("plan_id", "school_id")
    )
    found = []
    for goal in goals:
        deadline = goal.deadline or goal.plan.ends_on
        if deadline is None or deadline < today - timedelta(days=PAST_GOALS_DAYS):
            continue
        for school in schools.values():
            if not school.unit.path.startswith(goal.plan.unit.path):
                continue
            if goal.type_list and school.school_type not in goal.type_list:
                continue
            if goal.scope == GoalScope.TARGETS and (goal.plan_id, school.pk) not in listed:
                continue
            cycle = cycles.get((school.pk, goal.school_year))
            if cycle is not None and cycle.status not in OPEN_STATUSES:
                continue
            verb = "Nộp" if goal.metric == GoalMetric.SELF_ASSESSMENT_SUBMITTED else "Hoàn thành và nộp"
            found.append(
                Reminder(
                    kind=Kind.CYCLE_DEADLINE,
                    title=f"{verb} báo cáo tự đánh giá năm học {goal.school_year} "
                    f"({goal.plan.number or 'kế hoạch'} của {goal.plan.issuer})",
                    due_on=deadline,
                    url=_url("workflow:cycle_detail", cycle.pk) if cycle else _url("workflow:cycle_list"),
                    severity=severity_of(deadline, today),
                    where=school.name,
                )
            )
    return found


def _task_reminder(task: PlanTask, today: date, where: str) -> Reminder:
    deadline = f" (hạn {task.deadline_label})" if task.due_on and task.deadline_kind != DeadlineKind.DATE else ""
    return Reminder(
        kind=Kind.TASK,
        title=f"{Truncator(task.content.splitlines()[0]).words(24)}{deadline}",
        due_on=task.due_on,
        url=_url("planning:task_detail", task.plan_id, task.pk),
        severity=severity_of(task.due_on, today),
        where=where,
    )


def _recognition_reminders(school_ids, today: date, months: int) -> list[Reminder]:
    """Recognitions running out within `months`, one reminder per school and expiry date (one query)."""
    grouped: dict[tuple[int, date], list[Decision]] = {}
    for decision in expiring(school_ids, today, months_before(today, -months)):
        grouped.setdefault((decision.school_id, decision.valid_until), []).append(decision)
    found = []
    for (school_id, valid_until), decisions in grouped.items():
        label = "-".join(d.label for d in sorted(decisions, key=lambda d: d.kind))
        by = decisions[0].reregister_by
        found.append(
            Reminder(
                kind=Kind.RECOGNITION,
                title=f"Công nhận {label} hết hiệu lực ngày {fmt_date(valid_until)}: đăng ký đánh giá lại trước {fmt_date(by)}",
                due_on=by,
                url=_url("workspace:school", school_id),
                severity=severity_of(by, today),
                where=decisions[0].school.name,
            )
        )
    return found


# --- Officers -------------------------------------------------------------------------------------------------------


def _below(paths, field: str) -> Q:
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def officer_reminders(unit_paths, today: date) -> list[Reminder]:
    """Four queries."""
    found = []
    tasks = (
        PlanTask.objects.filter(_below(unit_paths, "plan__unit__path"), live_plans(today))
        .filter(due_on__lte=today + timedelta(days=SOON_DAYS))
        .exclude(status=TaskStatus.DONE)
        .select_related("plan")
        .order_by("due_on", "id")
    )
    for task in tasks:
        found.append(_task_reminder(task, today, f"{task.agency} — {task.plan.number or task.plan.issuer}"))
    found += _reports_due(unit_paths, today)
    waiting = (
        Cycle.objects.filter(_below(unit_paths, "school__unit__path"), status=CycleStatus.SUBMITTED)
        .annotate(submitted_at=Max("transitions__at", filter=Q(transitions__kind=CycleTransition.Kind.SUBMITTED)))
        .select_related("school")
        .order_by("school__name")
    )
    for cycle in waiting:
        found.append(
            Reminder(
                kind=Kind.REVIEW,
                title=f"Xem xét báo cáo tự đánh giá năm học {cycle.school_year} đã nộp",
                due_on=cycle.submitted_at.date() if cycle.submitted_at else None,
                url=_url("workflow:cycle_detail", cycle.pk),
                severity=Severity.INFO,
                where=cycle.school.name,
            )
        )
    schools = School.objects.filter(_below(unit_paths, "unit__path"), is_active=True).values("pk")
    found += _recognition_reminders(schools, today, OFFICER_EXPIRY_MONTHS)
    return found


def _reports_due(unit_paths, today: date) -> list[Reminder]:
    """Periodic reports of issued plans that are due (today on or after the next period end); one query. A plan's
    reports stop one period after its end."""
    plans = (
        AnnualPlan.objects.filter(
            _below(unit_paths, "unit__path"), status=PlanStatus.ISSUED, report_every_months__isnull=False
        )
        .annotate(last_report=Max("reports__reported_on", filter=Q(reports__kind=ReportKind.PERIODIC)))
        .select_related("unit")
        .order_by("unit__path", "-period")
    )
    found = []
    for plan in plans:
        due = next_report_due(plan, plan.last_report)
        if due is None or today < due:
            continue
        if plan.ends_on and due > months_before(plan.ends_on, -plan.report_every_months):
            continue
        found.append(
            Reminder(
                kind=Kind.REPORT,
                title=f"Báo cáo định kỳ {plan.report_every_months} tháng/lần về {plan.number or 'kế hoạch'} "
                f"({plan.period}), kỳ kết thúc ngày {fmt_date(due)}",
                due_on=due,
                url=_url("planning:reports", plan.pk),
                severity=Severity.OVERDUE if today > due else Severity.SOON,
                where=plan.unit.name,
            )
        )
    return found
