"""Browser journey of the improvement plan (kế hoạch cải tiến chất lượng) and its monitoring (giám sát).

Set up through the services (the live server shares the test database): school A's 2025-2026 cycle (TT17/2018) whose
criterion forms name weaknesses for 1.1, 3.5 and 4.1 (1.2 says it has none), and a teacher of the school with an
account. In the browser the principal builds the plan from the weaknesses (two lines proposed from the forms, one
reason), writes its number and date and issues it, forms the monitoring team with the teacher and adds the preset
schedule; the teacher records the two reviews; a line found late shows as overdue on the home page.

The cycle is a past school year: the reviews are recorded on their (past) dates, and a line due in March 2026 that is
not done is overdue whatever the day the suite runs.
"""

import io
import re
import zipfile
from datetime import date

import pytest

from kiemdinh.accounts.models import Role
from kiemdinh.accounts.services import membership_grant, user_create
from kiemdinh.frameworks.models import Criterion
from kiemdinh.improvement.models import (
    CoverageNote,
    ImprovementPlan,
    LineReview,
    LineStatus,
    MonitoringMember,
    MonitorRole,
    PlanLine,
    PlanStatus,
    Review,
    ReviewKind,
)
from kiemdinh.selfassessment.services import criterion_form_save
from kiemdinh.testing.browser import screenshot
from kiemdinh.testing.world import PASSWORD, load_frameworks
from kiemdinh.workflow.services import cycle_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
SCHOOL_YEAR = "2025-2026"

# Criterion code → (weakness, improvement) as the council wrote them in the criterion forms.
WEAKNESSES = {
    "1.1": (
        "Việc rà soát, điều chỉnh phương hướng, chiến lược chưa được thực hiện định kỳ hằng năm.",
        "Hằng năm tổ chức rà soát chiến lược vào cuối năm học.\nLấy ý kiến cha mẹ học sinh khi điều chỉnh chiến lược.",
    ),
    "1.2": ("Không có điểm yếu đáng kể.", "Tiếp tục duy trì."),
    "3.5": (
        "Thiết bị dạy học môn Tin học còn thiếu, một số máy tính đã hư hỏng.",
        "Tham mưu UBND xã đầu tư bổ sung máy tính.",
    ),
    "4.1": (
        "Một số cha mẹ học sinh chưa thường xuyên phối hợp với giáo viên chủ nhiệm.",
        "Tổ chức họp cha mẹ học sinh theo từng khối lớp.",
    ),
}
TARGET_11 = "Chiến lược được rà soát, điều chỉnh hằng năm; có biên bản rà soát được Hội đồng trường thông qua."
TARGET_41 = "100% lớp tổ chức họp cha mẹ học sinh mỗi học kỳ; có sổ liên lạc điện tử."
REASON_35 = "Thiết bị do UBND xã đầu tư theo đề án năm 2026; nhà trường đã kiến nghị trong báo cáo tự đánh giá."
PLAN_NUMBER = "25/KH-THAB"
TEACHER = ("giaovien_a", "Hoàng Thị Lan")


@pytest.fixture
def world(db):
    """The project's personas, committed for the live server (not the module-wide setup of this folder's conftest)."""
    from kiemdinh.testing.world import build_world

    return build_world()


@pytest.fixture
def weak_cycle(world):
    """School A's 2025-2026 cycle with the criterion forms of WEAKNESSES, and a teacher of the school (no council
    role) who will sit on the monitoring team. Only TT17/2018 is loaded (a tenth of `frameworks_loaded`'s time)."""
    load_frameworks(only=("tt17-2018",))
    cycle = cycle_open(actor=world.principal_a, school=world.school_a, school_year=SCHOOL_YEAR)
    for code, (weakness, improvement) in WEAKNESSES.items():
        criterion_form_save(
            actor=world.principal_a,
            cycle=cycle,
            criterion=Criterion.objects.get(version=cycle.framework, code=code),
            base_version=0,
            descriptions={},
            weaknesses=weakness,
            improvement=improvement,
        )
    teacher = user_create(actor=None, username=TEACHER[0], password=PASSWORD, full_name=TEACHER[1])
    membership_grant(actor=None, user=teacher, role=Role.STAFF, school=world.school_a)
    return cycle


def login(page, base, username):
    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/dang-nhap/" not in url)


def logout(page):
    page.locator("form.logout").get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/tai-khoan/dang-nhap/**")


def open_improvement(page, school_name):
    """From any page: the main menu's "Tự đánh giá", the school's cycle, then the "Cải tiến" tab."""
    page.locator("nav.mainnav").get_by_role("link", name="Tự đánh giá").click()
    page.get_by_test_id("cycle-list").get_by_role("link", name=school_name).click()
    page.locator("nav.tabs").get_by_role("link", name="Cải tiến", exact=True).click()
    page.wait_for_load_state()


def weakness_row(page, code):
    return page.get_by_test_id("coverage-row").filter(has=page.get_by_role("link", name=code, exact=True))


def success(page):
    return page.locator(".messages .msg-success")


def propose_line(page, code, *, target, lead, collaborators, starts, due, funding, continues=False, shot=None):
    """ "Lập dòng từ điểm yếu" for a criterion: check the proposal from its form, complete and save it."""
    from playwright.sync_api import expect

    weakness, improvement = WEAKNESSES[code]
    weakness_row(page, code).get_by_role("link", name="Lập dòng từ điểm yếu").click()
    expect(page.locator("h2", has_text="Thêm dòng kế hoạch")).to_be_visible()
    expect(page.get_by_test_id("proposed")).to_be_visible()
    criterion = page.get_by_label("Tiêu chuẩn, tiêu chí")
    expect(criterion.locator("option:checked")).to_have_text(re.compile(rf"^Tiêu chí {re.escape(code)}\. "))
    expect(page.get_by_label("Kết quả cần đạt (so với hiện trạng)")).to_have_value(weakness)
    tasks = page.get_by_label("Công việc, giải pháp cần thực hiện (mỗi dòng một việc)")
    expect(tasks).to_have_value(improvement)
    if shot:
        screenshot(page, shot)
    page.get_by_label("Kết quả cần đạt (so với hiện trạng)").fill(target)  # rephrased against the current state
    page.get_by_label("Chủ trì", exact=True).fill(lead)
    page.get_by_label("Phối hợp", exact=True).fill(collaborators)
    page.get_by_label("Bắt đầu (tháng/năm)").fill(starts)
    page.get_by_label("Hoàn thành (tháng/năm)").fill(due)
    if continues:
        page.get_by_label("Tiếp tục trong các năm học sau").check()
    page.get_by_label("Nguồn kinh phí hoặc ghi chú kinh phí").fill(funding)
    page.get_by_role("button", name="Lưu dòng", exact=True).click()
    expect(success(page)).to_contain_text("Đã thêm dòng kế hoạch.")


def record_review(page, title, held_on, summary, results):
    """ "Ghi kết quả" of a review on the monitoring page: the date, the summary and, per criterion, status and note."""
    from playwright.sync_api import expect

    page.get_by_test_id("reviews").locator("tr", has_text=title).get_by_role("link", name="Ghi kết quả").click()
    form = page.get_by_test_id("review-form")
    expect(page.locator("h2", has_text=title)).to_be_visible()
    form.get_by_label("Ngày thực hiện rà soát").fill(held_on)
    form.get_by_label("Nhận xét chung, kiến nghị").fill(summary)
    for code, (status, progress) in results.items():
        line = form.get_by_test_id("review-line").filter(has_text=f"Tiêu chí {code}:")
        line.get_by_label("Trạng thái").select_option(label=status)
        line.get_by_label("Kết quả thực hiện").fill(progress)


def check_download(page, cycle):
    """The plan as Word from the sub-tab link."""
    with page.expect_download() as info:
        page.locator("nav.subtabs").get_by_role("link", name="Tải kế hoạch (Word)").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    with open(download.path(), "rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as docx:
        text = re.sub(r"<[^>]+>", "", docx.read("word/document.xml").decode("utf-8"))
    assert PLAN_NUMBER in text and TARGET_11 in text, "the Word plan should carry the number and the lines"


def test_principal_builds_and_issues_the_plan_then_the_team_monitors_it(live_server, browser_page, world, weak_cycle):
    from playwright.sync_api import expect

    page = browser_page
    base = live_server.url
    school = world.school_a.name
    cycle = weak_cycle

    # 1. The principal opens the "Cải tiến" tab: no plan yet; "Lập kế hoạch cải tiến".
    login(page, base, world.principal_a.username)
    open_improvement(page, school)
    expect(page.get_by_test_id("no-plan")).to_contain_text("Sau khi hoàn thành báo cáo tự đánh giá")
    screenshot(page, "improvement-01-no-plan")
    page.get_by_role("button", name="Lập kế hoạch cải tiến").click()
    expect(success(page)).to_contain_text("Đã lập kế hoạch cải tiến.")
    expect(page.get_by_test_id("plan-status")).to_have_text("Dự thảo")
    expect(page.get_by_test_id("no-lines")).to_be_visible()

    # The weaknesses of the forms, none covered yet (1.2 says it has none).
    rows = page.get_by_test_id("coverage-row")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text(WEAKNESSES["1.1"][0])
    expect(page.get_by_test_id("coverage")).not_to_contain_text("Không có điểm yếu đáng kể")
    expect(page.get_by_test_id("coverage-covered")).to_contain_text("chưa có.")
    expect(page.get_by_test_id("issue-problems")).to_contain_text("Chưa ghi số kế hoạch.")
    expect(page.get_by_test_id("issue-problems")).to_contain_text("1.1, 3.5, 4.1")
    expect(page.get_by_role("button", name="Ban hành kế hoạch")).to_have_count(0)
    screenshot(page, "improvement-02-weaknesses")

    # 2. A line proposed from the weakness of 1.1: pre-filled, completed, saved.
    propose_line(
        page,
        "1.1",
        target=TARGET_11,
        lead="Hiệu trưởng",
        collaborators="Hội đồng trường",
        starts="2025-10",
        due="2026-05",
        continues=True,
        funding="Không",
        shot="improvement-03-line-proposed",
    )
    table = page.get_by_test_id("plan-table")
    line_11 = table.get_by_test_id("plan-line").filter(has_text=TARGET_11)
    expect(line_11).to_contain_text("Tiêu chí 1.1")
    expect(line_11).to_contain_text("Hiệu trưởng - Hội đồng trường")
    expect(line_11).to_contain_text("Tháng 10/2025 và hoàn thành tháng 5/2026 và các năm học tiếp theo")
    expect(line_11).to_contain_text("Hằng năm tổ chức rà soát chiến lược vào cuối năm học.")
    expect(line_11).to_contain_text("Chưa bắt đầu")
    expect(page.get_by_test_id("coverage-covered")).to_contain_text("1.1")
    expect(rows).to_have_count(2)
    screenshot(page, "improvement-04-line-saved")

    # 3. No line for 3.5 (the commune invests in the equipment): the reason instead.
    row_35 = weakness_row(page, "3.5")
    row_35.locator("summary", has_text="Không lập dòng — ghi lý do").click()
    row_35.get_by_label("Lý do", exact=True).fill(REASON_35)
    row_35.get_by_role("button", name="Lưu lý do").click()
    expect(success(page)).to_contain_text("Đã ghi lý do không lập dòng kế hoạch.")
    expect(page.get_by_test_id("coverage-excused")).to_contain_text(f"3.5 — {REASON_35}")

    # 4. A second line from 4.1, due in March 2026 (a past month): not done, so it shows as overdue at once.
    propose_line(
        page,
        "4.1",
        target=TARGET_41,
        lead="Phó hiệu trưởng",
        collaborators="Giáo viên chủ nhiệm",
        starts="2025-11",
        due="2026-03",
        funding="Nguồn chi thường xuyên",
    )
    expect(page.get_by_test_id("coverage-complete")).to_have_text(
        "Mọi điểm yếu đã có dòng kế hoạch hoặc lý do không lập."
    )
    expect(page.get_by_test_id("coverage-covered")).to_contain_text("4.1")
    line_41 = table.get_by_test_id("plan-line").filter(has_text=TARGET_41)
    expect(line_41.get_by_test_id("overdue")).to_have_text("Quá hạn")
    expect(line_11.get_by_test_id("overdue")).to_have_count(0)  # continues into later years: not overdue by date
    expect(table.get_by_test_id("plan-line")).to_have_count(2)
    screenshot(page, "improvement-05-lines-and-reason")

    # 5. Number and date, then "Ban hành kế hoạch".
    expect(page.get_by_test_id("issue-problems")).not_to_contain_text("Còn điểm yếu")
    header = page.locator("#thong-tin details", has_text="Sửa số, ngày")
    header.get_by_label("Số kế hoạch (ví dụ 17/KH-TrTH)").fill(PLAN_NUMBER)
    header.get_by_label("Ngày ban hành", exact=True).fill("2025-10-15")
    header.get_by_role("button", name="Lưu thông tin kế hoạch").click()
    expect(success(page)).to_contain_text("Đã lưu thông tin kế hoạch.")
    expect(page.locator("#thong-tin h2")).to_contain_text(f"Kế hoạch số {PLAN_NUMBER}")
    expect(page.locator("#thong-tin")).to_contain_text("ngày 15 tháng 10 năm 2025")
    expect(page.get_by_test_id("issue-problems")).to_have_count(0)
    page.get_by_role("button", name="Ban hành kế hoạch").click()
    expect(success(page)).to_contain_text("Đã ban hành kế hoạch cải tiến.")
    expect(page.get_by_test_id("plan-status")).to_have_text("Đã ban hành")
    expect(page.get_by_role("button", name="Ban hành kế hoạch")).to_have_count(0)
    expect(line_11.get_by_role("link", name="Điều chỉnh")).to_be_visible()  # changes are now adjustments
    screenshot(page, "improvement-06-issued")
    check_download(page, cycle)

    plan = ImprovementPlan.objects.get(cycle=cycle)
    assert (plan.status, plan.number, plan.issued_on) == (PlanStatus.ISSUED, PLAN_NUMBER, date(2025, 10, 15))
    assert plan.issued_by == world.principal_a
    lines = {line.criterion.code: line for line in PlanLine.objects.filter(plan=plan).select_related("criterion")}
    assert sorted(lines) == ["1.1", "4.1"]
    first = lines["1.1"]
    assert first.target == TARGET_11
    assert first.tasks == WEAKNESSES["1.1"][1].splitlines()
    assert (first.lead, first.collaborators, first.funding) == ("Hiệu trưởng", "Hội đồng trường", "Không")
    assert (first.starts_on, first.due_on, first.continues) == (date(2025, 10, 1), date(2026, 5, 31), True)
    assert (lines["4.1"].due_on, lines["4.1"].continues) == (date(2026, 3, 31), False)
    note = CoverageNote.objects.get(plan=plan)
    assert (note.criterion.code, note.reason) == ("3.5", REASON_35)

    # 6. Monitoring: the teacher joins the team as its leader with her account; the preset schedule of two reviews.
    page.locator("nav.subtabs").get_by_role("link", name="Giám sát thực hiện").click()
    expect(page.get_by_test_id("monitoring-warnings")).to_contain_text("Chưa có lịch rà soát")
    team = page.locator("#to-giam-sat form")
    team.get_by_label("Họ và tên").fill(TEACHER[1])
    team.get_by_label("Chức vụ").fill("Tổ trưởng chuyên môn khối 4")
    team.get_by_label("Nhiệm vụ").select_option(label="Tổ trưởng")
    team.get_by_label("Tài khoản (để ghi kết quả giám sát)").select_option(label=f"{TEACHER[1]} ({TEACHER[0]})")
    team.get_by_role("button", name="Thêm vào tổ giám sát").click()
    expect(success(page)).to_contain_text(f"Đã thêm {TEACHER[1]} vào tổ giám sát.")
    expect(page.get_by_test_id("monitors")).to_contain_text(TEACHER[0])
    page.get_by_role("button", name="Thêm lịch mẫu: cuối học kỳ I và cuối năm học").click()
    expect(success(page)).to_contain_text("Đã thêm 2 đợt rà soát theo lịch mẫu.")
    reviews = page.get_by_test_id("reviews")
    expect(reviews.locator("tbody tr")).to_have_count(2)
    expect(reviews.locator("tr", has_text="Sơ kết cuối học kỳ I")).to_contain_text("15/01/2026")
    expect(reviews.locator("tr", has_text="Tổng kết cuối năm học")).to_contain_text("25/05/2026")
    screenshot(page, "improvement-07-monitoring-team")
    member = MonitoringMember.objects.get(plan=plan)
    assert (member.user.username, member.role) == (TEACHER[0], MonitorRole.LEADER)
    logout(page)

    # 7. The teacher records the end of term I: 1.1 in progress, 4.1 done (so no longer overdue).
    login(page, base, TEACHER[0])
    open_improvement(page, school)
    expect(page.get_by_test_id("plan-status")).to_have_text("Đã ban hành")
    expect(page.get_by_role("link", name="Điều chỉnh")).to_have_count(0)  # the team monitors, it does not edit
    page.locator("nav.subtabs").get_by_role("link", name="Giám sát thực hiện").click()
    expect(page.locator("#to-giam-sat form")).to_have_count(0)
    progress_11 = "Đã lập tổ rà soát chiến lược; dự kiến họp Hội đồng trường tháng 5/2026."
    record_review(
        page,
        "Sơ kết cuối học kỳ I",
        "2026-01-16",
        "Các dòng kế hoạch được triển khai đúng tiến độ.",
        {
            "1.1": ("Đang thực hiện", progress_11),
            "4.1": ("Hoàn thành", "Đã họp cha mẹ học sinh ở 15/15 lớp; sổ liên lạc điện tử đã triển khai."),
        },
    )
    screenshot(page, "improvement-08-review-form")
    page.get_by_role("button", name="Lưu kết quả rà soát").click()
    expect(success(page)).to_contain_text("Đã ghi kết quả “Sơ kết cuối học kỳ I”.")
    statuses = page.get_by_test_id("line-statuses")
    expect(statuses.locator("tr", has_text=TARGET_11)).to_contain_text("Đang thực hiện")
    expect(statuses.locator("tr", has_text=TARGET_41)).to_contain_text("Hoàn thành")
    expect(page.locator("span.chip", has_text="Quá hạn:")).to_have_text("Quá hạn: 0")
    expect(reviews.locator("tr", has_text="Sơ kết cuối học kỳ I")).to_contain_text("16/01/2026")
    expect(reviews.locator("tr", has_text="Sơ kết cuối học kỳ I")).to_contain_text("2 dòng được rà soát.")
    screenshot(page, "improvement-09-monitoring-after-review")
    page.locator("a.brand").click()
    expect(page.get_by_test_id("school-card")).to_be_visible()
    expect(page.get_by_test_id("overdue-lines")).to_have_count(0)

    # 8. At the end of the year 1.1 is found late: overdue on the monitoring page and on the home page.
    page.get_by_role("link", name=f"Mở đợt tự đánh giá năm học {SCHOOL_YEAR}").click()
    page.locator("nav.tabs").get_by_role("link", name="Cải tiến", exact=True).click()
    page.locator("nav.subtabs").get_by_role("link", name="Giám sát thực hiện").click()
    record_review(
        page,
        "Tổng kết cuối năm học",
        "2026-05-25",
        "Dòng 1.1 chậm tiến độ; đề nghị Hiệu trưởng chỉ đạo hoàn thành trong tháng 6/2026.",
        {"1.1": ("Chậm tiến độ", "Chưa họp được Hội đồng trường để thông qua chiến lược điều chỉnh.")},
    )
    page.get_by_role("button", name="Lưu kết quả rà soát").click()
    expect(success(page)).to_contain_text("Đã ghi kết quả “Tổng kết cuối năm học”.")
    expect(statuses.locator("tr", has_text=TARGET_11)).to_contain_text("Chậm tiến độ")
    expect(statuses.locator("tr", has_text=TARGET_11)).to_contain_text("Quá hạn")
    expect(page.locator("span.chip", has_text="Quá hạn:")).to_have_text("Quá hạn: 1")
    logout(page)

    login(page, base, world.principal_a.username)
    overdue = page.get_by_test_id("overdue-lines")
    expect(overdue).to_contain_text("1 dòng kế hoạch cải tiến quá hạn")
    expect(overdue).to_contain_text(f"Tiêu chí 1.1 (năm học {SCHOOL_YEAR})")
    expect(overdue).to_contain_text("hạn 05/2026")
    expect(overdue).to_contain_text("Chậm tiến độ")
    expect(overdue).not_to_contain_text("Tiêu chí 4.1")
    screenshot(page, "improvement-10-home-overdue")
    overdue.get_by_role("link", name="Tiêu chí 1.1").click()
    history = page.get_by_test_id("line-reviews")
    expect(history.locator("tbody tr")).to_have_count(2)
    expect(history).to_contain_text(progress_11)
    expect(history).to_contain_text("Chậm tiến độ")
    screenshot(page, "improvement-11-line-history")

    held = {r.kind: r for r in Review.objects.filter(plan=plan)}
    assert held[ReviewKind.TERM_I].held_on == date(2026, 1, 16)
    assert held[ReviewKind.YEAR_END].held_on == date(2026, 5, 25)
    assert held[ReviewKind.TERM_I].recorded_by.username == TEACHER[0]
    entries = {
        (e.review.kind, e.line.criterion.code): e
        for e in LineReview.objects.filter(review__plan=plan).select_related("review", "line__criterion")
    }
    assert entries[(ReviewKind.TERM_I, "1.1")].status == LineStatus.IN_PROGRESS
    assert entries[(ReviewKind.TERM_I, "1.1")].progress == progress_11
    assert entries[(ReviewKind.TERM_I, "4.1")].status == LineStatus.DONE
    assert entries[(ReviewKind.YEAR_END, "1.1")].status == LineStatus.LATE
    first.refresh_from_db()
    lines["4.1"].refresh_from_db()
    assert (first.status, lines["4.1"].status) == (LineStatus.LATE, LineStatus.DONE)
