"""Browser journey of issue #3: a principal and a council member run a whole cycle, from opening to submission.

The principal opens the cycle, forms the council, writes the plan and adds evidence; the council member fills the
form of the criterion assigned to them (live level, autosave, citation); the other criteria are filled through the
services (the live server shares the test database); the principal submits, the commune officer returns the cycle with
a comment on a criterion and the principal sees it, then downloads the report (DOCX) and finds in it what was entered.
"""

import io
import re
import zipfile

import pytest

from kiemdinh.frameworks.models import Criterion
from kiemdinh.selfassessment.models import CriterionForm, Cycle, CycleStatus
from kiemdinh.selfassessment.tests.builders import complete_report, fill_forms
from kiemdinh.testing.browser import screenshot
from kiemdinh.testing.world import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EVIDENCE_CODE = "[H1-1.1-01]"
EVIDENCE_NAME = "Nghị quyết phê duyệt chiến lược phát triển nhà trường giai đoạn 2025-2030"


def login(page, base, user):
    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/dang-nhap/" not in url)


def logout(page):
    page.locator("form.logout").get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/tai-khoan/dang-nhap/**")


def open_cycle(page, school_name):
    """From any page: the main menu's "Tự đánh giá", then the school's cycle in the list."""
    page.locator("nav.mainnav").get_by_role("link", name="Tự đánh giá").click()
    page.get_by_test_id("cycle-list").get_by_role("link", name=school_name).click()
    page.get_by_test_id("cycle-status").wait_for()


def tab(page, name):
    page.locator("nav.tabs").get_by_role("link", name=name, exact=True).click()
    page.wait_for_load_state()


def open_details(details):
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def add_council_member(page, full_name, role, account=None):
    from playwright.sync_api import expect

    open_details(page.locator("#council-members details.add-form"))
    form = page.locator("#council-members details.add-form form")
    form.get_by_label("Họ và tên").fill(full_name)
    form.get_by_label("Nhiệm vụ trong hội đồng").select_option(label=role)
    if account:
        form.get_by_label("Tài khoản trong hệ thống").select_option(label=account)
    form.get_by_role("button", name="Thêm thành viên").click()
    expect(page.get_by_test_id("council-problems")).to_contain_text(f"Đã thêm {full_name} vào hội đồng.")


def tick(page, key):
    """Tick an indicator and wait until htmx has swapped in the re-rendered ratings form."""
    page.evaluate("document.getElementById('ratings').dataset.stale = '1'")
    page.get_by_test_id(f"tick-{key}").check()
    page.wait_for_selector("#ratings:not([data-stale])")


def test_principal_and_member_run_a_cycle_from_opening_to_submission(
    live_server, browser_page, world, frameworks_loaded, tmp_path
):
    from playwright.sync_api import expect

    page = browser_page
    base = live_server.url
    school = world.school_a.name

    # 1. The principal opens the cycle of 2025-2026.
    login(page, base, world.principal_a)
    page.locator("nav.mainnav").get_by_role("link", name="Tự đánh giá").click()
    opening = page.get_by_test_id("open-cycle")
    open_details(page.locator("details", has=opening))
    opening.get_by_label("Năm học").fill("2025-2026")
    opening.get_by_role("button", name="Mở đợt tự đánh giá").click()
    expect(page.locator(".messages")).to_contain_text("Đã mở đợt tự đánh giá năm học 2025-2026.")
    cycle = Cycle.objects.get(school=world.school_a, school_year="2025-2026")
    assert cycle.framework.code == "tt17-2018"
    assert Criterion.objects.filter(version=cycle.framework).count() == 27
    assert page.url.rstrip("/").endswith(f"/tu-danh-gia/{cycle.pk}")
    expect(page.get_by_test_id("cycle-status")).to_have_text("Đang tự đánh giá")
    expect(page.get_by_test_id("steps").locator("li.step")).to_have_count(7)
    expect(page.get_by_test_id("blockers")).to_contain_text("Hội đồng")
    expect(page.get_by_test_id("blockers")).to_contain_text("27 phiếu đánh giá tiêu chí chưa đầy đủ")
    screenshot(page, "cycle-01-overview")

    # 2. The council: seven members (member_a's account linked to an Ủy viên), a working group, criterion 1.1 assigned.
    tab(page, "Hội đồng")
    problems = page.get_by_test_id("council-problems")
    expect(problems.locator(".notice-bad")).to_contain_text("Hội đồng chưa đúng quy định")
    add_council_member(page, "Nguyễn Văn An", "Chủ tịch")
    add_council_member(page, "Trần Thị Thu", "Thư ký")
    add_council_member(page, "Lê Văn Minh", "Ủy viên", account="Lê Văn Minh (thanhvien_a)")
    for name in ("Phạm Thị Hằng", "Đỗ Văn Hùng", "Võ Thị Mai", "Hồ Văn Nam"):
        add_council_member(page, name, "Ủy viên")
    expect(page.get_by_test_id("council-members").locator("tbody tr")).to_have_count(7)
    expect(page.locator("#thanh-vien-" + str(cycle.council_members.get(user=world.member_a).pk))).to_contain_text(
        "thanhvien_a"
    )
    open_details(page.locator("#council-groups details.add-form"))
    groups = page.locator("#council-groups details.add-form form")
    groups.get_by_label("Tên nhóm").fill("Nhóm 1: Tiêu chuẩn 1")
    groups.get_by_label("Nhiệm vụ của nhóm").fill("Thu thập minh chứng, viết phiếu các tiêu chí của Tiêu chuẩn 1.")
    groups.get_by_role("button", name="Thêm nhóm").click()
    expect(problems).to_contain_text("Đã thêm nhóm công tác “Nhóm 1: Tiêu chuẩn 1”.")
    assignments = page.locator("#council-assignments")
    assignments.get_by_label("Nhóm công tác phụ trách tiêu chí 1.1", exact=True).select_option(
        label="Nhóm 1: Tiêu chuẩn 1"
    )
    assignments.get_by_label("Thành viên phụ trách tiêu chí 1.1", exact=True).select_option(label="Lê Văn Minh")
    assignments.get_by_role("button", name="Lưu phân công").click()
    expect(problems).to_contain_text("Đã lưu phân công tiêu chí.")
    expect(page.get_by_test_id("unassigned-count")).to_contain_text(
        "Còn 31 tiêu chí chưa phân công trên tổng số 32"
    )  # 27 + 5 Mức 4
    expect(problems.locator(".notice-bad")).to_have_count(0)  # no rule breach left
    expect(problems.locator(".notice-ok")).to_be_visible()
    # The number and date of the signed decision forming the council.
    decision = page.get_by_test_id("council-decision")
    decision.get_by_label("Số quyết định").fill("45/QĐ-TH")
    decision.get_by_label("Ngày ký").fill("2025-09-08")
    decision.get_by_role("button", name="Lưu số, ngày quyết định").click()
    expect(decision).to_contain_text("Quyết định số 45/QĐ-TH ngày 08/09/2025")
    screenshot(page, "cycle-02-council")

    # 3. The plan: purpose, then the proposed timeline of the seven steps.
    tab(page, "Kế hoạch")
    texts = page.locator("#plan-texts")
    texts.get_by_label("Mục đích tự đánh giá").fill(
        "Nhà trường xác định thực trạng chất lượng giáo dục, xây dựng kế hoạch cải tiến và đăng ký kiểm định."
    )
    texts.get_by_role("button", name="Lưu kế hoạch").click()
    expect(page.locator("#plan-texts .msg-success")).to_contain_text("Đã lưu kế hoạch tự đánh giá.")
    page.locator("#plan-timeline").get_by_role("button", name="Tạo lịch mẫu").click()
    expect(page.get_by_test_id("plan-activities").locator("tbody tr")).to_have_count(7)
    assert "xác định thực trạng" in cycle.plan.purpose
    screenshot(page, "cycle-03-plan")

    # 4. Evidence: one item for criterion 1.1 with a PDF file; its code is generated.
    tab(page, "Minh chứng")
    page.get_by_role("link", name="+ Thêm minh chứng").click()
    criterion_11 = Criterion.objects.get(version=cycle.framework, code="1.1")
    page.select_option("#id_criterion", value=str(criterion_11.pk))
    page.get_by_label("Tên minh chứng").fill(EVIDENCE_NAME)
    page.get_by_label("Số, ngày ban hành").fill("Số 15/NQ-HĐT, ngày 10/9/2025")
    upload = tmp_path / "Nghị quyết 15.pdf"
    upload.write_bytes(PDF)
    page.set_input_files("input[name=files]", str(upload))
    page.locator("form.evidence-form").get_by_role("button", name="Thêm minh chứng").click()
    expect(page.locator(".messages .msg-success")).to_contain_text(f"Đã thêm minh chứng {EVIDENCE_CODE}")
    expect(page.locator("#tieu-chi-1\\.1")).to_contain_text(EVIDENCE_NAME)
    screenshot(page, "cycle-04-evidence")
    logout(page)

    # 5. The council member fills the form of criterion 1.1.
    login(page, base, world.member_a)
    open_cycle(page, school)
    tab(page, "Phiếu tiêu chí")
    page.get_by_test_id("criteria-table").get_by_role("link", name=re.compile(r"^1\.1 ")).click()
    expect(page.locator("h2.form-title")).to_contain_text("Tiêu chí 1.1")
    form_texts = page.get_by_test_id("form-texts")
    form_texts.locator("textarea").first.fill(
        f"Phương hướng, chiến lược giai đoạn 2025-2030 phù hợp mục tiêu giáo dục, được Hội đồng trường thông qua "
        f"{EVIDENCE_CODE}."
    )
    for key in ("1.b", "1.c", "2", "3"):
        form_texts.locator(f"textarea[name='mo_ta_{key}']").fill(f"Nhà trường đáp ứng yêu cầu {EVIDENCE_CODE}.")
    form_texts.get_by_label("2. Điểm mạnh").fill("Chiến lược được xây dựng có sự tham gia của cha mẹ học sinh.")
    form_texts.get_by_label("3. Điểm yếu").fill("Việc rà soát định kỳ chưa được ghi biên bản đầy đủ.")
    form_texts.get_by_label("4. Kế hoạch cải tiến chất lượng").fill("Từ năm học 2025-2026 lập biên bản rà soát.")

    level = page.get_by_test_id("criterion-level")
    summary = page.locator("#school-summary")
    expect(level).to_contain_text("chưa đạt Mức 1")
    expect(summary).to_contain_text("Mức 1: 0/27")
    page.evaluate("window.__marker = 1")
    tick(page, "1.a")
    tick(page, "1.b")
    expect(level).to_contain_text("chưa đạt Mức 1")
    tick(page, "1.c")
    expect(level).to_contain_text("đạt Mức 1")
    expect(level).not_to_contain_text("chưa")
    expect(summary).to_contain_text("Mức 1: 1/27")
    tick(page, "2")
    tick(page, "3")
    expect(level).to_contain_text("đạt Mức 3")
    expect(summary).to_contain_text("Mức 3: 1/")
    assert page.evaluate("window.__marker") == 1  # the level and the summary changed without a page reload
    expect(page.locator("#autosave-status")).to_contain_text("Đã tự lưu nháp", timeout=15_000)
    chip = page.get_by_test_id("citations").get_by_role("link", name=EVIDENCE_CODE)
    expect(chip).to_be_visible()  # refreshed by the autosave: the code is known in the register
    assert page.evaluate("window.__marker") == 1
    screenshot(page, "cycle-05-criterion-form")
    page.set_viewport_size(PHONE)
    screenshot(page, "cycle-06-criterion-form-phone")
    page.set_viewport_size(DESKTOP)

    page.get_by_test_id("save-form").click()
    expect(page.locator(".messages .msg-success")).to_contain_text("Đã lưu phiếu đánh giá.")
    expect(page.get_by_test_id("draft-banner")).to_have_count(0)
    saved = CriterionForm.objects.get(cycle=cycle, criterion=criterion_11)
    assert saved.updated_by == world.member_a and EVIDENCE_CODE in saved.descriptions["1.a"]
    chip = page.get_by_test_id("citations").get_by_role("link", name=EVIDENCE_CODE)
    expect(chip).to_have_attribute("title", EVIDENCE_NAME)
    expect(chip).to_have_attribute("href", re.compile(rf"^/tu-danh-gia/{cycle.pk}/minh-chung/"))
    chip.click()  # to the item (or the register filtered on it): either way the page shows the item
    page.wait_for_url(re.compile(r"/minh-chung/"))
    expect(page.locator("main")).to_contain_text(EVIDENCE_CODE)
    expect(page.locator("main")).to_contain_text(EVIDENCE_NAME)
    page.go_back()

    # Criterion 1.2 is not assigned to the member: read-only.
    page.locator("nav.form-nav").get_by_role("link", name="Tiêu chí 1.2 ›").click()
    expect(page.locator("h2.form-title")).to_contain_text("Tiêu chí 1.2")
    expect(page.locator("main")).to_contain_text("không được phân công cho bạn")
    expect(page.get_by_test_id("form-texts").locator("textarea")).to_have_count(0)
    expect(page.get_by_test_id("save-form")).to_have_count(0)
    expect(page.get_by_test_id("tick-1.a")).to_be_disabled()
    screenshot(page, "cycle-07-criterion-read-only")
    logout(page)

    # 6. The other 26 criteria through the services (after the member's save: fill_forms reads base_version from the
    # database), then the principal submits.
    others = list(Criterion.objects.filter(version=cycle.framework).exclude(code="1.1").values_list("code", flat=True))
    fill_forms(cycle, world.principal_a, criteria=others)
    login(page, base, world.principal_a)
    open_cycle(page, school)
    # Still missing: the report's narrative parts, Phần I and the improvement plan — each linked to its page.
    blockers = page.get_by_test_id("blockers")
    expect(blockers).to_contain_text("phần chưa viết")
    expect(blockers).to_contain_text("Phần I")
    expect(blockers).to_contain_text("kế hoạch cải tiến chất lượng")
    expect(blockers).not_to_contain_text("quyết định thành lập hội đồng")  # entered above
    expect(page.get_by_test_id("submit-form")).to_have_count(0)
    complete_report(cycle, world.principal_a)
    page.reload()
    expect(page.get_by_test_id("blockers")).to_have_count(0)
    expect(page.get_by_test_id("result-summary")).to_contain_text("Mức 1: 27/27")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.get_by_test_id("submit-form").get_by_role("button", name="Phê duyệt và nộp").click()
    expect(page.locator(".messages .msg-success")).to_contain_text("Đã phê duyệt và nộp")
    expect(page.get_by_test_id("cycle-status")).to_have_text("Đã nộp")
    assert dialogs and dialogs[0].startswith("Phê duyệt và nộp đợt tự đánh giá?")
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.SUBMITTED
    screenshot(page, "cycle-08-submitted")
    page.goto(f"{base}/tu-danh-gia/{cycle.pk}/tieu-chi/1.1/")
    expect(page.get_by_test_id("form-texts").locator("textarea")).to_have_count(0)
    expect(page.get_by_test_id("save-form")).to_have_count(0)
    expect(page.get_by_test_id("tick-1.a")).to_be_disabled()
    expect(page.get_by_test_id("form-texts")).to_contain_text("Phương hướng, chiến lược giai đoạn 2025-2030")
    logout(page)

    # 7. The commune officer returns the cycle with a comment on criterion 1.1; the principal sees it.
    comment = "Bổ sung biên bản rà soát chiến lược năm 2025."
    login(page, base, world.officer_commune_a)
    open_cycle(page, school)
    expect(page.get_by_test_id("cycle-status")).to_have_text("Đã nộp")
    page.locator("details.return-box summary").click()
    returning = page.get_by_test_id("return-form")
    returning.locator("#return-comment").fill("Hồ sơ cần bổ sung trước khi chấp nhận.")
    returning.locator("textarea[name='tc_1.1']").fill(comment)
    returning.get_by_role("button", name="Trả lại nhà trường").click()
    expect(page.get_by_test_id("cycle-status")).to_have_text("Bị trả lại")
    screenshot(page, "cycle-09-returned-by-officer")
    logout(page)

    login(page, base, world.principal_a)
    open_cycle(page, school)
    expect(page.get_by_test_id("cycle-status")).to_have_text("Bị trả lại")
    expect(page.get_by_test_id("return-comments")).to_contain_text(f"Tiêu chí 1.1: {comment}")
    page.get_by_test_id("return-comments").get_by_role("link", name="Tiêu chí 1.1").click()
    expect(page.get_by_test_id("criterion-comments")).to_contain_text(comment)
    expect(page.get_by_test_id("save-form")).to_be_visible()  # editable again
    screenshot(page, "cycle-10-returned-form")

    # 8. The principal downloads the self-assessment report (Word) from "Tải văn bản" and it holds what was entered:
    # the school, the member's description of criterion 1.1 with its evidence code, and the result.
    tab(page, "Tải văn bản")
    report = page.get_by_test_id("doc-report")
    expect(report).to_be_visible()
    screenshot(page, "cycle-11-documents")
    with page.expect_download() as info:
        report.get_by_role("link", name="Tải DOCX").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx"), download.suggested_filename
    with open(download.path(), "rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as docx:
        text = re.sub(r"<[^>]+>", "", docx.read("word/document.xml").decode("utf-8"))
    assert "BÁO CÁO TỰ ĐÁNH GIÁ" in text.upper()
    assert school in text
    assert "Phương hướng, chiến lược giai đoạn 2025-2030" in text and EVIDENCE_CODE in text
