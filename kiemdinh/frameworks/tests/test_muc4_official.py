"""Issue #18 §5: the official Vietnamese Mức 4 items (Điều 22) of TT17, TT18 and TT19, the rule that awards Mức 4 by
them, the TT22/2024 amendment marks, the corrected source typos, and no English regulation text anywhere."""

import io
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st

from kiemdinh.frameworks.contract import evaluate_request
from kiemdinh.frameworks.models import Criterion, FrameworkVersion, Indicator, Level4Item, Standard
from kiemdinh.frameworks.rules import evaluate, regime2018
from kiemdinh.frameworks.spec import DATA_DIR, get_spec, read_data_file
from kiemdinh.frameworks.tests.english import english_words, visible_text
from kiemdinh.frameworks.tests.helpers import all_achieved, engine_input

AMENDED_MARK = "được sửa đổi bởi Thông tư 22/2024/TT-BGDĐT; nội dung sửa đổi chưa cập nhật"
ITEMS = {"tt17-2018": 5, "tt18-2018": 6, "tt19-2018": 6}
# The opening words of each khoản of Điều 22 (the full texts are checked against ../shared/reference when present).
OPENINGS = {
    "tt17-2018": [
        "Kế hoạch giáo dục của nhà trường có những nội dung được tham khảo Chương trình giáo dục tiên tiến",
        "Đảm bảo 100% cho học sinh có hoàn cảnh khó khăn, học sinh có năng khiếu",
        "Thư viện có hệ thống hạ tầng công nghệ thông tin hiện đại, có kết nối Internet",
        "Trong 05 năm liên tiếp tính đến thời điểm đánh giá, nhà trường hoàn thành tất cả các mục tiêu",
        "Trong 05 năm liên tiếp tính đến thời điểm đánh giá, nhà trường có ít nhất 02 năm",
    ],
    "tt18-2018": [
        "Kế hoạch giáo dục của nhà trường có những nội dung được tham khảo chương trình giáo dục tiên tiến",
        "Đảm bảo 100% cho học sinh có hoàn cảnh khó khăn, học sinh có năng khiếu",
        "Nhà trường tại địa bàn vùng khó khăn có học sinh tham gia nghiên cứu khoa học",
        "Thư viện có hệ thống hạ tầng công nghệ thông tin hiện đại phù hợp với tiêu chuẩn trong khu vực",
        "Trong 05 năm liên tiếp tính đến thời điểm đánh giá, nhà trường hoàn thành tất cả các mục tiêu",
        "Trong 05 năm liên tiếp tính đến thời điểm đánh giá, nhà trường có ít nhất 02 năm",
    ],
    "tt19-2018": [
        "Nhà trường phát triển Chương trình giáo dục mầm non của Bộ Giáo dục và Đào tạo",
        "Ít nhất 90% giáo viên đạt chuẩn nghề nghiệp giáo viên ở mức khá",
        "Sân vườn và khu vực cho trẻ chơi có diện tích đạt chuẩn",
        "100% các công trình của nhà trường được xây dựng kiên cố",
        "Trong 05 năm liên tiếp tính đến thời điểm đánh giá, nhà trường hoàn thành tất cả các mục tiêu",
        "Trong 05 năm liên tiếp tính đến thời điểm đánh giá, nhà trường có 02 năm đạt kết quả giáo dục",
    ],
}


def reference_file(name: str) -> Path | None:
    """../shared/reference/frameworks/<name> found above this checkout (main or a worktree), if present."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "reference" / "frameworks" / name
        if candidate.is_file():
            return candidate
    return None


# --- data and counts -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_frameworks_json_reports_five_six_and_six_level4_items(frameworks_loaded):
    out = StringIO()
    call_command("frameworks", "--json", stdout=out)
    entries = {e["id"]: e for e in json.loads(out.getvalue())}
    assert {code: entries[code]["counts"]["level4_items"] for code in ITEMS} == ITEMS
    assert {entries[code]["level4_status"] for code in ITEMS} == {"complete"}


@pytest.mark.parametrize("code", sorted(ITEMS))
def test_level4_items_are_the_vietnamese_text_of_dieu_22(code):
    items = read_data_file(DATA_DIR / f"{code}.yaml")["level4_items"]
    assert [i["code"] for i in items] == [str(n) for n in range(1, ITEMS[code] + 1)]
    for item, opening in zip(items, OPENINGS[code], strict=True):
        assert item["text"].startswith(opening), (code, item["code"])
        assert item["lang"] == "vi" and item["confidence"] == "exact"
        assert item["article"] == f"khoản {item['code']} Điều 22"
        assert item["source"] and not english_words(item["text"])
        assert "text_en" not in item


@pytest.mark.skipif(reference_file("muc4_official_vi.json") is None, reason="../shared/reference is not here")
def test_level4_items_equal_the_reference_texts_but_for_the_documented_typo():
    reference = json.loads(reference_file("muc4_official_vi.json").read_text(encoding="utf-8"))
    for code in ITEMS:
        ours = {i["code"]: i for i in read_data_file(DATA_DIR / f"{code}.yaml")["level4_items"]}
        for ref in reference[code]:
            text = ours[ref["code"]]["text"]
            if ref["text"] != text:  # only TT18 khoản 4 "Thư viên", corrected with a note
                assert (code, ref["code"]) == ("tt18-2018", "4")
                assert text == ref["text"].replace("Thư viên", "Thư viện", 1)
                assert "Thư viên" in ours[ref["code"]]["note"]
            assert ref["article"] == ours[ref["code"]]["article"]


# --- the rule: Mức 4 = Mức 3 and every item of Điều 22 --------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(ITEMS))
def test_a_school_reaches_level4_exactly_with_every_official_item(code):
    spec = get_spec(code)
    indicators = all_achieved(spec)
    assert spec.level4_complete and len(spec.level4_items) == ITEMS[code]
    every = dict.fromkeys(spec.level4_items, True)
    result = evaluate_request({"framework": code, "indicators": indicators, "level4": every})
    assert result["school_level"] == 4 and result["accreditation_grade"] == 4
    assert result["levels"]["4"] == {"achieved": ITEMS[code], "total": ITEMS[code]}
    for item in spec.level4_items:
        one_short = evaluate_request({"framework": code, "indicators": indicators, "level4": every | {item: False}})
        assert one_short["school_level"] == 3, item
    # Mức 4 items never lift a school that is not at Mức 3.
    below = engine_input(indicators)
    first_with_level3 = next(c for c in spec.criteria if c.letters(3))
    below[first_with_level3.code][3] = dict.fromkeys(first_with_level3.letters(3), False)
    assert evaluate(spec, below, every).school_level == 2


SPECS_2018 = [get_spec(code) for code in sorted(ITEMS)]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SPECS_2018), st.data())
def test_level4_property_level3_and_every_item_and_nothing_else(spec, data):
    criteria = {c.code: data.draw(st.integers(0, max(c.level_numbers))) for c in spec.criteria}
    level4 = data.draw(st.dictionaries(st.sampled_from(spec.level4_items), st.booleans()))
    school = regime2018.school_level(spec, criteria, level4)
    without = regime2018.school_level(spec, criteria, {})
    every_item = all(level4.get(code) is True for code in spec.level4_items)
    assert (school == 4) == (without == 3 and every_item)
    assert school == (4 if without == 3 and every_item else without)
    counts = regime2018.level_counts(spec, criteria, level4)
    assert counts[4] == (sum(1 for v in level4.values() if v is True), len(spec.level4_items))


# --- no English regulation text --------------------------------------------------------------------------------------


def _texts_of(version: FrameworkVersion):
    yield f"{version.code} title", version.title
    for field in ("note", "level4_note", "effective_note", "guidance_letter"):
        yield f"{version.code} {field}", getattr(version, field)
    for key, label in (version.sources or {}).items():
        yield f"{version.code} source {key}", label
    for s in Standard.objects.filter(version=version):
        yield f"{version.code} standard {s.code}", " ".join((s.name, s.note, s.source))
    for c in Criterion.objects.filter(version=version):
        yield f"{version.code} criterion {c.code}", " ".join((c.name, c.name_variant, c.note, c.source))
        for a in c.amendments or []:
            texts = [a.get(k, "") for k in ("amended_by", "basis", "note", "source")]
            texts += [i.get("text", "") for i in a.get("indicators") or []]
            yield f"{version.code} amendment {c.code}", " ".join(texts)
    for i in Indicator.objects.filter(criterion__version=version).select_related("criterion"):
        yield f"{version.code} {i}", " ".join((i.text, i.note, i.source))
    for item in Level4Item.objects.filter(version=version):
        yield f"{version.code} Mức 4 {item.code}", " ".join((item.text, item.note, item.source))


@pytest.mark.django_db
def test_no_framework_text_is_english(frameworks_loaded):
    found = {
        where: words
        for version in FrameworkVersion.objects.all()
        for where, text in _texts_of(version)
        if (words := english_words(text))
    }
    assert found == {}


@pytest.mark.django_db
def test_no_framework_page_shows_english(client, frameworks_loaded):
    pages = [reverse("frameworks:list"), reverse("frameworks:list") + "?q=thu+vien"]
    for code in FrameworkVersion.objects.values_list("code", flat=True):
        pages += [reverse("frameworks:detail", args=[code]), reverse("frameworks:detail", args=[code]) + "?q=muc+tieu"]
    found = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        if words := english_words(visible_text(response.content.decode())):
            found[url] = sorted(set(words))
    assert found == {}


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


@pytest.mark.django_db
@pytest.mark.usefixtures("frameworks_loaded")
@pytest.mark.parametrize("school", ["school_a", "school_b", "school_other"])
def test_level4_parts_of_the_report_and_appendices_are_the_official_vietnamese(world, school):
    from kiemdinh.documents.kinds import render
    from kiemdinh.workflow.services import cycle_open

    cycle = cycle_open(actor=world.admin, school=getattr(world, school), school_year="2025-2026")
    report = _docx_text(render("report", cycle, "docx").data)
    start = report.rindex("II. TỰ ĐÁNH GIÁ TIÊU CHÍ MỨC 4")  # the part itself, not its line in the contents
    level4 = report[start : report.index("Phần III. KẾT LUẬN CHUNG", start)]
    for opening in OPENINGS[cycle.framework.code]:
        assert opening in level4
    assert english_words(level4) == []
    for kind in ("scope-worksheet", "criterion-forms"):
        text = _docx_text(render(kind, cycle, "docx").data)
        assert OPENINGS[cycle.framework.code][-1] in text, kind
        assert english_words(text) == [], kind


# --- TT22/2024: amended criteria are marked, never silently shown in their 2018 wording ------------------------------


@pytest.mark.django_db
def test_tt18_5_6_is_marked_amended_on_its_page(client, frameworks_loaded):
    html = client.get(reverse("frameworks:detail", args=["tt18-2018"])).content.decode()
    start = html.index('id="tc-5.6"')
    block = html[start : html.index("</details>", start)]
    assert AMENDED_MARK in visible_text(block)
    assert "25/01/2025" in visible_text(block)


@pytest.mark.django_db
@pytest.mark.usefixtures("frameworks_loaded")
def test_the_report_marks_5_6_amended_for_cycles_from_2025_only(world):
    from kiemdinh.documents.kinds import render
    from kiemdinh.workflow.services import cycle_open

    def criterion_part(year: str) -> str:
        cycle = cycle_open(actor=world.admin, school=world.school_other, school_year=year)
        text = _docx_text(render("report", cycle, "docx").data)
        start = text.index("Tiêu chí 5.6: Kết quả giáo dục")
        return text[start : text.index("1. Mô tả hiện trạng", start)]

    assert AMENDED_MARK in criterion_part("2025-2026")
    assert AMENDED_MARK not in criterion_part("2023-2024")


# --- probable typos of the source, corrected with a provenance note --------------------------------------------------


def _indicator(data: dict, criterion: str, level: int, letter: str) -> dict:
    for s in data["standards"]:
        for c in s["criteria"]:
            if c["code"] == criterion:
                return next(i for i in c["levels"][level] if i["letter"] == letter)
    raise KeyError(criterion)


def _criterion(data: dict, code: str) -> dict:
    return next(c for s in data["standards"] for c in s["criteria"] if c["code"] == code)


def test_source_typos_are_corrected_with_a_note():
    tt17 = read_data_file(DATA_DIR / "tt17-2018.yaml")
    tt18 = read_data_file(DATA_DIR / "tt18-2018.yaml")
    b = _indicator(tt17, "1.6", 1, "b")
    assert "quy chế chi tiêu nội bộ" in b["text"] and "báo cáo tài chính và tài sản" in b["text"]
    assert "chỉ tiêu" not in b["text"] and "chỉ tiêu" in b["note"]
    c = _indicator(tt17, "1.6", 1, "c")
    assert c["text"].endswith("để phục vụ các hoạt động giáo dục.") and "khắc phục" in c["note"]
    m3 = _indicator(tt17, "4.2", 3, "")
    assert "các tổ chức, cá nhân" in m3["text"] and "tô chức" in m3["note"]
    nang = _indicator(tt18, "5.1", 1, "b")
    assert "nâng cao khả năng" in nang["text"] and "năng cao" in nang["note"]
    truyen = _indicator(tt18, "5.5", 1, "c")
    assert "truyền thống văn hóa" in truyen["text"] and "tuyền thống" in truyen["note"]
    assert _criterion(tt17, "3.1")["name"] == "Khuôn viên, sân chơi, sân tập"
    assert not _criterion(tt17, "3.1").get("name_variant")
    assert "cấp ủy Đảng" in _criterion(tt17, "4.2")["name"] and "uỷ" in _criterion(tt17, "4.2")["note"]
    texts = " ".join(
        i["text"]
        for data in (tt17, tt18)
        for s in data["standards"]
        for c in s["criteria"]
        for inds in c["levels"].values()
        for i in inds
    )
    for typo in ("quy chế chỉ tiêu", "để khắc phục các hoạt động", "các tô chức", "năng cao", "tuyền thống"):
        assert typo not in texts, typo


@pytest.mark.django_db
@pytest.mark.usefixtures("frameworks_loaded")
def test_the_criterion_form_page_marks_5_6_amended_for_cycles_from_2025_only(client, world):
    from kiemdinh.workflow.services import cycle_open

    client.force_login(world.admin)
    for year, marked in (("2025-2026", True), ("2024-2025", False)):
        cycle = cycle_open(actor=world.admin, school=world.school_other, school_year=year)
        html = client.get(reverse("workflow:form", args=[cycle.pk, "5.6"])).content.decode()
        assert (f"Mức 3: {AMENDED_MARK}." in visible_text(html)) is marked, year
        other = client.get(reverse("workflow:form", args=[cycle.pk, "5.5"])).content.decode()
        assert AMENDED_MARK not in other
