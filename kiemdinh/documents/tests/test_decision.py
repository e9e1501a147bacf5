"""The recognition decision as a Word document, its download and the export command. The team's agreed ratings and
final report are set directly through the ORM (the team's work services are tested in kiemdinh/evaluation)."""

import io
from datetime import date

import docx
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from kiemdinh.documents.decision import decision_context, decision_docx
from kiemdinh.documents.kinds import standalone_kind
from kiemdinh.evaluation.services.issuing import decisions_issue
from kiemdinh.evaluation.tests.helpers import accepted_team
from kiemdinh.recognition.services import DecisionInput, decision_record
from kiemdinh.recognition.tests.test_issuing import finalise, rate, tt17  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def text_of(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def issued(world):
    team = accepted_team(world)
    rate(team, 3)
    finalise(team)
    values = {
        "team": team,
        "decided_on": date(2026, 6, 15),
        "number_accreditation": "501/QĐ-SGDĐT",
        "number_national": "1502/QĐ-UBND",
        "signer_accreditation": "Nguyễn Văn Giám",
    }
    # Each body issues its own (recognition.authority): the Sở the grade, the provincial People's Committee the level.
    return [
        *decisions_issue(actor=world.officer_province, **values),
        *decisions_issue(actor=world.officer_committee, **values),
    ]


def test_decisions_as_docx_and_export_command(world, tt17, tmp_path, django_assert_num_queries):  # noqa: F811
    grade, level = issued(world)
    # the decisions, the later changes of the tree, the units of the school's path
    with django_assert_num_queries(3):
        context = decision_context([grade, level])
    assert [d.label for d in context.decisions] == ["CĐ3", "MĐ2"]
    assert context.missing == ("người ký quyết định MĐ2",)
    assert context.filename("docx") == "Quyet-dinh-cong-nhan-CD3-MD2-SA-2025-2026.docx"
    text = text_of(decision_docx(context))
    for expected in (
        "UBND TỈNH THỬ NGHIỆM",
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
        "Số: 501/QĐ-SGDĐT",
        "Thử Nghiệm, ngày 15 tháng 6 năm 2026",
        "QUYẾT ĐỊNH",
        "Về việc công nhận Trường Tiểu học An Bình đạt kiểm định chất lượng giáo dục cấp độ 3",
        "GIÁM ĐỐC SỞ GIÁO DỤC VÀ ĐÀO TẠO",
        "Căn cứ Thông tư số 17/2018/TT-BGDĐT ngày 22 tháng 08 năm 2018 của Bộ trưởng Bộ Giáo dục và Đào tạo",
        "Căn cứ Báo cáo đánh giá ngoài ngày 20/05/2026 của Đoàn đánh giá ngoài thành lập theo Quyết định số "
        "125/QĐ-SGDĐT",
        "QUYẾT ĐỊNH:",
        "Điều 1. Công nhận Trường Tiểu học An Bình (Xã An Bình, Huyện Đông Sơn, Tỉnh Thử Nghiệm) đạt kiểm định chất "
        "lượng giáo dục cấp độ 3. Thời hạn công nhận là 05 năm kể từ ngày ký Quyết định này.",
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
        "Điều 3.",
        "Nơi nhận:",
        "- Như Điều 3;",
        "- Lưu: VT.",
        "Nguyễn Văn Giám",
        # The national standard, on the next page: the provincial People's Committee.
        "ỦY BAN NHÂN DÂN",
        "Số: 1502/QĐ-UBND",
        "Về việc công nhận Trường Tiểu học An Bình đạt chuẩn quốc gia mức độ 2",
        "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM",
        "Theo đề nghị của Giám đốc Sở Giáo dục và Đào tạo.",
        "[CHƯA CÓ DỮ LIỆU: người ký quyết định MĐ2]",
    ):
        assert expected in text, expected

    # The export command: both decisions of the 2025-2026 evaluation in one file, or one with --kind.
    out = tmp_path / "qd.docx"
    stdout = io.StringIO()
    call_command(
        "export",
        "decision",
        school="SA",
        year="2025-2026",
        fmt="docx",
        out=str(out),
        stdout=stdout,
        stderr=io.StringIO(),
    )
    assert "CĐ3 số 501/QĐ-SGDĐT, MĐ2 số 1502/QĐ-UBND" in stdout.getvalue()
    both = text_of(out.read_bytes())
    assert "cấp độ 3" in both and "mức độ 2" in both
    call_command(
        "export", "decision", school="An Binh", year="2025-2026", fmt="docx", out=str(out), decision_kind="national_standard",
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip
    one = text_of(out.read_bytes())
    assert "mức độ 2" in one and "cấp độ 3" not in one
    with pytest.raises(CommandError) as exc:
        call_command("export", "decision", school="SA", year="2024-2025", fmt="docx", out=str(out))
    assert exc.value.returncode == 2 and "chưa có đợt tự đánh giá năm học 2024-2025" in str(exc.value)
    with pytest.raises(CommandError):
        call_command("export", "decision", year="2025-2026", fmt="docx", out=str(out))


def test_paper_decision_download_and_access(client, world, no_frameworks):
    """A decision entered from paper has no team: no report in the bases, the circular marked missing when the
    framework is not loaded; anyone who sees the school downloads it."""
    decision = decision_record(
        actor=world.officer_committee,
        school=world.school_b,
        data=DecisionInput(kind="national_standard", level=1, decided_on=date(2021, 3, 4), number="7/QĐ-UBND",
                           issuer="Ủy ban nhân dân tỉnh Thử Nghiệm", valid_until=date(2025, 12, 31)),
    )  # fmt: skip
    context = standalone_kind("decision").build([decision])
    assert context.school_year == "2021"
    text = text_of(decision_docx(context))
    assert "Báo cáo đánh giá ngoài" not in text
    assert "Quyết định có giá trị đến hết ngày 31/12/2025." in text
    assert "[CHƯA CÓ DỮ LIỆU: thông tư quy định về kiểm định và công nhận đạt chuẩn quốc gia]" in text
    url = reverse("documents:decision", args=[decision.pk])
    client.force_login(world.principal_b)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "Quyet-dinh-cong-nhan-MD1-SB-2021.docx" in response["Content-Disposition"]
    for user in (world.principal_a, world.officer_other_province):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page
