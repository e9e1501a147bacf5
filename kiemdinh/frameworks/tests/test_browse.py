"""Public browsing and diacritic-free search of the regulation versions."""

import re

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from kiemdinh.core.text import fold, highlight, match_spans
from kiemdinh.frameworks.models import FrameworkVersion
from kiemdinh.frameworks.selectors.search import search
from kiemdinh.frameworks.selectors.summaries import version_summaries
from kiemdinh.frameworks.selectors.tree import version_tree

VERSIONS = ["tt17-2018", "tt18-2018", "tt19-2018", "tt57-2026-mn", "tt57-2026-pt"]


def detail_url(code: str, **params) -> str:
    url = reverse("frameworks:detail", args=[code])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def criterion_block(html: str, code: str) -> str:
    """The <details> of one criterion in a detail page."""
    start = html.index(f'id="tc-{code}"')
    return html[start : html.index("</details>", start)]


def level4_section(html: str) -> str:
    start = html.index('id="muc-4"')
    return html[start : html.index("</section>", start)]


def search_fragment(html: str) -> str:
    """From the results fragment up to what follows it (the contents on a detail page, the cards on the list)."""
    start = html.index('id="search-results"')
    ends = [html.find(marker, start) for marker in ('<details class="toc"', '<article class="card')]
    return html[start : min([e for e in ends if e != -1], default=len(html))]


# --- highlight helper --------------------------------------------------------------------------------------------


def test_highlight_maps_folded_matches_back_to_the_original_text():
    assert highlight("Phương hướng, chiến lược xây dựng", "chien luoc") == (
        "Phương hướng, <mark>chiến lược</mark> xây dựng"
    )
    assert highlight("ĐỘI NGŨ và đội ngũ", "Đội ngũ") == "<mark>ĐỘI NGŨ</mark> và <mark>đội ngũ</mark>"
    # a run of spaces in the text matches one space in the query, as the folded column does
    assert highlight("chiến   lược", "chien luoc") == "<mark>chiến   lược</mark>"


def test_highlight_escapes_html_and_keeps_combining_marks_inside_the_match():
    assert highlight("<b>Đội</b> & ngũ", "doi") == "&lt;b&gt;<mark>Đội</mark>&lt;/b&gt; &amp; ngũ"
    decomposed = "đo\u0302\u0323i ngu\u0303"  # "đội ngũ" in NFD form
    assert match_spans(decomposed, "doi ngu") == [(0, len(decomposed))]
    assert highlight("chiến lược", "") == "chiến lược"
    assert match_spans("chiến lược", "xyz") == []


VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵĐÂÊÔƠƯ  ,."


@given(text=st.text(alphabet=VIETNAMESE, max_size=60), query=st.text(alphabet=VIETNAMESE, min_size=1, max_size=6))
def test_every_span_folds_to_the_query(text, query):
    needle = fold(query)
    spans = match_spans(text, query)
    for start, end in spans:
        assert fold(text[start:end]) == needle
    assert len(spans) == (fold(text).count(needle) if needle else 0)


# --- list page ---------------------------------------------------------------------------------------------------


def test_list_is_public_and_shows_every_version_with_counts(client, frameworks_loaded, django_assert_max_num_queries):
    # 8 for the summaries (the last two: criteria whose amendment is not recorded yet, and the revision records).
    with django_assert_max_num_queries(9):
        response = client.get(reverse("frameworks:list"))
    assert response.status_code == 200
    html = response.content.decode()
    for code in VERSIONS:
        assert reverse("frameworks:detail", args=[code]) in html
    for text in [
        "Thông tư 17/2018/TT-BGDĐT",
        "Phụ lục II — cơ sở giáo dục phổ thông",
        "Trường trung học cơ sở và trung học phổ thông",  # school types as human labels
        "Nhà trẻ",
        "Đã công bố",
        "19 tiêu chí, 24 chỉ báo",  # TT17 Mức 3
        "20 tiêu chí, 25 chỉ báo",  # TT18 Mức 3
        "19 tiêu chí, 25 chỉ báo",  # TT19 Mức 3
        "15 tiêu chí, 15 chỉ báo",  # TT57 Mức 1 and 2
        "(8 bắt buộc)",
        "Đủ danh mục",
        '<span class="badge badge-exact">Nguyên văn</span>',
        '<span class="badge badge-exact_per_seed">Nguyên văn theo nguồn chưa đối chiếu công báo</span>',
        "Chưa xác minh",  # TT57 effective date
        "Tiêu chí đã được sửa đổi, nội dung sửa đổi chưa cập nhật: 5.6",  # TT18, TT22/2024
        "Đã đính chính, sửa đổi dữ liệu:",
    ]:
        assert text in html, text
    for text in ("Thiếu một phần danh mục", "Chưa có văn bản"):  # every Mức 4 list is complete now
        assert text not in html, text
    summaries = {s.version.code: s for s in response.context["summaries"]}
    assert summaries["tt17-2018"].criteria == 27
    assert [summaries[c].level4_known for c in ("tt17-2018", "tt18-2018", "tt19-2018")] == [5, 6, 6]


def test_list_without_versions_says_so(client, no_frameworks):
    response = client.get(reverse("frameworks:list"))
    assert response.status_code == 200
    assert "Chưa nạp bộ tiêu chuẩn nào" in response.content.decode()


# --- detail page -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", VERSIONS)
def test_detail_is_public_and_renders_the_whole_tree(client, frameworks_loaded, code, django_assert_max_num_queries):
    version = FrameworkVersion.objects.get(code=code)
    with django_assert_max_num_queries(7):  # the tree (5, revision history included), the version, the session
        response = client.get(detail_url(code))
    assert response.status_code == 200
    html = response.content.decode()
    assert version.title in html
    assert version.circular in html
    criteria = list(version.criteria.values_list("code", flat=True))
    assert html.count('<details class="criterion"') == len(criteria)
    for criterion in criteria:
        assert f'id="tc-{criterion}"' in html
    summary = version_summaries(FrameworkVersion.objects.filter(pk=version.pk))[0]
    for level, n in summary.indicators_by_level.items():
        assert f"<dt>Mức {level}</dt><dd>{summary.criteria_by_level[level]} tiêu chí, {n} chỉ báo</dd>" in html
    assert 'id="nguon"' in html


def test_detail_of_an_unknown_version_is_404(client, frameworks_loaded):
    assert client.get(detail_url("tt99-2030")).status_code == 404


def test_version_tree_runs_a_fixed_number_of_queries(frameworks_loaded, django_assert_num_queries):
    version = FrameworkVersion.objects.get(code="tt17-2018")
    with django_assert_num_queries(5):
        tree = version_tree(version)
        indicators = sum(len(b.indicators) for s in tree.standards for c in s.criteria for b in c.levels)
    assert indicators == 153
    assert [row["criteria"] for row in tree.levels] == [27, 27, 19]


def test_tt17_marks_the_corrected_indicators_and_shows_their_notes(client, frameworks_loaded):
    html = client.get(detail_url("tt17-2018")).content.decode()
    block = criterion_block(html, "1.6")
    at = block.index("để phục vụ các hoạt động giáo dục.")
    indicator = block[at - 200 : at + 900]
    assert '<span class="letter">c)</span>' in indicator
    assert 'badge-approximate" title="Gần đúng (diễn giải hoặc bản dịch)">Gần đúng</span>' in indicator
    assert "Đính chính lỗi chép của nguồn: nguồn ghi “để khắc phục các hoạt động giáo dục”" in indicator
    assert "quy chế chi tiêu nội bộ" in block and "quy chế chỉ tiêu nội bộ" in block  # text, and the note's quote
    # the criterion itself is verbatim: its summary carries no confidence badge
    summary = block[: block.index("</summary>")]
    assert "badge-approximate" not in summary
    # criterion 1.1 carries no badge at all
    assert "badge-approximate" not in criterion_block(html, "1.1")


def test_tt17_level4_items_are_the_official_vietnamese_with_resolved_sources(client, frameworks_loaded):
    html = client.get(detail_url("tt17-2018")).content.decode()
    section = level4_section(html)
    assert section.count('<li class="level4-item">') == 5
    assert section.count("Điều 22)") == 5 and "(khoản 5 Điều 22)" in section
    assert "badge-approximate" not in section  # verbatim
    assert "Đủ danh mục" in section
    assert "không thể xác định" not in section  # the list is complete
    assert "Thư viện có hệ thống hạ tầng công nghệ thông tin hiện đại" in section
    assert "github.com/anhtuqn001/educationalqualityverification" in section  # S_TDG_APP, resolved
    assert "/resources/js/components/utils.js#L7321" in section  # khoản 2, its line in the source
    assert 'lang="en"' not in html


def test_tt18_level4_lists_the_six_items_of_dieu_22(client, frameworks_loaded):
    html = client.get(detail_url("tt18-2018")).content.decode()
    section = level4_section(html)
    assert "Đủ danh mục" in section and "Điều 22 (Mục 4 Chương II) có 6 khoản" in section
    assert section.count('<li class="level4-item">') == 6
    assert "không thể xác định nhà trường đạt Mức 4" not in section
    assert "Nhà trường tại địa bàn vùng khó khăn có học sinh tham gia nghiên cứu khoa học" in section


def test_tt18_5_6_shows_the_2025_amendment_as_not_yet_updated(client, frameworks_loaded):
    block = criterion_block(client.get(detail_url("tt18-2018")).content.decode(), "5.6")
    summary = block[: block.index("</summary>")]
    assert "Đã được sửa đổi" in summary
    assert "Văn bản sửa đổi" in block
    assert "khoản 4 Điều 21, được sửa đổi bởi khoản 16 Điều 2 Thông tư 22/2024/TT-BGDĐT" in block
    assert "hiệu lực từ ngày 25/01/2025" in block
    assert "Mức 3: được sửa đổi bởi Thông tư 22/2024/TT-BGDĐT; nội dung sửa đổi chưa cập nhật." in block
    assert 'class="badge badge-missing" title="Chưa có văn bản">Chưa có văn bản</span>' in block
    assert "lawnet.vn" in block  # the amendment's source, resolved
    assert "Bản dịch tiếng Anh" not in block and "Student learning" not in block


def test_tt19_level4_lists_the_six_items_without_the_placeholder(client, frameworks_loaded):
    html = client.get(detail_url("tt19-2018")).content.decode()
    section = level4_section(html)
    assert "Đủ danh mục" in section and "mới có" not in section
    assert section.count('<li class="level4-item">') == 6
    assert "5+" not in section and "Chưa có văn bản" not in section
    assert "Ít nhất 90% giáo viên đạt chuẩn nghề nghiệp" in section
    assert "có 02 năm đạt kết quả giáo dục và các hoạt động khác vượt trội" in section


def test_revisions_are_listed_with_date_reason_and_the_corrected_wording(client, frameworks_loaded):
    html = client.get(detail_url("tt18-2018")).content.decode()
    start = html.index('id="dinh-chinh"')
    section = html[start : html.index("</section>", start)]
    assert "07/12/2026 · Đính chính dữ liệu" in section
    assert "thêm 6 tiêu chí Mức 4" in section
    assert "<del>" in section and "năng cao" in section and "nâng cao" in section


def test_tt57_marks_unverified_wording_mandatory_criteria_and_evidence(client, frameworks_loaded):
    html = client.get(detail_url("tt57-2026-pt")).content.decode()
    assert html.count('<span class="badge badge-mandatory">Bắt buộc</span>') == 8
    assert html.count(">Theo nguồn chưa đối chiếu</span>") >= 15  # every criterion, plus the legend
    assert "CHƯA XÁC MINH" in html and "Ngày hiệu lực chưa được xác minh" in html
    block = criterion_block(html, "1.3")
    assert "Bắt buộc" in block
    assert "Minh chứng gợi ý" in block and "Hồ sơ, dữ liệu về học sinh" in block
    assert "Dữ liệu định lượng chính" in block and "Tỷ lệ hồ sơ, dữ liệu quản lý được cập nhật" in block
    assert "Bắt buộc" not in criterion_block(html, "1.1")
    assert 'id="muc-4"' not in html  # TT57 has no Mức 4
    assert "Mức 3" not in block


def test_detail_opens_the_criterion_named_in_the_url(client, frameworks_loaded):
    html = client.get(detail_url("tt17-2018", tc="1.6")).content.decode()
    assert '<details class="criterion" id="tc-1.6" open>' in html
    assert '<details class="criterion" id="tc-1.1">' in html


# --- search ------------------------------------------------------------------------------------------------------


def test_search_ignores_diacritics_and_case(frameworks_loaded):
    plain = search("chien luoc")
    codes = {vh.version.code for vh in plain.versions}
    assert {"tt17-2018", "tt18-2018", "tt19-2018"} <= codes
    hit = next(c for c in plain.versions[-1].criteria if c.criterion.code == "1.1")
    assert hit.name_matched
    assert "<mark>chiến lược</mark>" in hit.name_html
    assert search("CHIẾN LƯỢC").count == search("chiến lược").count == plain.count > 0
    assert search("doi ngu").count == search("Đội ngũ").count == search("đội ngũ").count > 0


def test_search_within_a_version_in_three_queries(frameworks_loaded, django_assert_num_queries):
    version = FrameworkVersion.objects.get(code="tt57-2026-pt")
    with django_assert_num_queries(3):
        results = search("doi ngu", version=version)
    assert [vh.version.code for vh in results.versions] == ["tt57-2026-pt"]
    texts = [ih.html for c in results.versions[0].criteria for ih in c.indicators]
    assert texts and all("<mark>đội ngũ</mark>" in t or "<mark>Đội ngũ</mark>" in t for t in texts)


def test_search_finds_level4_items_in_vietnamese(frameworks_loaded):
    results = search("thu vien co he thong", version=FrameworkVersion.objects.get(code="tt17-2018"))
    [hits] = results.versions
    assert [h.item.code for h in hits.level4_items] == ["3"]
    assert "<mark>Thư viện có hệ thống</mark>" in hits.level4_items[0].html
    assert search("library").count == 0


def test_detail_search_without_js_shows_results_and_the_page(client, frameworks_loaded, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):  # the page (7, revision history included) and the search (3)
        response = client.get(detail_url("tt17-2018", q="chien+luoc"))
    html = response.content.decode()
    assert "<html" in html and '<details class="criterion"' in html
    fragment = search_fragment(html)
    assert "<mark>chiến lược</mark>" in fragment
    assert "Tiêu chí 1.1" in fragment
    assert 'href="/bo-tieu-chuan/tt17-2018/?tc=1.1#tc-1.1"' in fragment
    assert 'value="chien luoc"' in html


def test_detail_search_finds_doi_ngu(client, frameworks_loaded):
    fragment = search_fragment(client.get(detail_url("tt19-2018", q="doi+ngu")).content.decode())
    assert re.search(r"<mark>(đ|Đ)ội ngũ</mark>", fragment)
    assert "kết quả cho “doi ngu”" in fragment


def test_htmx_search_returns_only_the_results_fragment(client, frameworks_loaded, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get(detail_url("tt17-2018", q="chien+luoc"), headers={"HX-Request": "true"})
    html = response.content.decode().strip()
    assert html.startswith('<div id="search-results"')
    assert "<html" not in html and "criterion-body" not in html
    assert "<mark>chiến lược</mark>" in html
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_full_page(client, frameworks_loaded):
    response = client.get(
        detail_url("tt17-2018", q="chien+luoc"), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_list_search_spans_every_version(client, frameworks_loaded):
    html = client.get(reverse("frameworks:list") + "?q=chien+luoc").content.decode()
    fragment = search_fragment(html)
    for code in ["tt17-2018", "tt18-2018", "tt19-2018"]:
        assert f'href="/bo-tieu-chuan/{code}/?q=chien%20luoc"' in fragment
    assert "<mark>chiến lược</mark>" in fragment
    partial = client.get(reverse("frameworks:list") + "?q=chien+luoc", headers={"HX-Request": "true"})
    assert partial.content.decode().strip().startswith('<div id="search-results"')
    assert "fw-card" not in partial.content.decode()


def test_too_short_and_unmatched_queries(client, frameworks_loaded):
    assert "Nhập ít nhất 2 ký tự" in client.get(detail_url("tt17-2018", q="a")).content.decode()
    assert "Không tìm thấy “xyzzy”" in client.get(detail_url("tt17-2018", q="xyzzy")).content.decode()
    assert search("").versions == [] and not search("").searched
