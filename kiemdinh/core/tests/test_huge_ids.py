"""Every page and action of the site, given an id beyond 64 bits in its address or in a query parameter, answers
404 (or refuses the input): never a server error. The URL patterns are enumerated from the resolver (as the access
matrix does), so a new page is covered at once.

Each integer of a route is replaced in turn by 2**64, the others being ids of real rows where the test world has one,
so a view gets past its first lookup; GET and POST, as an officer above school A and as its principal."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from kiemdinh.core.tests.test_access_matrix import skip_reason, url_patterns
from kiemdinh.workflow.services import cycle_open

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def setting(module_world, django_db_blocker):
    """School A's 2024-2025 cycle (inside module_world's transaction, rolled back at the module's end)."""
    world = module_world
    with django_db_blocker.unblock():
        cycle = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2024-2025")
    return SimpleNamespace(world=world, cycle=cycle)


HUGE = 2**64
TEXT_VALUES = {"code": "1.1", "fmt": "docx", "direction": "down", "kind": "truong"}
QUERY = {name: str(HUGE) for name in ("truong", "trang", "id", "tc", "muc4", "criterion", "loai", "nam", "q")}


def _routes():
    for pattern in url_patterns():
        if skip_reason(pattern.name) or pattern.name.startswith(("admin:", "public:")):
            continue
        yield pattern


PATTERNS = list(_routes())


def test_the_walk_finds_the_routes_with_ids():
    assert len([p for p in PATTERNS if p.kwargs]) > 150


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.name)
def test_an_id_beyond_64_bits_is_not_a_server_error(client, setting, pattern):
    world, cycle = setting.world, setting.cycle
    real = {"cycle_id": cycle.pk, "school_id": world.school_a.pk, "unit_id": world.commune_a.pk}
    ints = [
        k for k in pattern.kwargs if k not in TEXT_VALUES and not (pattern.name == "documents:cycle" and k == "kind")
    ]
    for user in (world.officer_district, world.principal_a):
        client.force_login(user)
        for target in ints or [None]:
            values = {k: (HUGE if k == target else real.get(k, 1)) for k in ints}
            values.update({k: v for k, v in TEXT_VALUES.items() if k in pattern.kwargs and k not in ints})
            if pattern.name.startswith("documents:") and "kind" in pattern.kwargs:
                values["kind"] = "report"
            if pattern.name.startswith(("frameworks:", "api:framework")) and "code" in pattern.kwargs:
                values["code"] = "tt17-2018"
            url = reverse(pattern.name, kwargs=values)
            for response in (
                client.get(url, QUERY),
                client.post(url + "?" + "&".join(f"{k}={v}" for k, v in QUERY.items()), QUERY),
            ):
                assert response.status_code < 500, (url, response.status_code)
