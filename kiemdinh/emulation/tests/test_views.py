"""The emulation screens as the personas use them: who sees what (404 for everyone outside), the scheme and rule forms,
adjusting a score, closing, the principal's read-only page, and the XLSX/DOCX exports with the right numbers."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from docx import Document
from docx.enum.section import WD_ORIENT
from openpyxl import load_workbook

from kiemdinh.emulation import services as svc
from kiemdinh.emulation.models import EmulationRule, EmulationScheme, SchemeStatus, ScoreAdjustment
from kiemdinh.emulation.tests.conftest import YEAR


@pytest.fixture
def scheme(world, school_c):
    scheme = svc.scheme_create(
        actor=world.officer_district,
        unit=world.district,
        school_year=YEAR,
        title="Thi đua công tác KĐCLGD",
        max_score="10",
        signer_name="Nguyễn Văn Trưởng",
    )
    for kind, label, points, parameters in (
        ("sa_submitted_on_time", "Nộp báo cáo TĐG đúng hạn", "2", {"deadline": date(2020, 1, 31)}),
        ("sa_accepted", "Báo cáo TĐG được chấp nhận", "2", {}),
        ("improvement_completion", "Thực hiện kế hoạch cải tiến", "3", {}),
        ("recognised", "Có quyết định công nhận", "2", {}),
    ):
        svc.rule_create(
            actor=world.officer_district, scheme=scheme, kind=kind, label=label, points=points, parameters=parameters
        )
    return scheme


def get(client, user, path):
    client.force_login(user)
    return client.get(path)


def page(client, user, path) -> str:
    response = get(client, user, path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def test_who_may_see_the_schemes(client, world, scheme):
    manage = [
        reverse("emulation:unit_schemes", args=[world.district.pk]),
        reverse("emulation:scheme_create", args=[world.district.pk]),
        reverse("emulation:scheme", args=[scheme.pk]),
        reverse("emulation:scheme_edit", args=[scheme.pk]),
        reverse("emulation:rule_add", args=[scheme.pk]),
        reverse("emulation:school_detail", args=[scheme.pk, world.school_a.pk]),
        reverse("documents:score_sheet_xlsx", args=[scheme.pk]),
        reverse("documents:score_sheet_docx", args=[scheme.pk]),
    ]
    for user in (world.officer_district, world.admin):
        assert [get(client, user, path).status_code for path in manage] == [200] * len(manage)
    for user in (world.officer_commune_a, world.officer_other_province, world.principal_a, world.secretary_a):
        assert [get(client, user, path).status_code for path in manage] == [404] * len(manage), user
    # An officer of a commune manages their own commune's schemes.
    assert get(client, world.officer_commune_a, f"/thi-dua/don-vi/{world.commune_a.pk}/").status_code == 200
    client.logout()
    assert client.get(manage[2]).status_code == 302  # to the login page


def test_a_principal_reads_only_their_own_schools_scores(client, world, scheme):
    own = reverse("emulation:school_scores", args=[world.school_a.pk])
    html = page(client, world.principal_a, own)
    assert "Thi đua công tác KĐCLGD" in html
    assert "Nộp ngày 20/01/2020, hạn 31/01/2020" in html and "2/3 nội dung hoàn thành" in html
    assert "1/3" in html  # rank 1 of 3 schools
    assert "Điều chỉnh điểm" not in html and "<form" not in html.split("</header>")[1]  # read-only
    other = reverse("emulation:school_scores", args=[world.school_b.pk])
    assert get(client, world.principal_a, other).status_code == 404
    assert get(client, world.secretary_a, own).status_code == 404  # other school staff: no access
    assert get(client, world.officer_other_province, own).status_code == 404
    assert get(client, world.officer_district, own).status_code == 200


def test_index_leads_an_officer_to_their_unit(client, world):
    client.force_login(world.officer_district)
    response = client.get(reverse("emulation:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("emulation:unit_schemes", args=[world.district.pk])
    assert get(client, world.principal_a, reverse("emulation:index")).status_code == 404


def test_create_a_scheme_then_its_rules_through_the_forms(client, world):
    client.force_login(world.officer_district)
    response = client.post(
        reverse("emulation:scheme_create", args=[world.district.pk]),
        {"school_year": "2019-2020", "title": "Thi đua năm học", "max_score": "", "signer_title": "TRƯỞNG PHÒNG"},
    )
    scheme = EmulationScheme.objects.get(title="Thi đua năm học")
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("emulation:scheme_edit", args=[scheme.pk])
    )
    add = reverse("emulation:rule_add", args=[scheme.pk])
    kinds = page(client, world.officer_district, add)
    assert "Nộp báo cáo tự đánh giá đúng hạn" in kinds and "Có quyết định công nhận còn hiệu lực" in kinds
    level_form = page(client, world.officer_district, f"{add}?loai=level_reached")
    assert 'name="min_level"' in level_form and 'name="deadline"' not in level_form
    accepted_form = page(client, world.officer_district, f"{add}?loai=sa_accepted")
    assert 'name="min_level"' not in accepted_form and 'name="deadline"' not in accepted_form

    # A deadline is needed: the form comes back with the error, nothing is saved.
    refused = client.post(
        add, {"kind": "sa_submitted_on_time", "label": "Nộp đúng hạn", "points": "2", "deadline": "", "late_points": ""}
    )
    assert refused.status_code == 200 and "Hãy ghi hạn nộp báo cáo tự đánh giá." in refused.content.decode()
    assert not EmulationRule.objects.filter(scheme=scheme).exists()
    client.post(
        add,
        {"kind": "sa_submitted_on_time", "label": "Nộp đúng hạn", "points": "2", "deadline": "31/01/2020"},
    )
    client.post(add, {"kind": "level_reached", "label": "Đạt mức", "points": "1,5", "mode": "per_level"})
    rules = list(scheme.rules.all())
    assert [(r.kind, r.points, r.parameters) for r in rules] == [
        ("sa_submitted_on_time", Decimal("2.0"), {"deadline": "2020-01-31", "late_points": "0"}),
        ("level_reached", Decimal("1.5"), {"mode": "per_level"}),
    ]
    edit = reverse("emulation:rule_edit", args=[scheme.pk, rules[1].pk])
    assert 'value="1,5"' in page(client, world.officer_district, edit)
    client.post(edit, {"label": "Mức đạt được", "points": "2", "mode": "minimum", "min_level": "2", "position": "1"})
    rules[1].refresh_from_db()
    assert (rules[1].label, rules[1].parameters, rules[1].position) == (
        "Mức đạt được",
        {"mode": "minimum", "min_level": 2},
        1,
    )
    listing = page(client, world.officer_district, reverse("emulation:scheme_edit", args=[scheme.pk]))
    assert "đạt từ Mức 2 trở lên" in listing and "hạn nộp 31/01/2020" in listing
    client.post(reverse("emulation:rule_delete", args=[scheme.pk, rules[0].pk]))
    assert list(scheme.rules.values_list("label", flat=True)) == ["Mức đạt được"]
    units = page(client, world.officer_district, reverse("emulation:unit_schemes", args=[world.district.pk]))
    assert "Thi đua năm học" in units


def test_the_score_table_explains_filters_and_is_adjusted(client, world, scheme, school_c):
    url = reverse("emulation:scheme", args=[scheme.pk])
    html = page(client, world.officer_district, url)
    assert 'title="Nộp ngày 20/01/2020, hạn 31/01/2020"' in html
    assert 'title="2/3 nội dung hoàn thành"' in html
    assert "Trường THCS Bình Minh" in html and "Trường THCS Hòa Hải" not in html
    filtered = page(client, world.officer_district, f"{url}?loai=MN")
    assert "Trường Mầm non Bình Minh" in filtered and "Trường Tiểu học An Bình" not in filtered

    adjust = reverse("emulation:score_adjust", args=[scheme.pk, school_c.pk])
    refused = client.post(adjust, {"points": "3", "reason": ""})
    assert refused.status_code == 200
    assert "Hãy ghi lý do điều chỉnh điểm." in refused.content.decode()
    assert not ScoreAdjustment.objects.exists()
    done = client.post(adjust, {"points": "3", "reason": "Đơn vị điển hình"})
    assert done.status_code == 302 and done["Location"].endswith(f"#truong-{school_c.pk}")
    client.post(adjust, {"points": "1,5", "reason": "Sửa lại sau họp hội đồng thi đua"})
    detail = page(client, world.officer_district, reverse("emulation:school_detail", args=[scheme.pk, school_c.pk]))
    assert "Đơn vị điển hình" in detail and "Sửa lại sau họp hội đồng thi đua" in detail  # the history
    assert "Chưa mở đợt tự đánh giá năm học 2019-2020" in detail
    html = page(client, world.officer_district, url)
    assert 'title="Sửa lại sau họp hội đồng thi đua"' in html


def test_closing_freezes_adjustments_until_reopened(client, world, scheme):
    client.force_login(world.officer_district)
    client.post(reverse("emulation:scheme_close", args=[scheme.pk]))
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.CLOSED
    html = page(client, world.officer_district, reverse("emulation:scheme", args=[scheme.pk]))
    assert "Mở lại bảng điểm" in html and "Lưu điều chỉnh" not in html
    refused = client.post(
        reverse("emulation:score_adjust", args=[scheme.pk, world.school_a.pk]), {"points": "1", "reason": "Thêm"}
    )
    assert "Bảng điểm đã chốt" in refused.content.decode() and not ScoreAdjustment.objects.exists()
    client.post(reverse("emulation:scheme_reopen", args=[scheme.pk]), {"reason": "Bổ sung"})
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.DRAFT


def test_xlsx_export_has_one_row_per_school_with_the_numbers(client, world, scheme, school_c):
    svc.score_adjust(actor=world.officer_district, scheme=scheme, school=school_c, points="-0,5", reason="Trễ hồ sơ")
    response = get(client, world.officer_district, reverse("documents:score_sheet_xlsx", args=[scheme.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "TT",
        "Trường",
        "Loại",
        "Nộp báo cáo TĐG đúng hạn (2 đ)",
        "Báo cáo TĐG được chấp nhận (2 đ)",
        "Thực hiện kế hoạch cải tiến (3 đ)",
        "Có quyết định công nhận (2 đ)",
        "Điểm tính",
        "Điều chỉnh",
        "Lý do",
        "Tổng",
        "Xếp hạng",
    )
    assert all(cell.font.bold for cell in sheet[1])
    assert rows[1:] == [
        (1, "Trường Tiểu học An Bình", "TH", 2, 2, 2, 2, 8, None, None, 8, 1),
        (2, "Trường Mầm non Bình Minh", "MN", 0, 0, 0, 0, 0, None, None, 0, 2),
        (3, "Trường THCS Bình Minh", "THCS", 0, 0, 0, 0, 0, -0.5, "Trễ hồ sơ", -0.5, 3),
    ]
    assert sheet.cell(2, 4).comment.text == "Nộp ngày 20/01/2020, hạn 31/01/2020"


def test_docx_export_is_the_official_landscape_table(client, world, scheme):
    response = get(client, world.officer_district, reverse("documents:score_sheet_docx", args=[scheme.pk]) + "?loai=TH")
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    assert doc.sections[0].orientation == WD_ORIENT.LANDSCAPE
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "BẢNG TỔNG HỢP ĐIỂM THI ĐUA CÔNG TÁC KIỂM ĐỊNH CHẤT LƯỢNG GIÁO DỤC" in text
    assert "NĂM HỌC 2019-2020" in text and "Thang điểm: 10 điểm." in text
    header, grid, signature = doc.tables[0], doc.tables[1], doc.tables[-1]
    header_text = " ".join(c.text for c in header.rows[0].cells)
    assert "UBND HUYỆN ĐÔNG SƠN" in header_text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header_text
    assert "Đông Sơn, ngày" in header_text
    assert [c.text for c in grid.rows[1].cells] == [
        "1",
        "Trường Tiểu học An Bình",
        "TH",
        "2",
        "2",
        "2",
        "2",
        "8",
        "",
        "",
        "8",
        "1",
    ]
    assert len(grid.rows) == 2  # the header and the only primary school
    signature_text = " ".join(c.text for c in signature.rows[0].cells)
    assert "Nơi nhận:" in signature_text and "TRƯỞNG PHÒNG" in signature_text
    assert "Nguyễn Văn Trưởng" in signature_text


def test_the_admin_lists_schemes_and_adjustments(client, world, scheme):
    svc.score_adjust(actor=world.officer_district, scheme=scheme, school=world.school_a, points="1", reason="Thêm")
    adjustment = ScoreAdjustment.objects.get()
    for path in (
        reverse("admin:emulation_emulationscheme_changelist"),
        reverse("admin:emulation_emulationscheme_change", args=[scheme.pk]),
        reverse("admin:emulation_scoreadjustment_changelist"),
        reverse("admin:emulation_scoreadjustment_history", args=[adjustment.pk]),
    ):
        assert get(client, world.admin, path).status_code == 200, path
