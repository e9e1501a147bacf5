"""Units with history, read by date (issue #21 §2): a unit established or merged with its document, the office renamed
with the unit, documents and plans that keep the tree of their date, and where a dissolved unit's schools went."""

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kiemdinh.recognition.models import Decision
from kiemdinh.units.models import AdministrativeUnit, ChangeKind, UnitChange, UnitKind
from kiemdinh.units.selectors import TreeOn, school_under, schools_under_on, successors_of, unit_on
from kiemdinh.units.services import (
    DecidingDocument,
    school_move,
    unit_dissolve,
    unit_establish,
    unit_merge,
    unit_rename,
)

pytestmark = pytest.mark.django_db

REFORM = date(2025, 7, 1)
DOC = DecidingDocument("1680/NQ-UBTVQH15", date(2025, 6, 16), "Ủy ban Thường vụ Quốc hội")


def _merge(world, **extra):
    commune_a, commune_b = world.school_a.unit, world.school_b.unit
    return unit_merge(
        actor=None, units=[commune_a, commune_b], code="P01-AB", name="Phường An Bình Minh", on=REFORM, document=DOC,
        **extra,
    )  # fmt: skip


def test_a_merge_establishes_the_new_unit_and_dissolves_the_merged_ones_into_it(world):
    commune_a, commune_b = world.school_a.unit, world.school_b.unit
    merged = _merge(world, note="Trên cơ sở: An Bình, Bình Minh.")
    assert (merged.established_on, merged.parent, merged.kind) == (REFORM, commune_a.parent, UnitKind.COMMUNE)
    established = UnitChange.objects.get(kind=ChangeKind.ESTABLISH, unit=merged)
    assert (established.decision_number, established.note) == ("1680/NQ-UBTVQH15", "Trên cơ sở: An Bình, Bình Minh.")
    for old in (commune_a, commune_b):
        old.refresh_from_db()
        assert old.dissolved_on == REFORM
        assert UnitChange.objects.get(kind=ChangeKind.DISSOLVE, unit=old).successor == merged
    world.school_a.refresh_from_db()
    world.school_b.refresh_from_db()
    assert world.school_a.unit == merged and world.school_b.unit == merged
    # before the merge the two communes, after it the ward; each dissolved commune says where its school went
    assert school_under(world.school_a, commune_a, date(2025, 6, 30)) and not school_under(world.school_a, commune_a)
    assert successors_of(commune_a) == [merged]
    assert set(schools_under_on(commune_b, date(2024, 9, 5))) == {world.school_b}
    assert set(schools_under_on(commune_b, None)) == set()


def test_a_merge_needs_units_of_one_parent_and_level_and_changes_nothing_otherwise(world):
    with pytest.raises(ValidationError, match="ít nhất hai"):
        unit_merge(actor=None, units=[world.school_a.unit], code="X", name="X", on=REFORM, document=DOC)
    district = world.school_a.unit.parent
    with pytest.raises(ValidationError, match="cùng cấp"):
        unit_merge(actor=None, units=[world.school_a.unit, district], code="X", name="X", on=REFORM, document=DOC)
    assert not UnitChange.objects.exists() and not AdministrativeUnit.objects.filter(code="X").exists()


def test_the_office_is_renamed_with_the_unit_and_read_as_it_was(world):
    province = world.province
    province.education_office = "Sở Giáo dục và Đào tạo tỉnh Thử Nghiệm"
    province.save()
    unit_rename(
        actor=None, unit=province, name="Thành phố Thử Nghiệm", on=date(2025, 1, 1), document=DOC,
        education_office="Sở Giáo dục và Đào tạo thành phố Thử Nghiệm",
    )  # fmt: skip
    then, now = unit_on(province, date(2024, 12, 31)), unit_on(province, date(2025, 1, 1))
    assert (then.name, then.office) == ("Tỉnh Thử Nghiệm", "Sở Giáo dục và Đào tạo tỉnh Thử Nghiệm")
    assert (now.name, now.office) == ("Thành phố Thử Nghiệm", "Sở Giáo dục và Đào tạo thành phố Thử Nghiệm")
    # the same name again with a new office is a change too; nothing new is refused
    with pytest.raises(ValidationError, match="trùng"):
        unit_rename(actor=None, unit=province, name="Thành phố Thử Nghiệm", on=REFORM, document=DOC)


def test_the_tree_of_a_date_gives_each_school_its_chain_then(world, django_assert_max_num_queries):
    district, commune_a = world.school_a.unit.parent, world.school_a.unit
    unit_dissolve(actor=None, unit=district, on=REFORM, document=DOC, successor=world.province)
    school_move(actor=None, school=world.school_b, unit=commune_a, on=date(2026, 1, 1), document=DOC)
    world.school_b.refresh_from_db()
    with django_assert_max_num_queries(4):
        tree = TreeOn(date(2024, 9, 5))
        chains = tree.school_chains([world.school_a, world.school_b])
    assert [u.name for u in chains[world.school_a.pk]] == ["Tỉnh Thử Nghiệm", district.name, "Xã An Bình"]
    assert [u.name for u in chains[world.school_b.pk]] == ["Tỉnh Thử Nghiệm", district.name, "Xã Bình Minh"]
    today = TreeOn(date(2026, 6, 1)).school_chains([world.school_b])[world.school_b.pk]
    assert [u.name for u in today] == ["Tỉnh Thử Nghiệm", "Xã An Bình"]


def test_a_2019_decision_prints_the_province_and_district_of_2019(world):
    from kiemdinh.documents.decision import decision_context
    from kiemdinh.recognition.services import DecisionInput, decision_record

    decision = decision_record(
        actor=None, school=world.school_a,
        data=DecisionInput(kind="accreditation", level=2, decided_on=date(2019, 3, 1), issuer="Sở Giáo dục và Đào tạo tỉnh Thử Nghiệm", number="12/QĐ-SGDĐT"),
    )  # fmt: skip
    district = world.school_a.unit.parent
    unit_dissolve(actor=None, unit=district, on=REFORM, document=DOC, successor=world.province)
    unit_rename(actor=None, unit=world.province, name="Thành phố Thử Nghiệm", on=date(2025, 1, 1), document=DOC)
    text = decision_context([Decision.objects.get(pk=decision.pk)]).decisions[0]
    assert f"(Xã An Bình, {district.name}, Tỉnh Thử Nghiệm)" in text.article1
    assert text.place_date.startswith("Thử Nghiệm, ngày 01 tháng 3 năm 2019")
    assert "Thành phố" not in text.authority


def test_the_sos_officer_establishes_and_merges_communes_from_the_pages(world, client):
    province, district = world.province, world.school_a.unit.parent
    client.force_login(world.officer_province)
    page = client.get(reverse("units:detail", args=[district.pk])).content.decode()
    assert "Thành lập đơn vị trực thuộc" in page and "Sáp nhập các đơn vị trực thuộc thành đơn vị mới" in page
    document = {"effective_on": "01/07/2025", "decision_number": "1680/NQ-UBTVQH15", "decision_date": "16/06/2025",
                "decision_body": "Ủy ban Thường vụ Quốc hội"}  # fmt: skip
    data = {f"sap-nhap-{k}": v for k, v in document.items()}
    data.update({"sap-nhap-units": [world.school_a.unit.pk, world.school_b.unit.pk], "sap-nhap-code": "P01-AB",
                 "sap-nhap-name": "Phường An Bình Minh"})  # fmt: skip
    done = client.post(reverse("units:change_merge", args=[district.pk]), data, follow=True).content.decode()
    assert "Đã ghi sáp nhập Xã An Bình, Xã Bình Minh thành Phường An Bình Minh từ ngày 01/07/2025" in done
    merged = AdministrativeUnit.objects.get(code="P01-AB")
    assert merged.parent == district and merged.established_on == REFORM
    data = {f"thanh-lap-{k}": v for k, v in document.items()}
    data.update({"thanh-lap-code": "P01-NEW", "thanh-lap-name": "xã Mới", "thanh-lap-kind": UnitKind.COMMUNE})
    first = client.post(reverse("units:change_establish", args=[province.pk]), data, follow=True).content.decode()
    assert "Đã ghi thành lập xã Mới trực thuộc Tỉnh Thử Nghiệm từ ngày 01/07/2025." in first
    assert AdministrativeUnit.objects.get(code="P01-NEW").parent == province
    # a taken code changes nothing and says why (another name: the same form twice is a double click, answered once)
    data["thanh-lap-name"] = "xã Mới Khác"
    again = client.post(reverse("units:change_establish", args=[province.pk]), data, follow=True).content.decode()
    assert "đã tồn tại" in again, re.findall(r"msg-[a-z]+\">([^<]*)", again)
    assert AdministrativeUnit.objects.filter(code="P01-NEW").count() == 1
    # the dissolved commune's page says where its school went
    old = client.get(reverse("units:detail", args=[world.school_a.unit.pk])).content.decode()
    assert 'data-testid="successors"' in old and "Phường An Bình Minh" in old


def test_a_commune_officer_may_not_establish_or_merge_and_a_commune_has_no_such_forms(world, client):
    client.force_login(world.officer_commune_a)
    commune_a = world.school_a.unit
    assert (
        "Thành lập đơn vị trực thuộc" not in client.get(reverse("units:detail", args=[commune_a.pk])).content.decode()
    )
    data = {"thanh-lap-code": "X1", "thanh-lap-name": "X", "thanh-lap-kind": UnitKind.COMMUNE}
    assert client.post(reverse("units:change_establish", args=[commune_a.pk]), data).status_code == 403
    district = commune_a.parent
    assert client.post(reverse("units:change_establish", args=[district.pk]), data).status_code in (403, 404)
    assert not AdministrativeUnit.objects.filter(code="X1").exists()


def test_a_dissolved_units_public_page_says_where_its_schools_went(world, client):
    district = world.school_a.unit.parent
    new = _merge(world)
    unit_dissolve(actor=None, unit=district, on=REFORM, document=DOC, successor=world.province)
    page = client.get(reverse("public:unit", args=[world.school_a.unit.code])).content.decode()
    assert "kết thúc hoạt động từ ngày 01/07/2025" in page and new.name in page


def test_a_dissolved_unit_is_not_renamed_moved_or_given_new_units_and_offers_no_forms(world, client):
    district = world.school_a.unit.parent
    unit_dissolve(actor=None, unit=district, on=REFORM, document=DOC, successor=world.province)
    with pytest.raises(ValidationError, match="đã giải thể"):
        unit_rename(actor=None, unit=district, name="Huyện Khác", on=date(2026, 1, 1), document=DOC)
    with pytest.raises(ValidationError, match="đã giải thể"):
        unit_establish(actor=None, code="X", name="X", kind=UnitKind.COMMUNE, parent=district, on=date(2026, 1, 1),
                       document=DOC)  # fmt: skip
    district.refresh_from_db()
    assert district.name != "Huyện Khác" and not AdministrativeUnit.objects.filter(code="X").exists()
    client.force_login(world.officer_province)
    page = client.get(reverse("units:detail", args=[district.pk])).content.decode()
    assert 'data-testid="unit-change-forms"' not in page and 'data-testid="successors"' in page


def test_after_the_reform_the_schools_and_their_new_officers_still_read_the_plan_that_listed_them(world, client):
    from kiemdinh.planning import services as plans
    from kiemdinh.planning.models import AnnualPlan
    from kiemdinh.planning.tests.helpers import make_plan

    district = world.school_a.unit.parent
    plan = make_plan(world)
    plans.target_add(actor=world.officer_district, plan=plan, school=world.school_a, data=plans.TargetInput())
    plans.plan_issue(actor=world.officer_district, plan=plan)
    unit_dissolve(actor=None, unit=district, on=REFORM, document=DOC, successor=world.province)
    url = reverse("planning:plan_detail", args=[plan.pk])
    for reader in (world.principal_a, world.officer_commune_a, world.officer_province):
        client.force_login(reader)
        assert client.get(url).status_code == 200, reader
    # the commune's officer reads it but does not change the district's plan; school B, not listed, does not see it
    client.force_login(world.officer_commune_a)
    assert client.post(reverse("planning:plan_edit", args=[plan.pk]), {"title": "Sửa"}).status_code == 403
    client.force_login(world.principal_b)
    assert client.get(url).status_code == 404
    assert AnnualPlan.objects.get(pk=plan.pk).title == "Công tác kiểm định chất lượng giáo dục năm 2024"


def test_the_establish_form_offers_only_the_levels_that_may_stand_below(world, client):
    client.force_login(world.officer_province)
    district = world.school_a.unit.parent
    province_page = client.get(reverse("units:detail", args=[world.province.pk])).content.decode()
    district_page = client.get(reverse("units:detail", args=[district.pk])).content.decode()
    assert 'name="thanh-lap-kind"' in province_page and '<option value="province"' not in province_page
    assert '<option value="district"' in province_page and '<option value="district"' not in district_page
    data = {"thanh-lap-code": "P01-X", "thanh-lap-name": "tỉnh Lạ", "thanh-lap-kind": UnitKind.PROVINCE,
            "thanh-lap-effective_on": "01/07/2025", "thanh-lap-decision_number": "1/NQ", "thanh-lap-decision_date":
            "16/06/2025", "thanh-lap-decision_body": "Ủy ban Thường vụ Quốc hội"}  # fmt: skip
    refused = client.post(reverse("units:change_establish", args=[district.pk]), data, follow=True).content.decode()
    assert "Cấp" in refused and not AdministrativeUnit.objects.filter(code="P01-X").exists()
