"""The self-assessment report: structure and content of the DOCX, missing-data markers, downloads, export command."""

import io
import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx import Document

from kiemdinh.core.office.pdf import docx_to_pdf, pdf_available
from kiemdinh.documents.kinds import render
from kiemdinh.documents.report.context import build_report
from kiemdinh.frameworks.evidence_codes import find_codes
from kiemdinh.selfassessment.selectors import cycle_evaluation
from kiemdinh.selfassessment.services import report_texts_save, school_statistics_save
from kiemdinh.selfassessment.tests.builders import add_council, fill_forms
from kiemdinh.workflow.services import cycle_open

pytestmark = pytest.mark.usefixtures("frameworks_loaded")


@pytest.fixture
def complete(world, cycle):
    add_council(cycle, world.principal_a)
    fill_forms(cycle, world.principal_a)
    report_texts_save(
        actor=world.principal_a, cycle=cycle, texts={"intro.situation": "Trường có 20 lớp.\nCó 1 điểm trường."}
    )
    return cycle


def docx_text(data: bytes) -> tuple[list[str], str]:
    doc = Document(io.BytesIO(data))
    paragraphs = [p.text for p in doc.paragraphs]
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return paragraphs, "\n".join(paragraphs + cells)


def red_runs(data: bytes) -> list[str]:
    doc = Document(io.BytesIO(data))
    runs = [r for p in doc.paragraphs for r in p.runs]
    runs += [r for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    return [
        r.text
        for r in runs
        if r.font.color is not None and r.font.color.rgb is not None and str(r.font.color.rgb) == "C00000"
    ]


def test_report_has_every_part_criterion_and_cited_code(complete):
    data = render("report", complete, "docx").data
    paragraphs, text = docx_text(data)
    for part in (
        "MỤC LỤC",
        "DANH MỤC CÁC CHỮ VIẾT TẮT",
        "TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ",
        "Phần I. CƠ SỞ DỮ LIỆU",
        "Phần II. TỰ ĐÁNH GIÁ",
        "A. ĐẶT VẤN ĐỀ",
        "Phần III. KẾT LUẬN CHUNG",
        "Phần IV. PHỤ LỤC",
        "II. TỰ ĐÁNH GIÁ TIÊU CHÍ MỨC 4",
        "DANH MỤC MÃ MINH CHỨNG",
    ):
        assert part in paragraphs, part
    evaluation = cycle_evaluation(complete)
    for code, level in evaluation.criteria.items():
        assert any(p.startswith(f"Tiêu chí {code}: ") for p in paragraphs), code
        assert f"Tiêu chí {code}: Đạt Mức {level}." in paragraphs
    counts = evaluation.as_contract()["levels"]
    assert f"Mức 1: {counts['1']['achieved']}/{counts['1']['total']} tiêu chí đạt" in text
    catalogue = set(complete.evidence_links.values_list("code", flat=True))
    assert catalogue and catalogue <= set(find_codes(text))
    cited = set(find_codes("\n".join(paragraphs[: paragraphs.index("Phần IV. PHỤ LỤC")])))
    assert cited <= catalogue
    assert "Trường có 20 lớp." in paragraphs and "Có 1 điểm trường." in paragraphs


def test_missing_data_is_marked_in_red_and_listed(cycle):
    context = build_report(cycle)
    assert "Mở đầu Tiêu chuẩn 1" in context.missing and "họ tên Chủ tịch hội đồng (hiệu trưởng)" in context.missing
    markers = red_runs(render("report", cycle, "docx").data)
    assert "[CHƯA CÓ DỮ LIỆU: Mở đầu Tiêu chuẩn 1]" in markers
    assert all(m.startswith("[CHƯA CÓ DỮ LIỆU: ") for m in markers)


def test_tt57_report_has_two_levels_and_no_level4_part(world):
    cycle = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2026-2027")
    fill_forms(cycle, world.principal_a, criteria={"1.3"})
    paragraphs, text = docx_text(render("report", cycle, "docx").data)
    assert "1.1. Đánh giá tiêu chí Mức 1 và Mức 2" in paragraphs
    assert "II. TỰ ĐÁNH GIÁ TIÊU CHÍ MỨC 4" not in paragraphs and "Mức 3" not in text
    assert "Tiêu chí 1.3 (bắt buộc)" in text


def test_report_context_queries_do_not_grow(world, cycle):
    fill_forms(cycle, world.principal_a, criteria={"1.1", "1.2"})
    school_statistics_save(actor=world.principal_a, cycle=cycle, table="classes", values={"k1": {"2025-2026": "4"}})
    with CaptureQueriesContext(connection) as small:
        build_report(cycle)
    add_council(cycle, world.principal_a, size=9)
    fill_forms(cycle, world.principal_a)
    school_statistics_save(
        actor=world.principal_a, cycle=cycle, table="staff", values={"giao_vien": {"2025-2026": "30"}}
    )
    with CaptureQueriesContext(connection) as large:
        build_report(cycle)
    assert len(large) == len(small) <= 25


def test_download_page_lists_missing_data_and_serves_attachments(client, world, cycle):
    client.force_login(world.member_a)
    page = client.get(f"/tu-danh-gia/{cycle.pk}/van-ban/").content.decode()
    assert 'data-testid="doc-report"' in page and "Mở đầu Tiêu chuẩn 1" in page
    response = client.get(f"/tu-danh-gia/{cycle.pk}/van-ban/report.docx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-tu-danh-gia-SA-2025-2026.docx"'
    assert response.content[:2] == b"PK"
    assert client.get(f"/tu-danh-gia/{cycle.pk}/van-ban/report.xlsx").status_code == 404
    assert client.get(f"/tu-danh-gia/{cycle.pk}/van-ban/khong-co.docx").status_code == 404
    for outsider in (world.principal_b, world.officer_other_province):
        client.force_login(outsider)
        assert client.get(f"/tu-danh-gia/{cycle.pk}/van-ban/report.docx").status_code == 404


def test_export_command_writes_the_file_and_lists_what_is_missing(world, cycle, tmp_path, capsys):
    out = tmp_path / "bc" / "bao-cao.docx"
    call_command("export", "report", "--school", "SA", "--year", "2025-2026", "--format", "docx", "--out", str(out))
    assert out.read_bytes()[:2] == b"PK"
    assert "thiếu dữ liệu: Mở đầu Tiêu chuẩn 1" in capsys.readouterr().err
    with pytest.raises(CommandError, match="không có định dạng xlsx") as caught:
        call_command("export", "report", "--school", "SA", "--year", "2025-2026", "--format", "xlsx", "--out", str(out))
    assert caught.value.returncode == 2
    with pytest.raises(CommandError, match="chưa có đợt tự đánh giá"):
        call_command("export", "report", "--school", "SA", "--year", "2019-2020", "--format", "docx", "--out", str(out))


@pytest.mark.skipif(
    not pdf_available() or not shutil.which("pdftoppm"),
    reason="LibreOffice and poppler-utils are not installed (apt-get install -y libreoffice-writer-nogui poppler-utils)",
)
def test_report_renders_to_pdf_and_png(complete, tmp_path):
    from kiemdinh.testing.browser import ARTIFACTS

    pdf = docx_to_pdf(render("report", complete, "docx").data)
    assert pdf.startswith(b"%PDF")
    (tmp_path / "report.pdf").write_bytes(pdf)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "60",
            "-png",
            "-f",
            "1",
            "-l",
            "4",
            str(tmp_path / "report.pdf"),
            str(ARTIFACTS / "report-page"),
        ],
        check=True,
    )
    assert sorted(p.name for p in ARTIFACTS.glob("report-page-*.png"))[:4]


def test_without_libreoffice_the_page_says_so_and_pdf_downloads_explain(client, world, cycle, monkeypatch):
    from kiemdinh.core.office import pdf

    monkeypatch.setattr(pdf, "soffice_path", lambda: None)
    client.force_login(world.principal_a)
    page = client.get(f"/tu-danh-gia/{cycle.pk}/van-ban/").content.decode()
    assert 'data-testid="pdf-unavailable"' in page and "report.pdf" not in page
    response = client.get(f"/tu-danh-gia/{cycle.pk}/van-ban/report.pdf", follow=True)
    assert "chưa cài LibreOffice" in response.content.decode()


def test_bench_report_measures_and_leaves_nothing_behind(world):
    from io import StringIO

    from kiemdinh.units.models import School

    out = StringIO()
    before = School.objects.count()
    call_command("bench_report", "--runs", "1", "--evidence", "40", stdout=out)
    text = out.getvalue()
    assert "demo report: skipped" in text
    assert "generated report (TT18, 28 criteria, 40 evidence items)" in text and "× the floor" in text
    assert School.objects.count() == before


def test_part_one_prints_the_statistics_tables_and_marks_only_empty_ones(world, cycle):
    school_statistics_save(
        actor=world.principal_a,
        cycle=cycle,
        table="classes",
        values={"k1": {"2024-2025": "3", "2025-2026": "4"}, "k2": {"2025-2026": "5"}},
    )
    context = build_report(cycle)
    assert "số liệu Phần I – 1. Số lớp học" not in context.missing
    assert "số liệu Phần I – 3. Cán bộ quản lý, giáo viên, nhân viên" in context.missing
    data = render("report", cycle, "docx").data
    doc = Document(io.BytesIO(data))
    grids = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    classes = next(g for g in grids if g[0][0] == "Nội dung" and g[1][0] == "Khối lớp 1")
    assert classes[0][1:] == [f"Năm học {y}" for y in ("2021-2022", "2022-2023", "2023-2024", "2024-2025", "2025-2026")]
    assert classes[1] == ["Khối lớp 1", "", "", "", "3", "4"]
    assert classes[-1] == ["Cộng", "", "", "", "3", "9"]
    paragraphs = [p.text for p in doc.paragraphs]
    assert "1. Số lớp học" in paragraphs
    markers = red_runs(data)
    assert not any("Số lớp học" in m or m.startswith("[CHƯA CÓ DỮ LIỆU: số liệu Phần I (") for m in markers)
    assert "[CHƯA CÓ DỮ LIỆU: số liệu Phần I – 4. Học sinh]" in markers


def test_tt57_part_one_has_three_years(world):
    cycle = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2026-2027")
    tables = build_report(cycle).statistics
    assert all(p.table.columns == ("2024-2025", "2025-2026", "2026-2027") for p in tables)
    assert tables[0].table.columns == ("2024-2025", "2025-2026", "2026-2027")
    assert all(p.missing is not None for p in tables)
