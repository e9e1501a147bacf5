"""Browser journey of an external evaluation, from the members' reviews to the public page (issue #7, "done when").

Set up through the services: school A's TT17 self-assessment accepted (every criterion Mức 3), its registration
accepted, a team working from five days ago to thirty days ahead — the leader studies standards 1–3, the member 4–5,
both with accounts. In the browser the member writes the review of one criterion; the leader (the other reviews
written through the service) takes the members' proposed levels, sees the school's level and CĐ/MĐ, writes the
conclusion and sends the draft; the principal reads it and answers; the leader replies and finalises; the district
officer issues both decisions and publishes the summary; an anonymous visitor sees them on the public pages with
their validity. Last, the member gets 404 on school B's cycle, and on school A's once the team's last day has passed.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from kiemdinh.evaluation.models import ReportStatus, Team
from kiemdinh.evaluation.services import work as ws
from kiemdinh.evaluation.tests.helpers import SCHOOL_YEAR, accepted_team
from kiemdinh.frameworks.models import Criterion
from kiemdinh.recognition.models import VALID_YEARS, Decision, years_after
from kiemdinh.testing.browser import login, screenshot
from kiemdinh.testing.world import PASSWORD
from kiemdinh.workflow.services import cycle_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEADER, MEMBER = "dgv_truongdoan", "dgv_thanhvien"


def _sign_in_as(page, base, username):
    page.context.clear_cookies()
    login(page, base, username, PASSWORD)


def test_team_reviews_agrees_reports_officer_issues_and_the_public_sees(
    live_server, browser_page, world, frameworks_loaded
):
    today = timezone.localdate()
    team = accepted_team(world, start=today - timedelta(days=5), end=today + timedelta(days=30))
    cycle_a = team.registration.cycle
    leader = team.members.get(role="leader")
    member = team.members.get(role="member")
    mine = list(member.criteria.order_by("position"))
    first = mine[0]
    page, base = browser_page, live_server.url
    page.on("dialog", lambda dialog: dialog.accept())

    # 2. The member opens the team from "Đánh giá ngoài" and writes the review of their first criterion.
    _sign_in_as(page, base, MEMBER)
    page.locator("nav.mainnav").get_by_role("link", name="Đánh giá ngoài").click()
    card = page.get_by_test_id("my-team")
    assert world.school_a.name in card.inner_text()
    card.get_by_role("link", name="Công việc của đoàn").click()
    assert "Nghiên cứu hồ sơ" in page.get_by_test_id("stage-now").inner_text()
    screenshot(page, "evaluation-journey-1-member-home")
    page.get_by_test_id("member-row").filter(has_text="Lê Thị Viên").get_by_role("link", name=first.code).click()
    page.fill("#id_description_comments", "Mô tả hiện trạng đầy đủ, đúng với minh chứng.")
    page.fill("#id_evidence_problems", "Biên bản họp phụ huynh năm 2024 chưa có chữ ký.")
    page.select_option("#id_proposed", str(first.max_level))
    page.get_by_role("button", name="Lưu phiếu").click()
    assert "Đã lưu phiếu đánh giá" in page.locator("body").inner_text()
    assert page.locator("#id_proposed").input_value() == str(first.max_level)
    screenshot(page, "evaluation-journey-2-member-review")

    # The other reviews, through the service: everyone proposes the criterion's highest level.
    for who, criteria in ((member, mine[1:]), (leader, list(leader.criteria.order_by("position")))):
        for criterion in criteria:
            ws.review_save(
                actor=who.evaluator.user, team=team, member=who, criterion=criterion,
                data=ws.ReviewInput(strengths="Đáp ứng đầy đủ.", proposed_level=criterion.max_level), today=today,
            )  # fmt: skip
    total = Criterion.objects.filter(version=cycle_a.framework).count()

    # The leader takes the proposed levels, then corrects one criterion's note, and sees the school's level.
    _sign_in_as(page, base, LEADER)
    page.goto(f"{base}/danh-gia-ngoai/doan/{team.pk}/")
    page.get_by_role("navigation", name="Công việc của đoàn").get_by_role("link", name="Thống nhất mức").click()
    page.get_by_test_id("copy-link").click()
    assert page.get_by_test_id("copy-preview").locator("tbody tr").count() == total
    screenshot(page, "evaluation-journey-3-copy-preview")
    page.get_by_test_id("copy-confirm").click()
    assert f"Đã lấy mức đề xuất cho {total} tiêu chí" in page.locator("body").inner_text()
    row = page.get_by_test_id("rating-row").filter(has_text="1.1").first
    row.locator("textarea").fill("Đoàn đã kiểm tra minh chứng tại trường.")
    row.get_by_role("button", name="Lưu").click()
    page.get_by_test_id("rating-saved").wait_for()
    assert team.ratings.get(criterion__code="1.1").note == "Đoàn đã kiểm tra minh chứng tại trường."
    result = page.get_by_test_id("team-result").inner_text()
    assert f"Đã thống nhất {total}/{total} tiêu chí" in result
    assert "đạt Mức 3" in result and "Cấp độ 3" in result and "Chuẩn quốc gia mức độ 2" in result
    screenshot(page, "evaluation-journey-4-ratings")

    page.get_by_role("navigation", name="Công việc của đoàn").get_by_role("link", name="Báo cáo").click()
    page.fill("#id_conclusions", "Nhà trường đạt Mức 3; cần hoàn thiện hồ sơ họp phụ huynh.")
    page.get_by_role("button", name="Lưu báo cáo").click()
    assert "Đã lưu báo cáo" in page.locator("body").inner_text()
    page.get_by_test_id("send").click()
    assert "Đã gửi dự thảo" in page.locator("body").inner_text()
    screenshot(page, "evaluation-journey-5-draft-sent")

    # 3. The principal reads the draft and answers; the leader replies and finalises.
    _sign_in_as(page, base, world.principal_a.username)
    page.locator("nav.mainnav").get_by_role("link", name="Đánh giá ngoài").click()
    page.get_by_role("link", name=f"{world.school_a.name} · năm học {SCHOOL_YEAR}").click()
    page.get_by_role("link", name="Dự thảo báo cáo đánh giá ngoài").click()
    assert "cần hoàn thiện hồ sơ họp phụ huynh" in page.get_by_test_id("conclusions").inner_text()
    page.select_option("#id_criterion", label=f"Tiêu chí {first.code}: {first.name}")
    page.fill("#id_text", "Biên bản họp phụ huynh đã được ký bổ sung, đề nghị đoàn xem lại.")
    page.get_by_role("button", name="Gửi ý kiến").click()
    assert "Đã gửi ý kiến của nhà trường" in page.locator("body").inner_text()
    screenshot(page, "evaluation-journey-6-school-answer")

    _sign_in_as(page, base, LEADER)
    page.goto(f"{base}/danh-gia-ngoai/doan/{team.pk}/bao-cao/")
    feedback = page.get_by_test_id("feedback")
    feedback.locator("textarea").fill("Đoàn đã xem biên bản bổ sung; giữ Mức 3.")
    feedback.get_by_role("button", name="Trả lời").click()
    assert "Đã ghi ý kiến trả lời của đoàn" in page.locator("body").inner_text()
    page.get_by_test_id("finalise").click()
    assert "Đã hoàn thành báo cáo đánh giá ngoài chính thức" in page.locator("body").inner_text()
    screenshot(page, "evaluation-journey-7-final")
    with page.expect_download() as download:
        page.get_by_test_id("download-docx").click()
    assert download.value.suggested_filename.endswith(".docx")
    pdf = page.request.get(f"{base}/danh-gia-ngoai/doan/{team.pk}/bao-cao/tai-ve.pdf")
    assert pdf.ok  # the PDF, or the report again with why it is not available
    team.refresh_from_db()
    assert team.report.status == ReportStatus.FINAL

    # 4. Each body issues its decision (the rule table): the Sở the grade, then publishes the summary; the provincial
    # People's Committee the national-standard level. The district officer follows the page and issues nothing.
    signed = today
    until = years_after(signed, VALID_YEARS)
    _sign_in_as(page, base, world.officer_district.username)
    page.goto(f"{base}/cong-nhan/doan/{team.pk}/ban-hanh/")
    assert page.get_by_test_id("issue-form").count() == 0
    assert "Ủy ban nhân dân tỉnh Thử Nghiệm" in page.get_by_test_id("issue-elsewhere").inner_text()
    _sign_in_as(page, base, world.officer_province.username)
    page.goto(f"{base}/danh-gia-ngoai/doan-danh-gia/{team.pk}/")
    page.get_by_role("link", name="Ban hành quyết định công nhận").click()
    assert "Mức 3" in page.get_by_test_id("team-result").inner_text()
    page.fill("#id_decided_on", signed.isoformat())
    page.fill("#id_number_accreditation", "321/QĐ-SGDĐT")
    page.check("#id_confirm")
    screenshot(page, "evaluation-journey-8-issue-form")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Ban hành 1 quyết định").click()
    issued = page.get_by_test_id("issued-decisions").inner_text()
    assert "321/QĐ-SGDĐT" in issued and f"{until:%d/%m/%Y}" in issued
    page.get_by_test_id("publication").get_by_role("button", name="Công khai").click()
    assert "Đã công khai tóm tắt" in page.locator("body").inner_text()
    _sign_in_as(page, base, world.officer_committee.username)
    page.goto(f"{base}/cong-nhan/doan/{team.pk}/ban-hanh/")
    page.fill("#id_decided_on", signed.isoformat())
    page.fill("#id_number_national", "654/QĐ-UBND")
    page.check("#id_confirm")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Ban hành 1 quyết định").click()
    issued = page.get_by_test_id("issued-decisions").inner_text()
    assert "321/QĐ-SGDĐT" in issued and "654/QĐ-UBND" in issued and f"{until:%d/%m/%Y}" in issued
    assert Decision.objects.filter(school=world.school_a, team=team).count() == 2
    assert page.get_by_test_id("issue-reasons").count() == 0  # the issued decisions are listed, not warned about
    with page.expect_download() as download:
        page.get_by_test_id("issued-decisions").get_by_role("link", name="Tải quyết định (DOCX)").first.click()
    assert download.value.suggested_filename.endswith(".docx")
    screenshot(page, "evaluation-journey-9-issued")

    # An anonymous visitor sees them on the public pages.
    page.context.clear_cookies()
    page.goto(f"{base}/cong-khai/don-vi/{world.district.code}/")
    schools = page.get_by_test_id("public-schools").locator("tr").filter(has_text=world.school_a.name).inner_text()
    assert "Cấp độ 3" in schools and "Mức độ 2" in schools and "321/QĐ-SGDĐT" in schools
    assert f"đến {until:%d/%m/%Y}" in schools
    screenshot(page, "evaluation-journey-10-public-unit")
    page.get_by_role("link", name=world.school_a.name).click()
    standing = page.get_by_test_id("recognitions").inner_text()
    assert "cấp độ 3" in standing and "321/QĐ-SGDĐT" in standing and "654/QĐ-UBND" in standing
    assert f"đến {until:%d/%m/%Y}" in standing
    assert "đạt Mức 3" in page.get_by_test_id("evaluations").inner_text()
    screenshot(page, "evaluation-journey-11-public-school")

    # 5. The member sees nothing of school B, and nothing of school A after the team's last day.
    cycle_b = cycle_open(actor=world.principal_b, school=world.school_b, school_year=SCHOOL_YEAR)
    _sign_in_as(page, base, MEMBER)
    assert page.goto(f"{base}/tu-danh-gia/{cycle_a.pk}/").status == 200
    assert page.goto(f"{base}/tu-danh-gia/{cycle_b.pk}/").status == 404
    Team.objects.filter(pk=team.pk).update(ends_on=today - timedelta(days=1))
    assert page.goto(f"{base}/tu-danh-gia/{cycle_a.pk}/").status == 404
    page.goto(f"{base}/danh-gia-ngoai/cua-toi/")
    assert "Đoàn đã kết thúc làm việc" in page.get_by_test_id("dossier-closed").inner_text()
    screenshot(page, "evaluation-journey-12-member-after-end")
