"""Browser journey of an authority's plan, as the Hương Trà officer would build it in January 2024.

Set up through the services (the live server shares the test database): the district's two schools, school A
recognised CĐ2-MĐ1 in January 2019 (so both decisions run out in January 2024: CN lại), school B never recognised
(CN lần đầu). In the browser the officer makes the 2024 plan, takes both suggestions into the list, changes one
school's target, adds a target (chỉ tiêu) and a task with a quarter deadline, then records B's new decision and sees
the list, the target's progress and the dashboard follow; finally downloads the plan as a Word file.
"""

from datetime import date

import pytest
from docx import Document

from kiemdinh.planning.models import AnnualPlan, PlanTarget
from kiemdinh.planning.tests.helpers import recognise
from kiemdinh.recognition.services import DecisionInput, decision_record
from kiemdinh.testing.browser import login, screenshot
from kiemdinh.testing.world import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_builds_the_plan_from_suggestions_and_follows_it(live_server, browser_page, world):
    recognise(world, world.school_a, decided_on=date(2019, 1, 15), number="15/QĐ-SGDĐT")
    recognise(world, world.school_a, kind="national_standard", level=1, decided_on=date(2019, 1, 15))
    page, base = browser_page, live_server.url
    login(page, base, world.officer_district.username, PASSWORD)

    page.locator("nav.mainnav").get_by_role("link", name="Kế hoạch").click()
    page.get_by_role("link", name="Lập kế hoạch mới").first.click()
    page.fill("#id_period", "2024")
    page.fill("#id_title", "Công tác kiểm định chất lượng giáo dục và xây dựng trường đạt chuẩn quốc gia năm 2024")
    page.fill("#id_number", "20/KH-UBND")
    page.fill("#id_issued_on", "2024-01-04")
    page.fill("#id_place", "Đông Sơn")
    page.fill("#id_purpose", "Xác định nhà trường đạt mức đáp ứng mục tiêu giáo dục.")
    page.fill("#id_signer_title", "TM.ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH")
    page.fill("#id_signer_name", "Đỗ Ngọc An")
    page.get_by_role("button", name="Lập kế hoạch").click()

    # The suggestions: A must be recognised again (its decisions run out on 15/01/2024), B for the first time.
    suggestions = page.get_by_test_id("suggestions")
    assert suggestions.get_by_test_id("suggestion-row").count() == 2
    row_a = suggestions.get_by_test_id("suggestion-row").filter(has_text=world.school_a.name)
    assert "15/01/2024" in row_a.inner_text() and "CN lại" in row_a.inner_text()
    screenshot(page, "planning-1-suggestions")
    page.get_by_role("checkbox", name="Chọn tất cả").check()
    page.get_by_test_id("accept-suggestions").click()
    table = page.get_by_test_id("target-table")
    assert table.get_by_test_id("target-row").count() == 2
    assert "Danh sách này gồm: 02 đơn vị" in page.content()

    # B aims higher: CĐ3-MĐ2.
    table.get_by_test_id("target-row").filter(has_text=world.school_b.name).get_by_role("link", name="sửa").click()
    page.select_option("#id_accreditation_grade", "3")
    page.select_option("#id_national_standard_level", "2")
    page.get_by_role("button", name="Lưu").click()
    assert "CĐ3-MĐ2" in page.get_by_test_id("target-table").inner_text()

    # A target measured from the data, and a task with a quarter deadline.
    page.locator("nav.tabs").get_by_role("link", name="Chỉ tiêu").click()
    page.get_by_role("link", name="Thêm chỉ tiêu").click()
    page.fill("#id_text", "100% trường trong danh sách đạt mục tiêu đăng ký")
    page.select_option("#id_metric", "targets_reached")
    page.select_option("#id_scope", "targets")
    page.select_option("#id_measure", "percent")
    page.fill("#id_target_value", "100")
    page.get_by_role("button", name="Lưu chỉ tiêu").click()
    assert "0% (0/2 trường; chỉ tiêu 100%)" in page.get_by_test_id("goal-value").inner_text()
    page.locator("nav.tabs").get_by_role("link", name="Nhiệm vụ").click()
    page.get_by_role("link", name="Thêm nhiệm vụ").click()
    page.fill("#id_agency", "Phòng Tài nguyên và Môi trường")
    page.fill("#id_content", "Hướng dẫn các trường lập hồ sơ xin giao đất.")
    page.fill("#id_deadline", "quý II năm 2024")
    page.get_by_role("button", name="Lưu nhiệm vụ").click()
    assert "quý II năm 2024" in page.get_by_test_id("task-table").inner_text()

    # B is recognised CĐ3 and MĐ2 in May 2024 — by their issuing bodies (the Sở, the provincial People's Committee),
    # not by the district officer: the list, the target and the dashboard follow.
    for kind, level, body in (
        ("accreditation", 3, world.officer_province),
        ("national_standard", 2, world.officer_committee),
    ):
        decision_record(
            actor=body, school=world.school_b, data=DecisionInput(kind=kind, level=level, decided_on=date(2024, 5, 20))
        )
    page.goto(f"{base}/cong-nhan/truong/{world.school_b.pk}/")
    assert page.get_by_test_id("decision-table").get_by_role("row").count() == 3
    plan = AnnualPlan.objects.get(number="20/KH-UBND")
    page.goto(f"{base}/ke-hoach/{plan.pk}/chi-tieu/")
    assert "50% (1/2 trường; chỉ tiêu 100%)" in page.get_by_test_id("goal-value").inner_text()
    page.goto(f"{base}/ke-hoach/{plan.pk}/truong/")
    row_b = page.get_by_test_id("target-row").filter(has_text=world.school_b.name)
    assert "Đã được công nhận" in row_b.inner_text() and "CĐ3-MĐ2" in row_b.inner_text()
    screenshot(page, "planning-2-list")
    page.goto(f"{base}/ke-hoach/don-vi/{world.district.pk}/tong-quan/")
    assert world.school_b.name in page.content()
    screenshot(page, "planning-3-dashboard")

    # The plan as a Word file, with its list as the appendix.
    page.goto(f"{base}/ke-hoach/{plan.pk}/")
    with page.expect_download() as download:
        page.locator("nav.tabs").get_by_role("link", name="Tải Word").click()
    document = Document(str(download.value.path()))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    text = "\n".join([p.text for p in document.paragraphs] + cells)
    assert "Số: 20/KH-UBND" in text and "Đông Sơn, ngày 04 tháng 01 năm 2024" in text
    assert "Danh sách này gồm: 02 đơn vị./." in text and "quý II năm 2024" in text
    assert PlanTarget.objects.filter(plan=plan).count() == 2
