"""Reads of visits, officers in charge and trainings for the pages. Each runs a fixed number of queries, whatever the
number of rows (asserted in the tests)."""

from dataclasses import dataclass, field
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet

from kiemdinh.oversight.models import (
    SCHOOL_TYPE_LEVELS,
    OfficerInCharge,
    SchoolLevel,
    Training,
    TrainingParticipant,
    Visit,
    VisitAction,
    VisitKind,
)
from kiemdinh.units.models import AdministrativeUnit, School

VISITS_PER_PAGE = 50
LEVEL_ORDER = {level: i for i, level in enumerate(SchoolLevel.values)}


# --- officers in charge -----------------------------------------------------------------------------------------------


def levels_for_school_type(school_type: str) -> tuple[str, ...]:
    """The school levels whose officers are in charge of a school of this type, "general" included."""
    return (*SCHOOL_TYPE_LEVELS.get(school_type, ()), SchoolLevel.GENERAL)


def ancestor_paths(path: str) -> list[str]:
    """The paths of a unit and of every unit above it: "/P/D/C/" → ["/P/", "/P/D/", "/P/D/C/"]."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


def officers_for_school(school: School) -> list[OfficerInCharge]:
    """The officers in charge of the school's levels (and of "Tổng hợp chung") in every unit above the school, the
    nearest unit first, then by level and the unit's order. At most two queries (one when school.unit is loaded)."""
    return officers_for_schools([school])[school.pk]


def officers_for_schools(schools) -> dict[int, list[OfficerInCharge]]:
    """officers_for_school for several schools (their units loaded) in one query: school id → officers."""
    schools = list(schools)
    paths = {p for s in schools for p in ancestor_paths(s.unit.path)}
    levels = {level for s in schools for level in levels_for_school_type(s.school_type)}
    officers = (
        list(
            OfficerInCharge.objects.filter(unit__path__in=paths, school_level__in=levels)
            .select_related("unit")
            .order_by()
        )
        if schools
        else []
    )
    officers.sort(key=lambda o: (-len(o.unit.path), LEVEL_ORDER[o.school_level], o.position, o.pk))
    result = {}
    for s in schools:
        above, school_levels = s.unit.path, levels_for_school_type(s.school_type)
        result[s.pk] = [o for o in officers if above.startswith(o.unit.path) and o.school_level in school_levels]
    return result


def unit_officers(unit: AdministrativeUnit) -> list[OfficerInCharge]:
    """The unit's own officers in charge, by level then order (one query)."""
    officers = OfficerInCharge.objects.filter(unit=unit).select_related("user").order_by()
    return sorted(officers, key=lambda o: (LEVEL_ORDER[o.school_level], o.position, o.pk))


# --- the unit's overview ----------------------------------------------------------------------------------------------


@dataclass
class UnitOverview:
    unit: AdministrativeUnit
    visits: Page
    kind: str
    school: School | None
    kind_counts: dict[str, int]  # visits per kind, before the filters
    visit_schools: list[School]  # the schools visited, for the filter
    officers: list[OfficerInCharge]
    trainings: list[Training]  # each with participant_count and attended_count


def _visits_within(unit: AdministrativeUnit) -> QuerySet:
    return Visit.objects.filter(unit__path__startswith=unit.path)


def unit_overview(unit: AdministrativeUnit, *, kind: str = "", school_id=None, page=1) -> UnitOverview:
    """The visits organised by the unit and the units below it (filtered by kind and school, newest first, paged), its
    officers in charge and its trainings (those of the units below too). Six queries."""
    visits = _visits_within(unit)
    kind_counts = dict(visits.values_list("kind").annotate(n=Count("id")).order_by())
    visit_schools = list(
        School.objects.filter(pk__in=visits.values("school_id")).only("id", "name", "code").order_by("name")
    )
    school = next((s for s in visit_schools if str(s.pk) == str(school_id)), None)
    kind = kind if kind in VisitKind.values else ""
    if kind:
        visits = visits.filter(kind=kind)
    if school is not None:
        visits = visits.filter(school=school)
    visits = (
        visits.select_related("school", "unit")
        .annotate(
            action_count=Count("actions"),
            open_action_count=Count("actions", filter=Q(actions__is_done=False)),
        )
        .order_by("-visited_on", "-id")
    )
    trainings = list(
        Training.objects.filter(unit__path__startswith=unit.path)
        .select_related("unit")
        .annotate(
            participant_count=Count("participants"),
            attended_count=Count("participants", filter=Q(participants__attended=True)),
        )
        .order_by("-starts_on", "-id")
    )
    return UnitOverview(
        unit=unit,
        visits=Paginator(visits, VISITS_PER_PAGE).get_page(page),
        kind=kind,
        school=school,
        kind_counts={k: kind_counts.get(k, 0) for k in VisitKind.values},
        visit_schools=visit_schools,
        officers=unit_officers(unit),
        trainings=trainings,
    )


# --- a visit ----------------------------------------------------------------------------------------------------------


def visit_actions(visit: Visit) -> list[VisitAction]:
    actions = list(visit.actions.select_related("done_by").order_by("position", "id"))
    for action in actions:
        action.visit = visit
    return actions


# --- the school's view ------------------------------------------------------------------------------------------------


@dataclass
class SchoolOversight:
    school: School
    visits: list[Visit]  # newest first, each with its actions prefetched
    open_actions: list[VisitAction]  # not done yet, by due date (undated last)
    officers: list[OfficerInCharge]
    trainings: list[Training] = field(default_factory=list)  # each with .school_participants


def school_oversight(school: School) -> SchoolOversight:
    """Everything of this app about one school (school.unit loaded): five queries."""
    visits = list(
        Visit.objects.filter(school=school)
        .select_related("unit", "plan")
        .prefetch_related(
            Prefetch("actions", queryset=VisitAction.objects.select_related("done_by").order_by("position", "id"))
        )
        .order_by("-visited_on", "-id")
    )
    open_actions = []
    for visit in visits:
        for action in visit.actions.all():
            action.visit = visit
            if not action.is_done:
                open_actions.append(action)
    open_actions.sort(key=lambda a: (a.due_on is None, a.due_on or date.max, a.visit.visited_on, a.position))
    trainings = list(
        Training.objects.filter(participants__school=school)
        .distinct()
        .select_related("unit")
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=TrainingParticipant.objects.filter(school=school).order_by("position", "id"),
                to_attr="school_participants",
            )
        )
        .order_by("-starts_on", "-id")
    )
    return SchoolOversight(
        school=school,
        visits=visits,
        open_actions=open_actions,
        officers=officers_for_school(school),
        trainings=trainings,
    )


# --- a training -------------------------------------------------------------------------------------------------------


def training_participants(training: Training) -> list[TrainingParticipant]:
    participants = list(training.participants.select_related("school").order_by("position", "id"))
    for participant in participants:
        participant.training = training
    return participants
