"""Reads of the external evaluation that span relations: registrations with their teams, a team's timeline and
criteria coverage, the evaluator network and an evaluator's own teams. Query counts are pinned in the view tests."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, TextChoices

from kiemdinh.evaluation.access import evaluators_visible
from kiemdinh.evaluation.models import (
    Evaluator,
    Registration,
    RegistrationStatus,
    SchoolLevelTaught,
    Team,
    TeamMember,
)
from kiemdinh.evaluation.services.teams import LEVELS_OF_TYPE, Eligibility, eligibility
from kiemdinh.evidence.selectors import versions_as_of
from kiemdinh.frameworks.choices import Regime
from kiemdinh.frameworks.models import Criterion, Level4Item
from kiemdinh.selfassessment.models import Cycle
from kiemdinh.units.models import AdministrativeUnit

# --- Registrations ---------------------------------------------------------------------------------------------------


def _members_prefetch() -> Prefetch:
    return Prefetch(
        "team__members",
        queryset=TeamMember.objects.select_related("evaluator").prefetch_related("criteria", "level4_items"),
    )


def school_registrations(school):
    """Every registration of the school, newest first, with its cycle and team (members, roles, units), and the
    name of its cohort evidence as its cycle cites it."""
    return with_cohort_evidence_names(
        list(
            Registration.objects.filter(school=school)
            .select_related("cycle", "team")
            .prefetch_related(_members_prefetch())
        )
    )


def with_cohort_evidence_names(registrations: list[Registration]) -> list[Registration]:
    """Set `cohort_evidence_name` on each registration: its cohort evidence as the registration's cycle cites it
    (the dossier's version, which later edits do not reach). 1–2 queries."""
    shown = versions_as_of((r.cycle_id, r.cohort_evidence_id) for r in registrations)
    for registration in registrations:
        version = shown.get((registration.cycle_id, registration.cohort_evidence_id))
        registration.cohort_evidence_name = version.name if version else ""
    return registrations


def unit_registrations(unit: AdministrativeUnit, status: str = ""):
    """Registrations of the schools below the unit (optionally of one status), with the school, cycle and team."""
    rows = Registration.objects.filter(school__unit__path__startswith=unit.path).select_related(
        "school__unit", "cycle__framework", "team"
    )
    if status in RegistrationStatus.values:
        rows = rows.filter(status=status)
    return list(rows.order_by("-submitted_at", "-id"))


def status_counts(unit: AdministrativeUnit) -> dict[str, int]:
    counts = dict.fromkeys(RegistrationStatus.values, 0)
    for value in Registration.objects.filter(school__unit__path__startswith=unit.path).values_list("status", flat=True):
        counts[value] += 1
    return counts


def team_of(registration: Registration) -> Team | None:
    try:
        return registration.team
    except Team.DoesNotExist:
        return None


@dataclass(frozen=True)
class RegistrationOptions:
    """What the school may ask for on this cycle: the reasons shared by both requests, then each request's own."""

    level: int
    common: list[str]
    accreditation: Eligibility
    national_standard: Eligibility
    tt57: bool

    @property
    def accreditation_only(self) -> list[str]:
        return [r for r in self.accreditation.reasons if r not in self.common]

    @property
    def national_standard_only(self) -> list[str]:
        return [r for r in self.national_standard.reasons if r not in self.common]

    @property
    def any_ok(self) -> bool:
        return self.accreditation.ok or self.national_standard.ok


def registration_options(cycle: Cycle) -> RegistrationOptions:
    """Eligibility for each request, with the cohort declared as completed (the school declares it in the form, and
    the service checks it again on submission)."""
    accreditation = eligibility(cycle, wants_accreditation=True, wants_national_standard=False, cohort_completed=True)
    national = eligibility(cycle, wants_accreditation=False, wants_national_standard=True, cohort_completed=True)
    common = [r for r in accreditation.reasons if r in national.reasons]
    return RegistrationOptions(
        level=max(accreditation.level, national.level),
        common=common,
        accreditation=accreditation,
        national_standard=national,
        tt57=cycle.framework.regime == Regime.TT57,
    )


# --- The team --------------------------------------------------------------------------------------------------------


class StageState(TextChoices):
    PAST = "past", "đã qua"
    CURRENT = "current", "đang diễn ra"
    FUTURE = "future", "sắp tới"
    UNSCHEDULED = "unscheduled", "chưa có lịch"


@dataclass(frozen=True)
class Stage:
    label: str
    starts_on: date | None
    ends_on: date | None
    state: StageState

    @property
    def state_label(self) -> str:
        return self.state.label

    @property
    def is_current(self) -> bool:
        return self.state == StageState.CURRENT

    @property
    def is_scheduled(self) -> bool:
        return self.state != StageState.UNSCHEDULED


@dataclass(frozen=True)
class Timeline:
    stages: list[Stage]
    today_label: str  # which stage today is in, in words


def team_spans(team: Team) -> list[tuple[str, date | None, date | None]]:
    """The stages of the team's work in order, each (label, first day, last day) as the team's decision sets them."""
    return [
        ("Nghiên cứu hồ sơ", team.dossier_from, team.dossier_to),
        ("Khảo sát sơ bộ", team.preliminary_on, team.preliminary_on),
        ("Khảo sát chính thức", team.official_from, team.official_to),
        ("Dự thảo báo cáo, gửi trường", team.draft_report_on, team.draft_report_on),
        ("Trường góp ý dự thảo", team.draft_report_on, team.feedback_until),
        ("Báo cáo chính thức", team.final_report_on, team.final_report_on),
        ("Kết thúc làm việc", team.ends_on, team.ends_on),
    ]


def team_timeline(team: Team, today: date) -> Timeline:
    """The stages of the team's work (nghiên cứu hồ sơ → khảo sát sơ bộ → khảo sát chính thức → báo cáo) with the
    one today falls in: the last stage that has begun, within the team's working dates."""
    spans = team_spans(team)
    open_ = team.dossier_from <= today <= team.ends_on
    begun = [i for i, (_, start, end) in enumerate(spans) if (start or end) and (start or end) <= today]
    current = begun[-1] if open_ and begun else None
    stages = []
    for i, (label, start, end) in enumerate(spans):
        key = start or end
        if key is None:
            state = StageState.UNSCHEDULED
        elif i == current:
            state = StageState.CURRENT
        elif key <= today:
            state = StageState.PAST
        else:
            state = StageState.FUTURE
        stages.append(Stage(label=label, starts_on=start, ends_on=end, state=state))
    if today < team.dossier_from:
        today_label = f"Chưa bắt đầu: nghiên cứu hồ sơ từ ngày {team.dossier_from:%d/%m/%Y}"
    elif today > team.ends_on:
        today_label = f"Đã kết thúc làm việc ngày {team.ends_on:%d/%m/%Y}"
    else:
        today_label = stages[current].label if current is not None else "Nghiên cứu hồ sơ"
    return Timeline(stages=stages, today_label=today_label)


@dataclass(frozen=True)
class TeamPage:
    team: Team
    members: list[TeamMember]
    criteria: list[Criterion]
    level4_items: list[Level4Item]
    unassigned_criteria: list[Criterion]
    unassigned_items: list[Level4Item]
    holders: dict[int, list[str]]  # criterion id -> names of the members who study it
    item_holders: dict[int, list[str]]


def team_page(team: Team) -> TeamPage:
    """The team's members (evaluator, role, unit, assigned criteria) and the framework's criteria nobody has yet."""
    members = list(
        team.members.select_related("evaluator").prefetch_related(
            Prefetch("criteria", queryset=Criterion.objects.order_by("position")),
            Prefetch("level4_items", queryset=Level4Item.objects.order_by("position")),
        )
    )
    framework_id = team.registration.cycle.framework_id
    criteria = list(Criterion.objects.filter(version_id=framework_id).order_by("position"))
    items = list(Level4Item.objects.filter(version_id=framework_id).order_by("position"))
    holders: dict[int, list[str]] = {}
    item_holders: dict[int, list[str]] = {}
    for member in members:
        for criterion in member.criteria.all():
            holders.setdefault(criterion.pk, []).append(member.evaluator.full_name)
        for item in member.level4_items.all():
            item_holders.setdefault(item.pk, []).append(member.evaluator.full_name)
    return TeamPage(
        team=team,
        members=members,
        criteria=criteria,
        level4_items=items,
        unassigned_criteria=[c for c in criteria if c.pk not in holders],
        unassigned_items=[i for i in items if i.pk not in item_holders],
        holders=holders,
        item_holders=item_holders,
    )


def candidate_evaluators(team: Team):
    """Active evaluators of the school's province (or of units the school is not under) trained for a level the
    school teaches. Conflicts of interest are not filtered out here: the service refuses them with the reason."""
    school = team.registration.school
    province_path = school.unit.ancestor_paths[0] if school.unit.ancestor_paths else school.unit.path
    levels = Q()
    for level in LEVELS_OF_TYPE[school.school_type]:
        levels |= Q(levels__contains=level)
    return (
        Evaluator.objects.filter(is_active=True, unit__path__startswith=province_path)
        .filter(levels)
        .exclude(memberships__team=team)
        .select_related("unit", "school")
        .order_by("full_name")
    )


# --- The evaluator network -------------------------------------------------------------------------------------------


def with_level_labels(evaluator: Evaluator) -> Evaluator:
    """The evaluator with `level_labels`: the levels taught, in words, for display."""
    labels = dict(SchoolLevelTaught.choices)
    evaluator.level_labels = [labels[v] for v in evaluator.level_list if v in labels]
    return evaluator


def evaluator_list(user, *, level: str = "", active: str = "", q: str = ""):
    rows = evaluators_visible(user).select_related("unit", "school", "user")
    if level in SchoolLevelTaught.values:
        rows = rows.filter(levels__contains=level)
    if active == "1":
        rows = rows.filter(is_active=True)
    elif active == "0":
        rows = rows.filter(is_active=False)
    if q:
        rows = rows.filter(full_name__icontains=q.strip())
    return [with_level_labels(e) for e in rows.order_by("full_name", "id")]


def participation(evaluator: Evaluator):
    """The teams the evaluator sat on, newest first: school, school year, role, dates and status."""
    return list(
        evaluator.memberships.select_related("team__registration__school", "team__registration__cycle").order_by(
            "-team__dossier_from", "-id"
        )
    )


@dataclass(frozen=True)
class MyTeam:
    member: TeamMember
    team: Team
    is_open: bool
    timeline: Timeline


def my_teams(user, today: date) -> list[MyTeam]:
    """The teams of the user's evaluator record, newest first, each with whether its dossier is open today."""
    members = (
        TeamMember.objects.filter(evaluator__user=user)
        .select_related("team__registration__school", "team__registration__cycle")
        .order_by("-team__dossier_from", "-id")
    )
    return [
        MyTeam(member=m, team=m.team, is_open=m.team.is_open(today), timeline=team_timeline(m.team, today))
        for m in members
    ]
