"""Integers beyond what the database holds, in any parameter or body field of /api/v1, are refused as bad input (422),
never a server error. The operations, their parameters and body fields are read from the OpenAPI schema, so a new
endpoint is covered as soon as it exists."""

import json

import pytest

from kiemdinh.api.v1 import api

pytestmark = pytest.mark.django_db

HUGE = [2**64, 2**63, -(2**63) - 1, -(2**64), 10**40]


def _integer(schema: dict) -> bool:
    return schema.get("type") == "integer" or any(s.get("type") == "integer" for s in schema.get("anyOf", []))


def _cases():
    spec = api.get_openapi_schema(path_prefix="/api/v1")
    components = spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            parameters = operation.get("parameters", [])
            body_ref = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            body = components[body_ref["$ref"].rsplit("/", 1)[1]] if body_ref else {}
            targets = [(p["in"], p["name"]) for p in parameters if _integer(p["schema"])]
            targets += [("body", name) for name, schema in body.get("properties", {}).items() if _integer(schema)]
            for where, name in targets:
                yield pytest.param(method, path, parameters, where, name, id=f"{method} {path} {where}:{name}")


CASES = list(_cases())


def test_the_walk_finds_the_integer_inputs():
    names = {case.values[4] for case in CASES}
    assert {"offset", "limit", "unit", "school_id", "cycle_id", "plan_id", "unit_id", "founded_year"} <= names


@pytest.mark.parametrize(("method", "path", "parameters", "where", "name"), CASES)
def test_integers_beyond_64_bits_are_refused_with_422(client, world, method, path, parameters, where, name):
    client.force_login(world.officer_district)
    # Valid values for the other parameters (the one under test is refused before any row is looked up).
    valid = {"school_id": world.school_a.pk, "unit_id": world.district.pk, "cycle_id": 1, "plan_id": 1}
    for value in HUGE:
        url, query, body = path, {}, {}
        for p in parameters:
            given = value if (p["in"], p["name"]) == (where, name) else valid.get(p["name"])
            if p["in"] == "path":
                url = url.replace("{" + p["name"] + "}", str(given))
            elif given is not None and (p["in"], p["name"]) == (where, name):
                query[p["name"]] = given
        if where == "body":
            body[name] = value
        call = getattr(client, method)
        if method == "get":
            response = call(url, query)
        else:
            response = call(
                url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""),
                data=json.dumps(body),
                content_type="application/json",
            )
        assert response.status_code == 422, (url, query, body, response.status_code, response.content[:300])
        assert "errors" in response.json() or "detail" in response.json()


def test_the_refusal_names_the_parameter_in_vietnamese(client, world):
    client.force_login(world.officer_district)
    body = client.get("/api/v1/schools", {"offset": 2**64}).json()
    assert body["detail"] == "Dữ liệu không hợp lệ."
    assert body["errors"] == {"offset": ["Phải nhỏ hơn hoặc bằng 2147483647."]}
    body = client.get("/api/v1/cycles", {"school_id": "abc"}).json()
    assert body["errors"] == {"school_id": ["Phải là một số nguyên."]}
    body = client.patch(
        f"/api/v1/schools/{world.school_a.pk}", data='{"founded_year": 9999}', content_type="application/json"
    ).json()
    assert body["errors"] == {"founded_year": ["Năm thành lập không được ở tương lai."]}
