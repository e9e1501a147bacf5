"""The quality-improvement plan (Thanh Chấn seed layout; TT57 Biểu 2) and the monitoring report as documents.

Plans are built through the improvement services. Each test loads the frameworks (about 2 s), so each covers one
document state thoroughly rather than one assertion.
"""

import io
from datetime import date

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kiemdinh.documents.improvement_plan.docx import improvement_plan_docx, monitoring_report_docx
from kiemdinh.documents.improvement_plan.monitoring import build_monitoring_report
from kiemdinh.documents.improvement_plan.plan import NO_PLAN, build_improvement_plan
from kiemdinh.documents.improvement_plan.xlsx import improvement_plan_xlsx
from kiemdinh.documents.kinds import CYCLE_KINDS, get, render
from kiemdinh.documents.tests.test_appendices import open_docx, red_runs, table_rows, text_of
from kiemdinh.evidence.services import evidence_create
from kiemdinh.frameworks.models import Criterion, Indicator, Level4Item
from kiemdinh.improvement.models import ImprovementPlan, LineStatus, MonitorRole, ReviewKind
from kiemdinh.improvement.services import (
    EntryInput,
    issue_create,
    line_create,
    monitor_add,
    plan_create,
    plan_update,
    review_record,
    review_schedule,
)
from kiemdinh.selfassessment.models import Cycle
from kiemdinh.selfassessment.services import cycle_record_ratings
from kiemdinh.workflow.services import cycle_open

pytestmark = pytest.mark.usefixtures("frameworks_loaded")

MARKER = "[CHƯA CÓ DỮ LIỆU:"
# The table header of the Thanh Chấn seed, word for word (written out here, not taken from the module under test).
SEED_COLUMNS = [
    "TT",
    "Tiêu chuẩn, tiêu chí",
    "Kết quả cần đạt (so với hiện trạng)",
    "Công việc/giải pháp cần thực hiện",
    "Chủ trì và phối hợp thực hiện",
    "Thời gian thực hiện và hoàn thành",
    "Dự kiến kinh phí (triệu đồng)",
    "Điều kiện hỗ trợ khác",
    "Ghi chú",
]


# --- helpers ----------------------------------------------------------------------------------------------------------


def refetch(cycle) -> Cycle:
    return Cycle.objects.select_related("school__unit", "framework").get(pk=cycle.pk)


def tables_starting(document, *first_cells):
    n = len(first_cells)
    return [t for t in document.tables if t.rows and tuple(c.text for c in t.rows[0].cells[:n]) == first_cells]


def cell_paragraphs(cell) -> list[str]:
    return [p.text for p in cell.paragraphs]


def rate_everything(cycle, actor, *, level4):
    """Every indicator achieved; the Mức 4 items given (as in the seed: 27/27, 27/27, 19/19, 2/5)."""
    indicators = {}
    for code, level, letter in Indicator.objects.filter(criterion__version=cycle.framework).values_list(
        "criterion__code", "level", "letter"
    ):
        indicators.setdefault(code, {}).setdefault(level, {})[letter] = True
    cycle_record_ratings(actor=actor, cycle=cycle, indicators=indicators, level4=level4)


def seed_plan(cycle, actor) -> ImprovementPlan:
    """The Thanh Chấn plan's shape: two lines for 1.6, one for 1.10 and 2.2, Mức 4 items 2 and 4."""
    plan = plan_create(actor=actor, cycle=cycle)
    plan_update(
        actor=actor,
        plan=plan,
        number="17/KH-TrTH",
        place="Thanh Chấn",
        issued_on=date(2025, 9, 24),
        signer_name="Vũ Thị Trung Thu",
        recipients="- Sở/Phòng GDĐT (để b/c);\n- Lưu VT.",
    )
    criteria = {c.code: c for c in Criterion.objects.filter(version=cycle.framework)}
    items = {i.code: i for i in Level4Item.objects.filter(version=cycle.framework)}
    months = {"starts_on": date(2025, 10, 1), "due_on": date(2026, 5, 1)}
    lines = {}
    # 1.10 first: the table follows the framework's order, not the order of entry.
    lines["1.10"] = line_create(
        actor=actor,
        plan=plan,
        criterion=criteria["1.10"],
        target="Thực hiện phương án đảm bảo an ninh trật tự",
        tasks=["Cắt tỉa cành cây; Lập dự toán tu sửa đồ chơi ngoài trời"],
        lead="Hiệu trưởng",
        collaborators="Phụ huynh HS và kế toán",
        starts_on=date(2025, 9, 1),
        due_on=date(2026, 5, 1),
        cost_million="12,5",
        funding="xã hội hóa",
        support="- Phụ huynh hỗ trợ ngày công cắt tỉa cây\n- Ngân sách nhà nước",
    )
    lines["1.6a"] = line_create(
        actor=actor,
        plan=plan,
        criterion=criteria["1.6"],
        target="Ứng dụng công nghệ thông tin hiệu quả trong công tác quản lý",
        tasks=["Khai thác hiệu quả các tính năng hiện đại trên trang web của nhà trường, của ngành."],
        lead="Hiệu trưởng",
        collaborators="Tổ truyền thông",
        funding="Không",
        support="Có sự tham gia của Ban giám hiệu và tổ văn phòng",
        **months,
    )
    lines["1.6b"] = line_create(
        actor=actor,
        plan=plan,
        criterion=criteria["1.6"],
        target="Có kế hoạch ngắn hạn, trung hạn, dài hạn để tạo ra các nguồn tài chính hợp pháp",
        tasks="- Chỉ đạo kế toán dự toán đầu năm.\n- Xây dựng kế hoạch ngắn hạn, trung hạn, dài hạn",
        lead="Hiệu trưởng",
        collaborators="Kế toán",
        funding="Không",
        notes="Ưu tiên",
        **months,
    )
    lines["2.2"] = line_create(
        actor=actor,
        plan=plan,
        criterion=criteria["2.2"],
        target="Tỷ lệ giáo viên đạt trên chuẩn trình độ đào tạo đạt ít nhất 65%",
        tasks=["05 GV học tập để nâng cao trình độ chuyên môn"],
        lead="05 Giáo viên",
        time_text="Tháng 10/2025 và hoàn thành tháng 12/2030",
        support="BGH bố trí, sắp xếp công việc của nhà trường.",
    )
    lines["m4-4"] = line_create(
        actor=actor,
        plan=plan,
        level4_item=items["4"],
        target="Hoàn thành các mục tiêu theo phương hướng, chiến lược phát triển của nhà trường",
        tasks=["Xây dựng Kế hoạch chiến lược theo giai đoạn", "Rà soát bổ sung và tổ chức thực hiện hiệu quả"],
        lead="Nhà trường",
        time_text="Từ tháng 9/2026 đến tháng 5/2027",
        funding="Không",
    )
    lines["m4-2"] = line_create(
        actor=actor,
        plan=plan,
        level4_item=items["2"],
        target="Đảm bảo 100% học sinh có hoàn cảnh khó khăn hoàn thành mục tiêu giáo dục",
        tasks=["Xây dựng kế hoạch bồi dưỡng HS năng khiếu"],
        lead="BGH, Ban chuyên môn, GV, NV",
        time_text="Trong năm học",
        funding="Không",
    )
    plan.test_lines = lines
    return plan


@pytest.fixture
def seeded(world, cycle):
    rate_everything(cycle, world.principal_a, level4={"1": True, "3": True, "2": False, "4": False, "5": False})
    return seed_plan(cycle, world.principal_a)


def count_queries(builder, cycle) -> int:
    cycle = refetch(cycle)
    with CaptureQueriesContext(connection) as queries:
        builder(cycle)
    return len(queries)


# --- the 2018 plan ----------------------------------------------------------------------------------------------------


def test_plan_docx_follows_the_thanh_chan_seed(seeded, cycle):
    kinds = [k.kind for k in CYCLE_KINDS]
    assert kinds.index("criterion-forms") + 1 == kinds.index("improvement-plan")
    assert kinds.index("improvement-plan") + 1 == kinds.index("monitoring-report")
    assert get("improvement-plan").formats == ("docx", "xlsx", "pdf")
    assert get("improvement-plan").title == "Kế hoạch cải tiến chất lượng"
    assert get("monitoring-report").formats == ("docx", "pdf")

    ctx = build_improvement_plan(refetch(cycle))
    assert ctx.missing == ()
    rendered = render("improvement-plan", refetch(cycle), "docx")
    assert rendered.filename == "ke-hoach-cai-tien-chat-luong-SA-2025-2026.docx"
    document = open_docx(rendered.data)
    section = document.sections[0]
    assert section.page_width > section.page_height  # landscape, as the seed's table needs
    text = text_of(document)
    for expected in (
        "Số: 17/KH-TrTH",
        "Thanh Chấn, ngày 24 tháng 9 năm 2025",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "TRƯỜNG TIỂU HỌC AN BÌNH",
        "KẾ HOẠCH\nCẢI TIẾN CHẤT LƯỢNG GIÁO DỤC SAU TỰ ĐÁNH GIÁ\nNĂM HỌC 2025 - 2026",
    ):
        assert expected in text
    headings = [
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. CĂN CỨ XÂY DỰNG KẾ HOẠCH",
        "III. NỘI DUNG KẾ HOẠCH CẢI TIẾN CHẤT LƯỢNG GIÁO DỤC",
        "IV. TỔ CHỨC THỰC HIỆN",
        "Trên đây là Kế hoạch cải tiến chất lượng giáo dục năm học 2025-2026 của Trường Tiểu học An Bình, yêu cầu "
        "CB, GV, NV nhà trường nghiêm túc thực hiện triển khai đạt yêu cầu mục đích đề ra./.",
        "Nơi nhận:",
    ]
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)
    # Item 3 of the seed's section II: the plan's bases start with the rule engine's results, in the seed's words.
    results = [
        "3. Kết quả tự đánh giá của nhà trường năm học 2025-2026:",
        "Tổng số tiêu chuẩn được đánh giá: 05 tiêu chuẩn",
        "- Mức 1: Tổng số 27 tiêu chí, trong đó số tiêu chí đạt 27/27, tỉ lệ 100%; tiêu chí không đạt: 0",
        "- Mức 2: Tổng số 27 tiêu chí, trong đó số tiêu chí đạt 27/27, tỉ lệ 100%; tiêu chí không đạt: 0",
        "- Mức 3: Tổng số 19 tiêu chí, trong đó số tiêu chí đạt 19/19, tỉ lệ 100%; tiêu chí không đạt: 0",
        "- Mức 4: Tổng số 05 tiêu chí, trong đó số tiêu chí đạt 2/5, tỉ lệ 40%; tiêu chí không đạt: 3/5, tỉ lệ 60%.",
        "- Tự đánh giá đạt mức 3",
    ]
    assert "\n".join(results) in "\n".join(p.text for p in document.paragraphs)
    assert text.index(results[0]) < text.index("III. NỘI DUNG")

    (grid,) = tables_starting(document, "TT", "Tiêu chuẩn, tiêu chí")
    assert grid.rows[0]._tr.trPr.xml.count("w:tblHeader") == 1  # repeated on every page
    rows = table_rows(grid)
    assert rows[0] == SEED_COLUMNS
    assert rows[1] == ["MỨC 1, 2, 3"] * 9  # one merged row across the table
    assert rows[2][:2] == ["1", "Tiêu chuẩn 1: Tổ chức và quản lý nhà trường"]
    assert rows[2][2:] == ["Tiêu chuẩn 1: Tổ chức và quản lý nhà trường"] * 7  # merged from the second column
    # Criterion 1.6's two lines: its label on the first only; then 1.10 (framework order, not entry order).
    assert rows[3] == [
        "",
        "Tiêu chí 1.6",
        "Ứng dụng công nghệ thông tin hiệu quả trong công tác quản lý",
        "Khai thác hiệu quả các tính năng hiện đại trên trang web của nhà trường, của ngành.",
        "Hiệu trưởng - Tổ truyền thông",
        "Tháng 10/2025 và hoàn thành tháng 5/2026",
        "Không",
        "Có sự tham gia của Ban giám hiệu và tổ văn phòng",
        "",
    ]
    assert rows[4][:2] == ["", ""]
    assert rows[4][4:] == [
        "Hiệu trưởng - Kế toán",
        "Tháng 10/2025 và hoàn thành tháng 5/2026",
        "Không",
        "",
        "Ưu tiên",
    ]
    assert cell_paragraphs(grid.rows[4].cells[3]) == [
        "- Chỉ đạo kế toán dự toán đầu năm.",
        "- Xây dựng kế hoạch ngắn hạn, trung hạn, dài hạn",
    ]
    assert cell_paragraphs(grid.rows[3].cells[3]) == [rows[3][3]]  # a single task has no dash
    assert rows[5][1] == "Tiêu chí 1.10"
    assert rows[5][4:8] == [
        "Hiệu trưởng - Phụ huynh HS và kế toán",
        "Tháng 9/2025 và hoàn thành tháng 5/2026",
        "12,5 — xã hội hóa",
        "- Phụ huynh hỗ trợ ngày công cắt tỉa cây\n- Ngân sách nhà nước",  # line breaks kept
    ]
    assert rows[6][:2] == ["2", "Tiêu chuẩn 2: Cán bộ quản lý, giáo viên, nhân viên và học sinh"]
    assert rows[7][1] == "Tiêu chí 2.2" and rows[7][4:7] == [
        "05 Giáo viên",
        "Tháng 10/2025 và hoàn thành tháng 12/2030",
        "",
    ]
    assert rows[8] == ["MỨC 4"] * 9
    assert rows[9][:3] == [
        "1",
        "Tiêu chí 2",
        "Đảm bảo 100% học sinh có hoàn cảnh khó khăn hoàn thành mục tiêu giáo dục",
    ]
    assert rows[10][:2] == ["2", "Tiêu chí 4"]
    assert cell_paragraphs(grid.rows[10].cells[3]) == [
        "- Xây dựng Kế hoạch chiến lược theo giai đoạn",
        "- Rà soát bổ sung và tổ chức thực hiện hiệu quả",
    ]
    assert len(rows) == 11

    paragraphs = [p.text for p in document.tables[-1].rows[0].cells[0].paragraphs]
    assert paragraphs == ["Nơi nhận:", "- Sở/Phòng GDĐT (để b/c);", "- Lưu VT."]  # as the seed prints it
    signature = [p.text for p in document.tables[-1].rows[0].cells[1].paragraphs if p.text]
    assert signature == ["HIỆU TRƯỞNG", "Vũ Thị Trung Thu"]
    assert red_runs(document) == []


def test_plan_xlsx_export_command_and_query_count(world, seeded, cycle, tmp_path, capsys):
    ctx = build_improvement_plan(refetch(cycle))
    sheet = openpyxl.load_workbook(io.BytesIO(improvement_plan_xlsx(ctx)))["Kế hoạch cải tiến"]
    header = [c.value for c in sheet[1]]
    assert header == [*SEED_COLUMNS, "Trạng thái"]
    assert all(c.font.bold for c in sheet[1]) and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["D"].width >= 40
    values = [[c.value or "" for c in row] for row in sheet.iter_rows(min_row=2)]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert values[0][0] == "MỨC 1, 2, 3" and "A2:J2" in merged and sheet["A2"].font.bold
    assert values[1][:2] == ["1", "Tiêu chuẩn 1: Tổ chức và quản lý nhà trường"] and "B3:J3" in merged
    # A spreadsheet row stands alone when sorted or filtered: the criterion is on each of its lines.
    assert [v[1] for v in values[2:5]] == ["Tiêu chí 1.6", "Tiêu chí 1.6", "Tiêu chí 1.10"]
    assert values[3][3] == "- Chỉ đạo kế toán dự toán đầu năm.\n- Xây dựng kế hoạch ngắn hạn, trung hạn, dài hạn"
    assert values[3][4:] == [
        "Hiệu trưởng - Kế toán",
        "Tháng 10/2025 và hoàn thành tháng 5/2026",
        "Không",
        "",
        "Ưu tiên",
        "Chưa bắt đầu",
    ]
    assert values[7][0] == "MỨC 4" and [v[:2] for v in values[8:]] == [["1", "Tiêu chí 2"], ["2", "Tiêu chí 4"]]
    assert sheet.cell(4, 4).alignment.wrap_text

    # The export command writes all three files; what is missing goes to standard error.
    for kind, fmt in (("improvement-plan", "docx"), ("improvement-plan", "xlsx"), ("monitoring-report", "docx")):
        out = tmp_path / f"{kind}.{fmt}"
        call_command("export", kind, "--school", "SA", "--year", "2025-2026", "--format", fmt, "--out", str(out))
        assert out.read_bytes()[:2] == b"PK"
    assert "thiếu dữ liệu: số báo cáo" in capsys.readouterr().err  # the monitoring report's number is not given here
    assert (
        openpyxl.load_workbook(tmp_path / "improvement-plan.xlsx")["Kế hoạch cải tiến"]["C1"].value == SEED_COLUMNS[2]
    )
    with pytest.raises(CommandError, match="không có định dạng xlsx") as caught:
        call_command(
            "export", "monitoring-report", "--school", "SA", "--year", "2025-2026", "--format", "xlsx", "--out", "x"
        )
    assert caught.value.returncode == 2

    # A fixed number of queries whatever the plan's size: one review of the seeded lines, then three more lines, a
    # second review of every line with evidence, and more monitors.
    actor = world.principal_a
    builders = (build_improvement_plan, build_monitoring_report)
    monitor_add(actor=actor, plan=seeded, full_name="Trần Thị Thu", role=MonitorRole.LEADER)
    criterion = Criterion.objects.get(version=cycle.framework, code="3.2")
    first = evidence_create(actor=actor, cycle=cycle, criterion=criterion, name="Biên bản rà soát học kỳ I")
    hold_review(seeded, actor, date(2026, 1, 15), evidence_ids=[first.evidence_id])
    before = {b: count_queries(b, cycle) for b in builders}
    for n in range(3):
        line_create(
            actor=actor,
            plan=seeded,
            criterion=criterion,
            target=f"Kết quả {n}",
            tasks=["Việc"],
            lead="Kế toán",
            time_text="Trong năm học",
        )
        monitor_add(actor=actor, plan=seeded, full_name=f"Thành viên {n}")
    proof = evidence_create(actor=actor, cycle=cycle, criterion=criterion, name="Biên bản rà soát")
    # Every line late at the second review: overdue lines cost no query each either.
    hold_review(seeded, actor, date(2026, 3, 31), evidence_ids=[proof.evidence_id], status=LineStatus.LATE)
    assert len(build_monitoring_report(refetch(cycle)).overdue) == 9
    after = {b: count_queries(b, cycle) for b in builders}
    assert after == before
    assert before[build_improvement_plan] <= 10 and before[build_monitoring_report] <= 12


def hold_review(plan, actor, held_on, evidence_ids=(), status=LineStatus.IN_PROGRESS):
    review = review_schedule(actor=actor, plan=plan, scheduled_on=held_on)
    entry = {"status": status, "progress": "Đang làm", "evidence_ids": list(evidence_ids)}
    entries = {line.pk: EntryInput(**entry) for line in plan.lines.all()}
    return review_record(actor=actor, review=review, held_on=held_on, summary="Đúng tiến độ.", entries=entries)


def test_missing_plan_number_date_and_no_plan_at_all_are_marked(world, cycle):
    # No plan: the documents still build, mark it, and create nothing.
    for kind in ("improvement-plan", "monitoring-report"):
        context = get(kind).build(refetch(cycle))
        assert NO_PLAN in context.missing
    assert not ImprovementPlan.objects.filter(cycle=cycle).exists()
    ctx = build_improvement_plan(refetch(cycle))
    assert {"số kế hoạch", "ngày ban hành kế hoạch", "mục đích, yêu cầu của kế hoạch"} <= set(ctx.missing)
    # 2018: the results belong to the plan's own bases text, so a missing plan does not mark them separately.
    assert "kết quả tự đánh giá (chưa ghi kết quả đánh giá các chỉ báo)" not in ctx.missing
    document = open_docx(improvement_plan_docx(ctx))
    red = red_runs(document)
    assert f"{MARKER} {NO_PLAN}]" in red
    assert {r.removeprefix(MARKER).removesuffix("]").strip() for r in red} == set(ctx.missing)
    (grid,) = tables_starting(document, "TT", "Tiêu chuẩn, tiêu chí")
    assert table_rows(grid)[1] == [f"{MARKER} {NO_PLAN}]"] * 9
    sheet = openpyxl.load_workbook(io.BytesIO(improvement_plan_xlsx(ctx)))["Kế hoạch cải tiến"]
    assert sheet["A2"].value == f"{MARKER} {NO_PLAN}]" and str(sheet["A2"].font.color.rgb).endswith("C00000")
    report = build_monitoring_report(refetch(cycle))
    red = red_runs(open_docx(monitoring_report_docx(report)))
    assert {r.removeprefix(MARKER).removesuffix("]").strip() for r in red} == set(report.missing)

    # A new plan without number, date or lines: the starting texts print, the rest is marked.
    plan_create(actor=world.principal_a, cycle=cycle)
    ctx = build_improvement_plan(refetch(cycle))
    assert "số kế hoạch" in ctx.missing and "ngày ban hành kế hoạch" in ctx.missing
    assert "nội dung kế hoạch (kế hoạch chưa có dòng nào)" in ctx.missing
    assert "mục đích, yêu cầu của kế hoạch" not in ctx.missing
    document = open_docx(improvement_plan_docx(ctx))
    assert f"{MARKER} số kế hoạch]" in red_runs(document)
    assert "Số: [CHƯA CÓ DỮ LIỆU: số kế hoạch]" in text_of(document)
    assert "[CHƯA CÓ DỮ LIỆU: ngày ban hành kế hoạch]" in text_of(document)
    (grid,) = tables_starting(document, "TT", "Tiêu chuẩn, tiêu chí")
    assert table_rows(grid)[1][0] == f"{MARKER} nội dung kế hoạch (kế hoạch chưa có dòng nào)]"


# --- TT57: Biểu 2 -----------------------------------------------------------------------------------------------------


def test_tt57_plan_renders_biểu_2_sections(world):
    actor = world.principal_a
    cycle = cycle_open(actor=actor, school=world.school_a, school_year="2026-2027")
    assert cycle.framework.regime == "tt57"
    plan = plan_create(actor=actor, cycle=cycle)
    plan_update(
        actor=actor,
        plan=plan,
        number="05/KH-THAB",
        place="An Bình",
        issued_on=date(2026, 10, 5),
        signer_name="Nguyễn Văn An",
    )
    criterion = Criterion.objects.get(version=cycle.framework, code="1.3")
    issue = issue_create(
        actor=actor,
        plan=plan,
        criterion=criterion,
        current_state="Dữ liệu học sinh cập nhật chậm",
        limitation="Chưa rà soát dữ liệu định kỳ",
        cause="Chưa phân công người phụ trách",
    )
    line = line_create(
        actor=actor,
        plan=plan,
        issue=issue,
        content="Rà soát dữ liệu quản lý",
        target="Dữ liệu cập nhật đúng hạn",
        tasks=["Phân công người phụ trách", "Rà soát hằng tháng"],
        result_indicator="100% dữ liệu cập nhật đúng hạn",
        expected_evidence="Biên bản rà soát dữ liệu",
        lead="Phó hiệu trưởng",
        collaborators="Văn thư",
        starts_on=date(2026, 10, 1),
        due_on=date(2027, 5, 1),
        funding="Không",
        support="Phần mềm quản lý",
    )
    review = review_schedule(
        actor=actor, plan=plan, scheduled_on=date(2026, 11, 20), title="Rà soát tháng 11", kind=ReviewKind.OTHER
    )
    review_record(
        actor=actor,
        review=review,
        held_on=date(2026, 11, 20),
        summary="Thực hiện đúng kế hoạch.",
        entries={line.pk: EntryInput(status=LineStatus.DONE, progress="Đã phân công và rà soát")},
    )
    ctx = build_improvement_plan(refetch(cycle))
    assert ctx.tt57 and ctx.missing == ("kết quả tự đánh giá (chưa ghi kết quả đánh giá các chỉ báo)",)
    document = open_docx(improvement_plan_docx(ctx))
    assert document.sections[0].page_width > document.sections[0].page_height
    text = text_of(document)
    headings = [
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. CĂN CỨ XÂY DỰNG KẾ HOẠCH",
        "III. KẾT QUẢ TỰ ĐÁNH GIÁ",
        "IV. CÁC VẤN ĐỀ TRỌNG TÂM CẦN CẢI TIẾN",
        "V. KẾ HOẠCH CẢI TIẾN",
        "VI. THEO DÕI VÀ ĐÁNH GIÁ THỰC HIỆN (GIÁM SÁT NỘI BỘ)",
        "VII. TỔ CHỨC THỰC HIỆN",
        "VIII. CƠ CHẾ ĐÁNH GIÁ VÀ BÁO CÁO",
    ]
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)
    assert (  # mục VII: Biểu 2's three parties, then the school's own text
        "Người đứng đầu cơ sở giáo dục, Hội đồng tự đánh giá, các tổ chuyên môn và bộ phận liên quan tổ chức thực "
        "hiện kế hoạch như sau:\n1. Hiệu trưởng chỉ đạo" in text
    )
    for item in (  # verbatim from the framework data
        "a) Thực hiện rà soát, đánh giá tối thiểu 02 lần trong năm học;",
        "c) Bảo đảm công khai, minh bạch và phục vụ trách nhiệm giải trình của cơ sở giáo dục./.",
    ):
        assert item in [p.text for p in document.paragraphs]
    assert "Trên đây là Kế hoạch" not in text and "MỨC 1, 2, 3" not in text

    (issues,) = tables_starting(document, "TT", "Tiêu chuẩn", "Tiêu chí")
    assert table_rows(issues) == [
        ["TT", "Tiêu chuẩn", "Tiêu chí", "Hiện trạng", "Hạn chế", "Nguyên nhân"],
        [
            "1",
            "Tiêu chuẩn 1: Quản trị nhà trường và bảo đảm chất lượng",
            f"Tiêu chí 1.3: {criterion.name}",
            "Dữ liệu học sinh cập nhật chậm",
            "Chưa rà soát dữ liệu định kỳ",
            "Chưa phân công người phụ trách",
        ],
    ]
    (actions,) = tables_starting(document, "TT", "Nội dung")
    v_columns = [
        "TT",
        "Nội dung",
        "Mục tiêu",
        "Giải pháp",
        "Chỉ số kết quả",
        "Thời gian thực hiện",
        "Người phụ trách",
        "Nguồn lực",
        "Minh chứng dự kiến",
        "Mức độ thực hiện (Hoàn thành / Đang thực hiện / Chưa hoàn thành)",
    ]
    assert table_rows(actions) == [
        v_columns,
        [
            "1",
            "Rà soát dữ liệu quản lý",
            "Dữ liệu cập nhật đúng hạn",
            "- Phân công người phụ trách\n- Rà soát hằng tháng",
            "100% dữ liệu cập nhật đúng hạn",
            "Tháng 10/2026 và hoàn thành tháng 5/2027",
            "Phó hiệu trưởng - Văn thư",
            "Không\nPhần mềm quản lý",
            "Biên bản rà soát dữ liệu",
            "Hoàn thành",
        ],
    ]
    (follow_up,) = tables_starting(document, "Thời điểm")
    assert table_rows(follow_up) == [
        ["Thời điểm", "Nội dung theo dõi", "Kết quả thực hiện", "Điều chỉnh (nếu có)", "Người đánh giá"],
        [
            "20/11/2026\nRà soát tháng 11",
            "1. Rà soát dữ liệu quản lý",
            "Hoàn thành: Đã phân công và rà soát",
            "",
            "Nguyễn Văn An",
        ],
        ["", "Nhận xét chung, kiến nghị", "Thực hiện đúng kế hoạch.", "", ""],
    ]
    sheet = openpyxl.load_workbook(io.BytesIO(improvement_plan_xlsx(ctx)))["Kế hoạch cải tiến"]
    assert [c.value for c in sheet[1]] == [*v_columns, "Trạng thái"]
    assert [c.value for c in sheet[2]][-2:] == ["Hoàn thành", "Hoàn thành"]


# --- the monitoring report --------------------------------------------------------------------------------------------


def test_monitoring_report_lists_team_reviews_progress_counts_and_overdue_lines(world, seeded, cycle):
    actor = world.principal_a
    lines = seeded.test_lines
    monitor_add(
        actor=actor, plan=seeded, full_name="Trần Thị Thu", job_title="Phó Hiệu trưởng", role=MonitorRole.LEADER
    )
    monitor_add(actor=actor, plan=seeded, full_name="Lê Văn Minh", job_title="Giáo viên")
    proof = evidence_create(
        actor=actor, cycle=cycle, criterion=lines["1.6a"].criterion, name="Ảnh chụp trang web nhà trường"
    )
    term = review_schedule(
        actor=actor, plan=seeded, scheduled_on=date(2026, 1, 15), title="Sơ kết học kỳ I", kind=ReviewKind.TERM_I
    )
    review_schedule(
        actor=actor, plan=seeded, scheduled_on=date(2027, 5, 25), title="Tổng kết", kind=ReviewKind.YEAR_END
    )
    review_record(
        actor=actor,
        review=term,
        held_on=date(2026, 1, 16),
        summary="Phần lớn nội dung đúng tiến độ.",
        entries={
            lines["1.6a"].pk: EntryInput(
                status=LineStatus.DONE, progress="Trang web đã cập nhật", evidence_ids=[proof.evidence_id]
            ),
            lines["1.6b"].pk: EntryInput(
                status=LineStatus.ADJUSTED, adjustment="Lùi hạn do chờ dự toán", new_due_on=date(2026, 8, 1)
            ),
            lines["1.10"].pk: EntryInput(status=LineStatus.LATE, progress="Chưa có kinh phí"),
        },
    )
    ctx = build_monitoring_report(refetch(cycle), as_of=date(2026, 6, 15))
    assert ctx.missing == ("số báo cáo",)
    document = open_docx(monitoring_report_docx(ctx))
    assert document.sections[0].page_width > document.sections[0].page_height
    text = text_of(document)
    assert "BÁO CÁO\nKẾT QUẢ GIÁM SÁT THỰC HIỆN KẾ HOẠCH CẢI TIẾN CHẤT LƯỢNG\nNĂM HỌC 2025 - 2026" in text
    assert "Thanh Chấn, ngày 15 tháng 6 năm 2026" in text  # the day the report is made as of
    assert "Căn cứ Kế hoạch số 17/KH-TrTH ngày 24/09/2025 của Trường Tiểu học An Bình" in text
    assert "Các đợt rà soát dự kiến chưa thực hiện: Tổng kết (dự kiến ngày 25/05/2027)." in text

    (team,) = tables_starting(document, "TT", "Họ và tên")
    assert table_rows(team)[1:] == [
        ["1", "Trần Thị Thu", "Phó Hiệu trưởng", "Tổ trưởng"],
        ["2", "Lê Văn Minh", "Giáo viên", "Thành viên"],
    ]
    (reviews,) = tables_starting(document, "TT", "Ngày thực hiện")
    assert table_rows(reviews)[1:] == [["1", "16/01/2026", "Sơ kết học kỳ I", "Phần lớn nội dung đúng tiến độ."]]

    (grid,) = tables_starting(document, "TT", "Tiêu chí", "Kết quả cần đạt")
    rows = {r[0]: r for r in table_rows(grid)[1:]}
    assert len(rows) == 6
    assert rows["1"][1] == "Tiêu chí 1.6" and rows["1"][5:] == [
        "16/01/2026 — Hoàn thành: Trang web đã cập nhật",
        "",
        "Ảnh chụp trang web nhà trường",
        "Hoàn thành",
    ]
    assert rows["2"][4] == "Tháng 10/2025 và hoàn thành tháng 8/2026"  # the adjusted completion month
    assert rows["2"][5:] == ["16/01/2026 — Điều chỉnh", "16/01/2026: Lùi hạn do chờ dự toán", "", "Điều chỉnh"]
    assert rows["3"][1] == "Tiêu chí 1.10" and rows["3"][8] == "Chậm tiến độ"
    assert rows["5"][1] == "Mức 4 – Tiêu chí 2" and rows["5"][8] == "Chưa bắt đầu"

    paragraphs = [p.text for p in document.paragraphs]
    assert "Tổng số nội dung của kế hoạch: 06" in paragraphs
    for line in (
        "- Hoàn thành: 1/6 nội dung, tỉ lệ 16,7%",
        "- Điều chỉnh: 1/6 nội dung, tỉ lệ 16,7%",
        "- Chậm tiến độ: 1/6 nội dung, tỉ lệ 16,7%",
        "- Chưa bắt đầu: 3/6 nội dung, tỉ lệ 50%",
    ):
        assert line in paragraphs
    # Overdue on 15/06/2026: 1.10 (marked late). 1.6's second line was moved to 08/2026; 2.2 and Mức 4 are later.
    assert "Đến ngày 15/06/2026 có 1 nội dung chậm tiến độ:" in paragraphs
    assert (
        "3. Tiêu chí 1.10: Thực hiện phương án đảm bảo an ninh trật tự (hạn hoàn thành tháng 5/2026; "
        "trạng thái: Chậm tiến độ)." in paragraphs
    )
    signature = [p.text for p in document.tables[-1].rows[0].cells[1].paragraphs if p.text]
    assert signature == ["TỔ TRƯỞNG TỔ GIÁM SÁT", "Trần Thị Thu"]
    assert red_runs(document) == [f"{MARKER} số báo cáo]"]
    # Once the school gives the report its number, nothing is missing.
    plan_update(actor=world.principal_a, plan=ImprovementPlan.objects.get(cycle=cycle), report_number="25/BC-THAB")
    numbered = build_monitoring_report(refetch(cycle), as_of=date(2026, 6, 15))
    assert numbered.missing == () and "Số: 25/BC-THAB" in text_of(open_docx(monitoring_report_docx(numbered)))
    # By default the report is dated, and counts overdue lines, on the day of the latest review held.
    default = build_monitoring_report(refetch(cycle))
    assert default.as_of == date(2026, 1, 16) and default.place_date == "Thanh Chấn, ngày 16 tháng 01 năm 2026"
    assert [line.split(":")[0] for line in default.overdue] == ["3. Tiêu chí 1.10"]
