"""Số liệu Phần I: table definitions, the save service's checks, the computed totals and the page's access."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kiemdinh.core.models import AuditEvent
from kiemdinh.selfassessment.models import CycleStatus, SchoolStatistics
from kiemdinh.selfassessment.selectors import school_statistics
from kiemdinh.selfassessment.services import school_statistics_save
from kiemdinh.selfassessment.statistics import school_years, table_definitions

pytestmark = pytest.mark.usefixtures("frameworks_loaded")


def url(cycle):
    return reverse("selfassessment:school_data", args=[cycle.pk])


def table(tables, key):
    return next(t for t in tables if t.key == key)


# --- definitions ------------------------------------------------------------------------------------------------------


def test_columns_are_five_years_for_2018_and_three_for_tt57():
    assert school_years("2021-2022", "2018") == ("2017-2018", "2018-2019", "2019-2020", "2020-2021", "2021-2022")
    assert school_years("2026-2027", "tt57") == ("2024-2025", "2025-2026", "2026-2027")


@pytest.mark.parametrize(
    ("school_type", "groups"),
    [
        ("TH", ["Khối lớp 1", "Khối lớp 2", "Khối lớp 3", "Khối lớp 4", "Khối lớp 5"]),
        ("THCS", ["Khối lớp 6", "Khối lớp 7", "Khối lớp 8", "Khối lớp 9"]),
        ("THPT", ["Khối lớp 10", "Khối lớp 11", "Khối lớp 12"]),
        ("MN", ["Nhà trẻ", "Mẫu giáo 3–4 tuổi", "Mẫu giáo 4–5 tuổi", "Mẫu giáo 5–6 tuổi"]),
    ],
)
def test_class_rows_follow_the_school_type(school_type, groups):
    classes = table_definitions(school_type, "2018")[0]
    assert [r.label for r in classes.rows] == [*groups, "Cộng"]
    assert classes.rows[-1].computed and not any(r.computed for r in classes.rows[:-1])
    students = table_definitions(school_type, "2018")[3]
    completed = "Trẻ hoàn thành chương trình giáo dục mầm non" if school_type == "MN" else "Hoàn thành chương trình"
    assert students.rows[-1].label.startswith(completed)


def test_multi_level_school_combines_levels():
    labels = [r.label for r in table_definitions("TH_THCS", "2018")[0].rows]
    assert labels[0] == "Khối lớp 1" and labels[-2] == "Khối lớp 9" and len(labels) == 10


# --- service ----------------------------------------------------------------------------------------------------------


def test_save_stores_numbers_and_records_one_event(world, cycle):
    changed = school_statistics_save(
        actor=world.principal_a,
        cycle=cycle,
        table="classes",
        values={"k1": {"2025-2026": "4", "2024-2025": " 3 "}, "k2": {"2025-2026": ""}},
    )
    assert changed
    record = SchoolStatistics.objects.get(cycle=cycle, table="classes")
    assert record.data == {"k1": {"2025-2026": 4, "2024-2025": 3}}
    assert record.updated_by == world.principal_a and record.history.count() == 1
    assert AuditEvent.objects.filter(event_type="school_statistics.saved").count() == 1
    # The same values again change nothing; a blank clears one cell and keeps the others.
    assert not school_statistics_save(
        actor=world.principal_a, cycle=cycle, table="classes", values={"k1": {"2025-2026": "4"}}
    )
    school_statistics_save(actor=world.principal_a, cycle=cycle, table="classes", values={"k1": {"2024-2025": ""}})
    assert SchoolStatistics.objects.get(cycle=cycle, table="classes").data == {"k1": {"2025-2026": 4}}


@pytest.mark.parametrize(
    ("table_key", "values", "message"),
    [
        (
            "classes",
            {"k1": {"2025-2026": "4"}, "k2": {"2023-2024": "-1"}},
            "Số lớp học, Khối lớp 2, năm học 2023-2024: phải là số nguyên không âm.",
        ),
        ("classes", {"k1": {"2025-2026": "2,5"}}, "Số lớp học, Khối lớp 1, năm học 2025-2026: phải là số nguyên"),
        ("classes", {"k1": {"2025-2026": "abc"}}, "phải là số nguyên không âm"),
        ("classes", {"k1": {"2025-2026": "1000001"}}, "không được lớn hơn 1.000.000"),
        ("classes", {"k1": {"2025-2026": "4"}, "k9": {"2025-2026": "1"}}, "không có dòng “k9”"),
        ("classes", {"total": {"2025-2026": "9"}}, "được tính tự động"),
        ("classes", {"k1": {"2015-2016": "4"}}, "năm học “2015-2016” không thuộc bảng"),
        ("nope", {"k1": {"2025-2026": "4"}}, "Không có bảng số liệu “nope”"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(world, cycle, table_key, values, message):
    with pytest.raises(ValidationError) as error:
        school_statistics_save(actor=world.principal_a, cycle=cycle, table=table_key, values=values)
    assert message in " ".join(error.value.messages)
    assert not SchoolStatistics.objects.exists()
    assert not AuditEvent.objects.filter(event_type="school_statistics.saved").exists()


def test_non_editable_cycle_is_refused(world, cycle):
    cycle.status = CycleStatus.SUBMITTED
    cycle.save()
    with pytest.raises(ValidationError):
        school_statistics_save(actor=world.principal_a, cycle=cycle, table="classes", values={"k1": {"2025-2026": "4"}})
    assert not SchoolStatistics.objects.exists()


# --- selector ---------------------------------------------------------------------------------------------------------


def test_selector_computes_totals_in_one_query(world, cycle):
    school_statistics_save(
        actor=world.principal_a,
        cycle=cycle,
        table="classes",
        values={"k1": {"2025-2026": "4", "2024-2025": "3"}, "k5": {"2025-2026": "2"}},
    )
    school_statistics_save(
        actor=world.principal_a, cycle=cycle, table="students", values={"k1": {"2025-2026": "120"}, "nu": {}}
    )
    with CaptureQueriesContext(connection) as queries:
        tables = school_statistics(cycle)
    assert len(queries) <= 2
    classes = table(tables, "classes")
    assert classes.columns == ("2021-2022", "2022-2023", "2023-2024", "2024-2025", "2025-2026")
    total = next(r for r in classes.rows if r.key == "total")
    assert total.computed and total.label == "Cộng"
    assert total.values == (None, None, None, 3, 6)
    students = table(tables, "students")
    assert next(r for r in students.rows if r.key == "total").values[-1] == 120
    assert not classes.is_empty and table(tables, "staff").is_empty


# --- page -------------------------------------------------------------------------------------------------------------


def test_principal_edits_member_reads_outsider_gets_404(client, world, cycle):
    client.force_login(world.principal_a)
    page = client.get(url(cycle))
    assert page.status_code == 200 and page.context["tab"] == "school_data"
    html = page.content.decode()
    assert 'inputmode="numeric"' in html and "Số lớp học" in html and "gần đúng" in html
    assert 'aria-current="page">Số liệu</a>' in html

    response = client.post(url(cycle), {"table": "classes", "k1.2025-2026": "4", "k2.2025-2026": "5"})
    assert response.status_code == 302 and response.url.startswith(url(cycle))
    page = client.get(response.url)
    assert "Đã lưu bảng “Số lớp học”." in page.content.decode()
    assert 'data-testid="total-total-2025-2026">9<' in page.content.decode()

    client.force_login(world.member_a)
    html = client.get(url(cycle)).content.decode()
    assert "inputmode" not in html and 'data-testid="total-total-2025-2026">9<' in html
    assert client.post(url(cycle), {"table": "classes", "k1.2025-2026": "7"}).status_code == 403

    client.force_login(world.principal_b)
    assert client.get(url(cycle)).status_code == 404
    assert SchoolStatistics.objects.get(cycle=cycle).data == {"k1": {"2025-2026": 4}, "k2": {"2025-2026": 5}}


def test_error_rerenders_the_table_with_the_input(client, world, cycle):
    client.force_login(world.principal_a)
    response = client.post(url(cycle), {"table": "staff", "giao_vien.2025-2026": "x1", "hieu_truong.2025-2026": "1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Cán bộ quản lý, giáo viên, nhân viên, Giáo viên, năm học 2025-2026: phải là số nguyên không âm." in html
    assert 'value="x1"' in html and 'name="hieu_truong.2025-2026" value="1"' in html
    assert not SchoolStatistics.objects.exists()


def test_submitted_cycle_is_read_only(client, world, cycle):
    cycle.status = CycleStatus.SUBMITTED
    cycle.save()
    client.force_login(world.principal_a)
    assert "inputmode" not in client.get(url(cycle)).content.decode()
    assert client.post(url(cycle), {"table": "classes", "k1.2025-2026": "4"}).status_code == 403
    assert not SchoolStatistics.objects.exists()
