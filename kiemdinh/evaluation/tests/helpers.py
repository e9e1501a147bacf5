"""An accepted self-assessment, a registration, an evaluator network and a team, built through the services."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from kiemdinh.accounts.models import Role
from kiemdinh.accounts.services import membership_grant, user_create
from kiemdinh.evaluation.models import Team
from kiemdinh.evaluation.services import teams as svc
from kiemdinh.frameworks.models import Criterion
from kiemdinh.selfassessment.tests.builders import complete_dossier
from kiemdinh.testing.world import PASSWORD, build_world, fresh_world, load_frameworks, rolled_back
from kiemdinh.workflow.services import cycle_accept, cycle_open, cycle_submit

SCHOOL_YEAR = "2025-2026"  # TT17/2018 for school A (a primary school)


def accepted_cycle(world, school_year: str = SCHOOL_YEAR):
    """School A's cycle, every criterion met (Mức 3), submitted and accepted by the district officer."""
    cycle = cycle_open(actor=world.principal_a, school=world.school_a, school_year=school_year)
    complete_dossier(cycle, world.principal_a)
    cycle_submit(actor=world.principal_a, cycle=cycle)
    cycle_accept(actor=world.officer_district, cycle=cycle)
    cycle.refresh_from_db()
    return cycle


def register(world, cycle, **extra):
    values = {
        "wants_accreditation": True,
        "wants_national_standard": True,
        "recognition_round": "first",
        "cohort_completed": True,
        "cohort_note": "Khóa 2020-2025 hoàn thành chương trình tiểu học",
    }
    values.update(extra)
    return svc.registration_submit(actor=world.principal_a, cycle=cycle, **values)


def evaluator(world, username: str, full_name: str, *, unit=None, school=None, levels=("primary",)):
    """An evaluator of the network with a new linked account (password PASSWORD), recorded by the system: an officer
    links only accounts with a role they manage (services._linkable)."""
    user = user_create(actor=None, username=username, password=PASSWORD, full_name=full_name)
    return svc.evaluator_save(
        actor=None,
        data=svc.EvaluatorInput(
            full_name=full_name, unit=unit or world.province, school=school, levels=levels, user=user
        ),
    )


def team_for(world, registration, *, start=date(2026, 3, 2), end=date(2026, 5, 29)):
    """The team, established by the Sở GD&ĐT (the rule table's body for teams)."""
    return svc.team_establish(
        actor=world.officer_province,
        registration=registration,
        data=svc.TeamInput(
            issuer="Sở Giáo dục và Đào tạo Tỉnh Thử Nghiệm",
            decision_number="125/QĐ-SGDĐT",
            decision_on=start,
            dossier_from=start,
            ends_on=end,
        ),
    )


def accepted_team(world, *, start=date(2026, 3, 2), end=date(2026, 5, 29)):
    """School A registered and accepted, a team of two evaluators of the province: the leader studies standards 1–3,
    the member 4–5."""
    cycle = accepted_cycle(world)
    registration = register(world, cycle)
    svc.registration_decide(actor=world.officer_district, registration=registration, accept=True)
    team = team_for(world, registration, start=start, end=end)
    leader = evaluator(world, "dgv_truongdoan", "Phạm Văn Trưởng")
    member = evaluator(world, "dgv_thanhvien", "Lê Thị Viên")
    criteria = list(Criterion.objects.filter(version=cycle.framework).order_by("code"))
    svc.member_add(
        actor=world.officer_province, team=team, evaluator=leader, role="leader",
        criteria=[c for c in criteria if c.code[0] in "123"],
    )  # fmt: skip
    svc.member_add(
        actor=world.officer_province, team=team, evaluator=member, role="member",
        criteria=[c for c in criteria if c.code[0] in "45"],
    )  # fmt: skip
    return team


def grant_evaluator_role(user, unit):
    membership_grant(actor=None, user=user, role=Role.EVALUATOR, unit=unit)


# --- One working team per test module -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def working_team_base(django_db_setup, django_db_blocker):
    """Frameworks, the personas and school A's team working from five days ago to a month from now, built once for
    the module and rolled back at its end: (world, team id). Test modules import this fixture with
    working_team_world_fixture and working_team_fixture, which give each test fresh objects."""
    with rolled_back(django_db_blocker):
        load_frameworks()
        world = build_world()
        today = timezone.localdate()
        team = accepted_team(world, start=today - timedelta(days=5), end=today + timedelta(days=30))
        yield world, team.pk


@pytest.fixture(name="world")
def working_team_world_fixture(working_team_base, db):
    return fresh_world(working_team_base[0])


@pytest.fixture(name="team")
def working_team_fixture(working_team_base, db):
    return team_by_id(working_team_base[1])


def team_by_id(team_id: int) -> Team:
    return Team.objects.select_related("registration__school__unit", "registration__cycle__framework").get(pk=team_id)
