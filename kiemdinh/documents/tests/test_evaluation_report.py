"""The external evaluation report: its context (bounded queries), the DOCX read back, the export command."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx import Document

from kiemdinh.documents.evaluation_report import build_evaluation_report, evaluation_report_docx
from kiemdinh.evaluation.services import work as ws
from kiemdinh.evaluation.tests.helpers import (  # noqa: F401 (fixtures: world, team)
    working_team_base,
    working_team_fixture,
    working_team_world_fixture,
)
from kiemdinh.frameworks.models import Criterion

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for grid in doc.tables:
        for row in grid.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _queries(team) -> int:
    with CaptureQueriesContext(connection) as ctx:
        build_evaluation_report(team)
    return len(ctx.captured_queries)


def test_finished_report_reads_back_with_members_levels_proposal_and_answers(world, team):
    leader = team.members.get(role="leader")
    user = leader.evaluator.user
    ws.report_save(actor=user, team=team, data=ws.ReportInput(introduction="Bắt đầu."))
    empty = _queries(team)
    assert empty <= 17  # the province as it was on the report's date: 2 queries
    criteria = list(Criterion.objects.filter(version=team.registration.cycle.framework).order_by("position"))
    for c in leader.criteria.all():
        ws.review_save(
            actor=user, team=team, member=leader, criterion=c,
            data=ws.ReviewInput(strengths=f"Điểm mạnh {c.code}", weaknesses=f"Điểm yếu {c.code}", proposed_level=2),
        )  # fmt: skip
    for c in criteria:
        ws.rating_save(actor=user, team=team, criterion=c, level=2, note="Đoàn thống nhất" if c.code == "1.1" else "")
    ws.report_save(
        actor=user, team=team,
        data=ws.ReportInput(introduction="Đoàn đã làm việc tại trường.", conclusions="Trường đạt Mức 2.",
                            recommendations="Tiếp tục cải tiến."),
    )  # fmt: skip
    ws.report_send(actor=user, team=team)
    ws.feedback_add(actor=world.principal_a, team=team, text="Đề nghị xem lại tiêu chí 1.1", criterion=criteria[0])
    assert _queries(team) == empty  # the same whatever the number of reviews, ratings and answers

    context = build_evaluation_report(team)
    assert context.school_level == 2 and context.accreditation_grade == 2 and context.national_standard_level == 1
    assert "DỰ THẢO" in [p.text for p in Document(io.BytesIO(evaluation_report_docx(context))).paragraphs]
    assert context.draft and "ý kiến trả lời của đoàn" in context.missing
    text = _text(evaluation_report_docx(context))
    for expected in (
        "ĐOÀN ĐÁNH GIÁ NGOÀI",
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO TỈNH THỬ NGHIỆM",
        "BÁO CÁO ĐÁNH GIÁ NGOÀI",
        "TRƯỜNG TIỂU HỌC AN BÌNH",
        "Phần I. GIỚI THIỆU",
        "Quyết định số 125/QĐ-SGDĐT",
        "Phạm Văn Trưởng",
        "Trưởng đoàn",
        "Phần II. KẾT QUẢ ĐÁNH GIÁ",
        "Điểm mạnh 1.1",
        "Đoàn thống nhất",
        "đạt kiểm định chất lượng giáo dục cấp độ 2 và đạt chuẩn quốc gia mức độ 1",
        "Phần III. KẾT LUẬN VÀ KIẾN NGHỊ",
        "Trường đạt Mức 2.",
        "PHỤ LỤC",
        "Đề nghị xem lại tiêu chí 1.1",
        "TRƯỞNG ĐOÀN",
    ):
        assert expected in text, expected

    ws.feedback_reply(actor=user, team=team, feedback=team.report.feedback.get(), reply="Đoàn giữ nguyên.")
    ws.report_finalise(actor=user, team=team)
    final = build_evaluation_report(team)
    assert not final.draft and not final.missing
    paragraphs = [p.text for p in Document(io.BytesIO(evaluation_report_docx(final))).paragraphs]
    assert "DỰ THẢO" not in paragraphs and "Đoàn giữ nguyên." in _text(evaluation_report_docx(final))


def test_export_command(world, team, tmp_path):
    out = tmp_path / "bao-cao.docx"
    stdout = io.StringIO()
    call_command(
        "export", "evaluation-report", "--school", "SA", "--year", "2025-2026", "--format", "docx", "--out", str(out),
        stdout=stdout, stderr=io.StringIO(),
    )  # fmt: skip
    assert "Báo cáo đánh giá ngoài" in stdout.getvalue()
    assert "BÁO CÁO ĐÁNH GIÁ NGOÀI" in _text(out.read_bytes())
    with pytest.raises(CommandError) as exc:
        call_command(
            "export", "evaluation-report", "--school", "SB", "--year", "2025-2026", "--format", "docx",
            "--out", str(out),
        )  # fmt: skip
    assert "chưa có đợt tự đánh giá" in str(exc.value)
    from kiemdinh.workflow.services import cycle_open

    cycle_open(actor=world.principal_a, school=world.school_a, school_year="2024-2025")
    with pytest.raises(CommandError) as exc:
        call_command(
            "export", "evaluation-report", "--school", "SA", "--year", "2024-2025", "--format", "docx",
            "--out", str(out),
        )  # fmt: skip
    assert "chưa có đăng ký đánh giá ngoài được chấp nhận" in str(exc.value)
