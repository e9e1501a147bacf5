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


def _document(prefix, **fields):
    data = {
        f"{prefix}-effective_on": "2025-07-01",
        f"{prefix}-decision_number": "1675/NQ-UBTVQH15 (minh họa)",
        f"{prefix}-decision_date": "2025-06-16",
        f"{prefix}-decision_body": "Ủy ban Thường vụ Quốc hội",
    }
    data.update({f"{prefix}-{k}": (v.pk if hasattr(v, "pk") else v) for k, v in fields.items()})
    return data


def test_an_officer_above_records_changes_from_the_unit_page(world, client):
    commune_a = world.school_a.unit
    client.force_login(world.officer_province)
    page = client.get(reverse("units:detail", args=[commune_a.pk])).content.decode()
    assert 'data-testid="unit-change-forms"' in page and "Chưa ghi thay đổi nào" in page
    done = client.post(
        reverse("units:change_rename", args=[commune_a.pk]), _document("ten", name="Phường An Bình"), follow=True
    ).content.decode()
    assert "Đã ghi đổi tên “Xã An Bình” thành “Phường An Bình”" in done
    assert "1675/NQ-UBTVQH15 (minh họa) ngày 16/06/2025 của Ủy ban Thường vụ Quốc hội" in done
    client.post(
        reverse("units:change_move", args=[commune_a.pk]), _document("chuyen", parent=world.province), follow=True
    )
    commune_a.refresh_from_db()
    assert commune_a.name == "Phường An Bình" and commune_a.parent == world.province
    moved = client.post(
        reverse("units:change_school_move", args=[commune_a.pk]),
        _document("truong", school=world.school_a, unit=world.school_b.unit),
        follow=True,
    ).content.decode()
    assert "Đã ghi chuyển Trường Tiểu học An Bình về Xã Bình Minh" in moved
    # The successor's page lists what moved to it.
    history = client.get(reverse("units:detail", args=[world.school_b.unit.pk])).content.decode()
    assert "Trường Tiểu học An Bình: chuyển từ Phường An Bình về Xã Bình Minh" in history


def test_without_a_document_or_from_the_unit_itself_nothing_changes(world, client):
    commune_a = world.school_a.unit
    client.force_login(world.officer_province)
    no_doc = client.post(
        reverse("units:change_rename", args=[commune_a.pk]), {"ten-name": "Tên Khác"}, follow=True
    ).content.decode()
    assert "Số văn bản quyết định" in no_doc and "Hãy nhập ngày" in no_doc
    client.force_login(world.officer_commune_a)
    assert (
        'data-testid="unit-change-forms"'
        not in client.get(reverse("units:detail", args=[commune_a.pk])).content.decode()
    )
    refused = client.post(reverse("units:change_rename", args=[commune_a.pk]), _document("ten", name="Tự Đổi"))
    assert refused.status_code == 403
    commune_a.refresh_from_db()
    assert commune_a.name == "Xã An Bình" and not UnitChange.objects.exists()


def test_a_document_of_a_date_names_the_unit_of_that_date(world):
    from kiemdinh.units.selectors import school_units_on

    commune_a = world.school_a.unit
    school_move(actor=None, school=world.school_a, unit=world.school_b.unit, on=REFORM, document=DOC)
    unit_rename(actor=None, unit=commune_a, name="Xã An Bình Mới", on=date(2026, 1, 1), document=DOC)
    then = school_units_on([world.school_a, world.school_b], date(2024, 9, 5))
    assert then == {world.school_a.pk: "Xã An Bình", world.school_b.pk: "Xã Bình Minh"}
    assert school_units_on([world.school_a], date(2025, 9, 5)) == {world.school_a.pk: "Xã Bình Minh"}
