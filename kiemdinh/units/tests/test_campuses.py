"""Schools that merge, and their sites (issue #21 §3): sites with address, classes and pupils summed for the school; a
merger recorded with its document, the merged school going on as a site and its records readable under the new one;
old codes still finding it; a predecessor's recognition shown without inventing a rule."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kiemdinh.core.models import AuditEvent
from kiemdinh.recognition.services import DecisionInput, decision_record
from kiemdinh.units.models import Campus, CampusKind, School, SchoolMerger
from kiemdinh.units.selectors import MERGED_RECOGNITION_NOTE, school_by_code_or_name
from kiemdinh.units.services import DecidingDocument, school_create
from kiemdinh.units.services.campuses import CampusInput, campus_delete, campus_save, school_merge

pytestmark = pytest.mark.django_db

ON = date(2026, 8, 15)
DOC = DecidingDocument("15/QĐ-UBND", date(2026, 8, 10), "Ủy ban nhân dân xã An Bình")


def _neighbour(world):
    return school_create(
        actor=None, code="TH-A2", name="Trường Tiểu học An Bình 2", school_type="TH", unit=world.school_a.unit,
        address="Thôn Đông",
    )  # fmt: skip


def test_sites_are_kept_with_one_main_site_and_summed(world, client):
    school = world.school_a
    main = campus_save(
        actor=world.principal_a, school=school, data=CampusInput("Điểm chính", CampusKind.MAIN, "", 320, 12)
    )
    site = campus_save(
        actor=world.principal_a, school=school, data=CampusInput("Điểm lẻ thôn Tây", pupils=45, classes=3)
    )
    with pytest.raises(ValidationError, match="đã có điểm trường"):
        campus_save(actor=world.principal_a, school=school, data=CampusInput("Điểm lẻ thôn Tây"))
    with pytest.raises(ValidationError):
        campus_save(actor=world.principal_a, school=school, data=CampusInput("  ", pupils=-1))
    # naming another main site makes the old one a site
    campus_save(
        actor=world.principal_a,
        school=school,
        data=CampusInput("Điểm lẻ thôn Tây", CampusKind.MAIN, "", 45, 3),
        campus=site,
    )
    main.refresh_from_db()
    assert main.kind == CampusKind.SITE and Campus.objects.filter(school=school, kind=CampusKind.MAIN).count() == 1
    assert AuditEvent.objects.filter(event_type="campus.saved").count() == 3
    client.force_login(world.member_a)
    page = client.get(reverse("units:campuses", args=[school.pk])).content.decode()
    assert "data-pupils-total" not in page and ">365<" in page and ">15<" in page
    assert "Thêm điểm trường" not in page  # a council member reads, the principal writes
    campus_delete(actor=world.principal_a, campus=main)
    assert list(school.campuses.values_list("name", flat=True)) == ["Điểm lẻ thôn Tây"]  # fmt: skip


def test_the_principal_adds_a_site_from_the_page_and_a_bad_number_changes_nothing(world, client):
    client.force_login(world.principal_a)
    url = reverse("units:campus_add", args=[world.school_a.pk])
    done = client.post(url, {"moi-name": "Phân hiệu Bắc", "moi-kind": "branch", "moi-pupils": "60"}, follow=True)
    assert "Đã ghi điểm trường “Phân hiệu Bắc”" in done.content.decode()
    bad = client.post(url, {"moi-name": "Điểm khác", "moi-kind": "site", "moi-pupils": "abc"}, follow=True)
    assert "Số học sinh" in bad.content.decode()
    assert list(world.school_a.campuses.values_list("name", "kind", "pupils")) == [("Phân hiệu Bắc", "branch", 60)]
    client.force_login(world.principal_b)
    assert client.post(url, {"moi-name": "Xâm nhập", "moi-kind": "site"}).status_code == 404


def test_a_merger_keeps_the_merged_school_as_a_site_and_its_records_readable(world, client):
    neighbour = _neighbour(world)
    decision_record(
        actor=None, school=neighbour,
        data=DecisionInput(kind="national_standard", level=1, decided_on=date(2023, 5, 2), number="88/QĐ-UBND",
                           issuer="Ủy ban nhân dân tỉnh Thử Nghiệm"),
    )  # fmt: skip
    [row] = school_merge(actor=None, predecessors=[neighbour], successor=world.school_a, on=ON, document=DOC)
    neighbour.refresh_from_db()
    world.school_a.refresh_from_db()
    assert not neighbour.is_active and row.successor == world.school_a and row.decision_number == "15/QĐ-UBND"
    sites = {c.name: c for c in world.school_a.campuses.all()}
    assert sites[world.school_a.name].kind == CampusKind.MAIN
    assert sites[neighbour.name].predecessor == neighbour and sites[neighbour.name].address == "Thôn Đông"
    assert world.school_a.former_names == "TH-A2 Trường Tiểu học An Bình 2"
    # the old code still finds the merged school in searches; the code itself names the old school
    assert School.objects.filter(search_text__contains="th-a2").filter(is_active=True).get() == world.school_a
    assert school_by_code_or_name("TH-A2") == neighbour
    with pytest.raises(ValidationError, match="không xóa được"):
        campus_delete(actor=None, campus=sites[neighbour.name])

    client.force_login(world.principal_a)
    page = client.get(reverse("workspace:school", args=[world.school_a.pk])).content.decode()
    assert 'data-testid="predecessors"' in page and "Trường Tiểu học An Bình 2" in page and "88/QĐ-UBND" in page
    assert MERGED_RECOGNITION_NOTE in page.replace("&quot;", '"')
    # the successor's principal reads the merged school's page; its own people and outsiders are unchanged
    old = client.get(reverse("workspace:school", args=[neighbour.pk])).content.decode()
    assert 'data-testid="merged-into"' in old and "Bộ tiêu chuẩn áp dụng hiện nay" not in old
    client.force_login(world.principal_b)
    assert client.get(reverse("workspace:school", args=[neighbour.pk])).status_code == 404
    public = client.get(reverse("public:school", args=["TH-A2"])).content.decode()
    assert "Trường đã sáp nhập vào" in public and world.school_a.name in public


def test_a_merger_is_refused_whole_when_anything_is_wrong(world):
    neighbour = _neighbour(world)
    with pytest.raises(ValidationError, match="số, ngày"):
        school_merge(actor=None, predecessors=[neighbour], successor=world.school_a, on=ON,
                     document=DecidingDocument("", ON, ""))  # fmt: skip
    with pytest.raises(ValidationError, match="không thể là trường được sáp nhập"):
        school_merge(
            actor=None, predecessors=[neighbour, world.school_a], successor=world.school_a, on=ON, document=DOC
        )
    assert not SchoolMerger.objects.exists() and not Campus.objects.exists()
    neighbour.refresh_from_db()
    assert neighbour.is_active
    school_merge(actor=None, predecessors=[neighbour], successor=world.school_a, on=ON, document=DOC)
    with pytest.raises(ValidationError, match="đã sáp nhập vào"):
        school_merge(actor=None, predecessors=[neighbour], successor=world.school_b, on=ON, document=DOC)


def test_the_officer_records_a_merger_from_the_page_the_principal_may_not(world, client):
    neighbour = _neighbour(world)
    url = reverse("units:school_merge", args=[world.school_a.pk])
    data = {"sap-nhap-predecessors": [neighbour.pk], "sap-nhap-effective_on": "15/08/2026",
            "sap-nhap-decision_number": "15/QĐ-UBND", "sap-nhap-decision_date": "10/08/2026",
            "sap-nhap-decision_body": "Ủy ban nhân dân xã An Bình"}  # fmt: skip
    client.force_login(world.principal_a)
    assert (
        'data-testid="merge-form"'
        not in client.get(reverse("units:campuses", args=[world.school_a.pk])).content.decode()
    )
    assert client.post(url, data).status_code == 403
    client.force_login(world.officer_commune_a)
    page = client.get(reverse("units:campuses", args=[world.school_a.pk])).content.decode()
    assert 'data-testid="merge-form"' in page and neighbour.name in page
    done = client.post(url, data, follow=True).content.decode()
    assert f"Đã ghi sáp nhập {neighbour.name} vào {world.school_a.name} từ ngày 15/08/2026" in done
    assert SchoolMerger.objects.get().predecessor == neighbour


def test_the_report_names_the_former_school_and_each_site(world, cycle):
    from kiemdinh.documents.report.context import build_report

    before = dict(build_report(cycle).school_facts)
    assert "Số điểm trường" not in before and "Tên trước đây" not in before
    neighbour = _neighbour(world)
    school_merge(actor=None, predecessors=[neighbour], successor=world.school_a, on=ON, document=DOC)
    main = world.school_a.campuses.get(kind=CampusKind.MAIN)
    campus_save(actor=None, school=world.school_a, campus=main,
                data=CampusInput(main.name, CampusKind.MAIN, "Thôn Trung", 300, 10))  # fmt: skip
    facts = dict(build_report(cycle).school_facts)
    assert facts["Tên trước đây"] == "TH-A2 Trường Tiểu học An Bình 2"
    assert facts["Số điểm trường"] == "2"
    assert facts[f"– {world.school_a.name}"] == "Điểm trường chính, Thôn Trung; 10 lớp, 300 học sinh"
    assert facts["– Trường Tiểu học An Bình 2"] == "Điểm trường lẻ, Thôn Đông"
