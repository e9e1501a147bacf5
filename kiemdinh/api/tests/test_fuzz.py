"""Property-based fuzzing of the JSON API with Schemathesis: every operation of /api/v1/openapi.json, with valid and
invalid inputs, anonymously and as a district officer, must never answer with a server error (5xx).

The requests go through Django's real WSGI handler (middleware included) inside the test's transaction; bounded and
derandomized so the run is quick and repeatable."""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from kiemdinh.improvement import services as improvement
from kiemdinh.planning.tests.helpers import make_plan
from kiemdinh.workflow.services import cycle_open

pytestmark = pytest.mark.django_db

CSRF_TOKEN = get_random_string(32)

# Loaded at collection (the schema endpoint needs no database), so each operation is its own test item.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
bounded = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
# Ids of the rows the test builds, by path parameter; random integers alone would almost never name one.
existing_ids: dict[str, list[int]] = {}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Most generated ids are swapped for ids of real rows, so the happy paths are fuzzed too."""
    if not path_parameters:
        return st.just(path_parameters)
    choices = {
        name: st.sampled_from([value, *existing_ids[name]])
        for name, value in path_parameters.items()
        if existing_ids.get(name) and isinstance(value, int)
    }
    return st.fixed_dictionaries({**{name: st.just(value) for name, value in path_parameters.items()}, **choices})


@pytest.fixture(autouse=True)
def _data_and_open_connection(world, frameworks_loaded):
    cycle = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2025-2026")
    improvement.plan_create(actor=world.principal_a, cycle=cycle)
    existing_ids.update(
        school_id=[world.school_a.pk, world.school_b.pk],
        unit_id=[world.district.pk, world.commune_a.pk],
        cycle_id=[cycle.pk],
        plan_id=[make_plan(world).pk],
    )
    # A WSGI server closes the database connection at the end of each request; within the test transaction that would
    # end it, so (as Django's test client does) the requests keep the connection open here.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    existing_ids.clear()


@pytest.fixture
def officer(world, client):
    """Cookies and headers of a signed-in district officer, with a CSRF token so PATCH is really tried (not only
    refused by the CSRF check)."""
    client.force_login(world.officer_district)
    return {
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF_TOKEN},
        "headers": {"X-CSRFToken": CSRF_TOKEN},
    }


@schema.parametrize()
@bounded
def test_anonymous_caller_never_gets_a_server_error(case):
    case.call_and_validate(checks=[not_a_server_error])


@schema.parametrize()
@bounded
def test_signed_in_officer_never_gets_a_server_error(case, officer):
    case.call_and_validate(cookies=officer["cookies"], headers=officer["headers"], checks=[not_a_server_error])


# Inputs the fuzzer (or a run of it on PostgreSQL) turned into server errors, kept as plain regression tests.
@pytest.mark.parametrize(
    "body",
    [{"phone": None}, {"address": None}, {"name": None}, {"ownership": None}, {"phone": "x" * 41}, {"name": "a\x00"}],
)
def test_school_patch_refuses_null_or_oversized_text(client, world, body):
    client.force_login(world.officer_district)
    url = f"/api/v1/schools/{world.school_a.pk}"
    response = client.patch(url, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert (
        client.patch(url, data='{"phone": "", "founded_year": null}', content_type="application/json").status_code
        == 200
    )


@pytest.mark.parametrize(
    ("url", "status"),
    [("/api/v1/frameworks/a%00b", 404), ("/api/v1/schools?q=a%00b", 422), ("/api/v1/cycles?status=a%00b", 422)],
)
def test_nul_characters_are_refused_before_the_database(client, world, url, status):
    client.force_login(world.officer_district)
    assert client.get(url).status_code == status
