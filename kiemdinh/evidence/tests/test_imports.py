import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from kiemdinh.core.models import AuditEvent
from kiemdinh.evidence import imports, services
from kiemdinh.evidence.models import CycleEvidence, Evidence, EvidenceCitation, EvidenceImportBatch
from kiemdinh.evidence.tests.conftest import criterion
from kiemdinh.selfassessment.services import cycle_set_status
from kiemdinh.units.models import ImportStatus

HEADER = ["TT", "Mã minh chứng", "Tên minh chứng", "Số, ngày ban hành", "Nơi ban hành", "Ghi chú"]


def xlsx(rows, name="danh-muc.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


GOOD = [
    ["BẢNG DANH MỤC MÃ MINH CHỨNG"],
    ["Trường Tiểu học An Bình"],
    HEADER,
    ["Tiêu chuẩn 1: Tổ chức và quản lý nhà trường"],
    ["Tiêu chí 1.1: Phương hướng, chiến lược xây dựng và phát triển nhà trường"],
    [
        1,
        "[H1-1.1-01]",
        "Kế hoạch chiến lược phát triển nhà trường",
        "Số 15/KH-THAB, 10/9/2020",
        "Trường TH An Bình",
        "",
    ],
    [2, "H1-1.1-02", "Nghị quyết Hội đồng trường", "Số 03/NQ-HĐT, 12/9/2020", "Hội đồng trường", "Bản chính"],
    ["Tiêu chí 1.2: Hội đồng trường và các hội đồng khác"],
    [1, "1.2-01", "Quyết định thành lập Hội đồng trường", "Số 120/QĐ-UBND", "UBND xã An Bình"],
    [2, "[H1-1.1-02]", "Nghị quyết Hội đồng trường", "", "", "Dùng chung"],
    ["Tiêu chuẩn 2: Cán bộ quản lý, giáo viên, nhân viên và học sinh"],
    ["Tiêu chí 2.1: Đối với cán bộ quản lý"],
    [1, "[H2-2.1-05]", "Hồ sơ cán bộ quản lý", "", "Phòng GD&ĐT"],
    [2, "[H1-1.1-01]", "", "", "", ""],
    [None, None, "Người lập bảng"],
]


def test_good_catalogue_imports_items_codes_and_citations(world, cycle):
    batch = imports.evidence_import_prepare(actor=world.secretary_a, cycle=cycle, uploaded_file=xlsx(GOOD))
    assert batch.errors == []
    assert batch.status == ImportStatus.PENDING
    assert not CycleEvidence.objects.exists()  # nothing before the commit
    kinds = [r["kind"] for r in batch.rows]
    assert kinds.count("heading") == 5 and kinds.count("item") == 6 and kinds[-1] == "other"
    batch = imports.evidence_import_commit(actor=world.secretary_a, batch=batch)
    assert batch.status == ImportStatus.COMMITTED
    assert batch.result["created"] == 4
    assert batch.result["cited"] == 2
    links = {
        link.code: link for link in CycleEvidence.objects.filter(cycle=cycle).select_related("version", "criterion")
    }
    assert set(links) == {"[H1-1.1-01]", "[H1-1.1-02]", "[H1-1.2-01]", "[H2-2.1-05]"}
    assert links["[H1-1.1-02]"].version.issue_ref == "Số 03/NQ-HĐT, 12/9/2020"
    assert links["[H1-1.1-02]"].version.note == "Bản chính"
    assert links["[H1-1.2-01]"].criterion.code == "1.2"
    assert links["[H1-1.2-01]"].box == 1
    assert links["[H2-2.1-05]"].sequence == 5
    assert links["[H1-1.1-01]"].version.search_text.startswith("ke hoach chien luoc")
    cited = sorted(EvidenceCitation.objects.values_list("cycle_evidence__code", "criterion__code"))
    assert cited == [("[H1-1.1-01]", "2.1"), ("[H1-1.1-02]", "1.2")]
    assert Evidence.objects.filter(school=world.school_a).count() == 4
    assert AuditEvent.objects.filter(event_type="evidence.import_committed").count() == 1
    # The counter continues after imported codes.
    new = services.evidence_create(actor=world.member_a, cycle=cycle, criterion=criterion(cycle, "2.1"), name="Mới")
    assert new.code == "[H2-2.1-06]"


def test_errors_are_listed_per_row_and_block_the_commit(world, cycle):
    rows = [
        HEADER,
        ["Tiêu chí 1.1: Phương hướng"],
        [1, "[H1-1.1-01]", "Kế hoạch chiến lược"],
        [2, "[H1-1.1-01]", "Một tên khác"],  # same code, other name (and listed twice under 1.1)
        [3, "H1-1.1", "Thiếu số thứ tự"],  # malformed
        [4, "[H1-1.11-01]", "Tiêu chí không có"],  # criterion not in the framework
        [5, "MC.1.1.02", "Mã TT57 trong đợt 2018"],
        [6, "[H1-1.1-03]", ""],  # empty name
        [7, "", "Không có mã"],
        ["Tiêu chí 9.9: Không có"],
        [8, "[H1-1.1-04]", "Tên dài " + "x" * 1000],
    ]
    batch = imports.evidence_import_prepare(actor=world.secretary_a, cycle=cycle, uploaded_file=xlsx(rows))
    by_row = {}
    for e in batch.errors:
        by_row.setdefault(e["row"], []).append((e["column"], e["message"]))
    assert set(by_row) == {4, 5, 6, 7, 8, 9, 10, 11}
    assert by_row[4][0][0] == "Mã minh chứng" and "đã được liệt kê" in by_row[4][0][1]
    assert by_row[5] == [("Mã minh chứng", "Mã minh chứng “H1-1.1” không đúng dạng. Ví dụ: [H1-1.1-01].")]
    assert "tiêu chí 1.11" in by_row[6][0][1]
    assert "Đợt này dùng mã dạng [H1-1.1-01]" in by_row[7][0][1]
    assert by_row[8] == [("Tên minh chứng", "Thiếu tên minh chứng.")]
    assert by_row[9] == [("Mã minh chứng", "Thiếu mã minh chứng.")]
    assert by_row[10][0][0] == "Tiêu chí" and "9.9" in by_row[10][0][1]
    assert "Dài quá 1000 ký tự" in by_row[11][0][1]
    with pytest.raises(ValidationError) as e:
        imports.evidence_import_commit(actor=world.secretary_a, batch=batch)
    assert "còn 8 dòng có lỗi" in e.value.messages[0]
    assert not CycleEvidence.objects.exists()
    assert not Evidence.objects.exists()


def test_same_code_with_different_name_is_an_error(world, cycle):
    rows = [
        HEADER,
        ["Tiêu chí 1.1"],
        [1, "[H1-1.1-01]", "Kế hoạch chiến lược"],
        ["Tiêu chí 1.2"],
        [1, "[H1-1.1-01]", "Kế hoạch khác"],
        [2, "[H1-1.1-01]", "KẾ HOẠCH CHIẾN LƯỢC"],  # a repeat under 1.2 too: listed twice
    ]
    batch = imports.evidence_import_prepare(actor=world.secretary_a, cycle=cycle, uploaded_file=xlsx(rows))
    assert [(e["row"], e["column"]) for e in batch.errors] == [(5, "Tên minh chứng"), (6, "Mã minh chứng")]
    assert "đã dùng ở dòng 3" in batch.errors[0]["message"]


def test_code_already_in_cycle_with_another_name_is_an_error_same_name_is_reused(world, cycle):
    existing = services.evidence_create(
        actor=world.member_a, cycle=cycle, criterion=criterion(cycle, "1.1"), name="Kế hoạch chiến lược"
    )
    rows = [
        HEADER,
        ["Tiêu chí 1.1"],
        [1, "[H1-1.1-01]", "Tên khác hẳn"],
    ]
    batch = imports.evidence_import_prepare(actor=world.secretary_a, cycle=cycle, uploaded_file=xlsx(rows))
    assert len(batch.errors) == 1
    assert "đã có trong đợt tự đánh giá với tên “Kế hoạch chiến lược”" in batch.errors[0]["message"]
    imports.evidence_import_discard(actor=world.secretary_a, batch=batch)  # one waiting batch per person
    rows = [HEADER, ["Tiêu chí 1.1"], [1, "[H1-1.1-01]", "Kế hoạch chiến lược"], ["Tiêu chí 3.3"], [1, "1.1-01", ""]]
    batch = imports.evidence_import_prepare(actor=world.secretary_a, cycle=cycle, uploaded_file=xlsx(rows))
    assert batch.errors == []
    batch = imports.evidence_import_commit(actor=world.secretary_a, batch=batch)
    assert batch.result["created"] == 0
    assert [c.criterion.code for c in existing.citations.all()] == ["3.3"]
    assert Evidence.objects.count() == 1


def test_commit_rechecks_against_the_register_and_writes_nothing_when_stale(world, cycle):
    rows = [HEADER, ["Tiêu chí 1.1"], [1, "[H1-1.1-01]", "Kế hoạch chiến lược"], [2, "[H1-1.1-02]", "Nghị quyết"]]
    batch = imports.evidence_import_prepare(actor=world.secretary_a, cycle=cycle, uploaded_file=xlsx(rows))
    assert batch.errors == []
    services.evidence_create(actor=world.member_a, cycle=cycle, criterion=criterion(cycle, "1.1"), name="Khác")
    with pytest.raises(ValidationError) as e:
        imports.evidence_import_commit(actor=world.secretary_a, batch=batch)
    assert "đã thay đổi" in e.value.messages[0]
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PENDING
    assert batch.errors and batch.errors[0]["row"] == 3
    assert CycleEvidence.objects.count() == 1  # only the item created meanwhile


def test_only_uploader_commits_and_discard(world, cycle):
    batch = imports.evidence_import_prepare(actor=world.secretary_a, cycle=cycle, uploaded_file=xlsx(GOOD))
    with pytest.raises(ValidationError):
        imports.evidence_import_commit(actor=world.principal_a, batch=batch)
    imports.evidence_import_discard(actor=world.secretary_a, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DISCARDED
    with pytest.raises(ValidationError) as e:
        imports.evidence_import_commit(actor=world.secretary_a, batch=batch)
    assert "đã bị hủy" in e.value.messages[0]
    assert not CycleEvidence.objects.exists()


def test_prepare_refused_on_submitted_cycle_and_unreadable_files(world, cycle):
    with pytest.raises(ValidationError) as e:
        imports.evidence_import_prepare(
            actor=world.secretary_a, cycle=cycle, uploaded_file=xlsx([["Tên", "Ghi chú"], ["a", "b"]])
        )
    assert "Mã minh chứng" in e.value.messages[0]
    with pytest.raises(ValidationError):
        imports.evidence_import_prepare(
            actor=world.secretary_a, cycle=cycle, uploaded_file=SimpleUploadedFile("a.xlsx", b"not a zip")
        )
    with pytest.raises(ValidationError):
        imports.evidence_import_prepare(actor=world.secretary_a, cycle=cycle, uploaded_file=xlsx([HEADER]))
    cycle_set_status(actor=None, cycle=cycle, status="submitted")
    with pytest.raises(ValidationError):
        imports.evidence_import_prepare(actor=world.secretary_a, cycle=cycle, uploaded_file=xlsx(GOOD))
    assert not EvidenceImportBatch.objects.exists()


def test_tt57_catalogue_puts_urls_into_link_and_other_locations_into_note(world, cycle57):
    rows = [
        ["TT", "Mã minh chứng", "Tên minh chứng", "Định dạng, vị trí lưu trữ hoặc đường dẫn điện tử", "Ghi chú"],
        ["Tiêu chí 1.3: Tổ chức bộ máy"],
        [1, "MC.1.3.01", "Quy chế tổ chức", "https://truong.edu.vn/mc/quy-che.pdf", ""],
        [2, "MC.1.3.02", "Biên bản họp", "Bản giấy, tủ hồ sơ số 2", "Lưu 5 năm"],
        ["Tiêu chí 2.1"],
        [1, "MC.1.3.01", "Quy chế tổ chức"],
    ]
    batch = imports.evidence_import_prepare(actor=world.secretary_a, cycle=cycle57, uploaded_file=xlsx(rows))
    assert batch.errors == []
    imports.evidence_import_commit(actor=world.secretary_a, batch=batch)
    links = {link.code: link.version for link in CycleEvidence.objects.filter(cycle=cycle57).select_related("version")}
    assert links["MC.1.3.01"].link == "https://truong.edu.vn/mc/quy-che.pdf"
    assert links["MC.1.3.01"].note == ""
    assert links["MC.1.3.02"].link == ""
    assert links["MC.1.3.02"].note == "Bản giấy, tủ hồ sơ số 2\nLưu 5 năm"
    assert list(EvidenceCitation.objects.values_list("criterion__code", flat=True)) == ["2.1"]


def test_csv_catalogue(world, cycle):
    text = "TT;Mã minh chứng;Tên minh chứng;Số, ngày ban hành;Nơi ban hành;Ghi chú\nTiêu chí 1.1;;;;;\n1;[H1-1.1-01];Kế hoạch;;;\n"
    upload = SimpleUploadedFile("danh-muc.csv", text.encode("utf-8-sig"))
    batch = imports.evidence_import_prepare(actor=world.secretary_a, cycle=cycle, uploaded_file=upload)
    assert batch.errors == []
    assert [r["kind"] for r in batch.rows] == ["heading", "item"]


@pytest.mark.parametrize("fixture", ["cycle", "cycle57"])
def test_template_has_header_and_criterion_headings_and_imports_cleanly(world, request, fixture):
    cycle = request.getfixturevalue(fixture)
    data = imports.template_workbook(cycle)
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    header = [c.value for c in sheet[1]]
    if fixture == "cycle":
        assert header == HEADER
    else:
        assert header[3] == "Định dạng, vị trí lưu trữ hoặc đường dẫn điện tử"
    texts = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert any(str(t).startswith("Tiêu chí 1.1:") for t in texts)
    # The template as downloaded (with its example row) is a valid catalogue.
    batch = imports.evidence_import_prepare(
        actor=world.secretary_a, cycle=cycle, uploaded_file=SimpleUploadedFile("mau.xlsx", data)
    )
    assert batch.errors == []
    assert sum(1 for r in batch.rows if r.get("action") == "new") == 1
