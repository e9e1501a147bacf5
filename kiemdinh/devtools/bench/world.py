"""The bench's synthetic world: units, schools, cycles with ratings and evidence metadata, decisions, annual plans,
the measured schools and the bench users, written at one of the scales; found again when kept (`--reuse`); removed.

Every generated row is recognisable: units and schools have codes starting with ``BENCH-``, users names starting with
``bench.``; `remove_bench_data` deletes exactly those (and what hangs off them, stored files included).
"""

import os
import random
import secrets
import time
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from kiemdinh.accounts.models import Membership, Role, User
from kiemdinh.accounts.services import membership_grant, user_create
from kiemdinh.core.schoolyear import school_year_start
from kiemdinh.devtools.bench.bulk import (
    _cycles,
    _decisions,
    _frameworks,
    _ratings,
    _school,
    _schools,
    _units,
    bulk_evidence,
)
from kiemdinh.devtools.bench.scale import (
    BATCH,
    BENCH_DATABASE_ENV,
    EVIDENCE_LARGE,
    EVIDENCE_SMALL,
    LOAD_EVIDENCE,
    MEASURED,
    PREFIX,
    SCALES,
    TYPES,
    USER_PREFIX,
    Scale,
    school_years,
)
from kiemdinh.evidence.models import CycleEvidence, Evidence, EvidenceFile
from kiemdinh.frameworks.models import Criterion, FrameworkVersion
from kiemdinh.planning.models import AnnualPlan, PlanKind, PlanTarget
from kiemdinh.planning.services import PlanInput, plan_create
from kiemdinh.recognition.models import Decision
from kiemdinh.selfassessment.models import Cycle, CycleStatus
from kiemdinh.selfassessment.tests.builders import add_council, fill_forms
from kiemdinh.units.models import AdministrativeUnit, School, SchoolType, framework_code_for
from kiemdinh.units.services import school_create
from kiemdinh.workflow.services import cycle_open


def plan_sizes(scale: Scale) -> tuple[int, int]:
    """Targets of the two annual plans: the school list's 10x pair."""
    return plan_sizes_for(scale.schools)


def plan_summary(scale: Scale) -> str:
    cycles = scale.schools * scale.years
    rated = cycles if scale.rated_cycles is None else min(cycles, scale.rated_cycles)
    small_plan, large_plan = plan_sizes(scale)
    return (
        f"{scale.provinces} province(s), {scale.communes} communes, {scale.schools:,} schools, "
        f"{cycles:,} cycles over {scale.years} school years, indicator ratings and {scale.evidence_per_rated_cycle} "
        f"evidence items for {rated:,} cycles, recognition decisions for about 40% of schools, annual plans of "
        f"{small_plan} and {large_plan} schools, {len(MEASURED)} measured schools (cycles of {EVIDENCE_SMALL}, "
        f"{EVIDENCE_LARGE} and {scale.catalogue_items:,} evidence items, one empty), {scale.load_schools} load "
        f"schools with a cycle in progress ({LOAD_EVIDENCE} evidence items each) and a principal each, "
        f"{6 + scale.load_schools} bench users"
    )


# --- Safety ---------------------------------------------------------------------------------------------------------


def foreign_schools() -> int:

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
    """Delete every generated row (codes BENCH-…, users bench.…) and the files stored for them (the memory run's,
    if it stopped before removing its own); real data is never touched."""

    schools = School.objects.filter(code__startswith=PREFIX)
    units = AdministrativeUnit.objects.filter(code__startswith=PREFIX)
    removed = {}
    bench_files = EvidenceFile.objects.filter(version__evidence__school__in=schools).exclude(file="")
    stored = {row.file.name: row.file.storage for row in bench_files.only("file")}
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
    still_used = set(EvidenceFile.objects.filter(file__in=list(stored)).values_list("file", flat=True))
    for name, storage in stored.items():
        if name not in still_used:
            storage.delete(name)
    removed["files"] = len(stored) - len(still_used)
    return removed


# --- Generation -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadPrincipal:
    """A principal of the load run: signs in, reads its school's pages and saves one criterion's form of its own
    cycle (a different criterion for each, so no two simulated users ever edit the same form)."""

    username: str
    school_id: int
    cycle_id: int
    criterion: str


@dataclass
class BenchWorld:
    scale: Scale
    password: str
    province_id: int
    commune_id: int
    province_code: str
    commune_code: str
    plan_id: int  # the province's annual plan of up to 200 schools
    plan_small_id: int  # a tenth of them
    school_id: int  # the principal's school (XL)
    cycle_400: int  # XL's cycle: 400 evidence items, council, forms, ratings
    cycle_40: int  # XS's: the same with 40
    cycle_catalogue: int  # XC's: the catalogue's items, metadata only
    cycle_memory: int  # XM's: empty, in progress; the memory run uploads into it and removes what it uploaded
    users: dict[str, str]  # role → username
    load_principals: list[LoadPrincipal] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _measured_school(commune, suffix: str):

    return school_create(
        actor=None,
        code=f"{commune.code}-{suffix}",
        name=f"Trường THCS Đo Lường {suffix}",
        school_type=SchoolType.THCS,
        unit=commune,
    )


def _measured_cycle(school, evidence: int, *, forms: bool):
    """A TT18 2024-2025 cycle of a measured school: through the services when `forms` (council, every criterion form
    with its evidence item, ratings), then bulk evidence up to `evidence` items."""

    framework = FrameworkVersion.objects.get(code="tt18-2018")
    cycle = cycle_open(actor=None, school=school, school_year=school_years(1)[0], framework=framework)
    if forms:
        add_council(cycle, None, size=9)
        fill_forms(cycle, None)
    have = CycleEvidence.objects.filter(cycle=cycle).count()
    bulk_evidence([(cycle.pk, school.pk, framework.pk)], max(0, evidence - have))
    return cycle


def _load_schools(scale: Scale, communes, rng: random.Random) -> int:
    """The load run's schools, spread over the first province's communes: each with a 2024-2025 cycle in progress
    (ratings and evidence metadata) and a principal of its own."""

    frameworks = _frameworks()
    year = school_years(1)[0]
    first = [c for c in communes if c.parent_id == communes[0].parent_id]
    rows = []
    for n in range(1, scale.load_schools + 1):
        commune = first[(n - 1) % len(first)]
        school_type = TYPES[n % len(TYPES)]
        rows.append(_school(f"{commune.code}-L{n:02d}", f"Tải Thử {n}", school_type, commune))
    School.objects.bulk_create(rows, batch_size=BATCH)
    schools = list(School.objects.filter(code__in=[s.code for s in rows]).order_by("code"))
    cycles = [
        Cycle(
            school=school,
            framework=frameworks[framework_code_for(school.school_type, school_year_start(year))],
            school_year=year,
            status=CycleStatus.IN_PROGRESS,
        )
        for school in schools
    ]
    Cycle.objects.bulk_create(cycles, batch_size=BATCH)
    triples = list(Cycle.objects.filter(school__in=schools).values_list("pk", "school_id", "framework_id"))
    _ratings([pk for pk, _, _ in triples], rng)
    bulk_evidence(triples, LOAD_EVIDENCE)
    for school in schools:
        number = school.code.rsplit("-L", 1)[1]
        # No password here: every bench user gets the run's password at once (one hash, not one per user).
        user = user_create(actor=None, username=f"{USER_PREFIX}load.{number}", password=None, full_name="Bench load")
        membership_grant(actor=None, user=user, role=Role.PRINCIPAL, school=school)
    return User.objects.filter(username__startswith=f"{USER_PREFIX}load.").count()


def _users(world_units, schools: dict) -> dict[str, str]:

    province, commune = world_units
    wanted = {
        "principal": (Role.PRINCIPAL, {"school": schools["XL"]}),
        "principal_small": (Role.PRINCIPAL, {"school": schools["XS"]}),
        "principal_memory": (Role.PRINCIPAL, {"school": schools["XM"]}),
        "commune_officer": (Role.OFFICER, {"unit": commune}),
        "province_officer": (Role.OFFICER, {"unit": province}),
        "admin": (Role.ADMIN, {}),
    }
    names = {}
    for key, (role, scope) in wanted.items():
        user = user_create(actor=None, username=f"{USER_PREFIX}{key}", password=None, full_name=f"Bench {key}")
        membership_grant(actor=None, user=user, role=role, **scope)
        names[key] = user.username
    return names


def set_passwords() -> tuple[str, dict[str, str]]:
    """A fresh random password for every bench user, hashed once; returns it and the users by role."""

    password = secrets.token_urlsafe(16)
    bench_users = User.objects.filter(username__startswith=USER_PREFIX)
    bench_users.update(password=make_password(password))
    names = bench_users.exclude(username__startswith=f"{USER_PREFIX}load.").values_list("username", flat=True)
    return password, {name.removeprefix(USER_PREFIX): name for name in names}


def _plans(province, officer_username: str, schools, rng: random.Random) -> tuple[int, int]:
    """The province's annual plan (200 schools, or every school of a smaller world) and one of a tenth of them."""

    officer = User.objects.get(username=officer_username)
    small, large = plan_sizes_for(len(schools))
    chosen = rng.sample(schools, large)
    ids = []
    for number, targets in (("1/KH-BENCH", chosen), ("2/KH-BENCH", chosen[:small])):
        plan = plan_create(
            actor=officer,
            unit=province,
            data=PlanInput(
                kind=PlanKind.YEAR,
                period="2025",
                title="Kế hoạch kiểm định chất lượng giáo dục và công nhận trường đạt chuẩn quốc gia năm 2025",
                number=number,
            ),
        )
        PlanTarget.objects.bulk_create(
            [
                PlanTarget(plan=plan, school_id=s.pk, position=i + 1, accreditation_grade=2, national_standard_level=1)
                for i, s in enumerate(targets)
            ]
        )
        ids.append(plan.pk)
    return ids[0], ids[1]


def plan_sizes_for(schools: int) -> tuple[int, int]:
    large = min(schools, 200)
    return max(1, large // 10), large


def generate(scale: Scale, *, log=print, seed: int = 2025) -> BenchWorld:
    """Write the synthetic world of `scale` (frameworks must be loaded). Fast paths (bulk_create) for the bulk rows;
    the measured cycles, users and the plans go through the real services."""
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

    triples = list(Cycle.objects.filter(pk__in=rated).values_list("pk", "school_id", "framework_id"))
    counts["evidence items (bulk)"] = step("evidence", lambda: bulk_evidence(triples, scale.evidence_per_rated_cycle))
    counts["decisions"] = step("decisions", lambda: _decisions(schools, rng))
    commune = communes[0]
    measured = {suffix: _measured_school(commune, suffix) for suffix in MEASURED}
    step(
        f"cycle with {EVIDENCE_SMALL} evidence items",
        lambda: _measured_cycle(measured["XS"], EVIDENCE_SMALL, forms=True),
    )
    step(
        f"cycle with {EVIDENCE_LARGE} evidence items",
        lambda: _measured_cycle(measured["XL"], EVIDENCE_LARGE, forms=True),
    )
    step(
        f"cycle with {scale.catalogue_items:,} evidence items",
        lambda: _measured_cycle(measured["XC"], scale.catalogue_items, forms=False),
    )
    _measured_cycle(measured["XM"], 0, forms=False)
    counts["load principals"] = step(f"{scale.load_schools} load schools", lambda: _load_schools(scale, communes, rng))
    users = step("users", lambda: _users((provinces[0], commune), measured))
    step("annual plans", lambda: _plans(provinces[0], users["province_officer"], schools, rng))
    if connection.vendor == "postgresql":
        # Bulk inserts leave the planner without statistics until autovacuum comes round; a running installation
        # has them, so measure with them.
        step("analyze", lambda: connection.cursor().execute("ANALYZE"))
    return find_world(scale=scale, counts=counts, log=lambda _: None)


def find_world(*, scale: Scale | None = None, counts: dict[str, int] | None = None, log=print) -> BenchWorld:
    """The bench world in this database, found by its codes: the one just generated, or the one an earlier
    `bench --keep` left, measured again without generating (the national scale takes long to write). Every bench
    user gets a fresh password."""

    province = AdministrativeUnit.objects.filter(code=f"{PREFIX}P01").first()
    if province is None:
        raise LookupError("No kept bench data in this database: run bench with --keep first.")
    commune = AdministrativeUnit.objects.get(code=f"{PREFIX}P01-C001")
    measured = {s.code.rsplit("-", 1)[1]: s for s in School.objects.filter(code__startswith=f"{commune.code}-X")}
    if set(measured) != set(MEASURED):
        raise LookupError(
            "The kept bench data was written by an older bench (its measured schools differ): generate it again "
            "(bench --keep without --reuse removes the old data first)."
        )
    cycles = {
        suffix: Cycle.objects.filter(school=school).order_by("-school_year").values_list("pk", flat=True)[0]
        for suffix, school in measured.items()
    }
    load = []
    memberships = (
        Membership.objects.active()
        .filter(user__username__startswith=f"{USER_PREFIX}load.", role=Role.PRINCIPAL)
        .select_related("user", "school")
        .order_by("user__username")
    )
    codes: dict[int, list[str]] = {}
    for n, membership in enumerate(memberships):
        cycle = Cycle.objects.filter(school=membership.school).order_by("-school_year").first()
        if cycle.framework_id not in codes:
            codes[cycle.framework_id] = list(
                Criterion.objects.filter(version=cycle.framework_id).order_by("position").values_list("code", flat=True)
            )
        own = codes[cycle.framework_id]
        load.append(LoadPrincipal(membership.user.username, membership.school_id, cycle.pk, own[n % len(own)]))
    password, users = set_passwords()
    provinces = AdministrativeUnit.objects.filter(code__startswith=PREFIX, parent=None).count()
    if scale is None:
        schools = School.objects.filter(code__startswith=PREFIX, code__contains="-S").count()
        scale = next((s for s in SCALES.values() if s.provinces == provinces and s.schools == schools), None)
        scale = scale or next((s for s in SCALES.values() if s.provinces == provinces), SCALES["small"])
    if counts is None:
        counts = {
            "provinces": provinces,
            "communes": AdministrativeUnit.objects.filter(code__startswith=PREFIX).exclude(parent=None).count(),
            "cycles": Cycle.objects.filter(school__code__startswith=PREFIX).count(),
            "load principals": len(load),
        }
        log(f"  reusing the kept bench data: {counts}")
    counts["schools"] = School.objects.filter(code__startswith=PREFIX).count()
    plans = dict(AnnualPlan.objects.filter(unit=province, number__endswith="/KH-BENCH").values_list("number", "pk"))
    return BenchWorld(
        scale=scale,
        password=password,
        province_id=province.pk,
        commune_id=commune.pk,
        province_code=province.code,
        commune_code=commune.code,
        plan_id=plans["1/KH-BENCH"],
        plan_small_id=plans["2/KH-BENCH"],
        school_id=measured["XL"].pk,
        cycle_400=cycles["XL"],
        cycle_40=cycles["XS"],
        cycle_catalogue=cycles["XC"],
        cycle_memory=cycles["XM"],
        users=users,
        load_principals=load,
        counts=counts,
    )
