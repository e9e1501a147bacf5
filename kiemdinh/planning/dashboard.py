"""The unit dashboard (tổng quan): every school below an officer's unit with its place in the pipeline, counts by
school type, recognitions running out, and the deadlines of the unit's plans.

The counts are aggregate queries over all the filtered schools (the stage is computed in SQL with the same rule as
`selectors.pipeline`); only the page of 50 schools is loaded as objects. The number of queries does not depend on the
number of schools (asserted in the tests)."""

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractYear, Substr

from kiemdinh.core.schoolyear import REPORTING_YEAR_START_MONTH
from kiemdinh.core.text import fold
from kiemdinh.evaluation.models import ReportStatus
from kiemdinh.improvement.models import PlanLine
from kiemdinh.improvement.selectors import overdue_filter
from kiemdinh.planning.models import AnnualPlan, PlanGoal, PlanTask, TaskStatus
from kiemdinh.planning.selectors import (
    GoalProgress,
    SchoolPosition,
    Stage,
    goals_progress,
    live_plans,
    live_registrations,
    pipeline,
    plans_for_unit,
)
from kiemdinh.recognition.models import Decision, months_before
from kiemdinh.recognition.selectors import expiring_decisions
from kiemdinh.selfassessment.models import Cycle, CycleStatus
from kiemdinh.units.models import SHORT_TYPE_LABELS, AdministrativeUnit, School, SchoolType

PAGE_SIZE = 50
SUB_UNIT_CHIPS = 24  # above the school list, one link per sub-unit, up to this many (a district's communes)
EXPIRING_MONTHS = 12  # "Sắp hết hiệu lực": recognitions running out within a year
EXPIRING_SHOWN = 15  # items listed on the dashboard; the rest through the "sắp hết hiệu lực" filter
DEADLINE_DAYS = 30  # "Hạn sắp đến": tasks and targets due within a month
REREGISTER_WARN_DAYS = 30  # a re-registration date already past or this close is flagged


# --- Filters -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardFilters:
    """What the officer narrowed the list to; read from the query string and written back into every link."""

    school_type: str = ""
    stage: str = ""
    sub_unit: int | None = None
    query: str = ""
    expiring: bool = False

    PARAMS = {
        "school_type": "loai",
        "stage": "giai_doan",
        "sub_unit": "don_vi",
        "query": "q",
        "expiring": "sap_het_han",
    }

    @classmethod
    def from_params(cls, params) -> "DashboardFilters":
        """Unknown or malformed values are ignored (a hand-edited link shows the unfiltered page, not an error)."""
        school_type = params.get("loai", "")
        stage = params.get("giai_doan", "")
        try:
            sub_unit = int(params.get("don_vi", "")) or None
        except ValueError:
            sub_unit = None
        return cls(
            school_type=school_type if school_type in SchoolType.values else "",
            stage=stage if stage in Stage.values else "",
            sub_unit=sub_unit,
            query=(params.get("q", "") or "").strip()[:100],
            expiring=params.get("sap_het_han", "") in ("1", "on", "true"),
        )

    @property
    def active(self) -> bool:
        return bool(self.school_type or self.stage or self.sub_unit or self.query or self.expiring)

    def params(self, **overrides) -> dict[str, str]:
        values = {
            "school_type": self.school_type,
            "stage": self.stage,
            "sub_unit": self.sub_unit or "",
            "query": self.query,
            "expiring": "1" if self.expiring else "",
        }
        values.update(overrides)
        return {self.PARAMS[name]: str(value) for name, value in values.items() if value not in ("", None, False)}

    def query_string(self, **overrides) -> str:
        """ "loai=TH&q=an+binh" (no leading "?"); overrides replace or clear (with "") one filter."""
        return urlencode(self.params(**overrides))


# --- Result --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypeRow:
    """One school type's counts per stage (in Stage's order), or the totals row (school_type "")."""

    school_type: str
    label: str
    counts: tuple[int, ...]
    total: int

    @property
    def cells(self) -> list[tuple[str, int]]:
        return list(zip(Stage, self.counts, strict=True))

    @property
    def submitted(self) -> int:
        return self.counts[list(Stage).index(Stage.SUBMITTED)]

    @property
    def recognised(self) -> int:
        return self.counts[list(Stage).index(Stage.RECOGNISED)]

    @property
    def recognised_percent(self) -> float:
        return round(100 * self.recognised / self.total, 1) if self.total else 0.0

    @property
    def recognised_label(self) -> str:
        return f"{self.recognised_percent:.1f}".replace(".", ",") + "%"


@dataclass(frozen=True)
class ExpiringItem:
    """A school's recognitions that run out on the same day (usually CĐ and MĐ of one decision date)."""

    school: School
    decisions: tuple[Decision, ...]
    valid_until: date
    reregister_by: date
    reregister_urgent: bool  # the re-registration date has passed or is within REREGISTER_WARN_DAYS
    reregister_late: bool  # the re-registration date has passed

    @property
    def label(self) -> str:
        return "-".join(d.label for d in sorted(self.decisions, key=lambda d: d.kind))


@dataclass(frozen=True)
class TaskDue:
    task: PlanTask
    overdue: bool


@dataclass(frozen=True)
class GoalDue:
    plan: AnnualPlan
    progress: GoalProgress
    deadline: date
    overdue: bool


@dataclass(frozen=True)
class OverdueImprovement:
    school_id: int
    school_name: str
    count: int


@dataclass(frozen=True)
class SchoolRow:
    position: SchoolPosition
    overdue_lines: int

    @property
    def school(self) -> School:
        return self.position.school


@dataclass(frozen=True)
class UnitDashboard:
    unit: AdministrativeUnit
    today: date
    filters: DashboardFilters
    sub_units: list[AdministrativeUnit]
    type_rows: list[TypeRow]  # types present among the filtered schools
    totals: TypeRow
    page: Page  # of SchoolRow
    expiring: list[ExpiringItem]  # the first EXPIRING_SHOWN
    expiring_more: bool  # more items than listed
    expiring_schools: int  # schools with a recognition running out
    tasks_due: list[TaskDue]
    goals_due: list[GoalDue]
    overdue_improvement: list[OverdueImprovement]
    plans: list[AnnualPlan]

    @property
    def stages(self) -> list[tuple[str, str]]:
        return Stage.choices

    @property
    def chart_data(self) -> dict:
        """For static/js/dashboard.js (passed with json_script): a stacked bar per school type and a doughnut."""
        return {
            "types": [{"code": row.school_type, "label": row.label} for row in self.type_rows],
            "stages": [
                {"key": stage, "label": stage.label, "counts": [row.counts[i] for row in self.type_rows]}
                for i, stage in enumerate(Stage)
            ],
            "totals": dict(zip(Stage, self.totals.counts, strict=True)),
        }

    @property
    def table(self) -> list[dict]:
        """The counts table with, for each cell, the query string that lists those schools."""
        q = self.filters.query_string
        return [
            {
                "row": row,
                "cells": [
                    (key, count, q(school_type=row.school_type or self.filters.school_type, stage=key))
                    for key, count in row.cells
                ],
                "total_link": q(school_type=row.school_type or self.filters.school_type, stage=""),
            }
            for row in [*self.type_rows, self.totals]
        ]

    @property
    def sub_unit_links(self) -> list[tuple[AdministrativeUnit, str, bool]]:
        """Each direct child with the query string that narrows to it (or clears it when it is the current one); none
        over SUB_UNIT_CHIPS children (a province's hundred communes), which the filter's drop-down lists instead."""
        if len(self.sub_units) > SUB_UNIT_CHIPS:
            return []
        return [
            (
                unit,
                self.filters.query_string(sub_unit="" if unit.pk == self.filters.sub_unit else unit.pk),
                unit.pk == self.filters.sub_unit,
            )
            for unit in self.sub_units
        ]

    @property
    def expiring_link(self) -> str:
        return self.filters.query_string(expiring="1")

    @property
    def overdue_improvement_total(self) -> int:
        return sum(item.count for item in self.overdue_improvement)

    @property
    def deadline_count(self) -> int:
        return len(self.tasks_due) + len(self.goals_due)


# --- Queries -------------------------------------------------------------------------------------------------------


def with_stage(schools, today: date):
    """Annotate schools with `stage` (Stage.*), in SQL, by the rule of `selectors.pipeline`: recognised when a decision
    in force today was signed on or after 1 August of the latest cycle's first year (or there is no cycle); otherwise
    an accepted cycle's live external-evaluation registration (registered; evaluated once its report is final), the
    latest cycle's status (a returned cycle is back in progress), or no cycle at all.

    Each correlated look-up appears once in the SQL, since the database runs every copy for every school: the latest
    cycle is joined (one look-up of its id), and the newest decision gives the school year it was signed in (one
    look-up, compared through COALESCE so that neither "no decision" nor "no cycle" needs a second copy)."""
    latest_cycle_id = Cycle.objects.filter(school=OuterRef("pk")).order_by("-school_year").values("pk")[:1]
    newest_decision = Decision.objects.valid_on(today).filter(school=OuterRef("pk")).order_by("-decided_on")
    # The school year a decision was signed in, named by its first year (its reporting year starts on 1 August).
    signed_in_year = newest_decision.annotate(
        year=ExtractYear("decided_on")
        - Case(
            When(decided_on__month__lt=REPORTING_YEAR_START_MONTH, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    ).values("year")[:1]
    live_registration = live_registrations(OuterRef("latest__id"))
    schools = schools.annotate(
        latest=FilteredRelation("cycles", condition=Q(cycles__id=Subquery(latest_cycle_id))),
    ).annotate(
        # -1 without a decision in force, so it is below every cycle's year and 0 (no cycle).
        recognised_year=Coalesce(Subquery(signed_in_year, output_field=IntegerField()), Value(-1)),
        cycle_start=Coalesce(Cast(Substr("latest__school_year", 1, 4), IntegerField()), Value(0)),
        registered=Exists(live_registration),
        evaluated=Exists(live_registration.filter(team__report__status=ReportStatus.FINAL)),
    )
    return schools.annotate(
        stage=Case(
            When(recognised_year__gte=F("cycle_start"), then=Value(Stage.RECOGNISED)),
            When(latest__id__isnull=True, then=Value(Stage.NO_CYCLE)),
            # Nested, so the registration is looked up for an accepted cycle only.
            When(
                latest__status=CycleStatus.ACCEPTED,
                then=Case(
                    When(evaluated=True, then=Value(Stage.EVALUATED)),
                    When(registered=True, then=Value(Stage.REGISTERED)),
                    default=Value(Stage.ACCEPTED),
                    output_field=CharField(),
                ),
            ),
            When(latest__status=CycleStatus.SUBMITTED, then=Value(Stage.SUBMITTED)),
            default=Value(Stage.IN_PROGRESS),
            output_field=CharField(),
        )
    )


def filtered_schools(unit: AdministrativeUnit, filters: DashboardFilters, sub_units: list[AdministrativeUnit]):
    """Active schools below the unit, narrowed by type, sub-unit and name (stage and expiry are applied later)."""
    schools = School.objects.within(unit).filter(is_active=True)
    if filters.school_type:
        schools = schools.filter(school_type=filters.school_type)
    if filters.sub_unit:
        child = next((u for u in sub_units if u.pk == filters.sub_unit), None)
        schools = schools.filter(unit__path__startswith=child.path) if child else schools.none()
    if filters.query:
        schools = schools.filter(search_text__contains=fold(filters.query))
    return schools


def type_rows(schools) -> tuple[list[TypeRow], TypeRow]:
    """Counts per school type and stage of staged schools (one aggregate query); types absent are left out."""
    counts: dict[str, dict[str, int]] = {}
    for school_type, stage, n in schools.order_by().values_list("school_type", "stage").annotate(n=Count("pk")):
        counts.setdefault(school_type, {})[stage] = n
    rows = []
    for school_type in SchoolType.values:
        if school_type not in counts:
            continue
        per_stage = tuple(counts[school_type].get(stage, 0) for stage in Stage)
        rows.append(TypeRow(school_type, SHORT_TYPE_LABELS[SchoolType(school_type)], per_stage, sum(per_stage)))
    totals = tuple(sum(row.counts[i] for row in rows) for i in range(len(Stage)))
    return rows, TypeRow("", "Tổng số", totals, sum(totals))


@dataclass(frozen=True)
class Expiring:
    """The recognitions running out within EXPIRING_MONTHS below a unit: the first EXPIRING_SHOWN items and which
    schools have one at all."""

    items: list[ExpiringItem]
    more: bool  # items beyond the first
    school_ids: list[int]


def expiring_items(school_ids, today: date, shown: int = EXPIRING_SHOWN) -> Expiring:
    """Recognitions in force today that run out within EXPIRING_MONTHS, with the re-registration date; a school's
    decisions that end on the same day are one item, soonest first, then by school name. Two queries: the keys of all
    of them, then the decisions and schools of the `shown` first items only (a province has hundreds)."""
    warn = today + timedelta(days=REREGISTER_WARN_DAYS)
    keys = sorted(
        expiring_decisions(school_ids, today, months_before(today, -EXPIRING_MONTHS)).values_list(
            "valid_until", "school__name", "school_id", "id"
        )
    )
    grouped: dict[tuple[int, date], list[int]] = {}
    for valid_until, _, school_id, pk in keys:
        grouped.setdefault((school_id, valid_until), []).append(pk)
    first = list(grouped.values())[:shown]
    loaded = Decision.objects.select_related("school").in_bulk([pk for pks in first for pk in pks])
    items = []
    for pks in first:
        decisions = tuple(loaded[pk] for pk in pks)
        by = decisions[0].reregister_by
        items.append(ExpiringItem(decisions[0].school, decisions, decisions[0].valid_until, by, by <= warn, by < today))
    return Expiring(items, len(grouped) > shown, sorted({school_id for school_id, _ in grouped}))


def tasks_due(unit: AdministrativeUnit, today: date) -> list[TaskDue]:
    """Tasks of the issued plans of the unit and the units below it, not done, due within DEADLINE_DAYS or overdue."""
    horizon = today + timedelta(days=DEADLINE_DAYS)
    tasks = (
        PlanTask.objects.filter(live_plans(today), plan__unit__path__startswith=unit.path, due_on__lte=horizon)
        .exclude(status=TaskStatus.DONE)
        .select_related("plan", "school")
        .order_by("due_on", "plan_id", "position", "id")
    )
    return [TaskDue(task, task.due_on < today) for task in tasks]


def goals_due(unit: AdministrativeUnit, today: date) -> list[GoalDue]:
    """Targets (chỉ tiêu) of the unit's issued plans whose deadline (or the plan's end) is within DEADLINE_DAYS or
    passed in the last DEADLINE_DAYS, and that the data says are not met. One query, plus goals_progress for each plan
    that has such a target (a handful: plans, not schools)."""
    horizon = today + timedelta(days=DEADLINE_DAYS)
    goals = (
        PlanGoal.objects.filter(live_plans(today), plan__unit__path__startswith=unit.path)
        .annotate(due=Coalesce("deadline", "plan__ends_on"))
        .filter(due__gte=today - timedelta(days=DEADLINE_DAYS), due__lte=horizon)
        .select_related("plan")
        .order_by("due", "plan_id", "position")
    )
    wanted: dict[int, tuple[AnnualPlan, dict[int, date]]] = {}
    for goal in goals:
        wanted.setdefault(goal.plan_id, (goal.plan, {}))[1][goal.pk] = goal.due
    found = []
    for plan, due in wanted.values():
        for progress in goals_progress(plan):
            deadline = due.get(progress.goal.pk)
            if deadline is not None and not progress.met:
                found.append(GoalDue(plan, progress, deadline, deadline < today))
    return sorted(found, key=lambda g: (g.deadline, g.plan.pk, g.progress.goal.position))


def overdue_improvement(schools, today: date) -> list[OverdueImprovement]:
    """Per school, its overdue improvement-plan lines (the rule of improvement.selectors.overdue_lines), counted in
    one aggregate query, most first."""
    rows = (
        PlanLine.objects.filter(plan__cycle__school__in=schools.values("pk"))
        .filter(overdue_filter(today))
        .values("plan__cycle__school_id", "plan__cycle__school__name")
        .annotate(n=Count("id", distinct=True))
        .order_by("-n", "plan__cycle__school__name")
    )
    return [OverdueImprovement(r["plan__cycle__school_id"], r["plan__cycle__school__name"], r["n"]) for r in rows]


def unit_dashboard(unit: AdministrativeUnit, filters: DashboardFilters, today: date, page=1) -> UnitDashboard:
    """Everything the dashboard shows, in a fixed number of queries whatever the number of schools."""
    sub_units = list(unit.children.order_by("name"))
    # `staged` carries the stage computed in SQL, needed for the counts and the stage filter; every other query uses
    # the plain `selected` schools, since compiling and running the stage expression is most of the page's cost and
    # the listed page gets its stages from `pipeline`.
    selected = filtered_schools(unit, filters, sub_units)
    staged = with_stage(selected, today)
    if filters.stage:
        staged = staged.filter(stage=filters.stage)
        selected = selected.filter(pk__in=staged.values("pk"))
    running_out = expiring_items(selected.values("pk"), today)
    if filters.expiring:
        expiring_ids = running_out.school_ids
        staged, selected = staged.filter(pk__in=expiring_ids), selected.filter(pk__in=expiring_ids)
    rows, totals = type_rows(staged)
    overdue = overdue_improvement(selected, today)
    overdue_by_school = {item.school_id: item.count for item in overdue}
    paginator = Paginator(selected.select_related("unit").order_by("name", "pk"), PAGE_SIZE)
    current = paginator.get_page(page)
    positions = pipeline(list(current.object_list), today)
    school_rows = [SchoolRow(p, overdue_by_school.get(p.school.pk, 0)) for p in positions]
    return UnitDashboard(
        unit=unit,
        today=today,
        filters=filters,
        sub_units=sub_units,
        type_rows=rows,
        totals=totals,
        page=Page(school_rows, current.number, paginator),
        expiring=running_out.items,
        expiring_more=running_out.more,
        expiring_schools=len(running_out.school_ids),
        tasks_due=tasks_due(unit, today),
        goals_due=goals_due(unit, today),
        overdue_improvement=overdue,
        plans=list(plans_for_unit(unit)),
    )
