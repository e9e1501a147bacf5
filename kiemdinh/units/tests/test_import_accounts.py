"""Accounts imported from Excel (issue #21): the preview names every row's problems, nothing is created while one row
is wrong, a commit creates every account with its role (checked again) and e-mails the invitations."""

import pytest
from django.core import mail
from django.urls import reverse

from kiemdinh.accounts.models import Membership, Role, User
from kiemdinh.units.imports.batches import import_batch_commit, import_batch_prepare
from kiemdinh.units.imports.template import template_workbook
from kiemdinh.units.models import ImportKind, ImportStatus
from kiemdinh.units.tests.test_import import csv_file, errors_at, xlsx_file

pytestmark = pytest.mark.django_db

HEADER = ["Họ và tên", "Tên đăng nhập", "Thư điện tử", "Vai trò", "Mã đơn vị", "Mã trường", "Chức vụ"]


def _rows(world, *extra):
    return [
        HEADER,
        ["Ngô Văn Xã", "canbo.moi", "canbo.moi@example.vn", "Cán bộ quản lý", world.school_a.unit.code, "", "Chuyên viên"],
        ["Đào Thị Hiệu", "hieutruong.moi", "", "Hiệu trưởng", "", world.school_a.code, "Hiệu trưởng"],
        *extra,
    ]  # fmt: skip


def test_a_file_with_errors_creates_nothing_and_names_each_problem(world):
    rows = _rows(
        world,
        ["", "HIEUTRUONG_A", "không-phải-thư", "Giáo viên", "", "", ""],  # row 4
        ["Lê Trùng", "canbo.moi", "", "Hiệu trưởng", "", "KHONGCO", ""],  # row 5
        ["Vũ Xa", "xa.xoi", "", "Hiệu trưởng", "", world.school_other.code, ""],  # row 6
        ["Có Dấu", "tên có dấu", "", "Cán bộ quản lý", world.province.code, "", ""],  # row 7
    )
    batch = import_batch_prepare(actor=world.officer_commune_a, kind=ImportKind.ACCOUNTS, uploaded_file=csv_file(rows))
    assert errors_at(batch, 2) == [] and errors_at(batch, 3) == []
    row4 = dict(errors_at(batch, 4))
    assert "Thiếu họ và tên" in row4["Họ và tên"] and "đã có người dùng" in row4["Tên đăng nhập"]
    assert "không hợp lệ" in row4["Thư điện tử"] and "Vai trò" in row4
    row5 = dict(errors_at(batch, 5))
    assert "trùng với dòng 2" in row5["Tên đăng nhập"] and "Không tìm thấy trường" in row5["Mã trường"]
    assert "ngoài phạm vi" in dict(errors_at(batch, 6))["Mã trường"]
    row7 = dict(errors_at(batch, 7))
    assert "chỉ được gồm" in row7["Tên đăng nhập"] and "ngoài phạm vi" in row7["Mã đơn vị"]  # the province is above
    before = User.objects.count()
    with pytest.raises(Exception, match="còn 4 dòng có lỗi"):
        import_batch_commit(actor=world.officer_commune_a, batch=batch)
    assert User.objects.count() == before


def test_a_clean_file_creates_every_account_and_the_page_invites_them(world, client):
    client.force_login(world.officer_commune_a)
    upload = xlsx_file(_rows(world))
    response = client.post(reverse("units:import_start"), {"kind": ImportKind.ACCOUNTS, "file": upload})
    assert response.status_code == 302
    preview = client.get(response["Location"]).content.decode()
    assert "Hiệu trưởng" in preview and "canbo.moi" in preview
    batch_id = int(response["Location"].rstrip("/").split("/")[-1])
    done = client.post(reverse("units:import_commit", args=[batch_id]), follow=True).content.decode()
    assert "Đã nhập 2 tài khoản" in done and "1 tài khoản không có địa chỉ thư" in done
    officer = Membership.objects.get(user__username="canbo.moi")
    assert officer.role == Role.OFFICER and officer.unit == world.school_a.unit and officer.title == "Chuyên viên"
    principal = Membership.objects.get(user__username="hieutruong.moi")
    assert principal.role == Role.PRINCIPAL and principal.school == world.school_a
    assert not User.objects.get(username="hieutruong.moi").has_usable_password()
    (letter,) = mail.outbox
    assert letter.to == ["canbo.moi@example.vn"]


def test_commit_checks_again_against_todays_database(world):
    batch = import_batch_prepare(
        actor=world.officer_commune_a, kind=ImportKind.ACCOUNTS, uploaded_file=csv_file(_rows(world))
    )
    User.objects.create(username="Hieutruong.Moi")  # taken meanwhile, in another case
    with pytest.raises(Exception, match="1 dòng nay có lỗi"):
        import_batch_commit(actor=world.officer_commune_a, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PENDING and not User.objects.filter(username="canbo.moi").exists()


def test_principals_cannot_import_and_the_template_has_the_columns(world, client):
    client.force_login(world.principal_a)
    assert client.post(reverse("units:import_start"), {"kind": ImportKind.ACCOUNTS}).status_code == 403
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(template_workbook(ImportKind.ACCOUNTS))).active
    assert [c.value for c in sheet[1]] == HEADER
