"""The appendices of the report as documents: council decision, plan, nội hàm worksheet, evidence catalogue and
criterion forms — their contexts (missing data, query counts) and the DOCX/XLSX/PDF files they render."""

import io
from datetime import date

import docx
import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kiemdinh.core.office.pdf import pdf_available
from kiemdinh.documents.appendices.council import build_council_decision, build_plan
from kiemdinh.documents.appendices.criteria import (
    COLUMNS_2018,
    build_criterion_forms,
    build_evidence_catalogue,
    build_scope_worksheet,
)
from kiemdinh.documents.appendices.docx import (
    council_decision_docx,
    criterion_forms_docx,
    evidence_catalogue_docx,
    plan_docx,
    scope_worksheet_docx,
)
from kiemdinh.documents.appendices.xlsx import evidence_catalogue_xlsx
from kiemdinh.documents.kinds import CYCLE_KINDS, get, render
from kiemdinh.documents.rendering import render_context
from kiemdinh.documents.report.context import build_report
from kiemdinh.evidence.models import CycleEvidence
from kiemdinh.frameworks.models import Criterion, Indicator, Level4Item
from kiemdinh.selfassessment.council import services as svc
from kiemdinh.selfassessment.models import CouncilRole, Cycle
from kiemdinh.selfassessment.tests.builders import add_council, fill_forms
from kiemdinh.workflow.services import cycle_open

pytestmark = pytest.mark.usefixtures("frameworks_loaded")

MARKER = "[CHƯA CÓ DỮ LIỆU:"
KINDS = ("council-decision", "plan", "scope-worksheet", "evidence-catalogue", "criterion-forms")
BUILDERS = (
    build_council_decision,
    build_plan,
    build_scope_worksheet,
    build_evidence_catalogue,
    build_criterion_forms,
)


# --- helpers ----------------------------------------------------------------------------------------------------------


def open_docx(data: bytes):
    return docx.Document(io.BytesIO(data))


def all_paragraphs(document):
    """Every paragraph of the body and of its tables (nested ones too), in document order."""

    def walk(container):
        for block in container.iter_inner_content():
            if isinstance(block, docx.text.paragraph.Paragraph):
                yield block
            else:
                for row in block.rows:
                    seen = set()
                    for cell in row.cells:
                        if id(cell._tc) in seen:  # merged cells repeat
                            continue
                        seen.add(id(cell._tc))
                        yield from walk(cell)

    yield from walk(document)


def text_of(document) -> str:
    return "\n".join(p.text for p in all_paragraphs(document))


def red_runs(document) -> list[str]:
    return [
        run.text
        for p in all_paragraphs(document)
        for run in p.runs
        if run.font.color is not None and run.font.color.rgb is not None and str(run.font.color.rgb) == "C00000"
    ]


def table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def tables_with_header(document, first: str, second: str):
    return [t for t in document.tables if t.rows and [c.text for c in t.rows[0].cells][:2] == [first, second]]


def refetch(cycle) -> Cycle:
    return Cycle.objects.get(pk=cycle.pk)


def setup_council(cycle, actor, *, criteria_codes=("1.1", "1.2")):
    """A council with job titles, two working groups and assignments, through the services."""
    group_1 = svc.working_group_create(actor=actor, cycle=cycle, name="Nhóm 1")
    group_2 = svc.working_group_create(actor=actor, cycle=cycle, name="Nhóm 2")
    people = [
        ("Nguyễn Văn An", "Hiệu trưởng", CouncilRole.CHAIR, None),
        ("Trần Thị Thu", "Phó Hiệu trưởng", CouncilRole.SECRETARY, group_1),
        ("Lê Văn Minh", "Giáo viên", CouncilRole.MEMBER, group_1),
        ("Phạm Thị Hoa", "Giáo viên", CouncilRole.MEMBER, group_2),
        ("Đỗ Văn Hùng", "Kế toán", CouncilRole.MEMBER, None),
    ]
    members = [
        svc.council_member_create(actor=actor, cycle=cycle, full_name=n, job_title=j, role=r, group=g)
        for n, j, r, g in people
    ]
    ids = dict(Criterion.objects.filter(version=cycle.framework).values_list("code", "pk"))
    wanted = {ids[code]: (group_1.pk, None) for code in criteria_codes}
    wanted[ids["2.1"]] = (group_2.pk, members[3].pk)
    wanted[ids["3.1"]] = (None, members[4].pk)
    svc.criterion_assignments_save(actor=actor, cycle=cycle, criteria=wanted)
    return members


def setup_plan(cycle, actor):
    svc.plan_update(
        actor=actor,
        cycle=cycle,
        number="15/KH-THAB",
        issued_on=date(2025, 9, 20),
        purpose="Xác định mức đạt được theo từng tiêu chí.",
        scope="Toàn bộ hoạt động của nhà trường.",
        tools="Tập huấn cho các thành viên hội đồng.",
        resources="Nhân lực: hội đồng; thời điểm: tháng 10.",
        hired_experts="Không thuê chuyên gia.",
        evidence_collection="Thu thập từ văn thư, kế toán.",
    )
    svc.plan_activity_create(
        actor=actor, cycle=cycle, title="Viết báo cáo", step=5, starts_on=date(2025, 12, 1), owner="Thư ký"
    )
    svc.plan_activity_create(
        actor=actor,
        cycle=cycle,
        title="Thành lập hội đồng",
        step=1,
        starts_on=date(2025, 9, 8),
        ends_on=date(2025, 9, 12),
        owner="Hiệu trưởng",
    )


@pytest.fixture
def full_cycle(world, cycle):
    setup_council(cycle, world.principal_a)
    setup_plan(cycle, world.principal_a)
    fill_forms(cycle, world.principal_a)
    return refetch(cycle)


@pytest.fixture
def tt57_cycle(world, cycle57):
    fill_forms(cycle57, world.principal_a)
    return refetch(cycle57)


# --- kinds ----------------------------------------------------------------------------------------------------------


def test_the_five_appendices_are_listed_in_order_with_their_formats():
    kinds = [k.kind for k in CYCLE_KINDS if k.kind in KINDS]
    assert kinds == list(KINDS)
    assert get("evidence-catalogue").formats == ("docx", "xlsx", "pdf")
    assert get("plan").title == "Phụ lục 1: Kế hoạch tự đánh giá"
    assert get("criterion-forms").slug == "phieu-danh-gia-tieu-chi"


@pytest.mark.parametrize("kind", KINDS)
def test_every_appendix_renders_for_an_empty_and_a_full_cycle(world, cycle, kind):
    empty = render(kind, refetch(cycle), "docx")
    assert empty.filename.startswith(get(kind).slug) and empty.filename.endswith(".docx")
    open_docx(empty.data)
    setup_council(cycle, world.principal_a)
    fill_forms(cycle, world.principal_a, criteria=["1.1"])
    open_docx(render(kind, refetch(cycle), "docx").data)


# --- 1. council decision --------------------------------------------------------------------------------------------


def test_council_decision_lists_every_member_and_the_groups_with_their_criteria(world, full_cycle):
    svc.council_decision_save(actor=world.principal_a, cycle=full_cycle, number="45/QĐ-TH", issued_on=date(2025, 9, 8))
    ctx = build_council_decision(full_cycle)
    document = open_docx(council_decision_docx(ctx))
    text = text_of(document)
    assert "QUYẾT ĐỊNH" in text and "Về việc thành lập Hội đồng tự đánh giá Trường Tiểu học An Bình" in text
    assert "HIỆU TRƯỞNG TRƯỜNG TIỂU HỌC AN BÌNH" in text
    assert "Căn cứ Thông tư 17/2018/TT-BGDĐT" in text
    assert "An Bình, ngày 08 tháng 9 năm 2025" in text  # the signed decision's date, entered on the council page
    assert "45/QĐ-TH" in text
    for article in ("Điều 1.", "Điều 2.", "Điều 3."):
        assert article in text
    assert "DANH SÁCH THÀNH VIÊN HỘI ĐỒNG TỰ ĐÁNH GIÁ" in text

    (members,) = tables_with_header(document, "TT", "Họ và tên")
    rows = table_rows(members)
    assert rows[0] == ["TT", "Họ và tên", "Chức vụ", "Nhiệm vụ"]
    assert [r[1] for r in rows[1:]] == ["Nguyễn Văn An", "Trần Thị Thu", "Lê Văn Minh", "Phạm Thị Hoa", "Đỗ Văn Hùng"]
    assert rows[1] == ["1", "Nguyễn Văn An", "Hiệu trưởng", "Chủ tịch"]
    assert rows[2][3] == "Thư ký"

    (groups,) = tables_with_header(document, "Nhóm", "Thành viên")
    group_rows = {r[0]: r for r in table_rows(groups)[1:]}
    assert group_rows["Nhóm 1"][1].split("\n") == ["Trần Thị Thu", "Lê Văn Minh"]
    assert group_rows["Nhóm 1"][2] == "1.1; 1.2"
    assert group_rows["Nhóm 2"][2] == "2.1 (Phạm Thị Hoa)"
    assert group_rows["Cá nhân: Đỗ Văn Hùng"][2] == "3.1"
    # Nothing missing once the number and date are entered; the principal is the chair.
    assert ctx.missing == ()
    assert red_runs(document) == []
    assert "Nguyễn Văn An" in [p.text for p in all_paragraphs(document)]


def test_council_decision_of_an_empty_council_says_what_is_missing(cycle):
    ctx = build_council_decision(refetch(cycle))
    assert "danh sách thành viên hội đồng tự đánh giá" in ctx.missing
    assert "số quyết định thành lập hội đồng" in ctx.missing
    assert "ngày ký quyết định thành lập hội đồng" in ctx.missing
    red = red_runs(open_docx(council_decision_docx(ctx)))
    assert "[CHƯA CÓ DỮ LIỆU: danh sách thành viên hội đồng tự đánh giá]" in red
    assert {r.removeprefix(MARKER).removesuffix("]").strip() for r in red} == set(ctx.missing)


# --- 2. plan --------------------------------------------------------------------------------------------------------


def test_plan_has_its_sections_tables_and_timeline_in_date_order(full_cycle):
    ctx = build_plan(full_cycle)
    document = open_docx(plan_docx(ctx))
    text = text_of(document)
    assert "Phụ lục 1" in text and "KẾ HOẠCH TỰ ĐÁNH GIÁ" in text
    assert "15/KH-THAB" in text and "An Bình, ngày 20 tháng 9 năm 2025" in text
    headings = [
        "I. MỤC ĐÍCH VÀ PHẠM VI TỰ ĐÁNH GIÁ",
        "II. THÀNH PHẦN HỘI ĐỒNG TỰ ĐÁNH GIÁ",
        "III. TỔ THƯ KÝ VÀ CÁC NHÓM CÔNG TÁC",
        "IV. PHÂN CÔNG THỰC HIỆN",
        "V. TẬP HUẤN, CÔNG CỤ ĐÁNH GIÁ",
        "VI. DỰ KIẾN CÁC NGUỒN LỰC VÀ THỜI ĐIỂM CẦN HUY ĐỘNG",
        "VII. DỰ KIẾN THUÊ CHUYÊN GIA",
        "VIII. DỰ KIẾN THU THẬP MINH CHỨNG",
        "IX. THỜI GIAN BIỂU",
    ]
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)
    for value in ("Xác định mức đạt được", "Toàn bộ hoạt động", "Không thuê chuyên gia.", "Thu thập từ văn thư"):
        assert value in text

    (timeline,) = tables_with_header(document, "TT", "Thời gian")
    rows = table_rows(timeline)
    assert rows[0] == ["TT", "Thời gian", "Hoạt động", "Người/bộ phận thực hiện", "Bước"]
    assert rows[1] == [
        "1",
        "08/09/2025 – 12/09/2025",
        "Thành lập hội đồng",
        "Hiệu trưởng",
        "Bước 1. Thành lập hội đồng tự đánh giá",
    ]
    assert rows[2][:3] == ["2", "01/12/2025", "Viết báo cáo"]
    assert rows[2][4] == "Bước 5. Viết báo cáo tự đánh giá"

    (assignment,) = tables_with_header(document, "Tiêu chí", "Nhóm công tác")
    lines = table_rows(assignment)
    criteria = Criterion.objects.filter(version=full_cycle.framework).count()
    assert sum(1 for r in lines if r[0].startswith("Tiêu chí ")) >= criteria
    assert any(r[0].startswith("Tiêu chí 2.1:") and r[1:] == ["Nhóm 2", "Phạm Thị Hoa"] for r in lines)
    # Criteria nobody drafts are flagged, once in the list.
    assert ctx.missing == ("phân công nhóm công tác hoặc người phụ trách",)


def test_plan_of_an_empty_cycle_marks_every_text(cycle):
    ctx = build_plan(refetch(cycle))
    for label in (
        "số kế hoạch",
        "ngày ban hành kế hoạch",
        "mục đích tự đánh giá",
        "dự kiến thuê chuyên gia",
        "thời gian biểu (các hoạt động của kế hoạch)",
        "danh sách thành viên hội đồng tự đánh giá",
        "họ tên Chủ tịch hội đồng (hiệu trưởng)",
    ):
        assert label in ctx.missing
    red = red_runs(open_docx(plan_docx(ctx)))
    assert "[CHƯA CÓ DỮ LIỆU: số kế hoạch]" in red
    assert {r.removeprefix(MARKER).removesuffix("]").strip() for r in red} == set(ctx.missing)


# --- 3. nội hàm worksheet -------------------------------------------------------------------------------------------


def test_scope_worksheet_has_one_row_per_indicator_and_counts_what_is_unfilled(world, cycle):
    ind = Indicator.objects.get(criterion__version=cycle.framework, criterion__code="1.1", level=1, letter="a")
    svc.scope_analysis_save(
        actor=world.principal_a,
        cycle=cycle,
        indicator=ind,
        meaning="Kế hoạch phát triển nhà trường",
        questions="Có kế hoạch không?",
        evidence_needed="Kế hoạch",
        sources="Văn thư",
    )
    item = Level4Item.objects.filter(version=cycle.framework).exclude(confidence="missing").order_by("position")[0]
    svc.scope_analysis_save(actor=world.principal_a, cycle=cycle, level4_item=item, meaning="Nội hàm Mức 4")
    ctx = build_scope_worksheet(refetch(cycle))
    indicators = Indicator.objects.filter(criterion__version=cycle.framework).count()
    items = Level4Item.objects.filter(version=cycle.framework).exclude(confidence="missing").count()
    assert (ctx.filled, ctx.total) == (1, indicators)
    assert ctx.missing == (
        f"phiếu xác định nội hàm chưa điền: nội hàm của {indicators - 1}/{indicators} chỉ báo, "
        f"nội hàm của {items - 1}/{items} tiêu chí Mức 4",
    )
    document = open_docx(scope_worksheet_docx(ctx))
    assert document.sections[0].page_width > document.sections[0].page_height  # landscape
    worksheets = tables_with_header(document, "Chỉ báo", "Nội hàm")
    assert len(worksheets) == Criterion.objects.filter(version=cycle.framework).count()
    assert sum(len(t.rows) - 1 for t in worksheets) == indicators
    first = table_rows(worksheets[0])
    assert first[0] == ["Chỉ báo", "Nội hàm", "Câu hỏi đặt ra", "Minh chứng cần thu thập", "Nơi thu thập"]
    assert first[1][0].startswith(f"Mức 1 a) {ind.text[:20]}")
    assert first[1][1:] == ["Kế hoạch phát triển nhà trường", "Có kế hoạch không?", "Kế hoạch", "Văn thư"]
    assert first[2][1:] == ["", "", "", ""]  # a blank cell is left blank
    assert red_runs(document) == []
    (level4,) = tables_with_header(document, "Tiêu chí Mức 4", "Nội hàm")
    assert len(level4.rows) == items + 1
    text = text_of(document)
    assert "Phụ lục 2" in text and "Phụ lục 3" in text


# --- 4. evidence catalogue ------------------------------------------------------------------------------------------


def test_catalogue_lists_every_code_of_the_cycle_and_every_code_cited(world, full_cycle):
    ctx = build_evidence_catalogue(full_cycle)
    codes = set(CycleEvidence.objects.filter(cycle=full_cycle).values_list("code", flat=True))
    assert set(ctx.codes) == codes and len(codes) == Criterion.objects.filter(version=full_cycle.framework).count()
    cited = {code for part in build_report(full_cycle).criteria for code in part.cited_codes}
    assert cited and cited <= codes
    assert ctx.missing == ()

    document = open_docx(evidence_catalogue_docx(ctx))
    (grid,) = tables_with_header(document, "TT", "Mã minh chứng")
    rows = table_rows(grid)
    assert rows[0] == list(COLUMNS_2018)
    items = [r for r in rows[1:] if r[0] != r[1]]  # heading rows are merged: every cell holds the heading
    assert {r[1] for r in items} == codes
    assert [r[0] for r in items] == [str(n) for n in range(1, len(items) + 1)]  # one running number
    headings = [r[0] for r in rows[1:] if r[0] == r[-1]]
    assert headings[0].startswith("Tiêu chuẩn 1:") and headings[1].startswith("Tiêu chí 1.1:")
    assert "Phụ lục 4" in text_of(document)
    assert red_runs(document) == []


def test_catalogue_repeats_shared_evidence_under_the_citing_criterion_with_its_first_code(world, full_cycle):
    from kiemdinh.evidence.models import EvidenceCitation

    link = CycleEvidence.objects.get(cycle=full_cycle, criterion__code="1.1")
    EvidenceCitation.objects.create(
        cycle_evidence=link, criterion=Criterion.objects.get(version=full_cycle.framework, code="2.1")
    )
    ctx = build_evidence_catalogue(full_cycle)
    items = [r for r in ctx.rows if not r.is_heading]
    shared = [r for r in items if r.cells[1] == link.code]
    assert len(shared) == 2
    assert "Minh chứng dùng chung, mã của tiêu chí 1.1" in shared[1].cells[-1]
    position = ctx.rows.index(shared[1])
    before = [r.cells[0] for r in ctx.rows[:position] if r.kind == "criterion"]
    assert before[-1].startswith("Tiêu chí 2.1:")


def test_catalogue_xlsx_has_the_same_columns_bold_merged_headings_and_a_frozen_header(full_cycle):
    ctx = build_evidence_catalogue(full_cycle)
    book = openpyxl.load_workbook(io.BytesIO(evidence_catalogue_xlsx(ctx)))
    sheet = book["Danh mục minh chứng"]
    header = [c.value for c in sheet[1]]
    assert header == list(COLUMNS_2018)
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width >= 40
    assert sheet["A2"].value.startswith("Tiêu chuẩn 1:") and sheet["A2"].font.bold
    assert "A2:F2" in {str(r) for r in sheet.merged_cells.ranges}
    codes = {sheet.cell(row, 2).value for row in range(2, sheet.max_row + 1)} - {None}
    assert codes == set(ctx.codes)
    assert sheet.cell(4, 3).alignment.wrap_text


def test_tt57_catalogue_has_the_tt57_columns_and_caption(tt57_cycle):
    assert tt57_cycle.framework.regime == "tt57"
    ctx = build_evidence_catalogue(tt57_cycle)
    assert ctx.columns == (
        "TT",
        "Mã minh chứng",
        "Tên minh chứng",
        "Định dạng, vị trí lưu trữ hoặc đường dẫn điện tử",
        "Ghi chú",
    )
    document = open_docx(evidence_catalogue_docx(ctx))
    text = text_of(document)
    assert "Lập theo mục II khoản 4 Phụ lục IV Thông tư số 57/2026/TT-BGDĐT" in text
    assert "Phụ lục 4" not in text
    (grid,) = tables_with_header(document, "TT", "Mã minh chứng")
    assert table_rows(grid)[0] == list(ctx.columns)
    assert all(code.startswith("MC.") for code in ctx.codes)
    # The items have neither link nor file: their storage place is missing, one marker each.
    assert len(ctx.missing) == len(ctx.codes)
    assert ctx.missing[0].startswith("vị trí lưu trữ hoặc đường dẫn của minh chứng MC.")
    assert len(red_runs(document)) == len(ctx.codes)
    book = openpyxl.load_workbook(io.BytesIO(evidence_catalogue_xlsx(ctx)))
    assert [c.value for c in book["Danh mục minh chứng"][1]] == list(ctx.columns)


def test_catalogue_marks_each_criterion_without_evidence(world, cycle):
    fill_forms(cycle, world.principal_a, criteria=["1.1", "1.2"])
    ctx = build_evidence_catalogue(refetch(cycle))
    criteria = Criterion.objects.filter(version=cycle.framework).count()
    assert len(ctx.codes) == 2
    assert len(ctx.missing) == criteria - 2
    assert "minh chứng của tiêu chí 1.3" in ctx.missing and "minh chứng của tiêu chí 1.1" not in ctx.missing
    red = red_runs(open_docx(evidence_catalogue_docx(ctx)))
    assert len(red) == criteria - 2
    book = openpyxl.load_workbook(io.BytesIO(evidence_catalogue_xlsx(ctx)))
    sheet = book["Danh mục minh chứng"]
    marked = [c for c in sheet["A"] if str(c.value).startswith(MARKER)]
    assert len(marked) == criteria - 2 and str(marked[0].font.color.rgb).endswith("C00000")


def test_catalogue_of_an_empty_cycle_is_marked(cycle):
    ctx = build_evidence_catalogue(refetch(cycle))
    assert ctx.codes == ()
    assert ctx.missing == ("danh mục minh chứng (đợt tự đánh giá chưa có minh chứng nào)",)
    assert red_runs(open_docx(evidence_catalogue_docx(ctx))) == [
        "[CHƯA CÓ DỮ LIỆU: danh mục minh chứng (đợt tự đánh giá chưa có minh chứng nào)]"
    ]


# --- 5. criterion forms ---------------------------------------------------------------------------------------------


def forms_by_criterion(document) -> dict[str, str]:
    """The text of each phiếu, keyed by its criterion code."""
    text = text_of(document)
    sheets = text.split("PHIẾU ĐÁNH GIÁ TIÊU CHÍ")[1:]
    result = {}
    for sheet in sheets:
        for line in sheet.split("\n"):
            if line.startswith("Tiêu chí ") and ":" in line:
                result[line.split(":")[0].removeprefix("Tiêu chí ")] = sheet
                break
    return result


def test_criterion_forms_have_one_phieu_per_criterion_with_its_level(world, full_cycle):
    ctx = build_criterion_forms(full_cycle)
    report = build_report(full_cycle)
    document = open_docx(criterion_forms_docx(ctx))
    sheets = forms_by_criterion(document)
    codes = list(Criterion.objects.filter(version=full_cycle.framework).values_list("code", flat=True))
    assert set(codes) <= set(sheets)
    levels = {part.code: part.level for part in report.criteria}
    for code in codes:
        sheet = sheets[code]
        for section in (
            "1. Mô tả hiện trạng",
            "2. Điểm mạnh",
            "3. Điểm yếu",
            "4. Kế hoạch cải tiến chất lượng",
            "5. Tự đánh giá",
        ):
            assert section in sheet
        assert f"Đánh giá tiêu chí: Đạt Mức {levels[code]}" in sheet
    assert "Nhóm công tác (hoặc cá nhân): Nhóm 1" in sheets["1.1"]
    # Each phiếu starts on a new page.
    breaks = sum(1 for p in document.paragraphs for r in p.runs if 'w:type="page"' in r._r.xml)
    assert breaks == len(ctx.criteria) + len(ctx.level4) - 1

    rating_tables = tables_with_header(document, "Mức 1", "Mức 2")
    assert len(rating_tables) == len(codes)
    first = table_rows(rating_tables[0])
    assert first[0] == ["Mức 1", "Mức 2", "Mức 3"]
    assert first[1][0] == "Chỉ báo a: Đạt"
    assert first[-1] == [f"Tiêu chí: {'Đạt' if levels['1.1'] >= n else 'Không đạt'}" for n in (1, 2, 3)]

    # Phụ lục 5b: one phiếu per Mức 4 item, not yet rated nor described.
    items = Level4Item.objects.filter(version=full_cycle.framework).exclude(confidence="missing").count()
    assert len(ctx.level4) == items
    text = text_of(document)
    assert text.count("PHIẾU ĐÁNH GIÁ TIÊU CHÍ MỨC 4") == items
    assert "Trường: Trường Tiểu học An Bình" in text
    assert all(
        label.startswith(
            (
                "mô tả tiêu chí Mức 4",
                "điểm",
                "kế hoạch cải tiến Mức 4",
                "tự đánh giá tiêu chí Mức 4",
                "nhóm công tác phụ trách",
            )
        )
        for label in ctx.missing
    )
    assert f"tự đánh giá tiêu chí Mức 4 số {ctx.level4[0].code}" in ctx.missing


def test_criterion_forms_of_an_empty_cycle_mark_descriptions_ratings_and_groups(cycle):
    ctx = build_criterion_forms(refetch(cycle))
    assert "mô tả tiêu chí 1.1, Mức 1 chỉ báo a)" in ctx.missing
    assert "tự đánh giá các chỉ báo của tiêu chí 1.1" in ctx.missing
    assert "nhóm công tác phụ trách tiêu chí 1.1" in ctx.missing
    assert not any("Phần I" in label or "Mở đầu" in label for label in ctx.missing)  # only what this document prints
    document = open_docx(criterion_forms_docx(ctx))
    red = red_runs(document)
    assert red and all(r.startswith(MARKER) for r in red)
    assert {r.removeprefix(MARKER).removesuffix("]").strip() for r in red} == set(ctx.missing)
    assert "Đánh giá tiêu chí: Không đạt Mức 1" in text_of(document)


def test_tt57_criterion_forms_rate_levels_1_and_2_only(tt57_cycle):
    ctx = build_criterion_forms(tt57_cycle)
    assert ctx.levels == (1, 2) and ctx.level4 == ()
    assert all({lv.level for lv in sheet.levels} <= {1, 2} for sheet in ctx.criteria)
    document = open_docx(criterion_forms_docx(ctx))
    for grid in tables_with_header(document, "Mức 1", "Mức 2"):
        assert [c.text for c in grid.rows[0].cells] == ["Mức 1", "Mức 2"]
    text = text_of(document)
    assert "Mức 3" not in text and "Phụ lục 5a" not in text
    assert "PHIẾU ĐÁNH GIÁ TIÊU CHÍ MỨC 4" not in text
    assert "Đánh giá tiêu chí: Đạt Mức 2" in text


# --- query counts ---------------------------------------------------------------------------------------------------


def count_queries(builder, cycle) -> int:
    cycle = Cycle.objects.select_related("school__unit", "framework").get(pk=cycle.pk)
    with CaptureQueriesContext(connection) as queries:
        builder(cycle)
    return len(queries)


def test_builders_use_a_fixed_number_of_queries_whatever_the_size(world):
    small = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2024-2025")
    setup_council(small, world.principal_a)
    fill_forms(small, world.principal_a, criteria=["1.1", "1.2"])
    large = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2025-2026")
    setup_council(large, world.principal_a, criteria_codes=("1.1", "1.2", "1.3", "1.4", "1.5"))
    add_council(large, world.principal_a, size=9)
    setup_plan(large, world.principal_a)
    fill_forms(large, world.principal_a)
    for n in range(3):
        svc.working_group_create(actor=world.principal_a, cycle=large, name=f"Nhóm thêm {n}")
    assert small.framework_id == large.framework_id
    for builder in BUILDERS:
        assert count_queries(builder, small) == count_queries(builder, large), builder.__name__
    assert count_queries(build_council_decision, large) <= 10  # the school's profile reads its sites too
    assert count_queries(build_plan, large) <= 11  # the school's profile reads its sites too
    assert count_queries(build_scope_worksheet, large) <= 10  # the school's sites
    assert count_queries(build_evidence_catalogue, large) <= 10  # the school's sites


# --- PDF ------------------------------------------------------------------------------------------------------------


@pytest.mark.skipif(not pdf_available(), reason="LibreOffice (soffice) is not installed, so no PDF can be rendered")
def test_council_decision_renders_to_pdf(full_cycle):
    kind = get("council-decision")
    rendered = render_context(kind, full_cycle, kind.build(full_cycle), "pdf")
    assert rendered.data.startswith(b"%PDF")
    assert rendered.filename == f"quyet-dinh-thanh-lap-hoi-dong-SA-{full_cycle.school_year}.pdf"
