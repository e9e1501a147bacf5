"""Benchmarks (`./scripts/manage bench`): synthetic data at three scales, page timings against a floor view, query
counts at two data sizes, document build times against bare python-docx / openpyxl, and an optional HTTP load run
against gunicorn. Speed is measured here, never in timed tests (DESIGN.md, Testing).

Every generated row is recognisable: units and schools have codes starting with ``BENCH-``, users names starting with
``bench.``; `remove_bench_data` deletes exactly those (and what hangs off them).
"""

import io
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.cookiejar import CookieJar

from django.conf import settings
from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import resolve, reverse

PREFIX = "BENCH-"
USER_PREFIX = "bench."
BENCH_DATABASE_ENV = "KIEMDINH_BENCH_DATABASE"  # "1": this database is a bench copy, bench may add beside real data
BATCH = 2000


@dataclass(frozen=True)
class Scale:
    name: str
    provinces: int
    communes_per_province: int
    schools: int  # spread evenly over every commune
    years: int  # school years of cycles, ending 2024-2025 (before TT57, whose frameworks may still be drafts)
    rated_cycles: int | None  # cycles with a full set of indicator ratings (None: every cycle)
    evidence_per_rated_cycle: int = 5

    @property
    def communes(self) -> int:
        return self.provinces * self.communes_per_province


SCALES = {
    "small": Scale("small", provinces=1, communes_per_province=10, schools=100, years=2, rated_cycles=None),
    "medium": Scale("medium", provinces=2, communes_per_province=50, schools=2_000, years=3, rated_cycles=2_000),
    # Full ratings of 225,000 cycles would be ~20 million rows: ratings (and their evidence) go to a sample of 5,000.
    "national": Scale("national", provinces=34, communes_per_province=97, schools=45_000, years=5, rated_cycles=5_000),
}

# Rough rows per scale, printed before generating (national asks for --yes).
TYPES = ["MN", "TH", "THCS", "TH", "MN", "THPT", "MG", "TH_THCS"]


def school_years(count: int) -> list[str]:
    return [f"{y}-{y + 1}" for y in range(2025 - count, 2025)]


def plan_summary(scale: Scale) -> str:
    cycles = scale.schools * scale.years
    rated = cycles if scale.rated_cycles is None else min(cycles, scale.rated_cycles)
    return (
        f"{scale.provinces} province(s), {scale.communes} communes, {scale.schools:,} schools (+2 measured schools), "
        f"{cycles:,} cycles over {scale.years} school years, indicator ratings and {scale.evidence_per_rated_cycle} "
        f"evidence items for {rated:,} cycles, recognition decisions for about 40% of schools, one annual plan, "
        "cycles of 40, 400 and 2,000 evidence items, 4 bench users"
    )


# --- Safety ---------------------------------------------------------------------------------------------------------


def foreign_schools() -> int:
    from kiemdinh.units.models import School

    return School.objects.exclude(code__startswith=PREFIX).count()


def refusal(env=None) -> str | None:
    """Why bench must not write into this database, or None. It writes only into a database without schools, or one
    marked as a bench copy by the environment flag."""
    env = os.environ if env is None else env
    others = foreign_schools()
    if others and env.get(BENCH_DATABASE_ENV) != "1":
        return (
            f"This database holds {others} schools that bench did not generate. Run bench on an empty database "
            f"(for example DATABASE_URL=sqlite:///var/bench.sqlite3 ./scripts/manage migrate first), or set "
            f"{BENCH_DATABASE_ENV}=1 if this is a copy made for benchmarking."
        )
    return None


def remove_bench_data() -> dict[str, int]:
    """Delete every generated row (codes BENCH-…, users bench.…); real data is never touched."""
    from kiemdinh.accounts.models import User
    from kiemdinh.evidence.models import Evidence
    from kiemdinh.planning.models import AnnualPlan, PlanTarget
    from kiemdinh.recognition.models import Decision
    from kiemdinh.selfassessment.models import Cycle
    from kiemdinh.units.models import AdministrativeUnit, School

    schools = School.objects.filter(code__startswith=PREFIX)
    units = AdministrativeUnit.objects.filter(code__startswith=PREFIX)
    removed = {}
    with transaction.atomic():
        removed["users"] = User.objects.filter(username__startswith=USER_PREFIX).delete()[0]
        removed["decisions"] = Decision.objects.filter(school__in=schools).delete()[0]
        PlanTarget.objects.filter(school__in=schools).delete()
        removed["plans"] = AnnualPlan.objects.filter(unit__in=units).delete()[0]
        removed["cycles"] = Cycle.objects.filter(school__in=schools).delete()[0]
        removed["evidence"] = Evidence.objects.filter(school__in=schools).delete()[0]
        removed["schools"] = schools.delete()[0]
        removed["units"] = 0
        while units.exists():  # leaves first: a unit's parent is protected
            removed["units"] += units.filter(children__isnull=True).delete()[0]
    return removed


# --- Generation -----------------------------------------------------------------------------------------------------


@dataclass
class BenchWorld:
    scale: Scale
    password: str
    province_id: int
    commune_id: int
    province_code: str
    commune_code: str
    plan_id: int
    school_id: int  # the principal's school: its cycle has 400 evidence items, council, forms and ratings
    cycle_400: int
    cycle_40: int
    cycle_2000: int
    users: dict[str, str]  # role → username
    counts: dict[str, int] = field(default_factory=dict)


def _units(scale: Scale):
    from kiemdinh.core.text import fold
    from kiemdinh.units.models import AdministrativeUnit, UnitKind

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


def _schools(scale: Scale, communes) -> list:
    from kiemdinh.core.text import fold
    from kiemdinh.units.models import School, SchoolType

    rows = []
    for n in range(scale.schools):
        commune = communes[n % len(communes)]
        school_type = TYPES[n % len(TYPES)]
        code = f"{commune.code}-S{n // len(communes) + 1:03d}"
        name = f"{SchoolType(school_type).label} Thử Nghiệm {n + 1}"
        rows.append(
            School(code=code, name=name, school_type=school_type, unit=commune, search_text=fold(f"{code} {name}"))
        )
    School.objects.bulk_create(rows, batch_size=BATCH)
    return list(
        School.objects.filter(code__startswith=PREFIX)
        .exclude(code__contains="-X")
        .order_by("pk")
        .only("pk", "school_type")
    )


def _frameworks():
    from kiemdinh.frameworks.models import FrameworkVersion

    return {f.code: f for f in FrameworkVersion.objects.all()}


def _cycles(scale: Scale, schools, rng: random.Random) -> tuple[list[int], int]:
    """Every school gets a cycle per school year; the latest year spreads over the pipeline, older ones are mostly
    accepted. Returns the ids of the cycles to rate and the number of cycles."""
    from kiemdinh.selfassessment.models import Cycle, CycleStatus
    from kiemdinh.selfassessment.services import school_year_start
    from kiemdinh.units.models import framework_code_for

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
    from datetime import UTC, datetime

    return datetime.fromtimestamp(timestamp, tz=UTC)


def _ratings(cycle_ids: list[int], rng: random.Random) -> int:
    from kiemdinh.frameworks.models import Indicator
    from kiemdinh.selfassessment.models import Cycle, IndicatorRating

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
    from kiemdinh.frameworks.models import Criterion

    found: dict[int, list] = {}
    for criterion in Criterion.objects.order_by("position").only("pk", "code", "version_id"):
        found.setdefault(criterion.version_id, []).append(criterion)
    return found


def bulk_evidence(cycles: list[tuple[int, int, int]], per_cycle: int) -> int:
    """`per_cycle` evidence items (metadata only) in each (cycle id, school id, framework id), round-robin over the
    framework's criteria, numbered after the codes already taken."""
    from kiemdinh.core.text import fold
    from kiemdinh.evidence.codes import default_box, format_code
    from kiemdinh.evidence.models import CycleEvidence, Evidence, EvidenceVersion
    from kiemdinh.frameworks.models import FrameworkVersion

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
                        box=default_box(criterion.code) if regime == "2018" else None,
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
    from kiemdinh.recognition.models import Decision, DecisionKind, years_after

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


def _measured_school(commune, suffix: str):
    from kiemdinh.units.services import school_create

    return school_create(
        actor=None,
        code=f"{commune.code}-X{suffix}",
        name=f"Trường THCS Đo Lường {suffix}",
        school_type="THCS",
        unit=commune,
    )


def _measured_cycle(school, school_year: str, evidence: int, *, forms: bool):
    """A TT18 cycle of a measured school: through the services when `forms` (council, every criterion form with its
    evidence item, ratings), then bulk evidence up to `evidence` items."""
    from kiemdinh.evidence.models import CycleEvidence
    from kiemdinh.frameworks.models import FrameworkVersion
    from kiemdinh.selfassessment.services import cycle_open
    from kiemdinh.selfassessment.tests.builders import add_council, fill_forms

    framework = FrameworkVersion.objects.get(code="tt18-2018")
    cycle = cycle_open(actor=None, school=school, school_year=school_year, framework=framework)
    if forms:
        add_council(cycle, None, size=9)
        fill_forms(cycle, None)
    have = CycleEvidence.objects.filter(cycle=cycle).count()
    bulk_evidence([(cycle.pk, school.pk, framework.pk)], evidence - have)
    return cycle


def _users(world_units, school, password: str) -> dict[str, str]:
    from kiemdinh.accounts.models import Role
    from kiemdinh.accounts.services import membership_grant, user_create

    province, commune = world_units
    wanted = {
        "principal": (Role.PRINCIPAL, {"school": school}),
        "commune_officer": (Role.OFFICER, {"unit": commune}),
        "province_officer": (Role.OFFICER, {"unit": province}),
        "admin": (Role.ADMIN, {}),
    }
    names = {}
    for key, (role, scope) in wanted.items():
        user = user_create(actor=None, username=f"{USER_PREFIX}{key}", password=password, full_name=f"Bench {key}")
        membership_grant(actor=None, user=user, role=role, **scope)
        names[key] = user.username
    return names


def _plan(province, officer_username: str, schools, rng: random.Random) -> int:
    from kiemdinh.accounts.models import User
    from kiemdinh.planning.models import PlanKind, PlanTarget
    from kiemdinh.planning.services import PlanInput, plan_create

    officer = User.objects.get(username=officer_username)
    plan = plan_create(
        actor=officer,
        unit=province,
        data=PlanInput(
            kind=PlanKind.YEAR,
            period="2025",
            title="Kế hoạch kiểm định chất lượng giáo dục và công nhận trường đạt chuẩn quốc gia năm 2025",
            number="1/KH-BENCH",
        ),
    )
    chosen = rng.sample(schools, min(len(schools), 200))
    PlanTarget.objects.bulk_create(
        [
            PlanTarget(plan=plan, school_id=s.pk, position=i + 1, accreditation_grade=2, national_standard_level=1)
            for i, s in enumerate(chosen)
        ]
    )
    return plan.pk


def generate(scale: Scale, *, log=print, seed: int = 2025) -> BenchWorld:
    """Write the synthetic world of `scale` (frameworks must be loaded). Fast paths (bulk_create) for the bulk rows;
    the measured cycles, users and the plan go through the real services."""
    from kiemdinh.units.models import School

    rng = random.Random(seed)
    counts: dict[str, int] = {}

    def step(label, fn):
        started = time.perf_counter()
        result = fn()
        log(f"  {label}: {time.perf_counter() - started:.1f} s")
        return result

    provinces, communes = step("units", lambda: _units(scale))
    counts["provinces"], counts["communes"] = len(provinces), len(communes)
    schools = step("schools", lambda: _schools(scale, communes))
    rated, counts["cycles"] = step("cycles", lambda: _cycles(scale, schools, rng))
    counts["rated cycles"] = len(rated)
    counts["indicator ratings"] = step("ratings", lambda: _ratings(rated, rng))
    from kiemdinh.selfassessment.models import Cycle

    triples = list(Cycle.objects.filter(pk__in=rated).values_list("pk", "school_id", "framework_id"))
    counts["evidence items (bulk)"] = step("evidence", lambda: bulk_evidence(triples, scale.evidence_per_rated_cycle))
    counts["decisions"] = step("decisions", lambda: _decisions(schools, rng))
    commune = communes[0]
    # The principal's school: 2023-2024 with 40 evidence items, 2024-2025 with 400 (both with council and forms).
    school = _measured_school(commune, "400")
    cycle_40 = step("cycle with 40 evidence items", lambda: _measured_cycle(school, "2023-2024", 40, forms=True))
    cycle_400 = step("cycle with 400 evidence items", lambda: _measured_cycle(school, "2024-2025", 400, forms=True))
    cycle_2000 = step(
        "cycle with 2,000 evidence items",
        lambda: _measured_cycle(_measured_school(commune, "2000"), "2024-2025", 2000, forms=False),
    )
    password = secrets.token_urlsafe(16)
    users = step("users", lambda: _users((provinces[0], commune), school, password))
    plan_id = step("annual plan", lambda: _plan(provinces[0], users["province_officer"], schools, rng))
    counts["schools"] = School.objects.filter(code__startswith=PREFIX).count()
    if connection.vendor == "postgresql":
        # Bulk inserts leave the planner without statistics until autovacuum comes round; a running installation
        # has them, so measure with them.
        step("analyze", lambda: connection.cursor().execute("ANALYZE"))
    return BenchWorld(
        scale=scale,
        password=password,
        province_id=provinces[0].pk,
        commune_id=commune.pk,
        province_code=provinces[0].code,
        commune_code=commune.code,
        plan_id=plan_id,
        school_id=school.pk,
        cycle_400=cycle_400.pk,
        cycle_40=cycle_40.pk,
        cycle_2000=cycle_2000.pk,
        users=users,
        counts=counts,
    )


def existing_world(log=print) -> BenchWorld:
    """The world an earlier `bench --keep` left in this database, found by its codes, for measuring again without
    generating (the national scale takes long to write). The bench users get a fresh password for the load run."""
    from kiemdinh.accounts.models import User
    from kiemdinh.planning.models import AnnualPlan
    from kiemdinh.selfassessment.models import Cycle
    from kiemdinh.units.models import AdministrativeUnit, School

    province = AdministrativeUnit.objects.filter(code=f"{PREFIX}P01").first()
    if province is None:
        raise LookupError("No kept bench data in this database: run bench with --keep first.")
    commune = AdministrativeUnit.objects.get(code=f"{PREFIX}P01-C001")
    school = School.objects.get(code=f"{commune.code}-X400")
    other = School.objects.get(code=f"{commune.code}-X2000")
    cycles = dict(Cycle.objects.filter(school=school).values_list("school_year", "pk"))
    password = secrets.token_urlsafe(16)
    users = {}
    for user in User.objects.filter(username__startswith=USER_PREFIX):
        user.set_password(password)
        user.save(update_fields=["password"])
        users[user.username.removeprefix(USER_PREFIX)] = user.username
    provinces = AdministrativeUnit.objects.filter(code__startswith=PREFIX, parent=None).count()
    scale = next((s for s in SCALES.values() if s.provinces == provinces), SCALES["small"])
    counts = {
        "provinces": provinces,
        "communes": AdministrativeUnit.objects.filter(code__startswith=PREFIX).exclude(parent=None).count(),
        "schools": School.objects.filter(code__startswith=PREFIX).count(),
        "cycles": Cycle.objects.filter(school__code__startswith=PREFIX).count(),
    }
    log(f"  reusing the kept bench data: {counts}")
    return BenchWorld(
        scale=scale,
        password=password,
        province_id=province.pk,
        commune_id=commune.pk,
        province_code=province.code,
        commune_code=commune.code,
        plan_id=AnnualPlan.objects.get(unit=province, number="1/KH-BENCH").pk,
        school_id=school.pk,
        cycle_400=cycles["2024-2025"],
        cycle_40=cycles["2023-2024"],
        cycle_2000=Cycle.objects.get(school=other).pk,
        users=users,
        counts=counts,
    )


# --- Measurements ---------------------------------------------------------------------------------------------------


class QueryCounter:
    """Counts the queries run through a connection (an execute wrapper: independent of DEBUG and of the query log,
    which the request_started signal resets in the middle of a request)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@dataclass
class Row:
    name: str
    ms: float
    floor_ms: float | None = None
    queries: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""
    rendered_ms: float | None = None  # pages: the time with the page cache off (rendered from the data every time)

    @property
    def ratio(self) -> float | None:
        return self.ms / self.floor_ms if self.floor_ms else None

    @property
    def rendered_ratio(self) -> float | None:
        return self.rendered_ms / self.floor_ms if self.floor_ms and self.rendered_ms is not None else None


def median_ms(fn, runs: int) -> float:
    from kiemdinh.documents.management.commands.bench_report import _median_seconds

    return _median_seconds(fn, runs) * 1000


class PageTimer:
    """Times pages through the Django test client (the whole middleware stack), each against the floor view with the
    same client, so the ratio says what the page costs above a request that does one indexed query."""

    def __init__(self, world: BenchWorld, runs: int):
        from kiemdinh.accounts.models import User

        self.world = world
        self.runs = runs
        self.clients = {None: Client()}
        for key, username in world.users.items():
            client = Client()
            client.force_login(User.objects.get(username=username))
            self.clients[key] = client
        self.floors: dict[str | None, float] = {}

    def get(self, who, url):
        response = self.clients[who].get(url, secure=True)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} as {who or 'anonymous'}: status {response.status_code}")
        return response

    def time(self, who, url) -> tuple[float, int]:
        self.get(who, url)  # warm: templates, caches, the connection, the CSRF cookie
        self.get(who, url)  # kept by the page cache (where the view has it)
        counted = QueryCounter()
        with connection.execute_wrapper(counted):
            self.get(who, url)
        return median_ms(lambda: self.get(who, url), self.runs), counted.count

    def rendered(self, who, url) -> tuple[float, int]:
        """The page rendered from the data every time (page cache off), and the queries that takes."""
        with override_settings(PAGE_CACHE_ENABLED=False):
            return self.time(who, url)

    def floor(self, who) -> float:
        if who not in self.floors:
            url = reverse("bench_floor") + f"?id={self.world.school_id}"
            self.floors[who] = self.time(who, url)[0]
        return self.floors[who]

    def page(self, name, who, url, *, target_ratio=3.0, limit_ms=None) -> Row:
        """The page as it is served again (kept by the page cache, where the view has it) against the floor; the time
        limit and the query count are those of rendering it from the data."""
        rendered_ms, count = self.rendered(who, url)
        ms, _ = self.time(who, url)
        floor = self.floor(who)
        ok = ms <= target_ratio * floor if target_ratio else True
        target = f"≤ {target_ratio:g}× floor" if target_ratio else ""
        if limit_ms is not None:
            ok = ok and rendered_ms < limit_ms
            target = " and ".join(t for t in (target, f"rendered < {limit_ms:g} ms") if t)
        return Row(name, ms, floor, str(count), target, ok, rendered_ms=rendered_ms)

    def pair(self, name, who, small_url, large_url, sizes: tuple[str, str], *, limit_ms=None) -> Row:
        """One page at two data sizes: timed at the large size, the query counts of both must be equal."""
        row = self.page(name, who, large_url, limit_ms=limit_ms)
        _, small_count = self.rendered(who, small_url)
        constant = str(small_count) == row.queries
        row.queries = f"{small_count} ({sizes[0]}) / {row.queries} ({sizes[1]})"
        row.target += " and constant queries"
        row.met = bool(row.met and constant)
        return row


def measure_pages(world: BenchWorld, runs: int) -> list[Row]:
    from kiemdinh.selfassessment.models import Cycle

    first_criterion = (
        Cycle.objects.get(pk=world.cycle_400).framework.criteria.order_by("position").values_list("code", flat=True)[0]
    )
    with override_settings(
        ROOT_URLCONF="kiemdinh.core.bench_urls", ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]
    ):
        timer = PageTimer(world, runs)
        plan = reverse("planning:plan_detail", args=[world.plan_id])
        return [
            timer.page("school home (principal)", "principal", reverse("core:home")),
            timer.page(
                "criterion form page",
                "principal",
                reverse("selfassessment:form", args=[world.cycle_400, first_criterion]),
            ),
            timer.pair(
                "evidence list of a cycle, as it opens (400 items: one standard)",
                "principal",
                reverse("evidence:list", args=[world.cycle_40]),
                reverse("evidence:list", args=[world.cycle_400]),
                ("40 items", "400 items"),
            ),
            timer.page(
                "evidence list, all 400 items on one page",
                "principal",
                reverse("evidence:list", args=[world.cycle_400]) + "?tcu=tat-ca",
            ),
            timer.pair(
                "unit dashboard (commune / province)",
                "province_officer",
                reverse("planning:dashboard", args=[world.commune_id]),
                reverse("planning:dashboard", args=[world.province_id]),
                ("commune", "province"),
                limit_ms=100,
            ),
            timer.page("annual plan page", "province_officer", plan),
            timer.page(
                "annual plan school list", "province_officer", reverse("planning:targets", args=[world.plan_id])
            ),
            timer.pair(
                "public unit page (commune / province)",
                None,
                reverse("public:unit", args=[world.commune_code]),
                reverse("public:unit", args=[world.province_code]),
                ("commune", "province"),
            ),
            timer.page(
                "national roll-up (admin home, every province)",
                "admin",
                reverse("core:home"),
                target_ratio=0,
                limit_ms=500,
            ),
        ]


def measure_documents(world: BenchWorld, runs: int) -> list[Row]:
    from kiemdinh.documents.appendices import build_evidence_catalogue, evidence_catalogue_xlsx
    from kiemdinh.documents.management.commands.bench_report import bare_script_for
    from kiemdinh.documents.report import build_report, report_docx
    from kiemdinh.selfassessment.models import Cycle

    rows = []
    cycle = Cycle.objects.select_related("framework", "school").get(pk=world.cycle_400)
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        first = time.perf_counter()
        data = report_docx(build_report(cycle))
        first = (time.perf_counter() - first) * 1000
    total = first if runs == 1 else median_ms(lambda: report_docx(build_report(cycle)), runs)
    bare, n_paragraphs, n_tables = bare_script_for(data)
    rows.append(
        Row(
            "report DOCX (TT18, 400 evidence items) vs bare python-docx",
            total,
            median_ms(bare, runs),
            str(len(queries)),
            "< 1000 ms",
            total < 1000,
            f"{len(data) // 1024} KB, {n_paragraphs} paragraphs, {n_tables} tables",
        )
    )
    cycle = Cycle.objects.select_related("framework", "school").get(pk=world.cycle_2000)
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        first = time.perf_counter()
        context = build_evidence_catalogue(cycle)
        data = evidence_catalogue_xlsx(context)
        first = (time.perf_counter() - first) * 1000
    total = first if runs == 1 else median_ms(lambda: evidence_catalogue_xlsx(build_evidence_catalogue(cycle)), runs)
    rows.append(
        Row(
            "evidence catalogue XLSX (2,000 items) vs bare openpyxl",
            total,
            median_ms(_bare_xlsx(context), runs),
            str(len(queries)),
            "",
            None,
            f"{len(data) // 1024} KB, {len(context.rows)} rows",
        )
    )
    return rows


def _bare_xlsx(context):
    """The floor for the catalogue: the same cells written with plain openpyxl calls (no styles, no merges)."""
    from openpyxl import Workbook

    values = [[str(v) if v else "" for v in row.cells] for row in context.rows]

    def write() -> bytes:
        book = Workbook()
        sheet = book.active
        sheet.append(list(context.columns))
        for row in values:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    return write


# --- Load (gunicorn) ------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        name = str(db["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            raise RuntimeError("--load needs a database on disk that gunicorn's workers can open")
        return f"sqlite:///{name}"
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    raise RuntimeError("--load on a non-SQLite database needs DATABASE_URL in the environment")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class LoadUser:
    """One simulated user: its own cookies; a request is (method, path, form) and counts once. Redirects are not
    followed by the opener: a 302 after a POST is the expected answer, and `location` holds where it leads, which the
    simulated user then opens as a browser would."""

    def __init__(self, base: str):
        self.base = base
        self.location = ""
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == settings.CSRF_COOKIE_NAME), "")

    def request(self, path: str, form: dict | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        req = urllib.request.Request(self.base + path, data=data)
        if data is not None:
            req.add_header("X-CSRFToken", self.csrf())
            req.add_header("Referer", self.base + path)
        try:
            with self.opener.open(req, timeout=30) as response:
                self.location = ""
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            self.location = urllib.parse.urlsplit(error.headers.get("Location", "")).path
            return error.code, ""

    def login(self, username: str, password: str) -> None:
        path = reverse("accounts:login")
        self.request(path)
        status, _ = self.request(path, {"username": username, "password": password})
        if status != 302:
            raise RuntimeError(f"login of {username} over HTTP failed (status {status})")


def run_load(world: BenchWorld, *, seconds: float, threads: int = 8, log=print) -> list[Row]:
    """Start gunicorn (2 workers) on a free port against this database, run a deadline-day mix for `seconds` —
    principals reading pages and saving criterion forms, officers reading dashboards — then stop it."""
    from kiemdinh.frameworks.models import Criterion
    from kiemdinh.selfassessment.models import Cycle

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "KIEMDINH_DEBUG": "0",
        "KIEMDINH_SECRET_KEY": settings.SECRET_KEY,
        "KIEMDINH_ALLOWED_HOSTS": "127.0.0.1",
        "KIEMDINH_CSRF_TRUSTED_ORIGINS": base,
        "KIEMDINH_SSL_REDIRECT": "0",
        "KIEMDINH_SECURE_COOKIES": "0",
        "KIEMDINH_HSTS_SECONDS": "0",
    }
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
    command += ["--log-level", "warning", "--timeout", "60"]
    # The server's log goes to a file (a pipe nobody reads would fill up and stall it); its end is shown on errors.
    with tempfile.TemporaryFile() as server_log:
        server = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=server_log)
        try:
            _wait_for(base, server, server_log)
            cycle = Cycle.objects.get(pk=world.cycle_400)
            codes = list(
                Criterion.objects.filter(version=cycle.framework_id).order_by("position").values_list("code", flat=True)
            )
            latencies: list[float] = []
            by_kind: dict[str, list[float]] = {}
            errors: list[str] = []
            lock = threading.Lock()
            deadline = time.perf_counter() + seconds

            def worker(index: int) -> None:
                try:
                    simulate(index)
                except Exception as error:  # a simulated user that stops is an error, not fewer requests
                    with lock:
                        errors.append(f"simulated user {index} stopped: {error!r}")

            def simulate(index: int) -> None:
                rng = random.Random(index)
                officer = index % 4 == 3
                user = LoadUser(base)
                user.login(world.users["province_officer" if officer else "principal"], world.password)
                code = codes[
                    index % len(codes)
                ]  # one criterion per principal thread: no edit conflicts between threads
                form_path = reverse("selfassessment:form", args=[world.cycle_400, code])
                reads = (
                    [
                        reverse("planning:dashboard", args=[world.commune_id]),
                        reverse("planning:dashboard", args=[world.province_id]),
                        reverse("planning:plan_detail", args=[world.plan_id]),
                    ]
                    if officer
                    else [reverse("core:home"), form_path, reverse("evidence:list", args=[world.cycle_400])]
                )
                while time.perf_counter() < deadline:
                    saving = not officer and rng.random() < 0.25
                    path = form_path if saving else rng.choice(reads)
                    started = time.perf_counter()
                    status, body = user.request(path)
                    record(started, status, 200, path)
                    if saving and status == 200:
                        found = re.search(r'name="base_version"\s+value="(\d+)"', body)
                        form = {"base_version": found.group(1) if found else "0", "strengths": f"Lưu lúc {time.time()}"}
                        started = time.perf_counter()
                        status, _ = user.request(form_path, form)
                        record(started, status, 302, "POST " + path)
                        if status == 302 and (target := user.location):  # followed, as a browser does
                            started = time.perf_counter()
                            status, _ = user.request(target)
                            record(started, status, 200, target)

            def record(started, status, expected, what):
                took = time.perf_counter() - started
                method, _, path = what.rpartition(" ")
                kind = f"{method or 'GET'} {resolve(path).url_name}"
                with lock:
                    latencies.append(took)
                    by_kind.setdefault(kind, []).append(took)
                    if status != expected:
                        errors.append(f"{what}: {status}")

            pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
            started, client_cpu = time.perf_counter(), time.process_time()
            for thread in pool:
                thread.start()
            for thread in pool:
                thread.join()
            elapsed = time.perf_counter() - started
            client_cpu = time.process_time() - client_cpu  # the simulated users' own share of the CPUs
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        log(
            "  load, by request: "
            + "; ".join(
                f"{kind} {len(times)}× p50 {statistics.median(times) * 1000:.0f} ms"
                for kind, times in sorted(by_kind.items(), key=lambda kv: -sum(kv[1]))
            )
        )
        if errors:
            log(f"  load errors (first 5 of {len(errors)}): {errors[:5]}")
            log(f"  end of the server's log:\n{_tail(server_log)}")
    latencies.sort()
    p50 = statistics.median(latencies) * 1000 if latencies else 0.0
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000 if latencies else 0.0
    throughput = len(latencies) / elapsed if elapsed else 0.0
    return [
        Row(
            f"load: {threads} users, {seconds:g} s, gunicorn 2 workers — throughput",
            throughput,
            None,
            "",
            "≥ 150 req/s",
            throughput >= 150 and not errors,
            f"{len(latencies)} requests, {len(errors)} errors (unit: req/s, not ms); the client itself used "
            f"{client_cpu:.1f} of the {elapsed * (os.cpu_count() or 1):.0f} CPU-seconds",
        ),
        Row("load — p50 latency", p50, note="every request"),
        Row("load — p95 latency", p95, target="< 250 ms", met=p95 < 250 and not errors, note=f"{len(errors)} errors"),
    ]


def _tail(server_log, chars: int = 4000) -> str:
    server_log.seek(0)
    return server_log.read().decode(errors="replace")[-chars:]


def _wait_for(base: str, server: subprocess.Popen, server_log, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {_tail(server_log, 2000)}")
        try:
            with urllib.request.urlopen(base + reverse("accounts:login"), timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 30 s")


# --- Report ---------------------------------------------------------------------------------------------------------


def markdown(rows: list[Row], *, title: str, facts: list[str]) -> str:
    def number(value: float | None, unit: str = "") -> str:
        return "—" if value is None else f"{value:,.1f}{unit}"

    def verdict(row: Row) -> str:
        return "—" if row.met is None else ("met" if row.met else "**not met**")

    lines = [f"### {title}", "", *(f"- {fact}" for fact in facts), ""]
    lines += [
        "| measurement | median ms | floor ms | × floor | rendered ms (× floor) | queries | target | result | note |"
    ]
    lines += ["|---|---:|---:|---:|---:|---|---|---|---|"]
    for row in rows:
        ratio = "—" if row.ratio is None else f"{row.ratio:.1f}×"
        rendered = "—" if row.rendered_ms is None else number(row.rendered_ms)
        if row.rendered_ratio is not None:
            rendered += f" ({row.rendered_ratio:.1f}×)"
        lines.append(
            f"| {row.name} | {number(row.ms)} | {number(row.floor_ms)} | {ratio} | {rendered} | {row.queries or '—'} "
            f"| {row.target or '—'} | {verdict(row)} | {row.note} |"
        )
    return "\n".join(lines) + "\n"
