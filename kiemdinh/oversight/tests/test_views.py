"""The oversight screens as officers and schools use them: pages render, forms save through the services and
redirect, refused input re-renders with Vietnamese errors and changes nothing, the officers section answers htmx,
the participant list downloads as XLSX."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kiemdinh.oversight.models import OfficerInCharge, SchoolLevel, Training, Visit, VisitAction, VisitKind
from kiemdinh.oversight.services.officers import officer_add
from kiemdinh.oversight.services.participants import participants_add
from kiemdinh.oversight.services.visits import visit_create
from kiemdinh.oversight.tests.helpers import annual_plan


@pytest.fixture
def officer_client(client, world):
    client.force_login(world.officer_district)
    return client


def body(response) -> str:
    return response.content.decode()


# --- index ------------------------------------------------------------------------------------------------------------


def test_index_sends_single_unit_officer_to_the_unit(officer_client, world):
    response = officer_client.get(reverse("oversight:index"))
    assert response.status_code == 302 and response["Location"] == reverse("oversight:unit", args=[world.district.pk])


def test_index_sends_principal_to_the_school(client, world):
    client.force_login(world.principal_a)
    response = client.get(reverse("oversight:index"))
    assert response["Location"] == reverse("oversight:school", args=[world.school_a.pk])


def test_index_lists_nothing_for_a_user_without_roles(client, world):
    client.force_login(world.evaluator)
    response = client.get(reverse("oversight:index"))
    assert response.status_code == 200 and "chưa thuộc đơn vị quản lý hay trường nào" in body(response)


# --- unit overview ----------------------------------------------------------------------------------------------------


def test_unit_overview_lists_and_filters_visits(officer_client, world, visit, training):
    visit_create(
        actor=world.officer_district,
        unit=world.district,
        school=world.school_b,
        kind=VisitKind.CONSULTATION,
        visited_on=date(2025, 4, 1),
    )
    url = reverse("oversight:unit", args=[world.district.pk])
    page = body(officer_client.get(url))
    assert page.count('data-testid="visit-row"') == 2
    assert "Trường Mầm non Bình Minh" in page and "2 việc" in page and "2 chưa xong" in page
    assert "Tập huấn công tác tự đánh giá" in page and "0/0 có mặt" in page
    filtered = body(officer_client.get(url, {"loai": VisitKind.AUTHENTICITY}))
    assert filtered.count('data-testid="visit-row"') == 1 and "10/03/2025" in filtered
    by_school = body(officer_client.get(url, {"truong": world.school_b.pk}))
    assert by_school.count('data-testid="visit-row"') == 1 and "01/04/2025" in by_school
    none = body(officer_client.get(url, {"loai": VisitKind.INSPECTION}))
    assert "phù hợp bộ lọc" in none


def test_unit_overview_of_commune_shows_only_its_own(client, world, visit):
    client.force_login(world.officer_commune_a)
    page = body(client.get(reverse("oversight:unit", args=[world.commune_a.pk])))
    assert 'data-testid="visit-row"' not in page  # the visit is the district's


# --- visits -----------------------------------------------------------------------------------------------------------


def test_visit_create_flow(officer_client, world):
    plan = annual_plan(world.district)
    url = reverse("oversight:visit_create", args=[world.district.pk])
    page = body(officer_client.get(url, {"truong": world.school_a.pk, "loai": VisitKind.AUTHENTICITY}))
    assert "Kiểm tra tính xác thực của báo cáo tự đánh giá" in page
    response = officer_client.post(
        url,
        {
            "school": world.school_a.pk,
            "kind": VisitKind.AUTHENTICITY,
            "visited_on": "2025-03-10",
            "plan": plan.pk,
            "members": "Hoàng Văn Dũng – Trưởng đoàn",
            "findings": "Báo cáo trung thực.",
        },
    )
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("oversight:visit", args=[visit.pk])
    assert (visit.plan, visit.unit, visit.created_by) == (plan, world.district, world.officer_district)
    page = body(officer_client.get(response["Location"]))
    assert "Hoàng Văn Dũng – Trưởng đoàn" in page and "Báo cáo trung thực." in page


def test_visit_create_refused_input_shows_vietnamese_errors(officer_client, world):
    url = reverse("oversight:visit_create", args=[world.district.pk])
    response = officer_client.post(url, {"school": world.school_other.pk, "kind": "", "visited_on": "31/02/2025"})
    page = body(response)
    assert response.status_code == 200
    assert "Trường đã chọn không thuộc đơn vị." in page
    assert "Hãy chọn hình thức." in page
    assert "Ngày làm việc: hãy nhập ngày theo dạng ngày/tháng/năm" in page
    assert not Visit.objects.exists()


def test_visit_plan_of_other_commune_refused_by_the_service(client, world):
    """A commune officer's form lists plans of the commune and above; a sibling's plan is refused."""
    client.force_login(world.officer_district)
    other = annual_plan(world.commune_b)
    response = client.post(
        reverse("oversight:visit_create", args=[world.district.pk]),
        {"school": world.school_a.pk, "kind": VisitKind.INSPECTION, "visited_on": "2025-03-10", "plan": other.pk},
    )
    assert response.status_code == 200 and "Kế hoạch đã chọn không thuộc đơn vị hoặc cấp trên." in body(response)
    assert not Visit.objects.exists()


def test_visit_edit_and_delete(officer_client, world, visit):
    url = reverse("oversight:visit_edit", args=[visit.pk])
    assert "Bổ sung minh chứng" not in body(officer_client.get(url))
    response = officer_client.post(
        url, {"school": world.school_a.pk, "kind": VisitKind.INSPECTION, "visited_on": "2025-03-11", "findings": "Mới"}
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.kind, visit.visited_on, visit.findings, visit.members) == (
        VisitKind.INSPECTION,
        date(2025, 3, 11),
        "Mới",
        "",
    )
    response = officer_client.post(reverse("oversight:visit_delete", args=[visit.pk]))
    assert response["Location"].endswith(reverse("oversight:unit", args=[world.district.pk]) + "#kiem-tra")
    assert not Visit.objects.exists()


def test_visit_delete_needs_post(officer_client, visit):
    assert officer_client.get(reverse("oversight:visit_delete", args=[visit.pk])).status_code == 405


def test_action_add_complete_delete(officer_client, world, visit):
    add = reverse("oversight:action_add", args=[visit.pk])
    response = officer_client.post(
        add, {"content": "Họp hội đồng", "responsible": "Hiệu trưởng", "due_on": "2025-05-01"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#viec-can-lam")
    action = VisitAction.objects.get(content="Họp hội đồng")
    refused = officer_client.post(add, {"content": "Việc", "due_on": "2025-01-01"})
    assert refused.status_code == 200 and "không được trước ngày làm việc của đoàn" in body(refused)
    assert visit.actions.count() == 3
    done = reverse("oversight:action_complete", args=[visit.pk, action.pk])
    response = officer_client.post(done, {"done_on": "2025-04-20", "note": "Đã họp"})
    assert response["Location"].endswith(reverse("oversight:visit", args=[visit.pk]) + "#viec-can-lam")
    action.refresh_from_db()
    assert action.is_done and action.done_note == "Đã họp"
    again = officer_client.post(done, {}, follow=True)
    assert "Chưa ghi được kết quả: Việc này đã được ghi là hoàn thành." in body(again)
    officer_client.post(reverse("oversight:action_delete", args=[visit.pk, action.pk]))
    assert not VisitAction.objects.filter(pk=action.pk).exists()


def test_action_complete_refuses_an_unsafe_next(client, world, visit):
    client.force_login(world.principal_a)
    action = visit.actions.first()
    response = client.post(
        reverse("oversight:action_complete", args=[visit.pk, action.pk]), {"next": "https://example.com/"}
    )
    assert response["Location"].startswith(reverse("oversight:visit", args=[visit.pk]))


def test_principal_reads_visit_without_edit_controls(client, world, visit):
    client.force_login(world.principal_a)
    page = body(client.get(reverse("oversight:visit", args=[visit.pk])))
    assert "Bổ sung minh chứng tiêu chí 1.6" in page
    assert "Ghi hoàn thành" in page
    assert "Sửa thông tin" not in page and "Thêm việc cần thực hiện" not in page


# --- officers in charge -----------------------------------------------------------------------------------------------


def officer_data(**over) -> dict:
    data = {
        "school_level": SchoolLevel.KINDERGARTEN,
        "full_name": "Bà Lý Mỹ Liên",
        "title": "Chuyên viên",
        "phone": "",
        "email": "cvgdmn2.hocmon@moet.edu.vn",
        "user": "",
    }
    return {**data, **over}


def test_officer_add_edit_delete_plain_posts(officer_client, world):
    unit_url = reverse("oversight:unit", args=[world.district.pk])
    response = officer_client.post(reverse("oversight:officer_add", args=[world.district.pk]), officer_data())
    assert response["Location"] == unit_url + "#can-bo"
    officer = OfficerInCharge.objects.get()
    page = body(officer_client.get(unit_url))
    assert "Bà Lý Mỹ Liên" in page and "mailto:cvgdmn2.hocmon@moet.edu.vn" in page
    editing = body(officer_client.get(unit_url, {"sua_can_bo": officer.pk}))
    assert 'class="editing"' in editing
    edit = reverse("oversight:officer_edit", args=[officer.pk])
    assert officer_client.get(edit).status_code == 200
    officer_client.post(edit, officer_data(school_level=SchoolLevel.GENERAL, user=world.officer_district.pk))
    officer.refresh_from_db()
    assert officer.school_level == SchoolLevel.GENERAL and officer.user == world.officer_district
    officer_client.post(reverse("oversight:officer_delete", args=[officer.pk]))
    assert not OfficerInCharge.objects.exists()


def test_officer_form_errors_in_vietnamese(officer_client, world):
    url = reverse("oversight:officer_add", args=[world.district.pk])
    assert officer_client.get(url).status_code == 200
    response = officer_client.post(url, officer_data(full_name="", email="sai@", user=world.principal_a.pk))
    page = body(response)
    assert response.status_code == 200
    assert "Hãy ghi họ và tên cán bộ phụ trách." in page
    assert "Tài khoản đã chọn không phải cán bộ của đơn vị hoặc cấp trên." in page
    response = officer_client.post(url, officer_data(email="sai@"))
    assert "Địa chỉ thư điện tử “sai@” không hợp lệ." in body(response)
    assert not OfficerInCharge.objects.exists()


def test_officer_section_answers_htmx(officer_client, world):
    htmx = {"HTTP_HX_REQUEST": "true"}
    url = reverse("oversight:officer_add", args=[world.district.pk])
    response = officer_client.post(url, officer_data(), **htmx)
    page = body(response)
    assert response.status_code == 200 and page.lstrip().startswith('<section class="card" id="can-bo"')
    assert "Đã thêm cán bộ phụ trách Bà Lý Mỹ Liên." in page and "<html" not in page
    refused = body(officer_client.post(url, officer_data(full_name=""), **htmx))
    assert "Hãy ghi họ và tên cán bộ phụ trách." in refused and "<html" not in refused
    officer = OfficerInCharge.objects.get()
    refused_edit = body(
        officer_client.post(reverse("oversight:officer_edit", args=[officer.pk]), officer_data(full_name=""), **htmx)
    )
    assert 'class="editing"' in refused_edit
    deleted = body(officer_client.post(reverse("oversight:officer_delete", args=[officer.pk]), **htmx))
    assert "Đơn vị chưa ghi cán bộ phụ trách nào." in deleted
    # No message was left behind for the next full page.
    assert "Đã thêm cán bộ phụ trách" not in body(
        officer_client.get(reverse("oversight:unit", args=[world.district.pk]))
    )


# --- trainings --------------------------------------------------------------------------------------------------------


def test_training_create_edit_delete(officer_client, world):
    url = reverse("oversight:training_create", args=[world.district.pk])
    assert officer_client.get(url).status_code == 200
    refused = officer_client.post(url, {"title": "", "starts_on": ""})
    assert "Hãy ghi nội dung tập huấn." in body(refused) and "Hãy ghi ngày tập huấn." in body(refused)
    refused = officer_client.post(url, {"title": "Tập huấn", "starts_on": "2025-02-20", "ends_on": "2025-02-10"})
    assert "Ngày kết thúc không được trước ngày bắt đầu." in body(refused)
    assert not Training.objects.exists()
    response = officer_client.post(
        url, {"title": "Tập huấn tự đánh giá", "starts_on": "20/02/2025", "audience": "Hiệu trưởng các trường"}
    )
    training = Training.objects.get()
    assert response["Location"] == reverse("oversight:training", args=[training.pk])
    edit = reverse("oversight:training_edit", args=[training.pk])
    assert "Tập huấn tự đánh giá" in body(officer_client.get(edit))
    officer_client.post(edit, {"title": "Tập huấn viết báo cáo", "starts_on": "2025-02-21", "location": "Hội trường"})
    training.refresh_from_db()
    assert (training.title, training.location, training.audience) == ("Tập huấn viết báo cáo", "Hội trường", "")
    officer_client.post(reverse("oversight:training_delete", args=[training.pk]))
    assert not Training.objects.exists()


def test_participants_bulk_add_and_attendance(officer_client, world, training):
    url = reverse("oversight:participants_add", args=[training.pk])
    response = officer_client.post(
        url,
        {
            "text": "Nguyễn Văn An – Hiệu trưởng – Trường Tiểu học An Bình\nBùi Thị Bình – Hiệu trưởng – SB",
            "attended": "on",
        },
    )
    assert response["Location"].endswith("#nguoi-tham-du")
    page = body(officer_client.get(reverse("oversight:training", args=[training.pk])))
    assert page.count('data-testid="participant-row"') == 2 and "2/2 có mặt" in page
    participant = training.participants.get(full_name="Bùi Thị Bình")
    officer_client.post(
        reverse("oversight:participant_attended", args=[training.pk, participant.pk]), {"attended": "0"}
    )
    participant.refresh_from_db()
    assert not participant.attended
    officer_client.post(reverse("oversight:participant_delete", args=[training.pk, participant.pk]))
    assert training.participants.count() == 1


def test_participants_unknown_school_error_names_the_line(officer_client, world, training):
    response = officer_client.post(
        reverse("oversight:participants_add", args=[training.pk]),
        {"text": "Nguyễn Văn An – Hiệu trưởng – SA\nLê Văn C – Giáo viên – Trường Không Tồn Tại"},
    )
    page = body(response)
    assert response.status_code == 200
    assert "Dòng 2 (“Lê Văn C – Giáo viên – Trường Không Tồn Tại”): Không tìm thấy trường" in page
    assert not training.participants.exists()


def test_participant_list_xlsx(officer_client, world, training):
    participants_add(
        actor=world.officer_district,
        training=training,
        text="Nguyễn Văn An – Hiệu trưởng – SA\nĐỗ Thị Hà – Chuyên viên",
    )
    response = officer_client.get(reverse("oversight:training_export", args=[training.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert response["Content-Disposition"] == f'attachment; filename="danh-sach-tap-huan-{training.pk}.xlsx"'
    ws = load_workbook(BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = rows.index(["STT", "Họ và tên", "Chức vụ", "Trường", "Mã trường", "Tham dự"])
    assert all(cell.font.bold for cell in ws[header + 1])
    assert rows[header + 1] == [1, "Nguyễn Văn An", "Hiệu trưởng", "Trường Tiểu học An Bình", "SA", "Có"]
    assert rows[header + 2] == [2, "Đỗ Thị Hà", "Chuyên viên", None, None, "Có"]
    assert "Tập huấn công tác tự đánh giá" in rows[0][0]


# --- the school's view ------------------------------------------------------------------------------------------------


def test_school_view_for_principal(client, world, visit, training):
    officer_add(
        actor=world.officer_district,
        unit=world.district,
        school_level=SchoolLevel.PRIMARY,
        full_name="Ông Nguyễn Tiểu Học",
        email="cvth@example.vn",
    )
    officer_add(
        actor=world.officer_district, unit=world.district, school_level=SchoolLevel.KINDERGARTEN, full_name="Bà Mầm Non"
    )
    participants_add(
        actor=world.officer_district, training=training, text="Nguyễn Văn An – Hiệu trưởng – SA\nBùi Thị Bình – HT – SB"
    )
    client.force_login(world.principal_a)
    page = body(client.get(reverse("oversight:school", args=[world.school_a.pk])))
    assert page.count('data-testid="open-action"') == 2
    assert page.count('data-testid="school-visit"') == 1
    assert "Ông Nguyễn Tiểu Học" in page and "mailto:cvth@example.vn" in page and "Bà Mầm Non" not in page
    assert "Tập huấn công tác tự đánh giá" in page and "Nguyễn Văn An" in page and "Bùi Thị Bình" not in page
    assert "Thêm đợt kiểm tra, tư vấn" not in page
    # The training is the district's: the school sees it listed, not its whole participant list.
    assert reverse("oversight:training", args=[training.pk]) not in page
    assert 'name="next"' in page


def test_school_view_for_officer_offers_new_visit(officer_client, world):
    page = body(officer_client.get(reverse("oversight:school", args=[world.school_a.pk])))
    assert reverse("oversight:visit_create", args=[world.district.pk]) + f"?truong={world.school_a.pk}" in page
    assert "Trường chưa có đợt kiểm tra, tư vấn nào." in page
