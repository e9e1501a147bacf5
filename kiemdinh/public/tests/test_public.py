"""The public pages: no sign-in, only what has been published. Decisions, publications and schools of the query-count
test are created directly through the ORM (their services are tested in their apps)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kiemdinh.evaluation.models import Publication
from kiemdinh.evaluation.services.publication import publication_publish
from kiemdinh.evaluation.tests.helpers import accepted_team
from kiemdinh.public.selectors import PAGE_SIZE
from kiemdinh.recognition.models import Decision
from kiemdinh.recognition.services import DecisionInput, decision_record, decision_revoke
from kiemdinh.recognition.tests.test_issuing import finalise, rate, tt17  # noqa: F401 - the fixture
from kiemdinh.units.models import School
from kiemdinh.workflow.services import cycle_open, cycle_publish

pytestmark = pytest.mark.django_db


def record(world, school, published: bool = True, **values):
    today = timezone.localdate()
    values = {"kind": "accreditation", "level": 2, "decided_on": today - timedelta(days=400), **values}
    # Entered by its issuing body (recognition.authority): province P's Sở or People's Committee, province Q's Sở.
    body = world.officer_province if values["kind"] == "accreditation" else world.officer_committee
    if school == world.school_other:
        body = world.officer_other_province
    decision = decision_record(actor=body, school=school, data=DecisionInput(**values))
    if not published:  # recorded but kept off the public pages
        Decision.objects.filter(pk=decision.pk).update(published=False)
    return decision


def test_public_pages_show_only_published_results(client, world, tt17):  # noqa: F811
    team = accepted_team(world)  # school A, cycle 2025-2026 accepted
    rate(team, 3)
    finalise(team)
    cycle_publish(actor=world.officer_district, cycle=team.registration.cycle)
    cycle_open(actor=world.principal_a, school=world.school_a, school_year="2024-2025")  # never published
    publication_publish(actor=world.officer_province, team=team, summary="Đoàn kết luận trường đạt Mức 3.")
    Publication.objects.create(school=world.school_a, summary="Bản tóm tắt đã gỡ", withdrawn_at=timezone.now())
    record(world, world.school_a, number="11/QĐ-SGDĐT", level=3)
    record(world, world.school_a, kind="national_standard", level=2, number="12/QĐ-UBND", published=False)
    revoked = record(world, world.school_b, number="21/QĐ-SGDĐT")
    decision_revoke(actor=world.officer_province, decision=revoked, revoked_on=timezone.localdate(), reason="Sai")
    record(world, world.school_b, kind="national_standard", level=1, number="22/QĐ-UBND", published=False)
    record(world, world.school_other, number="31/QĐ-SGDĐT")

    # No sign-in anywhere.
    index = client.get(reverse("public:index"))
    assert index.status_code == 200
    assert "Tỉnh Thử Nghiệm" in index.text and "Tỉnh Khác" in index.text and "Đăng xuất" not in index.text
    unit = client.get(reverse("public:unit", args=["P01"])).text
    assert "Trường Tiểu học An Bình" in unit and "Trường Mầm non Bình Minh" in unit
    assert "11/QĐ-SGDĐT" in unit and "Cấp độ 3" in unit
    for hidden in ("12/QĐ-UBND", "21/QĐ-SGDĐT", "22/QĐ-UBND", "31/QĐ-SGDĐT", "Trường THCS Hòa Hải"):
        assert hidden not in unit, hidden
    assert "2 trường</span>" in unit and "1 trường đạt kiểm định" in unit and "0 trường đạt chuẩn quốc gia" in unit
    assert "Huyện Đông Sơn" in unit  # the unit below, to drill down
    searched = client.get(reverse("public:unit", args=["P01"]), {"q": "binh minh"}).text
    assert "Trường Mầm non Bình Minh" in searched and "Trường Tiểu học An Bình" not in searched

    school = client.get(reverse("public:school", args=["SA"])).text
    assert "Đạt kiểm định chất lượng giáo dục cấp độ 3" in school and "11/QĐ-SGDĐT" in school
    assert "12/QĐ-UBND" not in school and "chuẩn quốc gia mức độ" not in school
    assert "Năm học 2025-2026" in school and "<strong>Mức 3</strong>" in school
    assert "2024-2025" not in school  # the unpublished cycle
    assert "Đoàn kết luận trường đạt Mức 3." in school and "Bản tóm tắt đã gỡ" not in school
    school_b = client.get(reverse("public:school", args=["SB"])).text
    assert "21/QĐ-SGDĐT" not in school_b and "22/QĐ-UBND" not in school_b
    assert "chưa có quyết định công nhận còn hiệu lực được công khai" in school_b
    assert client.get(reverse("public:school", args=["KHONG-CO"])).status_code == 404
    assert client.get(reverse("public:unit", args=["KHONG-CO"])).status_code == 404


def _schools(world, count: int) -> None:
    """`count` more schools in commune A, each with a published grade and a national-standard level in force."""
    start = School.objects.count()
    School.objects.bulk_create(
        School(code=f"BULK{start + i}", name=f"Trường Tiểu học Số {start + i}", school_type="TH", unit=world.commune_a)
        for i in range(count)
    )
    today = timezone.localdate()
    decisions = []
    for school in School.objects.filter(code__startswith="BULK", decisions__isnull=True):
        for kind, level in (("accreditation", 2), ("national_standard", 1)):
            decisions.append(
                Decision(
                    school=school,
                    kind=kind,
                    level=level,
                    number=f"{school.pk}/QĐ",
                    decided_on=today - timedelta(days=30),
                    valid_from=today - timedelta(days=30),
                    valid_until=today + timedelta(days=1500),
                )
            )
    Decision.objects.bulk_create(decisions)


def test_unit_page_queries_do_not_grow_with_the_schools(client, world):
    url = reverse("public:unit", args=[world.district.code])
    _schools(world, 3)
    with CaptureQueriesContext(connection) as small:
        response = client.get(url)
    assert response.status_code == 200 and "Trường Tiểu học Số" in response.text
    _schools(world, PAGE_SIZE + 20)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url, {"trang": 2})
    assert response.status_code == 200 and "Trang 2/2" in response.text
    assert f"{PAGE_SIZE + 25} trường</span>" in response.text and "MĐ1: 73" in response.text
    assert len(large) == len(small) <= 7
    with CaptureQueriesContext(connection) as school_queries:
        assert client.get(reverse("public:school", args=["SA"])).status_code == 200
    assert len(school_queries) <= 6
