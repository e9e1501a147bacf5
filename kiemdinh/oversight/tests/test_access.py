"""Who sees and changes what, per persona: officers within their scope manage; the school's own people read their
visits and report actions done; everyone else gets a 404 (nothing leaks) or, for what they see but may not change, a
403."""

from datetime import date

import pytest
from django.urls import reverse

from kiemdinh.oversight.models import SchoolLevel, Visit, VisitKind
from kiemdinh.oversight.services.officers import officer_add


def client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def officer(world):
    return officer_add(
        actor=world.officer_district, unit=world.district, school_level=SchoolLevel.PRIMARY, full_name="Bà Lý Mỹ Liên"
    )


def pages(world, visit, training, officer) -> dict[str, str]:
    return {
        "unit": reverse("oversight:unit", args=[world.district.pk]),
        "visit": reverse("oversight:visit", args=[visit.pk]),
        "visit_edit": reverse("oversight:visit_edit", args=[visit.pk]),
        "visit_create": reverse("oversight:visit_create", args=[world.district.pk]),
        "training": reverse("oversight:training", args=[training.pk]),
        "training_export": reverse("oversight:training_export", args=[training.pk]),
        "officer_edit": reverse("oversight:officer_edit", args=[officer.pk]),
        "school_a": reverse("oversight:school", args=[world.school_a.pk]),
    }


EXPECTED = {
    # persona: status per page
    "officer_district": dict.fromkeys(
        ["unit", "visit", "visit_edit", "visit_create", "training", "training_export", "officer_edit", "school_a"], 200
    ),
    "admin": dict.fromkeys(
        ["unit", "visit", "visit_edit", "visit_create", "training", "training_export", "officer_edit", "school_a"], 200
    ),
    # The commune officer sees school A and the district's visit to it, but manages only the commune's own work.
    "officer_commune_a": {
        "unit": 404,
        "visit": 200,
        "visit_edit": 403,
        "visit_create": 404,
        "training": 404,
        "training_export": 404,
        "officer_edit": 404,
        "school_a": 200,
    },
    "officer_other_province": dict.fromkeys(
        ["unit", "visit", "visit_edit", "visit_create", "training", "training_export", "officer_edit", "school_a"], 404
    ),
    "principal_a": {
        "unit": 404,
        "visit": 200,
        "visit_edit": 403,
        "visit_create": 404,
        "training": 404,
        "training_export": 404,
        "officer_edit": 404,
        "school_a": 200,
    },
    "principal_b": dict.fromkeys(
        ["unit", "visit", "visit_edit", "visit_create", "training", "training_export", "officer_edit", "school_a"], 404
    ),
    "evaluator": dict.fromkeys(
        ["unit", "visit", "visit_edit", "visit_create", "training", "training_export", "officer_edit", "school_a"], 404
    ),
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_pages_per_persona(client, world, visit, training, officer, persona):
    client_for(client, getattr(world, persona))
    urls = pages(world, visit, training, officer)
    got = {name: client.get(url).status_code for name, url in urls.items()}
    assert got == EXPECTED[persona]


def test_anonymous_is_sent_to_login(client, world, visit):
    response = client.get(reverse("oversight:visit", args=[visit.pk]))
    assert response.status_code == 302 and "/tai-khoan/" in response["Location"]


def test_principal_a_cannot_create_or_change_visits(client, world, visit):
    client_for(client, world.principal_a)
    data = {"school": world.school_a.pk, "kind": VisitKind.INSPECTION, "visited_on": "2025-05-05"}
    assert client.post(reverse("oversight:visit_create", args=[world.district.pk]), data).status_code == 404
    assert client.post(reverse("oversight:visit_create", args=[world.commune_a.pk]), data).status_code == 404
    assert client.post(reverse("oversight:visit_edit", args=[visit.pk]), data).status_code == 403
    assert client.post(reverse("oversight:visit_delete", args=[visit.pk])).status_code == 403
    action = visit.actions.first()
    assert client.post(reverse("oversight:action_delete", args=[visit.pk, action.pk])).status_code == 403
    assert client.post(reverse("oversight:action_add", args=[visit.pk]), {"content": "X"}).status_code == 403
    assert Visit.objects.count() == 1 and visit.actions.count() == 2


def test_principal_b_sees_nothing_of_school_a(client, world, visit):
    client_for(client, world.principal_b)
    action = visit.actions.first()
    assert client.get(reverse("oversight:school", args=[world.school_a.pk])).status_code == 404
    assert client.get(reverse("oversight:visit", args=[visit.pk])).status_code == 404
    response = client.post(reverse("oversight:action_complete", args=[visit.pk, action.pk]), {"note": "x"})
    assert response.status_code == 404
    action.refresh_from_db()
    assert not action.is_done
    # Their own school's page works and shows nothing of A.
    response = client.get(reverse("oversight:school", args=[world.school_b.pk]))
    assert response.status_code == 200
    assert "Bổ sung minh chứng" not in response.content.decode()


def test_staff_of_school_a_mark_actions_done(client, world, visit):
    client_for(client, world.member_a)
    action = visit.actions.first()
    back = reverse("oversight:school", args=[world.school_a.pk])
    response = client.post(
        reverse("oversight:action_complete", args=[visit.pk, action.pk]),
        {"done_on": "2025-04-01", "note": "Đã bổ sung", "next": back},
    )
    assert response.status_code == 302 and response["Location"] == back
    action.refresh_from_db()
    assert action.is_done and action.done_by == world.member_a


def test_officer_of_other_province_cannot_touch_anything(client, world, visit, training, officer):
    client_for(client, world.officer_other_province)
    action = visit.actions.first()
    posts = [
        reverse("oversight:action_complete", args=[visit.pk, action.pk]),
        reverse("oversight:visit_delete", args=[visit.pk]),
        reverse("oversight:officer_delete", args=[officer.pk]),
        reverse("oversight:training_delete", args=[training.pk]),
        reverse("oversight:participants_add", args=[training.pk]),
        reverse("oversight:officer_add", args=[world.district.pk]),
    ]
    for url in posts:
        assert client.post(url, {"text": "A – B", "full_name": "X", "school_level": "general"}).status_code == 404
    assert Visit.objects.count() == 1


def test_commune_officer_manages_own_visits_below_district(client, world):
    client_for(client, world.officer_commune_a)
    response = client.post(
        reverse("oversight:visit_create", args=[world.commune_a.pk]),
        {"school": world.school_a.pk, "kind": VisitKind.CONSULTATION, "visited_on": "05/05/2025"},
    )
    visit = Visit.objects.get()
    assert response.status_code == 302 and visit.visited_on == date(2025, 5, 5)
    # The district officer above manages it too.
    client_for(client, world.officer_district)
    assert client.get(reverse("oversight:visit_edit", args=[visit.pk])).status_code == 200
