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
