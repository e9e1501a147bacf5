from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kiemdinh.planning import selectors as sel
from kiemdinh.planning import services as svc
from kiemdinh.planning.models import PlanTarget, PlanTask, TaskStatus
from kiemdinh.planning.tests.helpers import make_plan, percent_goal, recognise

pytestmark = pytest.mark.django_db


def issue(world, plan):
    """Schools and lower units read a plan once it is issued (drafts stay with the authority)."""
    if not plan.targets.exists():
        svc.target_add(actor=world.officer_district, plan=plan, school=world.school_a, data=svc.TargetInput())
    return svc.plan_issue(actor=world.officer_district, plan=plan)


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def plan(world):
    return make_plan(world)


def test_officer_creates_a_plan_and_lands_on_the_suggestions(client, world):
    login(client, world.officer_district)
    url = reverse("planning:plan_create", args=[world.district.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "year", "period": "20x4", "title": ""})
    assert response.status_code == 200
    assert "Hãy ghi trích yếu" in response.text
    response = client.post(url, {"kind": "year", "period": "20x4", "title": "Kế hoạch"})
    assert "Hãy ghi năm (2024)" in response.text and not world.district.plans.exists()
    response = client.post(
        url,
        {
            "kind": "year",
            "period": "2024",
            "title": "Công tác kiểm định năm 2024",
            "number": "20/KH-UBND",
            "issued_on": "04/01/2024",
            "place": "Đông Sơn",
            "purpose": "Mục đích thứ nhất",
        },
    )
    plan = world.district.plans.get()
    assert response.status_code == 302 and response["Location"] == reverse("planning:targets", args=[plan.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.text.count('data-testid="suggestion-row"') == 2  # both schools of the district, never recognised


def test_accept_selected_suggestions_then_dismiss_with_reason(client, world, plan, monkeypatch):
    # The repeat below comes later, not as a double click: the view itself refuses it (the double-submit guard would
    # otherwise answer an identical POST right after with the first answer, see kiemdinh/core/submits.py).
    monkeypatch.setattr("kiemdinh.core.submits.REPLAY_SECONDS", 0)
    recognise(world, world.school_a, decided_on=date(2019, 1, 15))
    login(client, world.officer_district)
    response = client.post(reverse("planning:suggestions_accept", args=[plan.pk]), {"school": [world.school_a.pk]})
    assert response.status_code == 302
    target = PlanTarget.objects.get(plan=plan)
    assert target.school == world.school_a and target.recognition_round == "again" and target.target_label == "CĐ2"
    # A school that is not (or no longer) suggested is refused as a whole.
    response = client.post(
        reverse("planning:suggestions_accept", args=[plan.pk]), {"school": [world.school_a.pk]}, follow=True
    )
    assert "không còn trong danh sách đề xuất" in response.text
    response = client.post(
        reverse("planning:suggestion_dismiss", args=[plan.pk, world.school_b.pk]), {"reason": ""}, follow=True
    )
    assert "Hãy ghi lý do" in response.text
    client.post(reverse("planning:suggestion_dismiss", args=[plan.pk, world.school_b.pk]), {"reason": "Sáp nhập"})
    page = client.get(reverse("planning:targets", args=[plan.pk]))
    assert 'data-testid="suggestion-row"' not in page.text and "Sáp nhập" in page.text


def test_people_outside_the_unit_see_nothing(client, world, plan):
    for user in (world.officer_other_province, world.evaluator):
        login(client, user)
        for name in ("plan_detail", "targets", "goals", "tasks", "reports"):
            assert client.get(reverse(f"planning:{name}", args=[plan.pk])).status_code == 404
        assert client.get(reverse("planning:plan_list", args=[world.district.pk])).status_code == 404


def test_schools_below_read_but_do_not_change(client, world, plan):
    login(client, world.principal_a)
    assert client.get(reverse("planning:plan_detail", args=[plan.pk])).status_code == 404  # a draft
    issue(world, plan)
    page = client.get(reverse("planning:plan_detail", args=[plan.pk]))
    assert page.status_code == 200 and "chỉ xem" in page.text
    targets = client.get(reverse("planning:targets", args=[plan.pk]))
    assert targets.status_code == 200 and 'data-testid="suggestions"' not in targets.text
    assert (
        client.post(reverse("planning:suggestions_accept", args=[plan.pk]), {"school": [world.school_a.pk]}).status_code
        == 403
    )
    assert client.get(reverse("planning:plan_edit", args=[plan.pk])).status_code == 403
    assert plan.targets.count() == 1
    # The commune officer of A reads the district's plan but does not manage it.
    login(client, world.officer_commune_a)
    assert client.get(reverse("planning:plan_detail", args=[plan.pk])).status_code == 200
    assert client.get(reverse("planning:task_add", args=[plan.pk])).status_code == 403


def test_sections_are_numbered_after_purpose(client, world, plan):
    login(client, world.officer_district)
    client.post(
        reverse("planning:plan_edit", args=[plan.pk]),
        {"kind": "year", "period": "2024", "title": plan.title, "purpose": "Để…"},
    )
    client.post(
        reverse("planning:section_add", args=[plan.pk]),
        {"heading": "MỤC TIÊU, CHỈ TIÊU", "body": "1. Mục tiêu\nNâng cao"},
    )
    client.post(
        reverse("planning:section_add", args=[plan.pk]), {"heading": "TỔ CHỨC THỰC HIỆN", "body": "Phòng GD&ĐT"}
    )
    page = client.get(reverse("planning:plan_detail", args=[plan.pk])).text
    assert "I. MỤC ĐÍCH, YÊU CẦU" in page and "II. MỤC TIÊU, CHỈ TIÊU" in page and "III. TỔ CHỨC THỰC HIỆN" in page
    response = client.post(reverse("planning:section_add", args=[plan.pk]), {"heading": "", "body": "x"})
    assert response.status_code == 200 and plan.sections.count() == 2


def test_goal_page_shows_computed_progress(client, world, plan):
    percent_goal(plan, world)
    recognise(world, world.school_a, decided_on=date(2024, 2, 1))
    login(client, world.officer_district)
    page = client.get(reverse("planning:goals", args=[plan.pk])).text
    assert "50% (1/2 trường; chỉ tiêu 100%)" in page
    response = client.post(
        reverse("planning:goal_add", args=[plan.pk]),
        {"text": "35% trường", "metric": "accredited", "scope": "unit", "measure": "percent", "target_value": "135"},
    )
    assert response.status_code == 200 and "Tỉ lệ từ trên 0 đến 100%" in response.text
    assert plan.goals.count() == 1


def test_task_flow_with_deadline_update_and_file(any_storage, client, world, plan):
    login(client, world.officer_district)
    response = client.post(
        reverse("planning:task_add", args=[plan.pk]),
        {
            "agency": "Trường Tiểu học An Bình",
            "content": "Lập hồ sơ xin giao đất",
            "deadline": "quý II năm 2024",
            "school": world.school_a.pk,
        },
    )
    task = PlanTask.objects.get(plan=plan)
    assert response.status_code == 302 and task.deadline_label == "quý II năm 2024"
    bad = client.post(
        reverse("planning:task_add", args=[plan.pk]), {"agency": "X", "content": "Y", "deadline": "cuối năm"}
    )
    assert bad.status_code == 200 and "Không hiểu hạn" in bad.text and PlanTask.objects.count() == 1
    # Once the plan is issued, the school's principal reports on its own task, with a document.
    issue(world, plan)
    login(client, world.principal_a)
    pdf = SimpleUploadedFile("to-trinh.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")
    response = client.post(
        reverse("planning:task_detail", args=[plan.pk, task.pk]),
        {"status": TaskStatus.IN_PROGRESS, "note": "Đã nộp tờ trình", "file": pdf},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    update = task.updates.get()
    assert task.status == TaskStatus.IN_PROGRESS and update.file_name == "to-trinh.pdf"
    assert any_storage.exists(update.file.name)
    download = client.get(reverse("planning:task_update_file", args=[plan.pk, task.pk, update.pk]))
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"] == 'attachment; filename="to-trinh.pdf"'
    assert b"".join(download.streaming_content) == pdf.file.getvalue()
    # Principal B reads the issued plan and A's task, but neither reports on it nor sees A's progress and file.
    login(client, world.principal_b)
    page = client.get(reverse("planning:task_detail", args=[plan.pk, task.pk])).text
    assert "Đã nộp tờ trình" not in page and 'data-testid="task-progress-hidden"' in page
    assert client.get(reverse("planning:task_update_file", args=[plan.pk, task.pk, update.pk])).status_code == 404
    response = client.post(reverse("planning:task_detail", args=[plan.pk, task.pk]), {"status": "done", "note": "x"})
    assert response.status_code == 403
    assert task.updates.count() == 1


def test_periodic_report_starts_from_the_data(client, world):
    plan = make_plan(world, report_every_months=3)
    svc.target_add(actor=world.officer_district, plan=plan, school=world.school_a, data=svc.TargetInput())
    login(client, world.officer_district)
    form = client.get(reverse("planning:report_add", args=[plan.pk])).text
    assert "I. KẾT QUẢ THỰC HIỆN" in form and "Chưa có gì được lưu" in form
    response = client.post(
        reverse("planning:report_add", args=[plan.pk]),
        {"kind": "periodic", "reported_on": "10/04/2024", "title": "Kết quả quý I", "body": "I. KẾT QUẢ\n- Tốt"},
    )
    assert response.status_code == 302 and plan.reports.count() == 1
    page = client.get(reverse("planning:reports", args=[plan.pk])).text
    assert "Kết quả quý I" in page


def test_plan_pages_query_counts_are_constant(client, world, plan, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, world.officer_district)
    percent_goal(plan, world)
    urls = [reverse(f"planning:{n}", args=[plan.pk]) for n in ("plan_detail", "targets", "goals", "tasks")]

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            result.append(len(ctx))
        return result

    from kiemdinh.units.services import school_create

    # One of everything first, so that no list is empty (Django skips a query on an empty IN).
    svc.target_add(actor=world.officer_district, plan=plan, school=world.school_a, data=svc.TargetInput())
    recognise(world, world.school_a, decided_on=date(2024, 1, 2))
    task = svc.task_save(actor=world.officer_district, plan=plan, data=svc.TaskInput(agency="Phòng", content="Việc"))
    svc.task_report(actor=world.officer_district, task=task, status="in_progress", note="Đang làm")
    small = counts()

    for i in range(6):
        school = school_create(
            actor=None, code=f"Y{i}", name=f"Trường Tiểu học Y{i}", school_type="TH", unit=world.commune_b
        )
        svc.target_add(actor=world.officer_district, plan=plan, school=school, data=svc.TargetInput())
        recognise(world, school, decided_on=date(2024, 1, 2))
        svc.task_save(
            actor=world.officer_district,
            plan=plan,
            data=svc.TaskInput(agency=f"Cơ quan {i}", content="Việc", deadline="tháng 5/2024"),
        )
        # Schools left out of the plan come back as suggestions, each with its unit's name.
        unit = world.commune_a if i % 2 else world.commune_b
        school_create(actor=None, code=f"Z{i}", name=f"Trường Mầm non Z{i}", school_type="MN", unit=unit)
    assert counts() == small


def test_suggestions_come_a_page_at_a_time(client, world, plan, monkeypatch):
    from kiemdinh.planning.views import target as target_views
    from kiemdinh.units.services import school_create

    monkeypatch.setattr(target_views, "SUGGESTIONS_PER_PAGE", 3)
    for i in range(5):
        school_create(actor=None, code=f"G{i}", name=f"Trường Mầm non G{i}", school_type="MN", unit=world.commune_b)
    login(client, world.officer_district)
    url = reverse("planning:targets", args=[plan.pk])
    total = len(sel.suggestions(plan)[0])
    first, last = client.get(url).text, client.get(url, {"trang": 99}).text
    assert first.count('data-testid="suggestion-row"') == 3
    assert last.count('data-testid="suggestion-row"') == total - 3 * ((total - 1) // 3)
    assert f"Đề xuất 1–3 trong {total}" in first and "Trang sau" in first and "trang=2#de-xuat" in first
    # Accepting from the second page works as from the first.
    second = sel.suggestions(plan)[0][3].school
    response = client.post(reverse("planning:suggestions_accept", args=[plan.pk]), {"school": [second.pk]})
    assert response.status_code == 302 and plan.targets.filter(school=second).exists()


def test_adding_a_school_asks_for_a_search_when_the_unit_has_many(client, world, plan, monkeypatch):
    from kiemdinh.planning.views import target as target_views

    monkeypatch.setattr(target_views, "PICKER_LIMIT", 1)
    login(client, world.officer_district)
    url = reverse("planning:targets", args=[plan.pk])
    page = client.get(url).text
    option_a, option_b = (f'">{s.name}</option>' for s in (world.school_a, world.school_b))
    assert 'name="tim"' in page and option_a not in page and option_b not in page
    found = client.get(url, {"tim": world.school_a.name.upper()}).text
    assert option_a in found and option_b not in found
    assert "Không có trường nào phù hợp với “zzz”" in client.get(url, {"tim": "zzz"}).text
    # The choice is checked against every school of the unit, not only those shown.
    response = client.post(url, {"school": world.school_b.pk, "external_evaluation": "on"})
    assert response.status_code == 302 and plan.targets.filter(school=world.school_b).exists()


def test_plan_index_lists_what_each_person_may_read(client, world, plan):
    login(client, world.principal_a)
    assert plan.title not in client.get(reverse("planning:index")).text  # a draft
    issue(world, plan)
    page = client.get(reverse("planning:index")).text
    assert plan.title in page and "Đơn vị của bạn" not in page
    login(client, world.officer_other_province)
    assert plan.title not in client.get(reverse("planning:index")).text
    login(client, world.officer_district)
    page = client.get(reverse("planning:index")).text
    assert plan.title in page and reverse("planning:dashboard", args=[world.district.pk]) in page
