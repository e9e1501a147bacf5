import json

import pytest

from kiemdinh.frameworks.spec import get_spec
from kiemdinh.frameworks.tests.helpers import all_achieved

pytestmark = pytest.mark.django_db


def test_openapi_schema_is_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Kiểm định API"
    assert "/api/v1/evaluate" in schema["paths"] and "/api/v1/schools/{school_id}" in schema["paths"]


def test_frameworks_are_public(client, frameworks_loaded):
    data = client.get("/api/v1/frameworks").json()
    assert {v["id"] for v in data} == {"tt17-2018", "tt18-2018", "tt19-2018", "tt57-2026-mn", "tt57-2026-pt"}
    detail = client.get("/api/v1/frameworks/tt17-2018").json()
    assert len(detail["criteria"]) == 27
    assert client.get("/api/v1/frameworks/unknown").status_code == 404


def test_evaluate_endpoint_follows_the_contract(client):
    payload = {
        "framework": "tt17-2018",
        "indicators": all_achieved(get_spec("tt17-2018")),
        "level4": {"1": True, "3": True},
    }
    data = client.post("/api/v1/evaluate", data=json.dumps(payload), content_type="application/json").json()
    assert (data["school_level"], data["accreditation_grade"], data["national_standard_level"]) == (3, 3, 2)
    bad = client.post(
        "/api/v1/evaluate",
        data=json.dumps({"framework": "tt17-2018", "indicators": {"1.1": {"1": {"x": True}}}}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["key"] == 'indicators["1.1"]["1"]["x"]'


def test_me(client, world):
    client.force_login(world.officer_district)
    data = client.get("/api/v1/me").json()
    assert data["username"] == "canbo_huyen"
    assert data["memberships"][0]["role"] == "officer"


@pytest.mark.usefixtures("frameworks_loaded")
def test_cycles_are_scoped_and_give_the_cycle_status_json(client, world):
    from kiemdinh.workflow.services import cycle_open

    cycle = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2025-2026")
    client.force_login(world.officer_commune_a)
    listed = client.get("/api/v1/cycles").json()
    assert [c["id"] for c in listed] == [cycle.pk] and listed[0]["status"] == "in_progress"
    report = client.get(f"/api/v1/cycles/{cycle.pk}/status").json()
    assert report["framework"] == "tt17-2018" and report["school_level"] == 0
    assert report["evidence"] == {"total": 0, "cited": 0, "uncited": 0}
    client.force_login(world.principal_b)
    assert client.get("/api/v1/cycles").json() == []
    assert client.get(f"/api/v1/cycles/{cycle.pk}/status").status_code == 404
    client.logout()
    assert client.get("/api/v1/cycles").status_code == 401


@pytest.mark.usefixtures("frameworks_loaded")
def test_improvement_plan_lines_with_status_and_overdue_flag(client, world):
    from datetime import date

    from kiemdinh.frameworks.models import Criterion
    from kiemdinh.improvement.services import line_create, plan_create
    from kiemdinh.workflow.services import cycle_open

    cycle = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2025-2026")
    client.force_login(world.officer_commune_a)
    assert client.get(f"/api/v1/cycles/{cycle.pk}/improvement-plan").status_code == 404  # no plan yet
    plan = plan_create(actor=world.principal_a, cycle=cycle)
    criterion = Criterion.objects.get(version=cycle.framework, code="1.6")
    line_create(
        actor=world.principal_a,
        plan=plan,
        criterion=criterion,
        target="Khai thác hiệu quả trang thông tin điện tử",
        tasks=["Cập nhật chuyên mục", "Tập huấn"],
        lead="Hiệu trưởng",
        collaborators="Tổ truyền thông",
        starts_on=date(2020, 10, 1),
        due_on=date(2021, 5, 1),
    )
    body = client.get(f"/api/v1/cycles/{cycle.pk}/improvement-plan").json()
    assert body["status"] == "draft" and body["uncovered_weaknesses"] == []
    [line] = body["lines"]
    assert line["subject"] == "1.6" and line["owners"] == "Hiệu trưởng - Tổ truyền thông"
    assert line["time"] == "Tháng 10/2020 và hoàn thành tháng 5/2021" and line["due_on"] == "2021-05-31"
    assert line["status"] == "not_started" and line["overdue"] is True
    client.force_login(world.principal_b)
    assert client.get(f"/api/v1/cycles/{cycle.pk}/improvement-plan").status_code == 404


def test_annual_plan_with_computed_progress(client, world):
    from datetime import date

    from kiemdinh.planning import services as svc
    from kiemdinh.planning.tests.helpers import make_plan, percent_goal, recognise

    plan = make_plan(world)
    svc.target_add(
        actor=None,
        plan=plan,
        school=world.school_a,
        data=svc.TargetInput(accreditation_grade=2, national_standard_level=1),
    )
    percent_goal(plan, world)
    svc.task_save(
        actor=None, plan=plan, data=svc.TaskInput(agency="Phòng TN&MT", content="Giao đất", deadline="quý II năm 2024")
    )
    recognise(world, world.school_a, decided_on=date(2024, 3, 1))
    client.force_login(world.officer_district)
    body = client.get(f"/api/v1/plans/{plan.pk}").json()
    assert body["number"] == "20/KH-UBND" and body["targets"][0]["target"] == "CĐ2-MĐ1"
    assert body["goals"][0] == {
        "text": "100% trường được công nhận đạt kiểm định",
        "metric": "accredited",
        "measure": "percent",
        "target_value": 100.0,
        "value": 50.0,
        "achieved": 1,
        "total": 2,
        "met": False,
    }
    assert body["tasks"][0]["deadline"] == "quý II năm 2024" and body["tasks"][0]["due_on"] == "2024-06-30"
    client.force_login(world.officer_other_province)
    assert client.get(f"/api/v1/plans/{plan.pk}").status_code == 404
