"""Import of units and schools: parsing, per-row checks, scope, all-or-nothing commit, and the screens."""

import io
import re
import unicodedata

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kiemdinh.core.models import AuditEvent
from kiemdinh.core.tabular import XLSX_CONTENT_TYPE, read_table
from kiemdinh.units import services
from kiemdinh.units.imports.batches import import_batch_commit, import_batch_discard, import_batch_prepare
from kiemdinh.units.imports.columns import COLUMNS
from kiemdinh.units.imports.parsing import parse_rows, school_type_of, unit_kind_of
from kiemdinh.units.imports.template import template_workbook
from kiemdinh.units.models import AdministrativeUnit, ImportBatch, ImportStatus, School

UNIT_HEADER = ["Mã đơn vị", "Tên đơn vị", "Cấp", "Mã đơn vị cấp trên", "Cơ quan quản lý giáo dục"]
SCHOOL_HEADER = [
    "Mã trường",
    "Tên trường",
    "Loại trường",
    "Loại hình",
    "Mã đơn vị quản lý",
    "Địa chỉ",
    "Điện thoại",
    "Năm thành lập",
]


def xlsx_file(rows, name="danh-sach.xlsx"):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)


def csv_file(rows, name="danh-sach.csv", delimiter=",", bom=True):
    text = "\r\n".join(delimiter.join(str(cell) for cell in row) for row in rows) + "\r\n"
    return SimpleUploadedFile(name, (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"), content_type="text/csv")


def errors_at(batch, row):
    return [(e["column"], e["message"]) for e in batch.errors if e["row"] == row]


# --- Services: happy paths -----------------------------------------------------------------------------------


def test_admin_imports_a_province_tree_from_xlsx(world):
    upload = xlsx_file(
        [
            UNIT_HEADER,
            ["46", "Thành phố Huế", "Thành phố", "", "Sở GD&ĐT thành phố Huế"],
            ["46-PD", "Quận Phú Xuân", "Quận", "46", ""],
            ["19774", "Phường Thuận Hóa", "Phường", "46-PD", "Phòng GD&ĐT quận Phú Xuân"],
            ["19775", "Xã Phú Vang", "commune", "46", ""],  # two-level government: a commune right under its province
            [None, None, None, None, None],  # empty rows are skipped, numbering keeps Excel's
            ["46-TP2", "Thành phố Hương Trà", "Thành phố", "46", ""],
        ]
    )
    batch = import_batch_prepare(actor=world.admin, kind="units", uploaded_file=upload)
    assert batch.errors == []
    assert [r["row"] for r in batch.rows] == [2, 3, 4, 5, 7]
    events_before = AuditEvent.objects.count()

    batch = import_batch_commit(actor=world.admin, batch=batch)

    assert batch.status == ImportStatus.COMMITTED
    assert batch.committed_at is not None
    assert batch.result["created"] == 5
    city = AdministrativeUnit.objects.get(code="46")
    assert (city.kind, city.parent, city.education_office) == ("province", None, "Sở GD&ĐT thành phố Huế")
    ward = AdministrativeUnit.objects.get(code="19774")
    assert ward.path == "/46/46-PD/19774/"
    assert ward.kind == "commune"
    assert AdministrativeUnit.objects.get(code="19775").parent == city
    assert AdministrativeUnit.objects.get(code="46-TP2").kind == "district"  # a city of a province
    new_events = AuditEvent.objects.order_by("id")[events_before:]
    assert [e.event_type for e in new_events] == ["unit.created"] * 5 + ["import.committed"]
    assert new_events[5].actor == world.admin


def test_officer_imports_schools_from_csv_with_bom_and_semicolons(world):
    upload = csv_file(
        [
            SCHOOL_HEADER,
            ["MN-AB", "Trường Mầm non An Bình", "Trường mầm non", "", "P01-D1-A", "Thôn 1, xã An Bình", "0234 123", ""],
            ["THCS-BM", "Trường THCS Bình Minh", "THCS", "Tư thục", "P01-D1-B", "", "", "1998"],
            ["LC-BM", "Trường TH và THCS Bình Minh", "TH&THCS", "dân lập", "P01-D1-B", "", "", ""],
        ],
        delimiter=";",
    )
    batch = import_batch_prepare(actor=world.officer_district, kind="schools", uploaded_file=upload)
    assert batch.errors == []
    assert batch.rows[0]["address"] == "Thôn 1, xã An Bình"

    import_batch_commit(actor=world.officer_district, batch=batch)

    kindergarten = School.objects.get(code="MN-AB")
    assert (kindergarten.school_type, kindergarten.ownership, kindergarten.unit) == ("MN", "cong_lap", world.commune_a)
    secondary = School.objects.get(code="THCS-BM")
    assert (secondary.ownership, secondary.founded_year, secondary.unit) == ("tu_thuc", 1998, world.commune_b)
    assert School.objects.get(code="LC-BM").school_type == "TH_THCS"
    assert AuditEvent.objects.filter(event_type="school.created", actor=world.officer_district).count() == 3


def test_headers_match_without_diacritics_case_or_spaces_and_text_is_nfc(world):
    nfd = unicodedata.normalize("NFD", "Trường Tiểu học Hòa Lạc")
    upload = xlsx_file(
        [
            ["  MA TRUONG ", "ten truong", "Loai Truong", "ma don vi quan ly", "Nam thanh lap (yyyy)", "Ghi chú"],
            ["TH-HL", nfd, "tieu hoc", "P01-D1-A", 2001, "cột không dùng"],
        ]
    )
    batch = import_batch_prepare(actor=world.officer_district, kind="schools", uploaded_file=upload)
    assert batch.errors == []
    row = batch.rows[0]
    assert row["name"] == "Trường Tiểu học Hòa Lạc"
    assert unicodedata.is_normalized("NFC", row["name"])
    assert row["founded_year"] == "2001"  # a number cell, read without ".0"
    assert row["ownership"] == ""

    import_batch_commit(actor=world.officer_district, batch=batch)
    assert School.objects.get(code="TH-HL").school_type == "TH"


@pytest.mark.parametrize(
    ("text", "has_parent", "kind"),
    [
        ("Tỉnh", False, "province"),
        ("Thành phố", False, "province"),
        ("Thành phố", True, "district"),
        ("thi xa", True, "district"),
        ("QUẬN", True, "district"),
        ("Thị trấn", True, "commune"),
        ("Đặc khu", True, "commune"),
        ("district", True, "district"),
        ("Xã/phường/thị trấn", True, "commune"),
        ("Thôn", True, None),
    ],
)
def test_unit_kind_words(text, has_parent, kind):
    assert unit_kind_of(text, has_parent=has_parent) == kind


@pytest.mark.parametrize(
    ("text", "school_type"),
    [
        ("MN", "MN"),
        ("th&thcs", "TH_THCS"),
        ("TH_THCS", "TH_THCS"),
        ("THCS & THPT", "THCS_THPT"),
        ("Trường trung học phổ thông", "THPT"),
        ("Tiểu học", "TH"),
        ("PTNCH", "PTNCH"),
        ("Đại học", None),
    ],
)
def test_school_type_words(text, school_type):
    assert school_type_of(text) == school_type


# --- Services: errors ----------------------------------------------------------------------------------------


def test_school_rows_get_vietnamese_errors_with_excel_row_and_column(world):
    upload = xlsx_file(
        [
            SCHOOL_HEADER,
            ["TH-1", "Trường Tiểu học Một", "TH", "", "P01-D1-A", "", "", ""],  # row 2: fine
            ["TH-1", "Trường Tiểu học Trùng", "TH", "", "P01-D1-A", "", "", ""],  # row 3: same code as row 2
            ["SA", "Trường đã có", "TH", "", "P01-D1-A", "", "", ""],  # row 4: code in the database
            ["TH-4", "", "Đại học", "Bán công", "P01-D1-A", "", "", "năm 90"],  # row 5: four problems
            ["TH 5", "Trường Năm", "TH", "", "KHONG-CO", "", "", ""],  # row 6: bad code, unknown unit
            ["TH-6", "Trường Sáu", "TH", "", "", "", "", "1700"],  # row 7
        ]
    )
    batch = import_batch_prepare(actor=world.admin, kind="schools", uploaded_file=upload)

    assert errors_at(batch, 2) == []
    assert errors_at(batch, 3) == [("Mã trường", "Mã trường “TH-1” bị trùng với dòng 2.")]
    assert errors_at(batch, 4) == [("Mã trường", "Mã trường “SA” đã có trong hệ thống.")]
    assert errors_at(batch, 5) == [
        ("Tên trường", "Thiếu tên trường."),
        (
            "Loại trường",
            "Loại trường “Đại học” không hợp lệ. Dùng một trong: MN, MG, NT, TH, THCS, THPT, TH&THCS, THCS&THPT, PTNCH.",
        ),
        ("Loại hình", "Loại hình “Bán công” không hợp lệ. Dùng Công lập, Tư thục hoặc Dân lập."),
        ("Năm thành lập", "Năm thành lập “năm 90” không phải là số (ví dụ 1995)."),
    ]
    assert [c for c, _ in errors_at(batch, 6)] == ["Mã trường", "Mã đơn vị quản lý"]
    assert "chỉ được gồm chữ không dấu" in errors_at(batch, 6)[0][1]
    assert errors_at(batch, 6)[1][1] == "Không tìm thấy đơn vị quản lý có mã “KHONG-CO”."
    assert [c for c, _ in errors_at(batch, 7)] == ["Mã đơn vị quản lý", "Năm thành lập"]
    assert batch.valid_row_count == 1
    assert batch.error_row_count == 5
    assert ImportBatch.objects.get(pk=batch.pk).errors == batch.errors  # stored for the preview


def test_unit_rows_check_parents_in_file_and_database(world):
    upload = xlsx_file(
        [
            UNIT_HEADER,
            ["P01-D2", "Huyện Tây Sơn", "Huyện", "P01", ""],  # row 2: fine
            ["P01-D2-X", "Xã Tây An", "Xã", "P01-D2", ""],  # row 3: parent from row 2
            ["P01-D2-Y", "Xã Tây Bình", "Xã", "P01-D2-Z", ""],  # row 4: parent comes later
            ["P01-D2-Z", "Xã Tây Hòa", "Xã", "P01-D2", ""],  # row 5: fine
            ["P01-D3", "Huyện Lạ", "Huyện", "P01-D1", ""],  # row 6: district under a district
            ["P01-D4", "Huyện Mới", "Huyện", "", ""],  # row 7: district without parent
            ["P01-D5", "Huyện Năm", "Cấp thôn", "P01", ""],  # row 8: unknown kind
            ["P01-D6", "Huyện Sáu", "Huyện", "KHONG", ""],  # row 9: parent not found
        ]
    )
    batch = import_batch_prepare(actor=world.admin, kind="units", uploaded_file=upload)

    assert errors_at(batch, 2) == errors_at(batch, 3) == errors_at(batch, 5) == []
    assert errors_at(batch, 4) == [
        (
            "Mã đơn vị cấp trên",
            "Đơn vị cấp trên “P01-D2-Z” nằm ở dòng 5, sau dòng này. "
            "Hãy xếp đơn vị cấp trên lên trước các đơn vị trực thuộc.",
        )
    ]
    assert errors_at(batch, 6) == [
        (
            "Mã đơn vị cấp trên",
            "Huyện/quận/thị xã/thành phố thuộc tỉnh không thể trực thuộc huyện/quận/thị xã/thành phố thuộc tỉnh.",
        )
    ]
    assert errors_at(batch, 7) == [
        ("Mã đơn vị cấp trên", "Huyện/quận/thị xã/thành phố thuộc tỉnh phải có đơn vị cấp trên.")
    ]
    assert errors_at(batch, 8)[0][0] == "Cấp"
    assert errors_at(batch, 8)[0][1].startswith("Cấp “Cấp thôn” không hợp lệ.")
    assert errors_at(batch, 9) == [
        (
            "Mã đơn vị cấp trên",
            "Không tìm thấy đơn vị cấp trên có mã “KHONG” trong hệ thống hoặc ở các dòng phía trên.",
        )
    ]


def test_dissolved_managing_unit_is_refused(world):
    world.district.dissolved_on = world.district.created_at.date()
    world.district.save()
    upload = xlsx_file([UNIT_HEADER, ["P01-D1-C", "Xã Mới", "Xã", "P01-D1", ""]])
    batch = import_batch_prepare(actor=world.admin, kind="units", uploaded_file=upload)
    assert "đã giải thể từ ngày" in errors_at(batch, 2)[0][1]


def test_officer_cannot_import_outside_their_scope(world):
    schools = xlsx_file(
        [
            SCHOOL_HEADER,
            ["TH-A2", "Trường Tiểu học An Bình 2", "TH", "", "P01-D1-A", "", "", ""],
            ["TH-B2", "Trường Tiểu học Bình Minh 2", "TH", "", "P01-D1-B", "", "", ""],
            ["TH-Q2", "Trường Tiểu học Hòa Hải 2", "TH", "", "Q02-X", "", "", ""],
        ]
    )
    batch = import_batch_prepare(actor=world.officer_commune_a, kind="schools", uploaded_file=schools)
    assert errors_at(batch, 2) == []
    assert errors_at(batch, 3) == [
        ("Mã đơn vị quản lý", "Đơn vị quản lý “P01-D1-B” (Xã Bình Minh) nằm ngoài phạm vi quản lý của bạn.")
    ]
    assert "nằm ngoài phạm vi quản lý của bạn" in errors_at(batch, 4)[0][1]

    units = xlsx_file(
        [
            UNIT_HEADER,
            ["P01-D1-C", "Xã Cẩm An", "Xã", "P01-D1", ""],  # inside the district officer's scope
            ["Q02-H", "Huyện Hòa Vang", "Huyện", "Q02", ""],  # another province
            ["R03", "Tỉnh Mới", "Tỉnh", "", ""],  # a new province needs an admin
            ["Q02-H-1", "Xã Hòa Phong", "Xã", "Q02-H", ""],  # below a refused row: no error of its own
        ]
    )
    batch = import_batch_prepare(actor=world.officer_district, kind="units", uploaded_file=units)
    assert errors_at(batch, 2) == []
    assert errors_at(batch, 3) == [
        ("Mã đơn vị cấp trên", "Đơn vị cấp trên “Q02” (Tỉnh Khác) nằm ngoài phạm vi quản lý của bạn.")
    ]
    assert "Chỉ quản trị hệ thống mới được thêm tỉnh/thành phố" in errors_at(batch, 4)[0][1]
    with pytest.raises(ValidationError, match="còn 2 dòng có lỗi"):
        import_batch_commit(actor=world.officer_district, batch=batch)
    assert errors_at(batch, 5) == []
    assert not AdministrativeUnit.objects.filter(code__in=["P01-D1-C", "Q02-H", "R03", "Q02-H-1"]).exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("danh-sach.pdf", b"%PDF-1.4", "không đúng định dạng. Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)"),
        ("danh-sach.xls", b"\xd0\xcf\x11\xe0", "Excel 97-2003 (.xls) không được hỗ trợ"),
        ("danh-sach.xlsx", b"khong phai excel", "Không đọc được tệp Excel"),
        ("danh-sach.csv", "Mã,Tên\n".encode("latin-1"), "bảng mã UTF-8"),
        ("danh-sach.csv", b"", "Tệp rỗng"),
        ("danh-sach.csv", "Tên trường,Địa chỉ\nA,B\n".encode(), "Tệp thiếu cột bắt buộc: “Mã trường”, “Loại trường”"),
        ("danh-sach.csv", ",".join(SCHOOL_HEADER).encode(), "không có dòng dữ liệu nào"),
    ],
)
def test_unreadable_files_are_refused_with_a_message(world, name, content, message):
    upload = SimpleUploadedFile(name, content)
    with pytest.raises(ValidationError, match=re.escape(message)):
        import_batch_prepare(actor=world.admin, kind="schools", uploaded_file=upload)
    assert not ImportBatch.objects.exists()


def test_file_larger_than_the_limit_is_refused(world, settings):
    settings.KIEMDINH_IMPORT_MAX_BYTES = 1024 * 1024
    upload = SimpleUploadedFile("lon.csv", b"x" * (1024 * 1024 + 1))
    with pytest.raises(ValidationError, match=r"Tệp quá lớn \(1 MB\)\. Dung lượng tối đa là 1 MB\."):
        import_batch_prepare(actor=world.admin, kind="schools", uploaded_file=upload)


def test_principal_cannot_prepare(world):
    upload = xlsx_file([SCHOOL_HEADER, ["X", "Y", "TH", "", "P01-D1-A", "", "", ""]])
    with pytest.raises(PermissionDenied):
        import_batch_prepare(actor=world.principal_a, kind="schools", uploaded_file=upload)


# --- Services: commit ----------------------------------------------------------------------------------------


def _school_rows(count, unit_code="P01-D1-A"):
    return [SCHOOL_HEADER] + [
        [f"TH-{i}", f"Trường Tiểu học số {i}", "TH", "", unit_code, "", "", ""] for i in range(1, count + 1)
    ]


def test_commit_is_all_or_nothing_when_a_create_fails_half_way(world, monkeypatch):
    batch = import_batch_prepare(actor=world.officer_district, kind="schools", uploaded_file=xlsx_file(_school_rows(5)))
    real_create = services.school_create
    calls = []

    def failing_third(**kwargs):
        calls.append(kwargs["code"])
        if len(calls) == 3:
            raise ValidationError("Lỗi giả lập khi ghi.")
        return real_create(**kwargs)

    monkeypatch.setattr(services, "school_create", failing_third)
    schools_before, events_before = School.objects.count(), AuditEvent.objects.count()

    with pytest.raises(ValidationError, match=re.escape("Dòng 4: Lỗi giả lập khi ghi. Chưa có dữ liệu nào được nhập.")):
        import_batch_commit(actor=world.officer_district, batch=batch)

    assert calls == ["TH-1", "TH-2", "TH-3"]
    assert School.objects.count() == schools_before
    assert AuditEvent.objects.count() == events_before
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PENDING
    assert batch.committed_at is None


def test_commit_rolls_back_on_an_unexpected_error_too(world, monkeypatch):
    batch = import_batch_prepare(
        actor=world.admin,
        kind="units",
        uploaded_file=xlsx_file(
            [
                UNIT_HEADER,
                ["P01-D2", "Huyện Tây Sơn", "Huyện", "P01", ""],
                ["P01-D2-X", "Xã Tây An", "Xã", "P01-D2", ""],
            ]
        ),
    )
    real_create = services.unit_create

    def failing_second(**kwargs):
        if kwargs["code"] == "P01-D2-X":
            raise RuntimeError("mất kết nối")
        return real_create(**kwargs)

    monkeypatch.setattr(services, "unit_create", failing_second)
    with pytest.raises(RuntimeError):
        import_batch_commit(actor=world.admin, batch=batch)
    assert not AdministrativeUnit.objects.filter(code__startswith="P01-D2").exists()
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.PENDING


def test_commit_refused_when_the_batch_has_errors(world):
    upload = xlsx_file([*_school_rows(2), ["SA", "Trùng", "TH", "", "P01-D1-A", "", "", ""]])
    batch = import_batch_prepare(actor=world.admin, kind="schools", uploaded_file=upload)
    with pytest.raises(ValidationError, match="Không thể nhập: còn 1 dòng có lỗi"):
        import_batch_commit(actor=world.admin, batch=batch)
    assert not School.objects.filter(code__in=["TH-1", "TH-2"]).exists()


def test_commit_checks_again_against_the_current_database(world):
    batch = import_batch_prepare(actor=world.admin, kind="schools", uploaded_file=xlsx_file(_school_rows(3)))
    services.school_create(actor=None, code="TH-2", name="Ai đó nhập trước", school_type="TH", unit=world.commune_b)

    with pytest.raises(ValidationError, match="Dữ liệu trong hệ thống đã thay đổi từ lúc kiểm tra: 1 dòng nay có lỗi"):
        import_batch_commit(actor=world.admin, batch=batch)

    assert not School.objects.filter(code__in=["TH-1", "TH-3"]).exists()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PENDING
    assert errors_at(batch, 3) == [("Mã trường", "Mã trường “TH-2” đã có trong hệ thống.")]


def test_commit_refused_for_another_user_and_for_a_second_time(world):
    batch = import_batch_prepare(actor=world.officer_district, kind="schools", uploaded_file=xlsx_file(_school_rows(1)))
    with pytest.raises(ValidationError, match="do người khác tải lên"):
        import_batch_commit(actor=world.admin, batch=batch)
    assert not School.objects.filter(code="TH-1").exists()

    import_batch_commit(actor=world.officer_district, batch=batch)
    with pytest.raises(ValidationError, match="đã được nhập vào hệ thống"):
        import_batch_commit(actor=world.officer_district, batch=batch)
    with pytest.raises(ValidationError, match="đã được nhập vào hệ thống"):
        import_batch_discard(actor=world.officer_district, batch=batch)
    assert School.objects.filter(code="TH-1").count() == 1


def test_discarded_batch_cannot_be_committed(world):
    batch = import_batch_prepare(actor=world.admin, kind="schools", uploaded_file=xlsx_file(_school_rows(1)))
    batch = import_batch_discard(actor=world.admin, batch=batch)
    assert batch.status == ImportStatus.DISCARDED
    assert AuditEvent.objects.filter(event_type="import.discarded", object_id=str(batch.pk)).exists()
    with pytest.raises(ValidationError, match="đã bị hủy"):
        import_batch_commit(actor=world.admin, batch=batch)
    assert not School.objects.filter(code="TH-1").exists()


def test_template_files_have_the_columns_and_read_back_cleanly(world):
    for kind, columns in COLUMNS.items():
        sheet = load_workbook(io.BytesIO(template_workbook(kind))).worksheets[0]
        header, example = ([cell.value for cell in row] for row in sheet.iter_rows(max_row=2))
        assert header == [c.label for c in columns]
        assert example == [c.example or None for c in columns]
        table = read_table(SimpleUploadedFile("mau.xlsx", template_workbook(kind)))
        assert parse_rows(kind, table)[0][columns[0].key] == columns[0].example


# --- Screens -------------------------------------------------------------------------------------------------


def _upload(client, kind, upload):
    return client.post(reverse("units:import_start"), {"kind": kind, "file": upload})


def test_officer_uploads_previews_and_confirms_through_the_screens(client, world):
    client.force_login(world.officer_district)
    assert client.get(reverse("units:import_start")).status_code == 200

    response = _upload(client, "schools", xlsx_file(_school_rows(2), name="truong-huyen.xlsx"))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("units:import_preview", args=[batch.pk])

    page = client.get(response.url).content.decode()
    assert "truong-huyen.xlsx" in page
    assert "2 dòng hợp lệ" in page
    assert "0 dòng lỗi" in page
    assert "Trường Tiểu học số 2" in page
    assert "Xác nhận nhập" in page

    response = client.post(reverse("units:import_commit", args=[batch.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("units:import_preview", args=[batch.pk])
    page = response.content.decode()
    assert "Đã nhập 2 trường từ tệp “truong-huyen.xlsx”." in page
    assert "Xác nhận nhập</button>" not in page
    assert School.objects.filter(code__in=["TH-1", "TH-2"]).count() == 2


def test_preview_lists_errors_per_row_and_offers_no_confirm_button(client, world):
    client.force_login(world.officer_district)
    rows = [*_school_rows(2), ["TH-3", "Trường Ba", "Đại học", "", "P01-D1-A", "", "", ""]]
    _upload(client, "schools", xlsx_file(rows))
    batch = ImportBatch.objects.get()

    page = client.get(reverse("units:import_preview", args=[batch.pk])).content.decode()
    assert "2 dòng hợp lệ" in page
    assert "1 dòng lỗi" in page
    assert 'class="row-error"' in page
    assert "Loại trường “Đại học” không hợp lệ." in page
    assert "Xác nhận nhập</button>" not in page
    assert "Hủy</button>" in page

    only_errors = client.get(reverse("units:import_preview", args=[batch.pk]), {"chi-loi": "1"}).content.decode()
    assert "Trường Ba" in only_errors
    assert "Trường Tiểu học số 1" not in only_errors

    response = client.post(reverse("units:import_commit", args=[batch.pk]), follow=True)
    assert "Không thể nhập: còn 1 dòng có lỗi" in response.content.decode()
    assert not School.objects.filter(code="TH-1").exists()


def test_discard_from_the_preview(client, world):
    client.force_login(world.admin)
    _upload(client, "units", csv_file([UNIT_HEADER, ["P01-D2", "Huyện Tây Sơn", "Huyện", "P01", ""]]))
    batch = ImportBatch.objects.get()
    response = client.post(reverse("units:import_discard", args=[batch.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("units:import_start")
    assert "Đã hủy lô nhập" in response.content.decode()
    assert ImportBatch.objects.get().status == ImportStatus.DISCARDED
    assert not AdministrativeUnit.objects.filter(code="P01-D2").exists()


def test_upload_errors_are_shown_on_the_start_page(client, world, settings):
    client.force_login(world.officer_district)
    response = _upload(client, "schools", SimpleUploadedFile("ds.docx", b"PK\x03\x04"))
    assert response.status_code == 200
    assert (
        "Tệp “ds.docx” không đúng định dạng. Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)." in response.content.decode()
    )

    settings.KIEMDINH_IMPORT_MAX_BYTES = 100
    response = _upload(client, "schools", xlsx_file(_school_rows(3)))
    assert "Tệp quá lớn" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_principal_and_anonymous_cannot_reach_the_import_pages(client, world):
    batch = import_batch_prepare(actor=world.officer_district, kind="schools", uploaded_file=xlsx_file(_school_rows(1)))
    urls = [
        reverse("units:import_start"),
        reverse("units:import_template", args=["truong"]),
        reverse("units:import_preview", args=[batch.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # to the login page
    client.force_login(world.principal_a)
    for url in urls:
        assert client.get(url).status_code == 403
    assert _upload(client, "schools", xlsx_file(_school_rows(1))).status_code == 403
    assert client.post(reverse("units:import_commit", args=[batch.pk])).status_code == 403
    assert ImportBatch.objects.count() == 1
    assert not School.objects.filter(code="TH-1").exists()


def test_a_batch_is_visible_only_to_the_person_who_uploaded_it(client, world):
    batch = import_batch_prepare(actor=world.officer_district, kind="schools", uploaded_file=xlsx_file(_school_rows(1)))
    for other in (world.officer_commune_a, world.admin):
        client.force_login(other)
        assert client.get(reverse("units:import_preview", args=[batch.pk])).status_code == 404
        assert client.post(reverse("units:import_commit", args=[batch.pk])).status_code == 404
        assert client.post(reverse("units:import_discard", args=[batch.pk])).status_code == 404
        assert "Trường Tiểu học số 1" not in client.get(reverse("units:import_start")).content.decode()
    assert ImportBatch.objects.get().status == ImportStatus.PENDING
    assert not School.objects.filter(code="TH-1").exists()


def test_template_download(client, world):
    client.force_login(world.officer_commune_a)
    response = client.get(reverse("units:import_template", args=["don-vi"]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert 'filename="mau-nhap-don-vi.xlsx"' in response["Content-Disposition"]
    header = next(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(max_row=1, values_only=True))
    assert list(header) == UNIT_HEADER
    assert client.get(reverse("units:import_template", args=["khac"])).status_code == 404


def test_preview_query_count_does_not_grow_with_rows(client, world, django_assert_max_num_queries):
    client.force_login(world.officer_district)
    rows = [*_school_rows(300), ["SA", "Trùng", "TH", "", "P01-D1-A", "", "", ""]]
    _upload(client, "schools", xlsx_file(rows))
    batch = ImportBatch.objects.get()
    # session, user, the user's scope (memberships) and the batch
    with django_assert_max_num_queries(4):
        response = client.get(reverse("units:import_preview", args=[batch.pk]))
    assert response.status_code == 200
    assert "300 dòng hợp lệ" in response.content.decode()
