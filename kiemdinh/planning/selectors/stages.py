"""Where each school stands in this year's work (``pipeline``: the dashboard's columns), in two queries after the
schools."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, TextChoices

from kiemdinh.core.schoolyear import reporting_year_start
from kiemdinh.evaluation.models import Registration, RegistrationStatus, ReportStatus
from kiemdinh.planning.models import AnnualPlan, PlanTarget
from kiemdinh.recognition.models import Decision, DecisionKind
from kiemdinh.selfassessment.models import Cycle, CycleStatus
from kiemdinh.selfassessment.selectors import latest_cycle_filter
from kiemdinh.units.models import School


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
