import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from kiemdinh.evidence import services
from kiemdinh.evidence.models import (
    CycleEvidence,
    Evidence,
    EvidenceCitation,
    EvidenceFile,
    EvidenceImportBatch,
    EvidenceVersion,
)
from kiemdinh.evidence.tests.conftest import criterion, pdf, pdf_bytes
from kiemdinh.selfassessment.models import CriterionForm
from kiemdinh.selfassessment.services import cycle_set_status
from kiemdinh.workflow.services import cycle_open


def url(name, cycle, *args):
    return reverse(f"evidence:{name}", args=[cycle.pk, *args])


def add(world, cycle, code="1.1", name="Quyết định thành lập Hội đồng trường", **kwargs):
    return services.evidence_create(
        actor=world.principal_a, cycle=cycle, criterion=criterion(cycle, code), name=name, **kwargs
    )


@pytest.fixture
def item(world, cycle):
    return add(world, cycle, files=[pdf("Quyết định số 12.pdf")])


# --- Access --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["principal_b", "officer_other_province"])
def test_out_of_scope_users_get_404_everywhere(client, world, cycle, item, persona):
    client.force_login(getattr(world, persona))
    file_id = item.version.files.get().pk
    for target in [
        url("list", cycle),
        url("health", cycle),
        url("detail", cycle, item.pk),
        url("download", cycle, file_id),
        url("add", cycle),
        url("import_start", cycle),
        url("import_template", cycle),
    ]:
        assert client.get(target).status_code == 404, target
    assert client.post(url("add", cycle), {"criterion": item.criterion_id, "name": "X"}).status_code == 404
    assert Evidence.objects.count() == 1


def test_anonymous_is_sent_to_login(client, cycle):
    response = client.get(url("list", cycle))
    assert response.status_code == 302
    assert "/tai-khoan/" in response["Location"]


def test_officer_reads_but_cannot_add(client, world, cycle, item):
    client.force_login(world.officer_commune_a)
    page = client.get(url("list", cycle)).content.decode()
    assert "[H1-1.1-01]" in page and "Quyết định thành lập Hội đồng trường" in page
    assert "Thêm minh chứng" not in page
    assert client.get(url("detail", cycle, item.pk)).status_code == 200
    response = client.post(url("add", cycle), {"criterion": item.criterion_id, "name": "Của cán bộ"})
    assert response.status_code == 403
    assert client.post(url("cite", cycle, item.pk), {"criterion": criterion(cycle, "2.1").pk}).status_code == 403
    assert Evidence.objects.count() == 1
    assert not EvidenceCitation.objects.exists()


def test_member_adds_evidence_with_several_files(any_storage, client, world, cycle, media_files):
    client.force_login(world.member_a)
    page = client.get(url("list", cycle)).content.decode()
    assert 'type="file" name="files"' in page and "multiple" in page
    response = client.post(
        url("add", cycle),
        {
            "criterion": criterion(cycle, "1.2").pk,
            "name": "Biên bản họp Hội đồng trường",
            "issue_ref": "Số 05/BB-HĐT, ngày 10/9/2025",
            "issued_by": "Hội đồng trường",
            "valid_until": "2030-05-31",
            "files": [pdf("bien-ban.pdf"), pdf("phu-luc.pdf", "phụ lục")],
        },
    )
    link = CycleEvidence.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"?tcu=1#mc-{link.pk}")  # the item's standard, should the list be split
    assert link.code == "[H1-1.2-01]"
    assert link.version.files.count() == 2
    assert str(link.version.valid_until) == "2030-05-31"
    page = client.get(response["Location"]).content.decode()
    assert "Đã thêm minh chứng [H1-1.2-01]" in page
    assert "bien-ban.pdf" in page and "Số 05/BB-HĐT" in page
    # Both files are in the storage under the names it gave them, and come back as they were uploaded.
    rows = link.version.files.order_by("original_name")
    assert media_files() == sorted(row.file.name for row in rows)
    download = client.get(url("download", cycle, rows.get(original_name="phu-luc.pdf").pk))
    assert b"".join(download.streaming_content) == pdf_bytes("phụ lục")


def test_add_with_bad_file_shows_message_and_writes_nothing(any_storage, client, world, cycle, media_files):
    client.force_login(world.member_a)
    fake = pdf("gia.pdf")
    fake.file = io.BytesIO(b"MZ this is an executable" * 10)
    fake.size = 240
    response = client.post(url("add", cycle), {"criterion": criterion(cycle, "1.1").pk, "name": "X", "files": [fake]})
    assert response.status_code == 200
    assert "không phải là PDF" in response.content.decode()
    assert not Evidence.objects.exists() and media_files() == []
    response = client.post(url("add", cycle), {"criterion": "", "name": ""})
    body = response.content.decode()
    assert "Hãy chọn tiêu chí." in body and "Thiếu tên minh chứng." in body


def test_identical_file_offers_reuse_then_allows_either_choice(client, world, cycle, item):
    client.force_login(world.member_a)
    c23 = criterion(cycle, "2.3")
    data = {"criterion": c23.pk, "name": "Quyết định (bản chụp)", "files": [pdf("ban-chup.pdf")]}
    response = client.post(url("add", cycle), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Dùng lại minh chứng đã có" in body and "[H1-1.1-01]" in body
    assert Evidence.objects.count() == 1
    # Reuse: the item keeps its code and is listed under 2.3 too.
    response = client.post(url("reuse", cycle), {"evidence": item.evidence_id, "criterion": c23.pk})
    assert response.status_code == 302
    assert list(EvidenceCitation.objects.values_list("criterion__code", flat=True)) == ["2.3"]
    assert Evidence.objects.count() == 1
    # Or create a new item anyway.
    response = client.post(url("add", cycle), {**data, "files": [pdf("ban-chup.pdf")], "allow_duplicate": "True"})
    assert response.status_code == 302
    assert Evidence.objects.count() == 2
    assert CycleEvidence.objects.get(version__name="Quyết định (bản chụp)").code == "[H2-2.3-01]"


def test_reuse_refuses_items_of_another_school(client, world, cycle, frameworks_loaded):
    other = Evidence.objects.create(school=world.school_b)
    client.force_login(world.member_a)
    response = client.post(url("reuse", cycle), {"evidence": other.pk, "criterion": criterion(cycle, "1.1").pk})
    assert response.status_code == 404
    assert not CycleEvidence.objects.exists()


def test_submitted_cycle_is_read_only(client, world, cycle, item):
    cycle_set_status(actor=None, cycle=cycle, status="submitted")
    client.force_login(world.principal_a)
    page = client.get(url("list", cycle)).content.decode()
    assert "[H1-1.1-01]" in page and "+ Thêm minh chứng" not in page
    assert client.post(url("add", cycle), {"criterion": item.criterion_id, "name": "X"}).status_code == 403
    assert client.post(url("detail", cycle, item.pk), {"name": "Đổi"}).status_code == 403
    assert EvidenceVersion.objects.get().name == "Quyết định thành lập Hội đồng trường"


# --- Search --------------------------------------------------------------------------------------------------


def test_search_without_diacritics_full_page_and_htmx_fragment(client, world, cycle):
    add(world, cycle, name="Quyết định thành lập Hội đồng trường")
    add(world, cycle, code="3.1", name="Biên bản kiểm kê tài sản")
    client.force_login(world.officer_commune_a)
    page = client.get(url("list", cycle), {"q": "kiem ke"}).content.decode()
    assert "<html" in page and "Biên bản kiểm kê tài sản" in page and "Quyết định thành lập" not in page
    assert 'hx-trigger="input changed delay:300ms' in page
    response = client.get(url("list", cycle), {"q": "QUYET"}, headers={"HX-Request": "true"})
    fragment = response.content.decode()
    assert "<html" not in fragment and 'id="evidence-results"' in fragment
    assert "Quyết định thành lập" in fragment and "kiểm kê" not in fragment
    assert "HX-Request" in response["Vary"]
    fragment = client.get(url("list", cycle), {"tc": "3.1"}, headers={"HX-Request": "true"}).content.decode()
    assert "kiểm kê" in fragment and "Quyết định" not in fragment


def test_list_shows_shared_items_under_each_criterion(client, world, cycle, item):
    services.evidence_cite(actor=None, cycle_evidence=item, criterion=criterion(cycle, "2.2"))
    client.force_login(world.member_a)
    page = client.get(url("list", cycle)).content.decode()
    assert page.count("[H1-1.1-01]") == 2
    assert "Cũng dùng cho tiêu chí 2.2" in page
    assert "Cũng dùng cho tiêu chí 1.1" in page


def test_list_links_open_each_item_and_download_its_file(client, world, cycle, item):
    """The rows' links are built from the list's URL (no reverse per row): they must resolve to the right views."""
    from django.urls import resolve

    client.force_login(world.member_a)
    page = client.get(url("list", cycle)).content.decode()
    file_id = item.version.files.get().pk
    assert f'href="{url("detail", cycle, item.pk)}"' in page
    assert f'href="{url("download", cycle, file_id)}"' in page
    assert resolve(url("detail", cycle, item.pk)).url_name == "detail"
    assert client.get(url("download", cycle, file_id)).status_code == 200


def test_a_large_register_opens_one_standard_at_a_time(client, world, cycle, monkeypatch):
    from kiemdinh.evidence import selectors

    for code in ("1.1", "1.2", "2.1", "3.1"):
        add(world, cycle, code=code, name=f"Minh chứng của tiêu chí {code}")
    client.force_login(world.member_a)
    whole = client.get(url("list", cycle)).text
    assert 'data-testid="evidence-standard-tabs"' not in whole and "tiêu chí 3.1" in whole  # small: everything
    monkeypatch.setattr(selectors, "SPLIT_ABOVE_ROWS", 3)
    first = client.get(url("list", cycle)).text
    assert 'data-testid="evidence-standard-tabs"' in first
    assert "tiêu chí 1.2" in first and "tiêu chí 2.1" not in first and "Tổng cộng 4 minh chứng." in first
    assert 'href="?tcu=2"' in first and "(1)" in first
    third = client.get(url("list", cycle), {"tcu": "3"}).text
    assert "tiêu chí 3.1" in third and "tiêu chí 1.1" not in third
    everything = client.get(url("list", cycle), {"tcu": "tat-ca"}).text
    assert all(f"tiêu chí {c}" in everything for c in ("1.1", "1.2", "2.1", "3.1"))
    assert client.get(url("list", cycle), {"tcu": "99"}).text.count("Minh chứng của tiêu chí") == 2  # unknown: first
    # A search or a criterion filter looks through every standard.
    found = client.get(url("list", cycle), {"q": "tieu chi 3.1"}, headers={"HX-Request": "true"}).text
    assert "tiêu chí 3.1" in found and 'data-testid="evidence-standard-tabs"' not in found


def _list_queries(client, cycle) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url("list", cycle)).status_code == 200
    return len(ctx.captured_queries)


def test_list_page_queries_do_not_grow_with_items(client, world, cycle):
    def fill(start, stop):
        for i in range(start, stop):
            link = add(world, cycle, code=f"{1 + i % 5}.1", name=f"Minh chứng {i}", files=[pdf(f"t{i}.pdf", str(i))])
            if i % 4 == 0:
                services.evidence_cite(actor=None, cycle_evidence=link, criterion=criterion(cycle, "4.2"))

    client.force_login(world.member_a)
    fill(0, 30)
    at_30 = _list_queries(client, cycle)
    fill(30, 60)
    assert _list_queries(client, cycle) == at_30


# --- Item page -----------------------------------------------------------------------------------------------


def test_edit_item(client, world, cycle, item):
    client.force_login(world.secretary_a)
    response = client.post(
        url("detail", cycle, item.pk), {"name": "Quyết định số 12", "issue_ref": "12/QĐ", "link": "https://a.vn/x"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.version.name, item.version.link) == ("Quyết định số 12", "https://a.vn/x")
    response = client.post(url("detail", cycle, item.pk), {"name": ""})
    assert response.status_code == 400
    assert "Thiếu tên minh chứng." in response.content.decode()


def test_cite_and_uncite_with_htmx_and_without(client, world, cycle, item):
    client.force_login(world.member_a)
    c21 = criterion(cycle, "2.1")
    response = client.post(url("cite", cycle, item.pk), {"criterion": c21.pk}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and 'id="evidence-citations"' in body
    assert "Tiêu chí 2.1" in body
    response = client.post(
        url("cite", cycle, item.pk), {"criterion": item.criterion_id}, headers={"HX-Request": "true"}
    )
    assert "là tiêu chí gốc" in response.content.decode()
    response = client.post(url("uncite", cycle, item.pk, c21.pk))
    assert response.status_code == 302
    assert not EvidenceCitation.objects.exists()


def test_file_add_and_remove(any_storage, client, world, cycle, item, media_files, django_capture_on_commit_callbacks):
    client.force_login(world.member_a)
    response = client.post(url("file_add", cycle, item.pk), {"files": [pdf("them.pdf", "thêm")]})
    assert response.status_code == 302
    assert item.version.files.count() == 2 and len(media_files()) == 2
    response = client.post(url("file_add", cycle, item.pk), {"files": [pdf("lai.pdf", "thêm")]}, follow=True)
    assert "đã có trong minh chứng này" in response.content.decode()
    row = item.version.files.get(original_name="them.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("file_remove", cycle, item.pk, row.pk), headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'id="evidence-files"' in response.content.decode()
    assert item.version.files.count() == 1
    assert media_files() == [item.version.files.get().file.name]
    assert client.get(url("download", cycle, row.pk)).status_code == 404


def test_remove_from_cycle_refused_while_cited(client, world, cycle, item):
    CriterionForm.objects.create(cycle=cycle, criterion=criterion(cycle, "1.1"), strengths="Có [H1-1.1-01].")
    client.force_login(world.member_a)
    response = client.post(url("remove", cycle, item.pk), follow=True)
    assert "đang được trích dẫn trong phiếu đánh giá tiêu chí 1.1" in response.content.decode()
    assert CycleEvidence.objects.filter(pk=item.pk).exists()


# --- Downloads -----------------------------------------------------------------------------------------------


def test_download_is_an_attachment_with_nosniff(any_storage, client, world, cycle, item):
    client.force_login(world.officer_commune_a)
    row = item.version.files.get()
    assert any_storage.exists(row.file.name)
    response = client.get(url("download", cycle, row.pk))
    assert response.status_code == 200
    assert (
        response["Content-Disposition"]
        == "attachment; filename*=utf-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%20s%E1%BB%91%2012.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert int(response["Content-Length"]) == len(pdf_bytes())
    # A file gone from the storage is a 404, not an error page.
    any_storage.delete(row.file.name)
    assert client.get(url("download", cycle, row.pk)).status_code == 404


def test_download_of_a_file_outside_the_cycle_is_404(client, world, cycle, item):
    other = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2024-2025")
    client.force_login(world.principal_a)
    assert client.get(url("download", other, item.version.files.get().pk)).status_code == 404
    assert client.get(url("download", cycle, 999999)).status_code == 404
    item_b = Evidence.objects.create(school=world.school_b)
    row_b = EvidenceFile.objects.create(
        version=EvidenceVersion.objects.create(evidence=item_b, number=1, name="B"),
        size=1,
        sha256="0" * 64,
        file="x/y.pdf",
    )
    assert client.get(url("download", cycle, row_b.pk)).status_code == 404


# --- Health --------------------------------------------------------------------------------------------------


def test_health_page(client, world, cycle, item):
    add(world, cycle, code="2.1", name="Giấy phép cũ", valid_until=date(2020, 1, 1))
    CriterionForm.objects.create(
        cycle=cycle, criterion=criterion(cycle, "1.1"), descriptions={"1.a": "Có [H1-1.1-01] và [H1-1.1-07]."}
    )
    client.force_login(world.officer_commune_a)
    page = client.get(url("health", cycle)).content.decode()
    assert "Kiểm tra minh chứng" in page
    assert "Tiêu chí chưa có minh chứng (25)" in page
    assert "Mã được trích dẫn nhưng không có trong danh mục (1)" in page and "[H1-1.1-07]" in page
    assert "Minh chứng chưa được trích dẫn trong phiếu nào (1)" in page
    assert "Minh chứng đã hết hiệu lực (1)" in page and "hết hiệu lực từ 01/01/2020" in page
    assert reverse("workflow:form", args=[cycle.pk, "1.2"]) in page
    expired = CycleEvidence.objects.get(code="[H2-2.1-01]")
    assert url("detail", cycle, expired.pk) in page
    assert 'aria-current="page">Kiểm tra minh chứng' in page


# --- Import --------------------------------------------------------------------------------------------------


def _xlsx(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.name = "danh-muc.xlsx"
    buffer.seek(0)
    return buffer


def test_import_flow(client, world, cycle):
    client.force_login(world.secretary_a)
    assert client.get(url("import_start", cycle)).status_code == 200
    header = ["TT", "Mã minh chứng", "Tên minh chứng", "Số, ngày ban hành", "Nơi ban hành", "Ghi chú"]
    bad = _xlsx([header, ["Tiêu chí 1.1"], [1, "H1-1.1", "Sai mã"]])
    response = client.post(url("import_start", cycle), {"file": bad})
    batch = EvidenceImportBatch.objects.get()
    assert response["Location"] == url("import_preview", cycle, batch.pk)
    page = client.get(response["Location"]).content.decode()
    assert "không đúng dạng" in page and "Xác nhận nhập" not in page
    assert client.post(url("import_commit", cycle, batch.pk)).status_code == 302
    assert not CycleEvidence.objects.exists()
    client.post(url("import_discard", cycle, batch.pk))
    good = _xlsx([header, ["Tiêu chí 1.1"], [1, "[H1-1.1-01]", "Kế hoạch"], ["Tiêu chí 1.2"], [1, "[H1-1.1-01]", ""]])
    response = client.post(url("import_start", cycle), {"file": good})
    page = client.get(response["Location"]).content.decode()
    assert "Xác nhận nhập" in page and "Dùng lại cho tiêu chí 1.2" in page
    batch = EvidenceImportBatch.objects.filter(status="pending").get()
    response = client.post(url("import_commit", cycle, batch.pk), follow=True)
    assert "Đã nhập 1 minh chứng mới và 1 lượt dùng lại" in response.content.decode()
    assert CycleEvidence.objects.get().code == "[H1-1.1-01]"


def test_import_upload_error_and_template(client, world, cycle):
    client.force_login(world.member_a)
    response = client.post(url("import_start", cycle), {"file": io.BytesIO(b"x")})
    assert response.status_code == 200
    response = client.get(url("import_template", cycle))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    client.force_login(world.officer_commune_a)
    assert client.get(url("import_start", cycle)).status_code == 403
    assert client.get(url("import_template", cycle)).status_code == 200


def test_carry_over_from_another_cycle(client, world, cycle, item):
    target = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2024-2025")
    client.force_login(world.principal_a)
    page = client.get(url("list", target)).content.decode()
    assert "Kế thừa minh chứng" in page
    response = client.post(url("carry_over", target), {"source": cycle.pk}, follow=True)
    assert "Đã kế thừa 1 minh chứng từ năm học 2025-2026" in response.content.decode()
    assert CycleEvidence.objects.get(cycle=target).code == "[H1-1.1-01]"
