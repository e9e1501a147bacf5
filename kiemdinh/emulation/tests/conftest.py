"""Fixtures of the emulation tests: frameworks, personas and one school year of data, built once per module through
the real services inside an outer transaction and rolled back at the module's end; each test runs in its own
savepoint (pytest-django's `db`).

The year 2019-2020 below the district of the personas:
- school A (TH, commune A): cycle submitted 20/01/2020 and accepted 15/02/2020 (all criteria achieved → Mức 3),
  improvement plan of 3 lines of which 2 are "done" at the latest review, accreditation decision CĐ3 of 01/06/2019
  (valid until 2024).
- school B (MN, commune B): cycle opened, never submitted; national-standard decision of 10/01/2014, expired in 2019.
- school C (THCS, commune B): no cycle, no decision.
"""

from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from kiemdinh.testing.world import World, fresh_world
from kiemdinh.units.models import School

YEAR = "2019-2020"
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=VN)


def _build_year(world) -> School:
    from kiemdinh.improvement import services as improvement
    from kiemdinh.improvement.models import LineStatus
    from kiemdinh.recognition.services import DecisionInput, decision_record
    from kiemdinh.selfassessment.tests.builders import complete_dossier
    from kiemdinh.units.services import school_create
    from kiemdinh.workflow.services import cycle_accept, cycle_open, cycle_submit

    principal, officer = world.principal_a, world.officer_commune_a
    cycle_a = cycle_open(actor=principal, school=world.school_a, school_year=YEAR)
    complete_dossier(
        cycle_a,
        principal,
        lines=[
            {
                "code": code,
                "target": f"Kết quả cần đạt của tiêu chí {code}",
                "tasks": ["Lập kế hoạch", "Thực hiện"],
                "lead": "Hiệu trưởng",
                "starts_on": date(2019, 10, 1),
                "due_on": date(2020, 5, 31),
            }
            for code in ("1.1", "1.2", "1.3")
        ],
    )
    with mock.patch("django.utils.timezone.now", return_value=at(date(2020, 1, 20))):
        cycle_submit(actor=principal, cycle=cycle_a)
    with mock.patch("django.utils.timezone.now", return_value=at(date(2020, 2, 15))):
        cycle_accept(actor=officer, cycle=cycle_a)
    plan = improvement.plan_create(actor=principal, cycle=cycle_a)  # the dossier's issued plan
    lines = list(plan.lines.order_by("position", "id"))
    review = improvement.review_schedule(actor=principal, plan=plan, scheduled_on=date(2020, 5, 25))
    statuses = (LineStatus.DONE, LineStatus.DONE, LineStatus.IN_PROGRESS)
    improvement.review_record(
        actor=principal,
        review=review,
        held_on=date(2020, 5, 25),
        summary="Tổng kết cuối năm học.",
        entries={line.pk: improvement.EntryInput(status=s) for line, s in zip(lines, statuses, strict=True)},
    )
    decision_record(  # entered by its issuing body (recognition.authority): the Sở the grade, the UBND the standard
        actor=world.officer_province,
        school=world.school_a,
        data=DecisionInput(kind="accreditation", level=3, decided_on=date(2019, 6, 1), number="1234/QĐ-SGDĐT"),
    )
    cycle_open(actor=world.principal_b, school=world.school_b, school_year=YEAR)
    decision_record(
        actor=world.officer_committee,
        school=world.school_b,
        data=DecisionInput(kind="national_standard", level=1, decided_on=date(2014, 1, 10), number="15/QĐ-UBND"),
    )
    return school_create(actor=None, code="SC", name="Trường THCS Bình Minh", school_type="THCS", unit=world.commune_b)


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture(scope="module")
def _year(module_world, django_db_blocker) -> School:
    """The 2019-2020 data (inside module_world's outer transaction), for the modules that use it."""
    with django_db_blocker.unblock():
        return _build_year(module_world)


@pytest.fixture
def world(module_world, db) -> World:
    """Fresh instances of the module's personas for each test (nothing cached on them leaks between tests)."""
    return fresh_world(module_world)


@pytest.fixture
def school_c(_year, world) -> School:
    """The 2019-2020 data is there; school C (THCS, commune B, no cycle)."""
    return _fresh(_year)
