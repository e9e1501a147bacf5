"""Browser journey of a registration for external evaluation, from the school to the evaluator.

Set up through the services: school A's self-assessment accepted (Mức 3), three evaluators of the network with
accounts — two of the province, one of school A's own commune (a conflict of interest). In the browser the principal
registers; the district officer accepts, establishes the team (working from today) with two evaluators, and is refused
the third with the reason; the team leader signs in and opens the school's dossier; an evaluator on no team gets 404.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from kiemdinh.evaluation.models import Registration, Team
from kiemdinh.evaluation.tests.helpers import accepted_cycle, evaluator
from kiemdinh.testing.browser import login, screenshot
from kiemdinh.testing.world import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_school_registers_officer_establishes_team_evaluator_opens_dossier(
    live_server, browser_page, world, frameworks_loaded
):
    cycle = accepted_cycle(world)
    leader = evaluator(world, "dgv_truongdoan", "Phạm Văn Trưởng")
    member = evaluator(world, "dgv_thanhvien", "Lê Thị Viên")
    conflicted = evaluator(world, "dgv_xa", "Cán Bộ Xã An Bình", unit=world.commune_a)
    page, base = browser_page, live_server.url
    page.on("dialog", lambda dialog: dialog.accept())
    today = timezone.localdate()

    # The principal registers.
    login(page, base, world.principal_a.username, PASSWORD)
    page.goto(f"{base}/danh-gia-ngoai/dot/{cycle.pk}/dang-ky/")
    eligibility = page.get_by_test_id("eligibility").inner_text()
    assert "Mức 3" in eligibility and "đủ điều kiện" in eligibility
    page.select_option("#id_recognition_round", "first")
    page.fill("#id_cohort_note", "Khóa 2020-2025 hoàn thành chương trình tiểu học")
    screenshot(page, "evaluation-1-registration-form")
    page.get_by_role("button", name="Gửi đăng ký").click()
    assert "Đã đăng ký, chờ xem xét" in page.get_by_test_id("registrations").inner_text()
    assert Registration.objects.get().status == "submitted"

    # The district's Phòng GD&ĐT accepts; the Sở establishes the team (the rule table).
    page.context.clear_cookies()
    login(page, base, world.officer_district.username, PASSWORD)
    page.goto(f"{base}/danh-gia-ngoai/")
    row = page.get_by_test_id("registration-row").filter(has_text=world.school_a.name)
    row.get_by_role("button", name="Chấp nhận").click()
    screenshot(page, "evaluation-2-authority-list")
    assert page.get_by_test_id("registration-row").get_by_role("link", name="Thành lập đoàn").count() == 0
    page.context.clear_cookies()
    login(page, base, world.officer_province.username, PASSWORD)
    page.goto(f"{base}/danh-gia-ngoai/don-vi/{world.province.pk}/")
    page.get_by_test_id("registration-row").get_by_role("link", name="Thành lập đoàn").click()
    page.fill("#id_decision_number", "125/QĐ-SGDĐT")
    page.fill("#id_decision_on", today.isoformat())
    page.fill("#id_dossier_from", today.isoformat())
    page.fill("#id_preliminary_on", (today + timedelta(days=14)).isoformat())
    page.fill("#id_official_from", (today + timedelta(days=30)).isoformat())
    page.fill("#id_official_to", (today + timedelta(days=32)).isoformat())
    page.fill("#id_ends_on", (today + timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Thành lập đoàn").click()
    assert "Nghiên cứu hồ sơ" in page.get_by_test_id("stage-today").inner_text()
    team = Team.objects.get()

    for person, role in ((leader, "leader"), (member, "member")):
        page.select_option("#id_evaluator", str(person.pk))
        page.select_option("#id_role", role)
        page.get_by_role("button", name="Thêm vào đoàn").click()
    assert page.get_by_test_id("member-row").count() == 2
    page.select_option("#id_evaluator", str(conflicted.pk))
    page.select_option("#id_role", "member")
    page.get_by_role("button", name="Thêm vào đoàn").click()
    refusal = page.get_by_test_id("member-form").inner_text()
    assert "đơn vị quản lý" in refusal and "Không thể phân công" in refusal
    assert team.members.count() == 2

    page.get_by_test_id("member-row").filter(has_text="Phạm Văn Trưởng").get_by_role("link", name="phân công").click()
    for code in ("1.1", "1.2", "1.3"):
        page.get_by_label(code + ".", exact=False).first.check()
    page.get_by_role("button", name="Lưu phân công").click()
    members = page.get_by_test_id("members").inner_text()
    assert "1.1, 1.2, 1.3" in members and "Chưa ai được phân công" in members
    screenshot(page, "evaluation-3-team")

    # The leader opens the school's dossier.
    page.context.clear_cookies()
    login(page, base, "dgv_truongdoan", PASSWORD)
    page.goto(f"{base}/danh-gia-ngoai/cua-toi/")
    team_card = page.get_by_test_id("my-team")
    assert "Trưởng đoàn" in team_card.inner_text()
    screenshot(page, "evaluation-4-evaluator-teams")
    team_card.get_by_test_id("dossier-links").get_by_role("link", name="Tổng quan").click()
    assert world.school_a.name in page.locator("h1").inner_text()
    page.goto(f"{base}/tu-danh-gia/{cycle.pk}/minh-chung/")
    assert page.locator("h1").count() == 1

    # An evaluator on no team does not see the school's cycle.
    page.context.clear_cookies()
    login(page, base, world.evaluator.username, PASSWORD)
    response = page.goto(f"{base}/tu-danh-gia/{cycle.pk}/")
    assert response.status == 404
