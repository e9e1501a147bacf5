"""The home page's unit cards: counts per unit, in queries that do not grow with the number of units."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kiemdinh.units.services import school_create, unit_create


def _home(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("workspace:home"))
    assert response.status_code == 200
    return response.content.decode(), len(ctx)


def test_admin_home_counts_each_province_in_constant_queries(client, world):
    client.force_login(world.admin)
    _, before = _home(client)
    for p in range(3):
        province = unit_create(actor=None, code=f"QX{p}", name=f"Tỉnh Thử {p}", kind="province")
        commune = unit_create(actor=None, code=f"QX{p}-C", name=f"Xã Thử {p}", kind="commune", parent=province)
        for s in range(p + 1):
            school_create(actor=None, code=f"QX{p}-{s}", name=f"Trường Mầm non {p}.{s}", school_type="MN", unit=commune)
    page, after = _home(client)
    assert after == before
    # Each card counts its own schools and sub-units only (a province's path is a prefix of no other's).
    cards = {c.split("</a></h3>")[0].rsplit(">", 1)[-1]: c for c in page.split('data-testid="unit-card"')[1:]}
    for p in range(3):
        card = cards[f"Tỉnh Thử {p}"]
        assert f'<div class="stat">{p + 1}</div>' in card, card
        assert f"Trường mầm non: {p + 1}" in card and "1 đơn vị trực thuộc" in card
