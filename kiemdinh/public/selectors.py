"""Reads for the public pages: only what has been published (a fixed number of queries each).

- Recognitions: decisions marked `published` and never revoked, in force today (recognition.selectors.standings).
- Self-assessment: cycles with `published_at` set, with the school level of their accepted snapshot.
- External evaluation: evaluation.Publication rows not withdrawn.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.paginator import Page, Paginator

from kiemdinh.core.text import fold
from kiemdinh.evaluation.models import Publication
from kiemdinh.recognition.models import DecisionKind, decision_label
from kiemdinh.recognition.selectors import Standing, standing_counts, standings
from kiemdinh.selfassessment.models import Cycle, CycleSnapshot
from kiemdinh.units.models import AdministrativeUnit, School, UnitKind
from kiemdinh.units.selectors import successors_of

PAGE_SIZE = 50


def provinces() -> list[AdministrativeUnit]:
    """The provinces (top units) in force today (one query)."""
    return list(
        AdministrativeUnit.objects.filter(parent__isnull=True, kind=UnitKind.PROVINCE).active().order_by("name")
    )


def path_units(unit: AdministrativeUnit, *, include_self: bool = False) -> list[AdministrativeUnit]:
    """The units above `unit` (and the unit itself), the province first (no query when the unit was loaded with
    ANCESTORS_RELATED, else one)."""
    return [*unit.ancestors(), unit] if include_self else unit.ancestors()


@dataclass(frozen=True)
class SchoolRow:
    school: School
    standing: Standing | None


@dataclass(frozen=True)
class UnitCounts:
    schools: int
    accredited: int  # with an accreditation grade in force
    national_standard: int  # with a national-standard level in force
    by_label: tuple[tuple[str, int], ...]  # ("CĐ2", 5), ("MĐ1", 3)…


@dataclass(frozen=True)
class UnitPage:
    unit: AdministrativeUnit
    above: list[AdministrativeUnit]
    children: list[AdministrativeUnit]
    successors: list[AdministrativeUnit]  # a dissolved unit's: where its schools went
    counts: UnitCounts
    query: str
    page: Page
    rows: list[SchoolRow]


def _counts(held: dict[tuple[str, int], int], total: int) -> UnitCounts:
    labels = {decision_label(kind, level): n for (kind, level), n in held.items()}
    return UnitCounts(
        schools=total,
        accredited=sum(n for (kind, _), n in held.items() if kind == DecisionKind.ACCREDITATION),
        national_standard=sum(n for (kind, _), n in held.items() if kind == DecisionKind.NATIONAL_STANDARD),
        by_label=tuple(sorted(labels.items(), key=lambda item: (not item[0].startswith("CĐ"), item[0]))),
    )


def unit_page(unit: AdministrativeUnit, *, query: str = "", page_number=1, on: date) -> UnitPage:
    """The active schools below the unit with their published recognitions in force on `on`, searched by name or
    code, a page at a time; the counts cover every school of the unit (6 queries whatever the number of schools, and the
    unit lookup)."""
    schools = School.objects.within(unit).filter(is_active=True)
    held = standing_counts(schools.values("pk"), on, public=True)
    total = schools.count()
    listed = schools.select_related("unit").order_by("name", "pk")
    query = (query or "").strip()
    if query:
        listed = listed.filter(search_text__contains=fold(query))
    page = Paginator(listed, PAGE_SIZE).get_page(page_number)
    found = standings([school.pk for school in page.object_list], on, public=True)
    rows = [SchoolRow(school, found.get(school.pk)) for school in page.object_list]
    return UnitPage(
        unit=unit,
        above=path_units(unit),
        children=list(unit.children.active().order_by("name")),
        successors=successors_of(unit),
        counts=_counts(held, total),
        query=query,
        page=page,
        rows=rows,
    )


@dataclass(frozen=True)
class PublishedSelfAssessment:
    school_year: str
    circular: str
    school_level: int | None
    published_at: datetime


@dataclass(frozen=True)
class PublishedEvaluation:
    school_year: str
    summary: str
    published_at: datetime


@dataclass(frozen=True)
class SchoolPage:
    school: School
    above: list[AdministrativeUnit]
    standing: Standing | None
    self_assessments: list[PublishedSelfAssessment]
    evaluations: list[PublishedEvaluation]


def school_page(school: School, *, on: date) -> SchoolPage:
    """One school's published results (5 queries)."""
    standing = standings([school.pk], on, public=True).get(school.pk)
    cycles = list(
        Cycle.objects.filter(school=school, published_at__isnull=False)
        .select_related("framework")
        .only("school_year", "published_at", "framework__circular")
        .order_by("-school_year")
    )
    levels: dict[int, int | None] = {}
    for cycle_id, level in (
        CycleSnapshot.objects.filter(cycle__in=[c.pk for c in cycles], accepted=True)
        .order_by("created_at", "id")
        .values_list("cycle_id", "content__result__school_level")
    ):
        levels[cycle_id] = level  # the latest accepted snapshot wins
    publications = (
        Publication.objects.filter(school=school, withdrawn_at__isnull=True)
        .select_related("team__registration__cycle")
        .order_by("-published_at")
    )
    return SchoolPage(
        school=school,
        above=path_units(school.unit, include_self=True),
        standing=standing,
        self_assessments=[
            PublishedSelfAssessment(c.school_year, c.framework.circular, levels.get(c.pk), c.published_at)
            for c in cycles
        ],
        evaluations=[
            PublishedEvaluation(p.team.registration.cycle.school_year if p.team_id else "", p.summary, p.published_at)
            for p in publications
        ],
    )
