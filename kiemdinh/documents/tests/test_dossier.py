"""Hồ sơ điện tử (dossier zip): contents, manifest, offline-only pages, query count, and a browser walk from disk."""

import hashlib
import io
import json
import re
import unicodedata
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kiemdinh.documents import kinds, rendering
from kiemdinh.documents.dossier import build_dossier, dossier_zip, safe_name
from kiemdinh.evidence.models import CycleEvidence, EvidenceFile
from kiemdinh.evidence.services import evidence_cite, evidence_create, evidence_file_add
from kiemdinh.frameworks.models import Criterion
from kiemdinh.selfassessment.models import Cycle
from kiemdinh.selfassessment.tests.builders import add_council, fill_forms
from kiemdinh.testing.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, screenshot
from kiemdinh.testing.storage import stored_names
from kiemdinh.workflow.services import cycle_open

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TXT_NAME = 'Kế hoạch [2025]: số 1 "đợt" <a>?.txt'
EXTERNAL = "https://csdl.moet.gov.vn/minh-chung/123"


@pytest.fixture
def cycle(world, make_cycle):
    """School A's 2025-2026 cycle (TT17/2018): 1.1, 1.2 and 2.1 filled, files on 1.1, an item with a link only."""
    cycle = make_cycle("2025-2026")
    add_council(cycle, world.principal_a)
    fill_forms(cycle, world.principal_a, criteria={"1.1", "1.2", "2.1"})
    actor = world.principal_a
    first = CycleEvidence.objects.get(cycle=cycle, criterion__code="1.1")
    add_file(actor, cycle, first, "Quyết định.pdf", PDF, "application/pdf")
    add_file(actor, cycle, first, TXT_NAME, "Nội dung kế hoạch.\n".encode(), "text/plain")
    add_file(actor, cycle, first, unicodedata.normalize("NFD", "Biên bản họp.txt"), b"bien ban\n", "text/plain")
    online = evidence_create(
        actor=actor,
        cycle=cycle,
        criterion=Criterion.objects.get(version=cycle.framework, code="1.2"),
        name="Cổng thông tin điện tử của trường",
        issue_ref="Số 12/QĐ-THAB, ngày 05/9/2025",
        issued_by="Trường Tiểu học An Bình",
        link=EXTERNAL,
    )
    evidence_cite(
        actor=actor, cycle_evidence=online, criterion=Criterion.objects.get(version=cycle.framework, code="3.1")
    )
    return Cycle.objects.get(pk=cycle.pk)


def add_file(actor, cycle, link, name, data, content_type):
    upload = SimpleUploadedFile(name, data, content_type=content_type)
    return evidence_file_add(actor=actor, cycle_evidence=link, uploaded_file=upload)


def open_zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def html_members(archive: zipfile.ZipFile) -> dict[str, str]:
    return {n: archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".html")}


def test_zip_holds_the_report_a_page_per_criterion_and_evidence_item_and_every_file(any_storage, cycle):
    ctx = build_dossier(cycle)
    archive = open_zip(dossier_zip(ctx))
    names = set(archive.namelist())
    assert {"index.html", "style.css", "manifest.json"} <= names
    criteria = Criterion.objects.filter(version=cycle.framework).values_list("code", flat=True)
    assert len(criteria) > 20
    assert {f"tieu-chi/{code}.html" for code in criteria} <= names
    links = CycleEvidence.objects.filter(cycle=cycle)
    assert {f"minh-chung/{safe_name(link.code)}.html" for link in links} <= names
    assert "minh-chung/H1-1.1-01.html" in names
    stored = EvidenceFile.objects.filter(version__cycle_links__cycle=cycle)
    assert stored.count() == 3 == len(ctx.files)
    assert all(any_storage.exists(f.storage_name) for f in ctx.files)
    for f in ctx.files:
        assert archive.read(f.path) == EvidenceFile.objects.get(sha256=f.sha256).file.open("rb").read()
    folder = "minh-chung/tep/H1-1.1-01/"
    assert f"{folder}Quyết định.pdf" in names
    assert f"{folder}Kế hoạch 2025_ số 1 _đợt_ _a__.txt" in names  # [] dropped, Windows-forbidden characters replaced
    assert f"{folder}Biên bản họp.txt" in names  # uploaded in NFD, stored NFC
    for name in names:
        assert name == unicodedata.normalize("NFC", name)
        assert not re.search(r'[\[\]\\:*?"<>|]', name), name
        assert archive.getinfo(name).compress_type == zipfile.ZIP_DEFLATED
    assert archive.testzip() is None


def test_manifest_hashes_every_member_and_states_the_result(cycle):
    archive = open_zip(dossier_zip(build_dossier(cycle)))
    manifest = json.loads(archive.read("manifest.json"))
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(archive.namelist()) - {"manifest.json"}
    for path, entry in listed.items():
        data = archive.read(path)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), path
        assert entry["size"] == len(data)
    pdf = listed["minh-chung/tep/H1-1.1-01/Quyết định.pdf"]
    assert pdf["sha256"] == hashlib.sha256(PDF).hexdigest() and "sha256_at_upload" not in pdf
    assert manifest["school"]["name"] == "Trường Tiểu học An Bình"
    assert manifest["school_year"] == "2025-2026"
    assert manifest["framework"]["code"] == cycle.framework.code
    assert manifest["result"]["criteria"]["1.1"] >= 1
    assert manifest["generated_at"].endswith("+07:00")
    assert manifest["unreadable_files"] == []
    assert "điểm mạnh tiêu chí 3.1" in manifest["missing"]


def test_pages_link_codes_to_evidence_pages_and_mark_missing_data(cycle):
    ctx = build_dossier(cycle)
    pages = html_members(open_zip(dossier_zip(ctx)))
    index = pages["index.html"]
    for code in CycleEvidence.objects.filter(cycle=cycle).values_list("code", flat=True):
        assert code in index
        assert f'href="minh-chung/{safe_name(code)}.html"' in index
    assert "BÁO CÁO TỰ ĐÁNH GIÁ" in index and "TỔNG HỢP KẾT QUẢ TỰ ĐÁNH GIÁ" in index
    assert 'href="tieu-chi/1.1.html"' in index
    assert '<span class="missing">[CHƯA CÓ DỮ LIỆU: Kết luận chung]</span>' in index
    assert "(dùng chung, mã thuộc tiêu chí 1.2)" in index  # the item cited under 3.1 is listed there too

    filled = pages["tieu-chi/1.1.html"]
    assert '<a class="cite" href="../minh-chung/H1-1.1-01.html">[H1-1.1-01]</a>' in filled
    assert "Điểm mạnh rõ." in filled and "Đạt Mức" in filled
    assert '<link rel="stylesheet" href="../style.css">' in filled
    empty = pages["tieu-chi/3.1.html"]
    assert '<span class="missing">[CHƯA CÓ DỮ LIỆU: điểm mạnh tiêu chí 3.1]</span>' in empty
    assert "Chưa đạt Mức 1" in empty

    evidence = pages["minh-chung/H1-1.1-01.html"]
    assert 'href="tep/H1-1.1-01/Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh.pdf"' in evidence
    assert "Quyết định.pdf" in evidence and hashlib.sha256(PDF).hexdigest() in evidence
    assert 'href="../tieu-chi/1.1.html"' in evidence
    for target in re.findall(r'href="(tep/[^"]+)"', evidence):
        assert f"minh-chung/{unquote(target)}" in {f.path for f in ctx.files}
    online = pages["minh-chung/H1-1.2-02.html"]
    assert f'href="{EXTERNAL}"' in online and "Số 12/QĐ-THAB, ngày 05/9/2025" in online
    assert "không có tệp điện tử đính kèm" in online
    assert all(unicodedata.is_normalized("NFC", text) for text in pages.values())


def test_pages_load_nothing_from_the_network(cycle):
    archive = open_zip(dossier_zip(build_dossier(cycle)))
    css = archive.read("style.css").decode()
    assert "@import" not in css and "url(" not in css
    allowed = {EXTERNAL}
    for name, text in html_members(archive).items():
        assert "<script" not in text and "<iframe" not in text and " src=" not in text, name
        assert re.findall(r"<link [^>]*>", text) == [
            f'<link rel="stylesheet" href="{"../" * name.count("/")}style.css">'
        ]
        remote = set(re.findall(r"""https?://[^\s"'<>)]+""", text))
        assert remote <= allowed, (name, remote - allowed)
        for target in re.findall(r'href="([^"]+)"', text):
            if target not in allowed:
                assert not re.match(r"^[a-z]+:|^/", target), (name, target)  # relative only


def test_file_missing_from_storage_is_marked_not_fatal(any_storage, cycle):
    ctx = build_dossier(cycle)
    lost = next(f for f in ctx.files if f.original_name == "Quyết định.pdf")
    any_storage.delete(lost.storage_name)
    archive = open_zip(dossier_zip(ctx))
    assert lost.path not in archive.namelist()
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["unreadable_files"] == [lost.path]
    page = archive.read("minh-chung/H1-1.1-01.html").decode()
    assert "[CHƯA CÓ DỮ LIỆU: tệp “Quyết định.pdf” không đọc được từ kho lưu trữ]" in page


def test_listed_for_the_download_page_and_export(cycle):
    kind = kinds.get("dossier")
    assert kind.title == "Hồ sơ điện tử cho đoàn đánh giá ngoài (tệp nén)"
    assert kind.formats == ("zip",)
    with pytest.raises(ValueError, match="ghi thẳng vào tệp"):  # never built in memory by rendering
        kinds.render("dossier", cycle, "zip")
    rendered = rendering.render_to_file(kind, cycle, kind.build(cycle), "zip")
    with rendered.file:
        assert rendered.filename == "ho-so-tu-danh-gia-SA-2025-2026.zip"
        assert rendered.content_type == "application/zip"
        assert "index.html" in zipfile.ZipFile(rendered.file).namelist()


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("[H1-1.1-01]", "H1-1.1-01"),
        ("MC.1.3.01", "MC.1.3.01"),
        ('a/b\\c:d*e?f"g<h>i|j.pdf', "a_b_c_d_e_f_g_h_i_j.pdf"),
        ("CON.txt", "_CON.txt"),
        ("  tên . ", "tên"),
        ("...", "tep"),
        (unicodedata.normalize("NFD", "Ảnh lễ khai giảng.jpg"), "Ảnh lễ khai giảng.jpg"),
        ("x" * 300 + ".docx", "x" * 95 + ".docx"),
    ],
)
def test_safe_name(name, safe):
    assert safe_name(name) == safe


def test_build_query_count_does_not_grow_with_the_cycle(world, frameworks_loaded):
    cycle = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2025-2026")
    codes = list(Criterion.objects.filter(version=cycle.framework).values_list("code", flat=True))
    assert len(codes) == 27

    def count() -> int:
        fresh = Cycle.objects.select_related("school__unit", "framework").get(pk=cycle.pk)
        with CaptureQueriesContext(connection) as queries:
            build_dossier(fresh)
        return len(queries)

    fill_forms(cycle, world.principal_a, criteria=set(codes[:2]))
    for i, link in enumerate(CycleEvidence.objects.filter(cycle=cycle)):
        add_file(world.principal_a, cycle, link, f"Tệp {i}.pdf", PDF + str(i).encode(), "application/pdf")
    small = count()
    fill_forms(cycle, world.principal_a, criteria=set(codes[2:]))
    for i, link in enumerate(CycleEvidence.objects.filter(cycle=cycle, criterion__code__in=codes[2:])):
        add_file(world.principal_a, cycle, link, f"Tệp lớn {i}.pdf", PDF + f"x{i}".encode(), "application/pdf")
    assert len(build_dossier(Cycle.objects.get(pk=cycle.pk)).files) == 27
    assert count() == small


# --- Browser: the unzipped package opened from disk ------------------------------------------------------------------


@pytest.mark.browser
def test_unzipped_dossier_opens_from_disk_in_chromium(cycle, tmp_path):
    require_chromium()
    folder = tmp_path / "ho-so"
    open_zip(dossier_zip(build_dossier(cycle))).extractall(folder)
    index = (folder / "index.html").as_uri()
    from playwright.sync_api import sync_playwright

    # Every database read happens above: Playwright runs an event loop in this thread from here on.
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page = context.new_page()
        remote = []
        page.on("request", lambda r: remote.append(r.url) if r.url.startswith(("http:", "https:", "ws")) else None)
        page.goto(index)
        assert page.locator("h1", has_text="BÁO CÁO TỰ ĐÁNH GIÁ").is_visible()
        result = page.get_by_test_id("result")
        assert result.is_visible() and "Mức 1: 3/27 tiêu chí đạt" in result.inner_text()
        assert page.locator("table.levels").is_visible()
        # The stylesheet was found next to the page (its colours apply).
        assert page.eval_on_selector("h2", "e => getComputedStyle(e).borderBottomStyle") == "solid"
        screenshot(page, "dossier-index")

        page.click("table.levels a[href='tieu-chi/1.1.html']")
        page.wait_for_url("**/tieu-chi/1.1.html")
        assert "Tiêu chí 1.1" in page.inner_text("h1")
        assert page.get_by_test_id("criterion-level").inner_text().startswith("Đạt Mức")
        screenshot(page, "dossier-criterion")

        page.locator("a.cite").first.click()
        page.wait_for_url("**/minh-chung/H1-1.1-01.html")
        assert "[H1-1.1-01]" in page.inner_text("h1")
        screenshot(page, "dossier-evidence")

        # Chromium shows a PDF in its viewer or downloads it, depending on the build: either proves the link.
        downloads = []
        page.on("download", lambda download: downloads.append(download))
        page.locator("a.evidence-file", has_text="Quyết định.pdf").click()
        file_url = "minh-chung/tep/H1-1.1-01/Quyết định.pdf"
        for _ in range(50):
            if downloads or unquote(page.url).endswith(file_url):
                break
            page.wait_for_timeout(100)
        if downloads:
            assert downloads[0].suggested_filename == "Quyết định.pdf"
            assert Path(downloads[0].path()).read_bytes() == PDF
        else:
            assert unquote(page.url).endswith(file_url), page.url
            screenshot(page, "dossier-file")
        # A name that had to be made safe ([]:"<>? dropped or replaced) opens through its encoded link too.
        page.goto((folder / "minh-chung" / "H1-1.1-01.html").as_uri())
        page.locator("a.evidence-file", has_text="Kế hoạch").click()
        page.wait_for_url("**/tep/H1-1.1-01/*.txt")
        assert "dung k" in page.inner_text("body")
        assert remote == []
        context.close()
        browser.close()


@pytest.mark.usefixtures("frameworks_loaded")
def test_index_shows_the_phan_1_statistics_or_their_markers(world):
    import zipfile as _zip
    from io import BytesIO

    from kiemdinh.documents.dossier import build_dossier, dossier_zip
    from kiemdinh.selfassessment.services import school_statistics_save
    from kiemdinh.workflow.services import cycle_open

    cycle = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2025-2026")
    school_statistics_save(actor=world.principal_a, cycle=cycle, table="classes", values={"k1": {"2025-2026": "4"}})
    index = _zip.ZipFile(BytesIO(dossier_zip(build_dossier(cycle)))).read("index.html").decode()
    assert '<td class="num">4</td>' in index
    assert "[CHƯA CÓ DỮ LIỆU: số liệu Phần I – " in index


# --- the download streams from a temporary file (issue #18 §4) -------------------------------------------------------


def test_the_dossier_download_streams_from_a_file_and_never_holds_the_archive(any_storage, client, world, cycle):
    """A 45 MB dossier added about 40 MB to the worker: the zip was built in memory. Now it is written to a temporary
    file and streamed; what the worker holds stays far below the evidence it carries (tracemalloc counts every
    Python allocation; the files' bytes pass through in 1 MB pieces), from the disk as from S3, whose files are read
    as streams (django-storages' own file object would fetch each whole)."""
    import os
    import tracemalloc

    client.force_login(world.principal_a)
    url = f"/tu-danh-gia/{cycle.pk}/van-ban/dossier.zip"
    # Once before measuring: the first download imports the document modules and compiles the templates.
    warm = client.get(url)
    assert warm.status_code == 200 and (b"".join(warm.streaming_content) if warm.streaming else warm.content)
    link = CycleEvidence.objects.filter(cycle=cycle, criterion__code="1.1").first()
    size = 4 * 1024 * 1024
    for n in range(4):  # 16 MB of evidence files that do not compress
        add_file(world.principal_a, cycle, link, f"Ảnh {n}.pdf", PDF + os.urandom(size), "application/pdf")
    assert len(stored_names(any_storage)) == 7  # the cycle's three and these four, in the storage of the test

    tracemalloc.start()
    try:
        response = client.get(url)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="ho-so-tu-danh-gia-SA-2025-2026.zip"'
    assert response["Content-Type"] == "application/zip"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert peak < 6 * 1024 * 1024  # of 16 MB of files; before, the whole archive plus a copy
    data = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(data) > 4 * size
    archive = open_zip(data)
    assert archive.testzip() is None and "index.html" in archive.namelist()
    assert sum(i.file_size for i in archive.infolist() if i.filename.endswith(".pdf")) > 4 * size


def test_the_export_command_writes_the_dossier_straight_into_its_file(cycle, tmp_path, capsys):
    from django.core.management import call_command

    out = tmp_path / "ho-so" / "ho-so.zip"
    call_command("export", "dossier", "--school", "SA", "--year", "2025-2026", "--format", "zip", "--out", str(out))
    archive = zipfile.ZipFile(out)
    assert archive.testzip() is None and "manifest.json" in archive.namelist()
    assert f"{out} ({out.stat().st_size:,} byte)" in capsys.readouterr().out
