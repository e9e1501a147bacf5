"""Kế hoạch tự đánh giá (Phụ lục 1): texts, timeline, the seven steps, carry-over, screens."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kiemdinh.core.models import AuditEvent
from kiemdinh.selfassessment.council import selectors
from kiemdinh.selfassessment.council import services as svc
from kiemdinh.selfassessment.council.constants import SEVEN_STEPS
from kiemdinh.selfassessment.models import AssessmentPlan, PlanActivity
from kiemdinh.workflow.services import cycle_open

pytestmark = pytest.mark.usefixtures("frameworks_loaded")

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def next_cycle(make_cycle):
    return make_cycle("2026-2027")


def url(cycle, name="plan", *args):
    return reverse(f"selfassessment:{name}", args=[cycle.pk, *args])


def test_seven_steps_are_those_of_article_23():
    assert len(SEVEN_STEPS) == 7
    assert SEVEN_STEPS[0] == "Thành lập hội đồng tự đánh giá"
    assert SEVEN_STEPS[2] == "Thu thập, xử lý và phân tích các minh chứng"
    assert SEVEN_STEPS[6] == "Triển khai các hoạt động sau khi hoàn thành báo cáo tự đánh giá"


def test_plan_update_creates_then_replaces_and_keeps_history(world, cycle):
    plan = svc.plan_update(
        actor=world.principal_a, cycle=cycle, number="12/KH-THAB", issued_on=date(2025, 9, 15), purpose="  Mục đích  "
    )
    assert (plan.number, plan.purpose, plan.updated_by) == ("12/KH-THAB", "Mục đích", world.principal_a)
    svc.plan_update(actor=world.secretary_a, cycle=cycle, number="12/KH-THAB", scope="Toàn trường")
    plan.refresh_from_db()
    assert (plan.purpose, plan.scope, plan.issued_on) == ("", "Toàn trường", None)
    assert plan.history.count() == 2
    event = AuditEvent.objects.filter(event_type="plan.updated").latest("id")
    assert sorted(event.data["changed"]) == ["issued_on", "purpose", "scope"]
    with pytest.raises(ValidationError):
        svc.plan_update(actor=None, cycle=cycle, number="x" * 65)


def test_activity_dates_must_not_end_before_they_start(cycle):
    with pytest.raises(ValidationError) as e:
        svc.plan_activity_create(
            actor=None,
            cycle=cycle,
            title="Thu thập minh chứng",
            starts_on=date(2025, 10, 10),
            ends_on=date(2025, 10, 1),
        )
    assert e.value.message_dict["ends_on"] == [
        "Ngày kết thúc (01/10/2025) phải bằng hoặc sau ngày bắt đầu (10/10/2025)."
    ]
    with pytest.raises(ValidationError):
        svc.plan_activity_create(actor=None, cycle=cycle, title="Bước lạ", step=8)
    with pytest.raises(ValidationError):
        svc.plan_activity_create(actor=None, cycle=cycle, title="  ")
    assert not PlanActivity.objects.exists()
    one_day = svc.plan_activity_create(
        actor=None, cycle=cycle, title="Họp hội đồng", step=1, starts_on=date(2025, 9, 5), ends_on=date(2025, 9, 5)
    )
    with pytest.raises(ValidationError):
        svc.plan_activity_update(
            actor=None, activity=one_day, title="Họp hội đồng", starts_on=date(2025, 9, 5), ends_on=date(2025, 9, 4)
        )
    one_day.refresh_from_db()
    assert one_day.ends_on == date(2025, 9, 5)


def test_propose_creates_one_activity_per_step_only_on_an_empty_timeline(cycle):
    activities = svc.plan_activities_propose(actor=None, cycle=cycle)
    assert [(a.step, a.title, a.starts_on) for a in activities] == [
        (n, title, None) for n, title in enumerate(SEVEN_STEPS, start=1)
    ]
    with pytest.raises(ValidationError) as e:
        svc.plan_activities_propose(actor=None, cycle=cycle)
    assert "chưa có hoạt động nào" in str(e.value)
    assert PlanActivity.objects.filter(cycle=cycle).count() == 7


def test_step_schedule_groups_activities_per_step_in_one_query(cycle, django_assert_max_num_queries):
    late = svc.plan_activity_create(actor=None, cycle=cycle, title="Viết báo cáo", step=5, starts_on=date(2026, 2, 1))
    early = svc.plan_activity_create(actor=None, cycle=cycle, title="Dự thảo", step=5, starts_on=date(2026, 1, 5))
    undated = svc.plan_activity_create(actor=None, cycle=cycle, title="Sửa báo cáo", step=5)
    svc.plan_activity_create(actor=None, cycle=cycle, title="Không gắn bước")
    first = svc.plan_activity_create(actor=None, cycle=cycle, title="Thành lập", step=1, starts_on=date(2025, 9, 1))
    with django_assert_max_num_queries(1):
        schedule = selectors.plan_step_schedule(cycle)
    assert list(schedule) == [1, 2, 3, 4, 5, 6, 7]
    assert schedule[1] == [first]
    assert schedule[5] == [early, late, undated]
    assert schedule[2] == []


def test_plan_copy_shifts_dates_by_whole_years_and_leaves_the_source_unchanged(world, cycle, next_cycle):
    svc.plan_update(
        actor=None, cycle=cycle, number="12/KH", issued_on=date(2025, 9, 15), purpose="Tự đánh giá năm học 2025-2026."
    )
    svc.plan_activity_create(
        actor=None,
        cycle=cycle,
        title="Thành lập hội đồng",
        step=1,
        starts_on=date(2025, 9, 10),
        ends_on=date(2025, 9, 20),
        owner="Hiệu trưởng",
    )
    svc.plan_activity_create(
        actor=None, cycle=cycle, title="Rà soát", starts_on=date(2026, 2, 28), ends_on=date(2026, 3, 1)
    )
    source_rows = list(PlanActivity.objects.filter(cycle=cycle).values_list("title", "starts_on", "ends_on", "step"))

    report = svc.plan_copy(actor=world.principal_a, source=cycle, target=next_cycle)

    assert report.counts == {"texts": 1, "activities": 2}
    assert list(PlanActivity.objects.filter(cycle=cycle).values_list("title", "starts_on", "ends_on", "step")) == (
        source_rows
    )
    assert AssessmentPlan.objects.get(cycle=cycle).purpose == "Tự đánh giá năm học 2025-2026."
    copied = AssessmentPlan.objects.get(cycle=next_cycle)
    assert (copied.purpose, copied.number, copied.issued_on) == ("Tự đánh giá năm học 2026-2027.", "", None)
    assert list(
        PlanActivity.objects.filter(cycle=next_cycle).order_by("position").values_list("starts_on", "ends_on", "owner")
    ) == [(date(2026, 9, 10), date(2026, 9, 20), "Hiệu trưởng"), (date(2027, 2, 28), date(2027, 3, 1), "")]
    with pytest.raises(ValidationError) as e:
        svc.plan_copy(actor=None, source=cycle, target=next_cycle)
    assert "đã có nội dung" in str(e.value)
    with pytest.raises(ValidationError):
        svc.plan_copy(actor=None, source=next_cycle, target=cycle)


def test_plan_copy_moves_29_february_to_28(world):
    source = cycle_open(actor=None, school=world.school_a, school_year="2023-2024")
    target = cycle_open(actor=None, school=world.school_a, school_year="2024-2025")
    svc.plan_activity_create(actor=None, cycle=source, title="Họp", starts_on=date(2024, 2, 29))
    svc.plan_copy(actor=None, source=source, target=target)
    assert PlanActivity.objects.get(cycle=target).starts_on == date(2025, 2, 28)


# --- screens -------------------------------------------------------------------------------------------------------


def test_principal_edits_the_plan_texts(client, world, cycle):
    client.force_login(world.principal_a)
    page = client.get(url(cycle))
    assert page.status_code == 200 and page.context["tab"] == "plan"
    assert "Lưu kế hoạch" in page.content.decode()
    response = client.post(
        url(cycle, "plan_save"), {"number": "15/KH-THAB", "issued_on": "2025-09-15", "purpose": "Nâng cao chất lượng"}
    )
    assert response.status_code == 302
    plan = AssessmentPlan.objects.get(cycle=cycle)
    assert (plan.number, plan.issued_on, plan.purpose) == ("15/KH-THAB", date(2025, 9, 15), "Nâng cao chất lượng")
    response = client.post(url(cycle, "plan_save"), {"number": "16/KH-THAB", "issued_on": "15/09/2025"}, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="plan-texts"')
    assert "Đã lưu kế hoạch tự đánh giá." in html


def test_bad_plan_date_is_refused_with_a_message(client, world, cycle):
    client.force_login(world.principal_a)
    response = client.post(url(cycle, "plan_save"), {"number": "1", "issued_on": "31/02/2025"})
    assert response.status_code == 200
    assert "Ngày ban hành: hãy nhập ngày theo dạng ngày/tháng/năm" in response.content.decode()
    assert not AssessmentPlan.objects.exists()


def test_activity_with_end_before_start_is_rejected_and_nothing_saved(client, world, cycle):
    client.force_login(world.principal_a)
    data = {"title": "Thu thập minh chứng", "step": "3", "starts_on": "2025-10-10", "ends_on": "2025-10-01"}
    for extra in ({}, HTMX):
        response = client.post(url(cycle, "plan_activity_add"), data, **extra)
        assert response.status_code == 200
        assert "Ngày kết thúc (01/10/2025) phải bằng hoặc sau ngày bắt đầu (10/10/2025)." in response.content.decode()
    assert not PlanActivity.objects.exists()


def test_activities_are_added_edited_and_removed(client, world, cycle):
    client.force_login(world.principal_a)
    data = {"title": "Thu thập minh chứng", "step": "3", "starts_on": "2025-10-01", "ends_on": "2025-12-31"}
    response = client.post(url(cycle, "plan_activity_add"), data, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="plan-timeline"')
    assert "Thu thập minh chứng" in html and "31/12/2025" in html
    activity = PlanActivity.objects.get(cycle=cycle)
    assert (activity.step, activity.ends_on) == (3, date(2025, 12, 31))

    fragment = client.get(url(cycle, "plan_activity_edit", activity.pk), **HTMX).content.decode()
    assert 'name="sua-title"' in fragment
    response = client.post(
        url(cycle, "plan_activity_edit", activity.pk),
        {"sua-title": "Thu thập, xử lý minh chứng", "sua-step": "", "sua-owner": "Thư ký"},
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.step, activity.owner, activity.starts_on) == (
        "Thu thập, xử lý minh chứng",
        None,
        "Thư ký",
        None,
    )
    response = client.post(url(cycle, "plan_activity_delete", activity.pk), follow=True)
    assert "Đã xóa hoạt động “Thu thập, xử lý minh chứng”." in response.content.decode()
    assert not PlanActivity.objects.exists()


def test_propose_button_only_on_an_empty_timeline(client, world, cycle):
    client.force_login(world.principal_a)
    assert "Tạo lịch mẫu" in client.get(url(cycle)).content.decode()
    response = client.post(url(cycle, "plan_propose"), **HTMX)
    html = response.content.decode()
    assert html.count('<tr id="hoat-dong-') == 7
    assert "Tạo lịch mẫu</button>" not in html
    response = client.post(url(cycle, "plan_propose"), follow=True)
    assert "Chỉ tạo được lịch mẫu khi kế hoạch chưa có hoạt động nào." in response.content.decode()
    assert PlanActivity.objects.count() == 7


@pytest.mark.parametrize("persona", ["member_a", "officer_commune_a"])
def test_readers_see_the_plan_but_cannot_change_it(client, world, cycle, persona):
    svc.plan_update(actor=None, cycle=cycle, purpose="Mục đích đã ghi")
    activity = svc.plan_activity_create(actor=None, cycle=cycle, title="Họp hội đồng")
    client.force_login(getattr(world, persona))
    html = client.get(url(cycle)).content.decode()
    assert "Mục đích đã ghi" in html and "Họp hội đồng" in html
    assert "Lưu kế hoạch" not in html and "Thêm hoạt động" not in html
    posts = [
        (url(cycle, "plan_save"), {"purpose": "Khác"}),
        (url(cycle, "plan_activity_add"), {"title": "Khác"}),
        (url(cycle, "plan_activity_edit", activity.pk), {"sua-title": "Khác"}),
        (url(cycle, "plan_activity_delete", activity.pk), {}),
        (url(cycle, "plan_propose"), {}),
    ]
    for target, data in posts:
        assert client.post(target, data).status_code == 403, target
    assert AssessmentPlan.objects.get(cycle=cycle).purpose == "Mục đích đã ghi"
    assert PlanActivity.objects.get().title == "Họp hội đồng"


@pytest.mark.parametrize("persona", ["principal_b", "officer_other_province"])
def test_outsiders_get_404(client, world, cycle, persona):
    client.force_login(getattr(world, persona))
    assert client.get(url(cycle)).status_code == 404
    assert client.post(url(cycle, "plan_activity_add"), {"title": "X"}).status_code == 404
    assert not PlanActivity.objects.exists()


def test_copy_screen_carries_an_earlier_plan(client, world, cycle, next_cycle):
    svc.plan_activity_create(actor=None, cycle=cycle, title="Họp", starts_on=date(2025, 9, 5))
    client.force_login(world.principal_a)
    assert "Sao chép nội dung và thời gian biểu" in client.get(url(next_cycle)).content.decode()
    response = client.post(url(next_cycle, "plan_copy"), {"source": cycle.pk}, follow=True)
    assert "Đã sao chép kế hoạch năm học 2025-2026 (1 hoạt động" in response.content.decode()
    assert PlanActivity.objects.get(cycle=next_cycle).starts_on == date(2026, 9, 5)


def test_plan_page_queries_do_not_grow_with_the_timeline(client, world, cycle, django_assert_max_num_queries):
    client.force_login(world.principal_a)
    svc.plan_update(actor=world.principal_a, cycle=cycle, purpose="Mục đích")
    client.get(url(cycle))
    counts = []
    for size in (2, 15):
        PlanActivity.objects.filter(cycle=cycle).delete()
        for i in range(size):
            svc.plan_activity_create(
                actor=None, cycle=cycle, title=f"Việc {i}", step=i % 7 + 1, starts_on=date(2025, 9, 1)
            )
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(cycle)).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(10):
        client.get(url(cycle))
