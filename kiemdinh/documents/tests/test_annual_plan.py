"""An authority's plan and its reports as documents (Hương Trà seed layout; Cao Lộc task appendix), the export command
for plans and the download views. Plans are built through the planning services; no framework is loaded."""

import io
from datetime import date
from decimal import Decimal

import docx
import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from kiemdinh.documents.annual_plan.context import annual_plan_context, blank_number, body_lines, issuer_lines
from kiemdinh.documents.annual_plan.docx import annual_plan_docx
from kiemdinh.documents.annual_plan.xlsx import annual_plan_xlsx
from kiemdinh.documents.kinds import CYCLE_KINDS, plan_kind
from kiemdinh.documents.plan_report import plan_report_context, plan_report_docx
from kiemdinh.planning.models import AnnualPlan, GoalMeasure, GoalMetric, GoalScope, ReportKind
from kiemdinh.planning.services import (
    GoalInput,
    PlanInput,
    ReportInput,
    TargetInput,
    TaskInput,
    goal_save,
    plan_create,
    report_save,
    section_save,
    target_add,
    task_save,
)
from kiemdinh.recognition.models import RecognitionRound
from kiemdinh.units.selectors import UnitLookupError, unit_by_code_or_name

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PREAMBLE = (
    "Căn cứ Thông tư số 17/2018/TT-BGDĐT ngày 22 tháng 8 năm 2018 của Bộ Giáo dục và Đào tạo;\n"
    "UBND huyện Đông Sơn xây dựng kế hoạch công tác KĐCLGD&CQG năm 2024, như sau:"
)
GOALS_BODY = (
    "1. Mục tiêu\n"
    "Chất lượng công tác KĐCLGD&CQG đảm bảo nền nếp, đạt hiệu quả.\n"
    "2. Chỉ tiêu\n"
    "100% CSGD hoàn thành hồ sơ tự đánh giá trước ngày 31/01/2024."
)
ORGANISATION_BODY = (
    "1. Phòng Giáo dục và Đào tạo\n"
    "Tham mưu UBND huyện ban hành kế hoạch;\n"
    "- Phòng Nội vụ: Tham mưu về đội ngũ cán bộ quản lý, giáo viên, nhân viên theo quy định;\n"
    "2.1. Lãnh đạo phụ trách: Đồng chí Nguyễn Văn Thịnh - Phó Chủ tịch UBND huyện."
)


# --- helpers ----------------------------------------------------------------------------------------------------------


def open_docx(data: bytes):
    return docx.Document(io.BytesIO(data))


def body_texts(document) -> list[str]:
    """The body's paragraphs with text (the short rules under the header and title are empty paragraphs)."""
    return [p.text for p in document.paragraphs if p.text.strip()]


def cell_texts(table) -> list[list[str]]:
    """Each cell's lines with text, joined by newlines."""
    return [
        ["\n".join(line for line in cell.text.split("\n") if line.strip()) for cell in row.cells] for row in table.rows
    ]


def paragraph(document, text: str):
    return next(p for p in document.paragraphs if p.text == text)


def is_bold(p) -> bool:
    return all(run.bold for run in p.runs if run.text.strip())


def make_plan(world, **overrides) -> AnnualPlan:
    values = {
        "kind": "year",
        "period": "2024",
        "title": "Công tác kiểm định chất lượng giáo dục và xây dựng trường đạt chuẩn quốc gia năm 2024",
        "number": "20/KH-UBND",
        "issued_on": date(2024, 1, 4),
        "preamble": PREAMBLE,
        "purpose": "Kiểm định chất lượng giáo dục nhằm xác định mức đáp ứng mục tiêu giáo dục.",
        "requirements": "Đẩy mạnh công tác truyền thông.",
        "closing": "Trên đây là Kế hoạch công tác KĐCLGD&CQG năm 2024 của UBND huyện Đông Sơn./.",
        "recipients": "Sở GD&ĐT (báo cáo)\n- UBND các xã (phối hợp);\nLưu: VT.",
        "signer_title": "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH",
        "signer_name": "Đỗ Ngọc An",
    }
    values.update(overrides)
    return plan_create(actor=world.officer_district, unit=world.district, data=PlanInput(**values))


def fill(world, plan: AnnualPlan) -> AnnualPlan:
    actor = world.officer_district
    section_save(actor=actor, plan=plan, heading="Mục tiêu, chỉ tiêu", body=GOALS_BODY)
    section_save(actor=actor, plan=plan, heading="Tổ chức thực hiện", body=ORGANISATION_BODY)
    target_add(
        actor=actor,
        plan=plan,
        school=world.school_a,
        data=TargetInput(
            accreditation_grade=2,
            national_standard_level=1,
            recognition_round=RecognitionRound.FIRST,
            evaluation_period="tháng 10/2024",
        ),
    )
    target_add(
        actor=actor,
        plan=plan,
        school=world.school_b,
        data=TargetInput(accreditation_grade=3, national_standard_level=2, recognition_round=RecognitionRound.AGAIN),
    )
    goal_save(
        actor=actor,
        plan=plan,
        data=GoalInput(
            text="02 trường đạt chuẩn quốc gia mức độ I",
            metric=GoalMetric.NATIONAL_STANDARD,
            measure=GoalMeasure.COUNT,
            target_value=Decimal(2),
            scope=GoalScope.TARGETS,
            level=1,
        ),
    )
    task_save(
        actor=actor,
        plan=plan,
        data=TaskInput(
            agency="Phòng Tài nguyên và Môi trường",
            content="Hướng dẫn các trường lập hồ sơ xin giao đất",
            lead_official="Phó Chủ tịch UBND huyện",
            cooperating="Phòng Giáo dục và Đào tạo; UBND xã An Bình",
            deadline="quý II năm 2024",
        ),
    )
    return AnnualPlan.objects.get(pk=plan.pk)


@pytest.fixture
def plan(world) -> AnnualPlan:
    return fill(world, make_plan(world))


# --- the plan as DOCX -------------------------------------------------------------------------------------------------


def test_docx_follows_the_huong_tra_seed(plan):
    document = open_docx(annual_plan_docx(annual_plan_context(plan)))
    header = cell_texts(document.tables[0])[0]
    assert header[0] == "ỦY BAN NHÂN DÂN\nHUYỆN ĐÔNG SƠN\nSố: 20/KH-UBND"
    assert header[1] == (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nĐông Sơn, ngày 04 tháng 01 năm 2024"
    )
    texts = body_texts(document)
    title = texts.index("KẾ HOẠCH")
    assert texts[title + 1] == plan.title
    # Căn cứ / Thực hiện, then section I with its two parts, then the officer's sections numbered II and III.
    expected = [
        "Căn cứ Thông tư số 17/2018/TT-BGDĐT ngày 22 tháng 8 năm 2018 của Bộ Giáo dục và Đào tạo;",
        "UBND huyện Đông Sơn xây dựng kế hoạch công tác KĐCLGD&CQG năm 2024, như sau:",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "1. Mục đích",
        "Kiểm định chất lượng giáo dục nhằm xác định mức đáp ứng mục tiêu giáo dục.",
        "2. Yêu cầu",
        "Đẩy mạnh công tác truyền thông.",
        "II. MỤC TIÊU, CHỈ TIÊU",
        "1. Mục tiêu",
        "Chất lượng công tác KĐCLGD&CQG đảm bảo nền nếp, đạt hiệu quả.",
        "2. Chỉ tiêu",
        "100% CSGD hoàn thành hồ sơ tự đánh giá trước ngày 31/01/2024.",
        "III. TỔ CHỨC THỰC HIỆN",
        "1. Phòng Giáo dục và Đào tạo",
        "Tham mưu UBND huyện ban hành kế hoạch;",
        "- Phòng Nội vụ: Tham mưu về đội ngũ cán bộ quản lý, giáo viên, nhân viên theo quy định;",
        "2.1. Lãnh đạo phụ trách: Đồng chí Nguyễn Văn Thịnh - Phó Chủ tịch UBND huyện.",
        "Trên đây là Kế hoạch công tác KĐCLGD&CQG năm 2024 của UBND huyện Đông Sơn./.",
    ]
    assert texts[title + 2 : title + 2 + len(expected)] == expected
    for heading in ("I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích", "II. MỤC TIÊU, CHỈ TIÊU", "1. Phòng Giáo dục và Đào tạo"):
        assert is_bold(paragraph(document, heading)), heading
    assert not is_bold(paragraph(document, "Tham mưu UBND huyện ban hành kế hoạch;"))
    labelled = paragraph(document, expected[-2])
    assert [run.text for run in labelled.runs if run.bold] == ["2.1. Lãnh đạo phụ trách: "]

    # Nơi nhận beside the signature block.
    recipients, signature = cell_texts(document.tables[1])[0]
    assert recipients == "Nơi nhận:\n- Sở GD&ĐT (báo cáo);\n- UBND các xã (phối hợp);\n- Lưu: VT."
    assert signature.split("\n") == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Đỗ Ngọc An"]

    # The list of schools on a new page, then the tasks on a landscape page.
    list_title = paragraph(
        document,
        "DANH SÁCH CƠ SỞ GIÁO DỤC CÔNG NHẬN TRƯỜNG ĐẠT KIỂM ĐỊNH CHẤT LƯỢNG GIÁO DỤC VÀ TRƯỜNG ĐẠT CHUẨN QUỐC GIA, "
        "NĂM 2024",
    )
    assert list_title.paragraph_format.page_break_before
    assert texts.count("(Kèm theo Kế hoạch số 20/KH-UBND ngày 04/01/2024 của UBND huyện Đông Sơn)") == 2
    assert cell_texts(document.tables[2]) == [
        ["TT", "CƠ SỞ GIÁO DỤC", "TÍCH HỢP KĐCLGD&CQG", "GHI CHÚ"],
        ["1.", "Trường Tiểu học An Bình", "CĐ2-MĐ1", "CN lần đầu"],
        ["2.", "Trường Mầm non Bình Minh", "CĐ3-MĐ2", "CN lại"],
    ]
    assert "Danh sách này gồm: 02 đơn vị./." in texts
    assert "PHỤ LỤC: PHÂN CÔNG NHIỆM VỤ" in texts
    assert cell_texts(document.tables[3]) == [
        [
            "TT",
            "Nội dung nhiệm vụ",
            "Cơ quan chủ trì",
            "Lãnh đạo phụ trách",
            "Cơ quan phối hợp",
            "Thời gian hoàn thành",
        ],
        [
            "1",
            "Hướng dẫn các trường lập hồ sơ xin giao đất",
            "Phòng Tài nguyên và Môi trường",
            "Phó Chủ tịch UBND huyện",
            "Phòng Giáo dục và Đào tạo; UBND xã An Bình",
            "quý II năm 2024",
        ],
    ]
    first, last = document.sections[0], document.sections[-1]
    assert len(document.sections) == 2
    assert first.page_width < first.page_height and last.page_width > last.page_height
    assert round(first.left_margin.cm, 1) == 3.0 and round(first.top_margin.cm, 1) == 2.0


def test_a_draft_prints_blanks_and_no_empty_appendix(world):
    plan = make_plan(
        world,
        number="",
        issued_on=None,
        place="Đông Sơn",
        purpose="",
        requirements="",
        signer_title="KT. CHỦ TỊCH / PHÓ CHỦ TỊCH",
        signer_name="",
    )
    section_save(actor=world.officer_district, plan=plan, heading="III. Nội dung", body="Công nhận lại trường.")
    ctx = annual_plan_context(AnnualPlan.objects.get(pk=plan.pk))
    assert ctx.missing == ("số kế hoạch", "ngày ban hành", "người ký")
    document = open_docx(annual_plan_docx(ctx))
    header = cell_texts(document.tables[0])[0]
    blank = " " * 8  # room for the hand-written number, day and month (Cao Lộc seed)
    assert header[0].endswith(f"Số: {blank}/KH-UBND")
    assert header[1].endswith(f"Đông Sơn, ngày{blank}tháng{blank}năm 2024")
    texts = body_texts(document)
    # Without section I the officer's first section is I (its own numeral is replaced).
    assert "I. NỘI DUNG" in texts and "I. MỤC ĐÍCH, YÊU CẦU" not in texts
    assert not any(t.startswith("DANH SÁCH CƠ SỞ GIÁO DỤC") for t in texts)
    assert "PHỤ LỤC: PHÂN CÔNG NHIỆM VỤ" not in texts
    assert len(document.tables) == 2 and len(document.sections) == 1
    assert ctx.filename("docx") == "Ke-hoach-P01-D1-2024.docx"
    # A plan's document is not one of a cycle's (the cycle's download page builds every kind from a cycle).
    assert "annual-plan" not in [kind.kind for kind in CYCLE_KINDS]
    assert plan_kind("annual-plan").formats == ("docx", "xlsx", "pdf")


def test_body_lines_bold_only_short_numbered_headings():
    lines = body_lines(
        "1. Mục đích\n"
        "2.4. Giải pháp, thời gian thực hiện:\n"
        "2. Đẩy mạnh hoạt động đánh giá ngoài ở tất cả các cấp học, bậc học.\n"
        "a) Thực hiện công tác tự đánh giá\n"
        "+ Hồ sơ đăng ký gửi về Phòng GD&ĐT\n"
        "\n"
        "3. " + "rất dài " * 20
    )
    assert [(line.full, line.heading) for line in lines] == [
        ("1. Mục đích", True),
        ("2.4. Giải pháp, thời gian thực hiện:", True),
        ("2. Đẩy mạnh hoạt động đánh giá ngoài ở tất cả các cấp học, bậc học.", False),
        ("a) Thực hiện công tác tự đánh giá", False),
        ("+ Hồ sơ đăng ký gửi về Phòng GD&ĐT", False),
        (("3. " + "rất dài " * 20).strip(), False),
    ]
    assert issuer_lines("Phòng GD&ĐT Hóc Môn", "UBND huyện Hóc Môn") == (
        ("UBND HUYỆN HÓC MÔN", False),
        ("PHÒNG GD&ĐT HÓC MÔN", True),
    )
    assert blank_number("Phòng GD&ĐT Hóc Môn", "KH") == "        /KH"


def test_context_queries_do_not_grow_with_the_plan(world, plan, django_assert_num_queries):
    # unit, sections, targets + cycles + decisions, the units' later changes, goals + their targets + one a goal, tasks
    fresh = AnnualPlan.objects.get(pk=plan.pk)
    # (+ the unit's name on the plan's date)
    with django_assert_num_queries(11):
        ctx = annual_plan_context(fresh)
    assert len(ctx.targets) == 2 and len(ctx.tasks) == 1 and len(ctx.goals) == 1
    for n in range(3):
        section_save(actor=world.officer_district, plan=plan, heading=f"Mục {n}", body="Nội dung.")
        task_save(actor=world.officer_district, plan=plan, data=TaskInput(agency="Phòng Nội vụ", content=f"Việc {n}"))
    fresh = AnnualPlan.objects.select_related("unit").get(pk=plan.pk)
    with django_assert_num_queries(10):  # the unit came with the plan; its name on the date
        ctx = annual_plan_context(fresh)
    assert len(ctx.sections) == 6 and len(ctx.tasks) == 4


# --- the plan as XLSX -------------------------------------------------------------------------------------------------


def test_xlsx_has_schools_targets_and_tasks(plan):
    book = openpyxl.load_workbook(io.BytesIO(annual_plan_xlsx(annual_plan_context(plan))))
    assert book.sheetnames == ["Danh sách trường", "Chỉ tiêu", "Nhiệm vụ"]
    schools = book["Danh sách trường"]
    rows = [list(row) for row in schools.iter_rows(values_only=True)]
    assert rows[0] == [
        "TT",
        "Cơ sở giáo dục",
        "Loại trường",
        "Đơn vị",
        "Tích hợp KĐCLGD&CQG",
        "Ghi chú",
        "Thời gian ĐGN dự kiến",
        "Tình trạng hiện nay",
    ]
    assert rows[1][:7] == [
        1,
        "Trường Tiểu học An Bình",
        "Trường tiểu học",
        "Xã An Bình",
        "CĐ2-MĐ1",
        "CN lần đầu",
        "tháng 10/2024",
    ]
    assert rows[1][7] == "Chưa tự đánh giá"
    assert rows[2][4:6] == ["CĐ3-MĐ2", "CN lại"]
    assert schools.freeze_panes == "A2" and schools["A1"].font.bold
    assert schools.column_dimensions["B"].width > 30

    goals = [list(row) for row in book["Chỉ tiêu"].iter_rows(values_only=True)]
    assert goals[0] == ["Chỉ tiêu", "Đo bằng", "Giá trị chỉ tiêu", "Kết quả hiện tại", "Đạt/chưa"]
    assert goals[1][0] == "02 trường đạt chuẩn quốc gia mức độ I"
    assert goals[1][2:] == ["02 trường", "0/02 trường", "Chưa đạt"]
    assert goals[1][1].startswith("Trường được công nhận đạt chuẩn quốc gia")

    tasks = [list(row) for row in book["Nhiệm vụ"].iter_rows(values_only=True)]
    assert tasks[0] == [
        "TT",
        "Nội dung nhiệm vụ",
        "Cơ quan chủ trì",
        "Lãnh đạo phụ trách",
        "Cơ quan phối hợp",
        "Thời hạn",
        "Trạng thái",
    ]
    assert tasks[1] == [
        1,
        "Hướng dẫn các trường lập hồ sơ xin giao đất",
        "Phòng Tài nguyên và Môi trường",
        "Phó Chủ tịch UBND huyện",
        "Phòng Giáo dục và Đào tạo; UBND xã An Bình",
        "quý II năm 2024",
        "Chưa bắt đầu",
    ]


# --- a report on the plan -----------------------------------------------------------------------------------------------


def make_report(world, plan, **overrides):
    values = {
        "kind": ReportKind.PERIODIC,
        "reported_on": date(2024, 4, 15),
        "title": "Kết quả thực hiện Kế hoạch công tác KĐCLGD&CQG quý I năm 2024",
        "body": "1. Kết quả đạt được\nCác trường đã hoàn thành hồ sơ tự đánh giá.\n2. Khó khăn, vướng mắc\nChưa có.",
        "number": "05/BC-UBND",
        "period_label": "quý I năm 2024",
        "recipients": "UBND tỉnh\nLưu: VT",
    }
    values.update(overrides)
    return report_save(actor=world.officer_district, plan=plan, data=ReportInput(**values))


def test_report_docx(world, plan, django_assert_num_queries):
    report = make_report(world, plan)
    from kiemdinh.planning.models import PlanReport

    fresh = PlanReport.objects.get(pk=report.pk)
    # the plan, its unit, the unit's name on the report's date
    with django_assert_num_queries(3):
        ctx = plan_report_context(fresh)
    document = open_docx(plan_report_docx(ctx))
    header = cell_texts(document.tables[0])[0]
    assert header[0] == "ỦY BAN NHÂN DÂN\nHUYỆN ĐÔNG SƠN\nSố: 05/BC-UBND"
    assert header[1].endswith("Đông Sơn, ngày 15 tháng 4 năm 2024")
    texts = body_texts(document)
    title = texts.index("BÁO CÁO")
    assert texts[title + 1] == "Kết quả thực hiện Kế hoạch công tác KĐCLGD&CQG quý I năm 2024"
    assert ctx.header.place_date == "Đông Sơn, ngày 15 tháng 4 năm 2024"
    assert texts[title + 2 : title + 6] == [
        "1. Kết quả đạt được",
        "Các trường đã hoàn thành hồ sơ tự đánh giá.",
        "2. Khó khăn, vướng mắc",
        "Chưa có.",
    ]
    recipients, signature = cell_texts(document.tables[1])[0]
    assert recipients == "Nơi nhận:\n- UBND tỉnh;\n- Lưu: VT."
    assert signature.split("\n")[-1] == "Đỗ Ngọc An"
    assert ctx.filename("docx") == "Bao-cao-05-BC-UBND-2024-04-15.docx"

    unnumbered = plan_report_context(make_report(world, plan, number=""))
    assert unnumbered.header.number == "        /BC-UBND"


# --- the export command -----------------------------------------------------------------------------------------------


def test_unit_lookup_by_code_or_name(world):
    assert unit_by_code_or_name("P01-D1") == world.district
    assert unit_by_code_or_name("huyen dong son") == world.district
    assert unit_by_code_or_name("Đông Sơn") == world.district
    with pytest.raises(UnitLookupError, match="Không tìm thấy đơn vị"):
        unit_by_code_or_name("Hương Trà")
    with pytest.raises(UnitLookupError, match="Có nhiều đơn vị"):
        unit_by_code_or_name("xã")


def test_export_command_writes_the_plan(world, plan, tmp_path, capsys):
    out = tmp_path / "ke-hoach.docx"
    call_command("export", "annual-plan", "--unit", "dong son", "--year", "2024", "--format", "docx", "--out", str(out))
    assert "20/KH-UBND" in capsys.readouterr().out
    assert "KẾ HOẠCH" in body_texts(open_docx(out.read_bytes()))
    xlsx = tmp_path / "ke-hoach.xlsx"
    call_command("export", "annual-plan", "--unit", "P01-D1", "--year", "2024", "--format", "xlsx", "--out", str(xlsx))
    assert openpyxl.load_workbook(xlsx).sheetnames[0] == "Danh sách trường"


def test_export_command_errors_write_nothing(world, plan, tmp_path):
    out = tmp_path / "x.docx"

    def export(*args):
        call_command("export", "annual-plan", *args, "--format", "docx", "--out", str(out))

    with pytest.raises(CommandError, match="Không tìm thấy đơn vị") as caught:
        export("--unit", "Hương Trà", "--year", "2024")
    assert caught.value.returncode == 2
    with pytest.raises(CommandError, match="không có kế hoạch nào của năm 2023"):
        export("--unit", "P01-D1", "--year", "2023")
    second = make_plan(world, number="35/KH-UBND", title="Kế hoạch xây dựng trường chuẩn quốc gia")
    with pytest.raises(CommandError, match="có 2 kế hoạch năm 2024") as caught:
        export("--unit", "P01-D1", "--year", "2024")
    message = str(caught.value)
    assert "20/KH-UBND" in message and "35/KH-UBND — Kế hoạch xây dựng trường chuẩn quốc gia" in message
    assert "--plan" in message
    with pytest.raises(CommandError, match="hãy ghi --unit"):
        export("--year", "2024")
    assert not out.exists()
    export("--unit", "P01-D1", "--year", "2024", "--plan", str(second.pk))
    assert "35/KH-UBND" in "\n".join(p.text for p in open_docx(out.read_bytes()).tables[0].rows[0].cells[0].paragraphs)


def test_export_finds_a_school_year_or_roadmap_plan_by_one_year(world, tmp_path):
    make_plan(world, kind="roadmap", period="2021-2025", number="7/KH-UBND", issued_on=date(2021, 3, 1))
    out = tmp_path / "lo-trinh.docx"
    call_command("export", "annual-plan", "--unit", "P01-D1", "--year", "2023", "--format", "docx", "--out", str(out))
    texts = body_texts(open_docx(out.read_bytes()))
    assert "KẾ HOẠCH" in texts


# --- downloads --------------------------------------------------------------------------------------------------------


def login(client, user):
    client.force_login(user)


def test_officer_downloads_the_plan_and_its_report(client, world, plan):
    report = make_report(world, plan)
    login(client, world.officer_district)
    response = client.get(reverse("documents:annual_plan", kwargs={"plan_id": plan.pk, "fmt": "docx"}))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_TYPE
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=\"Ke-hoach-20-KH-UBND-2024.docx\"; filename*=UTF-8''")
    assert "K%E1%BA%BF%20ho%E1%BA%A1ch" in disposition  # "Kế hoạch"
    assert "KẾ HOẠCH" in body_texts(open_docx(response.content))

    response = client.get(reverse("documents:annual_plan", kwargs={"plan_id": plan.pk, "fmt": "xlsx"}))
    assert response.status_code == 200 and response["Content-Type"] == XLSX_TYPE
    assert f"/ke-hoach/{plan.pk}/tai-ve.xlsx" == reverse(
        "documents:annual_plan", kwargs={"plan_id": plan.pk, "fmt": "xlsx"}
    )

    url = reverse("documents:plan_report", kwargs={"plan_id": plan.pk, "report_id": report.pk})
    assert url == f"/ke-hoach/{plan.pk}/bao-cao/{report.pk}/tai-ve.docx"
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == DOCX_TYPE
    assert 'filename="Bao-cao-05-BC-UBND-2024-04-15.docx"' in response["Content-Disposition"]

    other = make_plan(world, number="36/KH-UBND")
    wrong = reverse("documents:plan_report", kwargs={"plan_id": other.pk, "report_id": report.pk})
    assert client.get(wrong).status_code == 404
    assert client.get(f"/ke-hoach/{plan.pk}/tai-ve.odt").status_code == 404


def test_people_outside_the_plan_get_404(client, world, plan):
    report = make_report(world, plan)
    commune_plan = plan_create(
        actor=world.officer_district,
        unit=world.commune_a,
        data=PlanInput(kind="year", period="2024", title="Kế hoạch của xã An Bình"),
    )
    login(client, world.officer_other_province)
    assert client.get(reverse("documents:annual_plan", kwargs={"plan_id": plan.pk, "fmt": "docx"})).status_code == 404
    url = reverse("documents:plan_report", kwargs={"plan_id": plan.pk, "report_id": report.pk})
    assert client.get(url).status_code == 404
    client.logout()
    login(client, world.principal_b)  # school B is in commune B: the plan of commune A does not concern it
    response = client.get(reverse("documents:annual_plan", kwargs={"plan_id": commune_plan.pk, "fmt": "xlsx"}))
    assert response.status_code == 404
    client.logout()
    response = client.get(reverse("documents:annual_plan", kwargs={"plan_id": plan.pk, "fmt": "docx"}))
    assert response.status_code == 302  # to the login page
