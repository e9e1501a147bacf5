"""Units that change, with history (issue #21 §2): dated changes with their deciding document, scopes following
today's tree, and the tree of any date (`units --on DATE --json`)."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from kiemdinh.core.models import AuditEvent
from kiemdinh.units.models import UnitChange, UnitKind
from kiemdinh.units.selectors import name_on, tree_on
from kiemdinh.units.services import DecidingDocument, school_move, unit_create, unit_dissolve, unit_move, unit_rename

pytestmark = pytest.mark.django_db

REFORM = date(2025, 7, 1)
DOC = DecidingDocument("1680/NQ-UBTVQH15", date(2025, 6, 16), "Ủy ban Thường vụ Quốc hội")


def _by_code(tree):
    return {u["code"]: u for u in tree}


def test_the_reform_dissolves_the_district_and_the_tree_of_each_date_is_kept(world, client):
    district, commune_a, commune_b = world.school_a.unit.parent, world.school_a.unit, world.school_b.unit
    new_ward = unit_create(
        actor=None, code="P01-NEW", name="Phường Mới (minh họa)", kind=UnitKind.COMMUNE, parent=world.province,
        established_on=REFORM,
    )  # fmt: skip
    unit_dissolve(actor=None, unit=district, on=REFORM, document=DOC, successor=world.province)
    # Commune B (moved under the province with the district's dissolution) merges into the new ward.
    unit_dissolve(
        actor=None, unit=commune_b, on=REFORM, document=DOC, successor=commune_a,
        successors={world.school_b: new_ward},  # a named successor per school or commune (a split)
    )  # fmt: skip
    unit_rename(actor=None, unit=world.province, name="Thành phố Thử Nghiệm", on=date(2025, 1, 1), document=DOC)

    commune_a.refresh_from_db()
    assert commune_a.parent == world.province and commune_a.path == f"{world.province.path}{commune_a.code}/"
    world.school_b.refresh_from_db()
    assert world.school_b.unit == new_ward

    before, after = _by_code(tree_on(date(2024, 9, 5))), _by_code(tree_on(date(2026, 1, 1)))
    assert before[district.code]["parent"] == world.province.code and before[commune_a.code]["parent"] == district.code
    assert before[world.province.code]["name"] == "Tỉnh Thử Nghiệm" and "P01-NEW" not in before
    assert [s["code"] for s in before[commune_b.code]["schools"]] == [world.school_b.code]
    assert district.code not in after and commune_b.code not in after
    assert after[commune_a.code]["parent"] == world.province.code
    assert after[world.province.code]["name"] == "Thành phố Thử Nghiệm"
    assert [s["code"] for s in after["P01-NEW"]["schools"]] == [world.school_b.code]
    assert name_on(world.province, date(2024, 12, 31)) == "Tỉnh Thử Nghiệm"

    change = UnitChange.objects.get(kind="dissolve", unit=district)
    assert (change.decision_number, change.decision_body) == ("1680/NQ-UBTVQH15", "Ủy ban Thường vụ Quốc hội")
    assert AuditEvent.objects.filter(event_type="unit.dissolved").count() == 2

    # Scopes follow today's tree: the province's officer reaches school A's page; the dissolved district's does not.
    client.force_login(world.officer_district)
    assert client.get(reverse("workspace:school", args=[world.school_a.pk])).status_code in (403, 404)
    client.force_login(world.officer_province)
    assert client.get(reverse("workspace:school", args=[world.school_a.pk])).status_code == 200

    out = StringIO()
    call_command("units", "--on", "2024-09-05", "--json", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed["on"] == "2024-09-05" and _by_code(printed["units"])[district.code]["kind"] == "district"


def test_a_change_needs_its_document_and_a_sensible_target(world):
    commune_a = world.school_a.unit
    with pytest.raises(ValidationError, match="số, ngày và cơ quan"):
        unit_rename(actor=None, unit=commune_a, name="Xã Khác", on=REFORM, document=DecidingDocument("", REFORM, ""))
    with pytest.raises(ValidationError):
        unit_move(actor=None, unit=world.province, parent=commune_a, on=REFORM, document=DOC)
    with pytest.raises(ValidationError, match="đã thuộc"):
        school_move(actor=None, school=world.school_a, unit=commune_a, on=REFORM, document=DOC)
    assert not UnitChange.objects.exists()


def test_the_command_refuses_a_bad_date(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="không hợp lệ"):
        call_command("units", "--on", "07/01/2025")
