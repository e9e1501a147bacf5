"""Personas: a principal of school A must not see or change anything of school B, by URL or by API."""

import json

import pytest
from django.urls import reverse

from kiemdinh.accounts.access import user_scope
from kiemdinh.units.access import schools_visible, units_visible

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_scopes(world):
    assert set(schools_visible(world.principal_a)) == {world.school_a}
    assert set(schools_visible(world.member_a)) == {world.school_a}
    assert set(schools_visible(world.principal_b)) == {world.school_b}
    assert set(schools_visible(world.officer_commune_a)) == {world.school_a}
    assert set(schools_visible(world.officer_district)) == {world.school_a, world.school_b}
    assert set(schools_visible(world.officer_other_province)) == {world.school_other}
    assert set(schools_visible(world.evaluator)) == set()
    assert schools_visible(world.admin).count() == 3
    assert set(units_visible(world.officer_district)) == {world.district, world.commune_a, world.commune_b}
    assert not units_visible(world.principal_a).exists()


def test_scope_is_one_query_and_cached(world, django_assert_num_queries):
    user = world.officer_district
    with django_assert_num_queries(1):
        user_scope(user)
        user_scope(user)


@pytest.mark.parametrize("persona", ["principal_b", "officer_other_province", "evaluator", "member_a"])
def test_school_page_hidden_outside_scope(client, world, persona):
    target = world.school_a if persona != "member_a" else world.school_b
    response = login(client, getattr(world, persona)).get(reverse("workspace:school", args=[target.pk]))
    assert response.status_code == 404
    assert target.name not in response.content.decode()


@pytest.mark.parametrize(
    "persona", ["principal_a", "secretary_a", "member_a", "officer_commune_a", "officer_district", "admin"]
)
def test_school_page_visible_inside_scope(client, world, persona):
    response = login(client, getattr(world, persona)).get(reverse("workspace:school", args=[world.school_a.pk]))
    assert response.status_code == 200
    assert "Trường Tiểu học An Bình" in response.content.decode()


def test_unit_pages_follow_scope(client, world):
    login(client, world.officer_commune_a)
    assert client.get(reverse("units:detail", args=[world.commune_a.pk])).status_code == 200
    assert client.get(reverse("units:detail", args=[world.commune_b.pk])).status_code == 404
    assert client.get(reverse("units:detail", args=[world.district.pk])).status_code == 404
    login(client, world.principal_a)
    assert client.get(reverse("units:detail", args=[world.commune_a.pk])).status_code == 404


def test_unit_page_lists_only_schools_below_and_searches_without_diacritics(
    client, world, django_assert_max_num_queries
):
    login(client, world.officer_district)
    url = reverse("units:detail", args=[world.district.pk])
    # 8, and for an officer of the unit the merge form's units below it (whether any, and the list): 10
    with django_assert_max_num_queries(10):
        body = client.get(url).content.decode()
    assert "Trường Tiểu học An Bình" in body and "Trường Mầm non Bình Minh" in body
    assert "Hòa Hải" not in body
    body = client.get(url, {"q": "an binh"}).content.decode()
    assert "Trường Tiểu học An Bình" in body and "Trường Mầm non Bình Minh" not in body
    body = client.get(url, {"loai": "MN"}).content.decode()
    assert "Trường Mầm non Bình Minh" in body and "Trường Tiểu học An Bình" not in body


def test_home_shows_each_persona_its_own_world(client, world):
    body = login(client, world.principal_a).get("/").content.decode()
    assert "Trường Tiểu học An Bình" in body and "Bình Minh" not in body
    body = login(client, world.officer_district).get("/").content.decode()
    assert "Huyện Đông Sơn" in body and "2" in body
    body = login(client, world.evaluator).get("/").content.decode()
    assert "đánh giá viên" in body
    assert "An Bình" not in body


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(reverse("workspace:school", args=[world.school_a.pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


# API


def test_api_school_list_is_scoped(client, world):
    data = login(client, world.principal_b).get("/api/v1/schools").json()
    assert [s["code"] for s in data] == ["SB"]
    data = login(client, world.officer_district).get("/api/v1/schools", {"q": "binh minh"}).json()
    assert [s["code"] for s in data] == ["SB"]


def test_api_hides_other_schools(client, world):
    login(client, world.principal_b)
    response = client.get(f"/api/v1/schools/{world.school_a.pk}")
    assert response.status_code == 404
    assert "An Bình" not in response.content.decode()
    response = client.get(f"/api/v1/units/{world.district.pk}")
    assert response.status_code == 404


def test_api_principal_b_cannot_change_school_a(client, world):
    client = login(client, world.principal_b)
    response = client.patch(
        f"/api/v1/schools/{world.school_a.pk}", data=json.dumps({"address": "Hack"}), content_type="application/json"
    )
    assert response.status_code in (403, 404)
    world.school_a.refresh_from_db()
    assert world.school_a.address == ""


def test_api_member_cannot_change_but_principal_can(client, world):
    url = f"/api/v1/schools/{world.school_a.pk}"
    login(client, world.member_a)
    response = client.patch(url, data=json.dumps({"address": "Thôn 1"}), content_type="application/json")
    assert response.status_code == 403
    login(client, world.principal_a)
    response = client.patch(url, data=json.dumps({"address": "Thôn 1, xã An Bình"}), content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["address"] == "Thôn 1, xã An Bình"
    world.school_a.refresh_from_db()
    assert world.school_a.address == "Thôn 1, xã An Bình"


def test_api_requires_login_and_csrf(world):
    from django.test import Client

    anonymous = Client()
    assert anonymous.get("/api/v1/schools").status_code == 401
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.principal_a)
    response = strict.patch(
        f"/api/v1/schools/{world.school_a.pk}", data=json.dumps({"address": "X"}), content_type="application/json"
    )
    assert response.status_code == 403
    world.school_a.refresh_from_db()
    assert world.school_a.address == ""


def test_navigation_marks_only_the_most_specific_entry(client, world):
    login(client, world.officer_district)
    body = client.get(reverse("units:import_start")).content.decode()
    assert body.count('aria-current="page"') == 1


def test_school_page_shows_plan_targets(client, world, django_assert_max_num_queries):
    from kiemdinh.planning.models import AnnualPlan, PlanTarget

    plan = AnnualPlan.objects.create(
        unit=world.district, issuer="UBND huyện Đông Sơn", number="5/KH-UBND", title="Kế hoạch", period="2024"
    )
    PlanTarget.objects.create(
        plan=plan,
        school=world.school_a,
        position=1,
        accreditation_grade=2,
        national_standard_level=1,
        recognition_round="again",
    )
    login(client, world.principal_a)
    # (+ the school's mergers: one query)
    with django_assert_max_num_queries(11):
        body = client.get(reverse("workspace:school", args=[world.school_a.pk])).content.decode()
    assert "CĐ2-MĐ1" in body and "Công nhận lại" in body and "5/KH-UBND" in body


@pytest.mark.parametrize("persona", ["principal_a", "officer_district", "admin", "evaluator"])
def test_home_page_queries_are_bounded(client, world, persona):
    """The home page (cards, reminders, officers in charge) runs the same queries with more schools, plans, tasks
    and decisions below the user."""
    from datetime import date

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kiemdinh.planning import services as plan_services
    from kiemdinh.planning.tests.helpers import make_plan, recognise
    from kiemdinh.units.services import school_create

    login(client, getattr(world, persona))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx)

    plan = make_plan(world, period=str(date.today().year))
    plan_services.target_add(actor=None, plan=plan, school=world.school_a, data=plan_services.TargetInput())
    plan_services.plan_issue(actor=None, plan=plan)  # reminders follow issued plans
    before = count()
    for i in range(4):
        school = school_create(
            actor=None, code=f"H{i}", name=f"Trường Mầm non H{i}", school_type="MN", unit=world.commune_a
        )
        recognise(world, school, decided_on=date(date.today().year - 5, 12, 1))
        plan_services.task_save(
            actor=world.officer_district,
            plan=plan,
            data=plan_services.TaskInput(agency=f"Cơ quan {i}", content="Việc", deadline="01/01/2020", school=school),
        )
    assert count() == before
    assert before <= 25
