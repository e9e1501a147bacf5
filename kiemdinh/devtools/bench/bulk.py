"""Bulk inserts of the bench's world: units, schools, cycles with ratings and evidence metadata, decisions (no model
services: millions of rows at the national scale)."""

import random
import time
from datetime import UTC, date, datetime, timedelta

from kiemdinh.core.schoolyear import school_year_start
from kiemdinh.core.text import fold
from kiemdinh.devtools.bench.scale import BATCH, PREFIX, TYPES, Scale, school_years
from kiemdinh.evidence.models import CycleEvidence, Evidence, EvidenceVersion
from kiemdinh.frameworks.choices import Regime
from kiemdinh.frameworks.evidence_codes import default_box, format_code
from kiemdinh.frameworks.models import Criterion, FrameworkVersion, Indicator
from kiemdinh.recognition.models import Decision, DecisionKind, years_after
from kiemdinh.selfassessment.models import Cycle, CycleStatus, IndicatorRating
from kiemdinh.units.models import AdministrativeUnit, School, SchoolType, UnitKind, framework_code_for


def _units(scale: Scale):

    provinces = []
    for p in range(1, scale.provinces + 1):
        code = f"{PREFIX}P{p:02d}"
        provinces.append(
            AdministrativeUnit(
                code=code,
                name=f"Tỉnh Đo Lường {p}",
                kind=UnitKind.PROVINCE,
                path=f"/{code}/",
                education_office=f"Sở GD&ĐT Đo Lường {p}",
                search_text=fold(f"{code} Tỉnh Đo Lường {p}"),
            )
        )
    AdministrativeUnit.objects.bulk_create(provinces, batch_size=BATCH)
    provinces = list(AdministrativeUnit.objects.filter(code__in=[u.code for u in provinces]).order_by("code"))
    communes = []
    for province in provinces:
        for c in range(1, scale.communes_per_province + 1):
            code = f"{province.code}-C{c:03d}"
            name = f"Xã Thử Nghiệm {c} ({province.name})"
            communes.append(
                AdministrativeUnit(
                    code=code,
                    name=name,
                    kind=UnitKind.COMMUNE,
                    parent=province,
                    path=f"{province.path}{code}/",
                    search_text=fold(f"{code} {name}"),
                )
            )
    AdministrativeUnit.objects.bulk_create(communes, batch_size=BATCH)
    communes = list(AdministrativeUnit.objects.filter(code__startswith=PREFIX, kind=UnitKind.COMMUNE).order_by("code"))
    return provinces, communes


def _school(code: str, name: str, school_type: str, commune):
    """An unsaved generated school, named by its type ("Trường Tiểu học Thử Nghiệm 7"), for bulk_create."""

    name = f"{SchoolType(school_type).label} {name}"
    return School(code=code, name=name, school_type=school_type, unit=commune, search_text=fold(f"{code} {name}"))


def _schools(scale: Scale, communes) -> list:

    rows = []
    for n in range(scale.schools):
        commune = communes[n % len(communes)]
        school_type = TYPES[n % len(TYPES)]
        rows.append(
            _school(f"{commune.code}-S{n // len(communes) + 1:03d}", f"Thử Nghiệm {n + 1}", school_type, commune)
        )
    School.objects.bulk_create(rows, batch_size=BATCH)
    return list(
        School.objects.filter(code__startswith=PREFIX)
        .exclude(code__contains="-X")
        .order_by("pk")
        .only("pk", "school_type")
    )


def _frameworks():

    return {f.code: f for f in FrameworkVersion.objects.all()}


def _cycles(scale: Scale, schools, rng: random.Random) -> tuple[list[int], int]:
    """Every school gets a cycle per school year; the latest year spreads over the pipeline, older ones are mostly
    accepted. Returns the ids of the cycles to rate and the number of cycles."""

    frameworks = _frameworks()
    years = school_years(scale.years)
    latest_mix = [CycleStatus.IN_PROGRESS] * 35 + [CycleStatus.SUBMITTED] * 20 + [CycleStatus.RETURNED] * 5
    latest_mix += [CycleStatus.ACCEPTED] * 40
    now = time.time()
    rows = []
    for school in schools:
        for year in years:
            status = rng.choice(latest_mix) if year == years[-1] else rng.choice([CycleStatus.ACCEPTED] * 9 + ["x"])
            if status == "x":
                status = CycleStatus.IN_PROGRESS
            framework = frameworks[framework_code_for(school.school_type, school_year_start(year))]
            published = status == CycleStatus.ACCEPTED and rng.random() < 0.5
            rows.append(
                Cycle(
                    school_id=school.pk,
                    framework=framework,
                    school_year=year,
                    status=status,
                    published_at=_aware(now) if published else None,
                )
            )
    Cycle.objects.bulk_create(rows, batch_size=BATCH)
    ids = list(
        Cycle.objects.filter(school__code__startswith=PREFIX)
        .exclude(school__code__contains="-X")
        .values_list("pk", flat=True)
    )
    rated = ids if scale.rated_cycles is None else rng.sample(ids, min(len(ids), scale.rated_cycles))
    return sorted(rated), len(ids)


def _aware(timestamp: float):

    return datetime.fromtimestamp(timestamp, tz=UTC)


def _ratings(cycle_ids: list[int], rng: random.Random) -> int:

    by_framework: dict[int, list[int]] = {}
    for pk, version in Indicator.objects.values_list("pk", "criterion__version_id"):
        by_framework.setdefault(version, []).append(pk)
    total = 0
    for start in range(0, len(cycle_ids), 200):
        chunk = Cycle.objects.filter(pk__in=cycle_ids[start : start + 200]).values_list("pk", "framework_id")
        rows = [
            IndicatorRating(cycle_id=pk, indicator_id=indicator, achieved=rng.random() < 0.9)
            for pk, framework in chunk
            for indicator in by_framework.get(framework, [])
        ]
        IndicatorRating.objects.bulk_create(rows, batch_size=BATCH)
        total += len(rows)
    return total


def _criteria_by_framework() -> dict[int, list]:

    found: dict[int, list] = {}
    for criterion in Criterion.objects.order_by("position").only("pk", "code", "version_id"):
        found.setdefault(criterion.version_id, []).append(criterion)
    return found


def bulk_evidence(cycles: list[tuple[int, int, int]], per_cycle: int) -> int:
    """`per_cycle` evidence items (metadata only) in each (cycle id, school id, framework id), round-robin over the
    framework's criteria, numbered after the codes already taken."""

    criteria = _criteria_by_framework()
    regimes = dict(FrameworkVersion.objects.values_list("pk", "regime"))
    total = 0
    for start in range(0, len(cycles), 100):
        chunk = cycles[start : start + 100]
        taken: dict[tuple[int, int], int] = {}
        for cycle_id, criterion_id, sequence in CycleEvidence.objects.filter(
            cycle_id__in=[c[0] for c in chunk]
        ).values_list("cycle_id", "criterion_id", "sequence"):
            taken[cycle_id, criterion_id] = max(taken.get((cycle_id, criterion_id), 0), sequence)
        items, versions, links = [], [], []
        for cycle_id, school_id, framework_id in chunk:
            own = criteria[framework_id]
            for n in range(per_cycle):
                criterion = own[n % len(own)]
                sequence = taken.get((cycle_id, criterion.pk), 0) + 1
                taken[cycle_id, criterion.pk] = sequence
                name = f"Biên bản, kế hoạch và báo cáo số {n + 1} về hoạt động giáo dục của nhà trường"
                issue_ref = f"Số {n + 1}/BB-NT ngày 15/9/2024"
                items.append(Evidence(school_id=school_id))
                versions.append(
                    EvidenceVersion(
                        number=1,
                        cycle_id=cycle_id,
                        name=name,
                        issue_ref=issue_ref,
                        issued_by="Nhà trường",
                        search_text=fold(f"{name} {issue_ref} Nhà trường"),
                    )
                )
                regime = regimes[framework_id]
                links.append(
                    CycleEvidence(
                        cycle_id=cycle_id,
                        code=format_code(regime, criterion.code, sequence),
                        box=default_box(criterion.code) if regime == Regime.R2018 else None,
                        criterion_id=criterion.pk,
                        sequence=sequence,
                    )
                )
        Evidence.objects.bulk_create(items, batch_size=BATCH)
        for item, version in zip(items, versions, strict=True):
            version.evidence_id = item.pk
        EvidenceVersion.objects.bulk_create(versions, batch_size=BATCH)
        for version, link in zip(versions, links, strict=True):
            link.evidence_id, link.version_id = version.evidence_id, version.pk
        CycleEvidence.objects.bulk_create(links, batch_size=BATCH)
        total += len(items)
    return total


def _decisions(schools, rng: random.Random) -> int:

    today = date.today()
    rows = []
    for school in schools:
        if rng.random() >= 0.4:
            continue
        decided = today - timedelta(days=rng.randint(30, 5 * 365 - 30))
        common = {"school_id": school.pk, "decided_on": decided, "valid_from": decided}
        common["valid_until"] = years_after(decided, 5)
        rows.append(
            Decision(
                kind=DecisionKind.ACCREDITATION, level=rng.randint(1, 3), number=f"{len(rows) + 1}/QĐ-SGDĐT", **common
            )
        )
        if rng.random() < 0.5:
            rows.append(
                Decision(
                    kind=DecisionKind.NATIONAL_STANDARD,
                    level=rng.randint(1, 2),
                    number=f"{len(rows) + 1}/QĐ-UBND",
                    **common,
                )
            )
    Decision.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)
