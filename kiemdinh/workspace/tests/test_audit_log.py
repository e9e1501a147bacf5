"""The audit log page (issue #21): each reader sees the events of their own scope, filtered by kind and date, in a
fixed number of queries; others are refused."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kiemdinh.core import audit
from kiemdinh.core.audit import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(world):
    audit.record(
        actor=world.principal_a,
        event_type=Event.REPORT_TEXTS_SAVED,
        obj=world.school_a,
        school=world.school_a,
        data={"title": "NHAT-KY-A"},
    )
    audit.record(
        actor=world.principal_b,
        event_type=Event.REPORT_TEXTS_SAVED,
        obj=world.school_b,
        school=world.school_b,
        data={"title": "NHAT-KY-B"},
    )
    audit.record(
        actor=world.officer_other_province, event_type=Event.UNIT_CREATED, obj=world.school_other,
        unit=world.school_other.unit, data={"name": "NHAT-KY-KHAC"},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("who", "sees", "not_sees"),
    [
        ("principal_a", ["NHAT-KY-A"], ["NHAT-KY-B", "NHAT-KY-KHAC"]),
        ("secretary_a", ["NHAT-KY-A"], ["NHAT-KY-B", "NHAT-KY-KHAC"]),
        ("officer_commune_a", ["NHAT-KY-A"], ["NHAT-KY-B", "NHAT-KY-KHAC"]),
        ("officer_district", ["NHAT-KY-A", "NHAT-KY-B"], ["NHAT-KY-KHAC"]),
        ("officer_other_province", ["NHAT-KY-KHAC"], ["NHAT-KY-A", "NHAT-KY-B"]),
    ],
)
def test_each_reader_sees_their_scope(world, events, client, who, sees, not_sees):
    client.force_login(getattr(world, who))
    page = client.get(reverse("workspace:audit_log"))
    body = page.content.decode()
    assert page.status_code == 200
    assert all(m in body for m in sees) and not any(m in body for m in not_sees)


def test_members_and_anonymous_are_refused(world, events, client):
    assert client.get(reverse("workspace:audit_log")).status_code == 302
    client.force_login(world.member_a)
    assert client.get(reverse("workspace:audit_log")).status_code == 403


def test_filters_and_query_count(world, events, client, django_assert_max_num_queries):
    client.force_login(world.officer_district)
    url = reverse("workspace:audit_log")
    only_units = client.get(url, {"loai": Event.UNIT_CREATED}).content.decode()
    assert "NHAT-KY-A" not in only_units
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    future = client.get(url, {"tu_ngay": tomorrow}).content.decode()
    assert "NHAT-KY-A" not in future and "Không có sự kiện nào" in future
    until_tomorrow = client.get(url, {"den_ngay": tomorrow, "tu_ngay": "2999-01-01"}).content.decode()
    assert "NHAT-KY-A" in until_tomorrow and 'class="error"' in until_tomorrow  # the bad date is said, not applied
    bad = client.get(url, {"tu_ngay": "không phải ngày", "trang": "99999999999999999999"})
    assert bad.status_code == 200
    with django_assert_max_num_queries(8):
        client.get(url)


def test_details_are_in_words(world, client):
    audit.record(
        actor=world.principal_a, event_type=Event.MEMBERSHIP_ENDED, obj=world.school_a, school=world.school_a,
        data={"user": "thanhvien_a", "role": "member", "reason": "Chuyển công tác", "comment": ""},
    )  # fmt: skip
    client.force_login(world.principal_a)
    body = client.get(reverse("workspace:audit_log")).content.decode()
    assert "Thôi giao vai trò" in body
    assert "tài khoản: thanhvien_a; vai trò: Thành viên hội đồng tự đánh giá; lý do: Chuyển công tác" in body
