"""Reads of the oversight app: which officers are in charge of a school, and fixed query counts for the unit's
overview, the school's view and their pages at two data sizes."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kiemdinh.oversight import selectors as q
from kiemdinh.oversight.models import SchoolLevel, VisitKind
from kiemdinh.oversight.services.officers import officer_add
from kiemdinh.oversight.services.participants import participants_add
from kiemdinh.oversight.services.trainings import training_create
from kiemdinh.oversight.services.visits import action_add, action_complete, visit_create
from kiemdinh.units.models import School, SchoolType
from kiemdinh.units.services import school_create


def add_officer(world, unit, level, name):
    return officer_add(actor=world.admin, unit=unit, school_level=level, full_name=name)


def grow(world, n: int) -> None:
    """n more visits (each with two actions, one done), officers and trainings (with participants) in the district."""
    for i in range(n):
        school = world.school_a if i % 2 == 0 else world.school_b
        visit = visit_create(
            actor=world.officer_district,
            # Every third visit to school A is the commune's own.
            unit=world.commune_a if school == world.school_a and i % 3 == 0 else world.district,
            school=school,
            kind=VisitKind.values[i % 3],
            visited_on=date(2025, 1 + i % 12, 1 + i % 27),
        )
        first = action_add(actor=world.officer_district, visit=visit, content=f"Việc {i}.1")
        action_add(actor=world.officer_district, visit=visit, content=f"Việc {i}.2", due_on=date(2026, 1, 1))
        action_complete(actor=world.principal_a, action=first, done_on=visit.visited_on)
        add_officer(world, world.district, SchoolLevel.values[(i + 1) % 5], f"Cán bộ huyện {i}")
        add_officer(world, world.province, SchoolLevel.values[i % 5], f"Cán bộ tỉnh {i}")
        training = training_create(
            actor=world.officer_district, unit=world.district, title=f"Tập huấn {i}", starts_on=date(2025, 2, 1 + i)
        )
        participants_add(
            actor=world.officer_district,
            training=training,
            text=f"Người A{i} – Giáo viên – SA\nNgười B{i} – Giáo viên – SB\nNgười C{i} – Chuyên viên",
        )


# --- officers in charge -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("school_type", "levels"),
    [
        (SchoolType.MN, {"kindergarten"}),
        (SchoolType.MG, {"kindergarten"}),
        (SchoolType.NT, {"kindergarten"}),
        (SchoolType.TH, {"primary"}),
        (SchoolType.THCS, {"lower_secondary"}),
        (SchoolType.THPT, {"upper_secondary"}),
        (SchoolType.TH_THCS, {"primary", "lower_secondary"}),
        (SchoolType.THCS_THPT, {"lower_secondary", "upper_secondary"}),
        (SchoolType.PTNCH, {"primary", "lower_secondary", "upper_secondary"}),
    ],
)
def test_levels_for_school_type(school_type, levels):
    assert set(q.levels_for_school_type(school_type)) == {*levels, "general"}


def test_officers_for_school_nearest_unit_first_matching_levels(world):
    add_officer(world, world.province, SchoolLevel.PRIMARY, "Tỉnh – Tiểu học")
    add_officer(world, world.province, SchoolLevel.GENERAL, "Tỉnh – Tổng hợp")
    add_officer(world, world.district, SchoolLevel.GENERAL, "Huyện – Tổng hợp")
    add_officer(world, world.district, SchoolLevel.KINDERGARTEN, "Huyện – Mầm non")
    add_officer(world, world.district, SchoolLevel.PRIMARY, "Huyện – Tiểu học")
    add_officer(world, world.commune_a, SchoolLevel.PRIMARY, "Xã A – Tiểu học")
    add_officer(world, world.commune_b, SchoolLevel.PRIMARY, "Xã B – Tiểu học")
    add_officer(world, world.other_province, SchoolLevel.PRIMARY, "Tỉnh khác – Tiểu học")
    names = [o.full_name for o in q.officers_for_school(world.school_a)]
    assert names == ["Xã A – Tiểu học", "Huyện – Tiểu học", "Huyện – Tổng hợp", "Tỉnh – Tiểu học", "Tỉnh – Tổng hợp"]
    assert [o.full_name for o in q.officers_for_school(world.school_b)] == [
        "Huyện – Mầm non",
        "Huyện – Tổng hợp",
        "Tỉnh – Tổng hợp",
    ]
    both = q.officers_for_schools([world.school_a, world.school_b])
    assert [o.full_name for o in both[world.school_b.pk]] == ["Huyện – Mầm non", "Huyện – Tổng hợp", "Tỉnh – Tổng hợp"]


def test_officers_for_school_query_count_does_not_grow(world, django_assert_num_queries):
    for size in (1, 6):
        grow(world, size)
        school = School.objects.get(pk=world.school_a.pk)  # unit not loaded: one query for it, one for the officers
        with django_assert_num_queries(2):
            officers = q.officers_for_school(school)
        assert officers
        loaded = School.objects.select_related("unit").get(pk=world.school_a.pk)
        with django_assert_num_queries(1):
            q.officers_for_school(loaded)
        schools = list(School.objects.select_related("unit"))
        with django_assert_num_queries(1):
            q.officers_for_schools(schools)


def test_officers_for_schools_of_no_school_runs_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert q.officers_for_schools([]) == {}


# --- overview and school view -----------------------------------------------------------------------------------------


def test_unit_overview_query_count_does_not_grow(world, django_assert_num_queries):
    for size in (1, 8):
        grow(world, size)
        with django_assert_num_queries(6):
            overview = q.unit_overview(world.district, kind=VisitKind.CONSULTATION, school_id=world.school_a.pk)
            assert len(overview.visits) >= 1
            for visit in overview.visits:
                assert visit.school.name and visit.unit.name
                assert (visit.action_count, visit.open_action_count) == (2, 1)
            for officer in overview.officers:
                assert officer.user is None
            for training in overview.trainings:
                assert (training.unit.name, training.participant_count, training.attended_count) == (
                    "Huyện Đông Sơn",
                    3,
                    3,
                )


def test_unit_overview_filters(world):
    grow(world, 6)
    overview = q.unit_overview(world.district)
    assert overview.visits.paginator.count == 6
    assert sum(overview.kind_counts.values()) == 6
    assert {s.pk for s in overview.visit_schools} == {world.school_a.pk, world.school_b.pk}
    by_kind = q.unit_overview(world.district, kind=VisitKind.CONSULTATION)
    assert {v.kind for v in by_kind.visits} == {VisitKind.CONSULTATION}
    by_school = q.unit_overview(world.district, school_id=str(world.school_b.pk))
    assert by_school.school == world.school_b and {v.school_id for v in by_school.visits} == {world.school_b.pk}
    ignored = q.unit_overview(world.district, kind="khac", school_id=world.school_other.pk)
    assert (ignored.kind, ignored.school, ignored.visits.paginator.count) == ("", None, 6)
    # The commune sees only what it organised.
    assert q.unit_overview(world.commune_a).visits.paginator.count == 1


def test_school_oversight_query_count_does_not_grow(world, django_assert_num_queries):
    for size in (1, 6):
        grow(world, size)
        school = School.objects.select_related("unit").get(pk=world.school_a.pk)
        with django_assert_num_queries(5):
            data = q.school_oversight(school)
            for visit in data.visits:
                assert visit.unit.name and len(visit.actions.all()) == 2
            for training in data.trainings:
                assert training.school_participants[0].full_name.startswith("Người A")
        assert len(data.open_actions) == len(data.visits)
        assert {a.visit.school_id for a in data.open_actions} == {world.school_a.pk}


@pytest.mark.parametrize(
    ("user_name", "url_name", "target"),
    [
        ("officer_district", "oversight:unit", "district"),
        ("principal_a", "oversight:school", "school_a"),
        ("officer_district", "oversight:school", "school_a"),
    ],
)
def test_pages_query_count_does_not_grow(client, world, user_name, url_name, target):
    client.force_login(getattr(world, user_name))
    url = reverse(url_name, args=[getattr(world, target).pk])
    counts = []
    for size in (1, 7):
        grow(world, size)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_visit_and_training_pages_query_count_does_not_grow(client, world):
    client.force_login(world.officer_district)
    counts = []
    for size in (1, 7):
        grow(world, size)
        visit = world.school_a.oversight_visits.order_by("-id").first()
        for i in range(size):
            action_add(actor=world.officer_district, visit=visit, content=f"Thêm {i}")
        training = world.district.trainings.order_by("-id").first()
        participants_add(
            actor=world.officer_district,
            training=training,
            text="\n".join(f"Người thêm {size}-{i} – GV – SA" for i in range(size)),
        )
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("oversight:visit", args=[visit.pk])).status_code == 200
            assert client.get(reverse("oversight:training", args=[training.pk])).status_code == 200
            assert client.get(reverse("oversight:training_export", args=[training.pk])).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_school_create_for_other_types_maps_levels(world):
    school = school_create(
        actor=None, code="LC", name="Trường TH&THCS Liên Cấp", school_type="TH_THCS", unit=world.commune_a
    )
    add_officer(world, world.district, SchoolLevel.LOWER_SECONDARY, "Huyện – THCS")
    add_officer(world, world.district, SchoolLevel.UPPER_SECONDARY, "Huyện – THPT")
    assert [o.full_name for o in q.officers_for_school(School.objects.get(pk=school.pk))] == ["Huyện – THCS"]
