import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiemdinh.frameworks.evidence_codes import CITATION_RE, ParsedCode, find_codes, format_code, parse_code

criterion_codes = st.builds(lambda a, b: f"{a}.{b}", st.integers(1, 9), st.integers(1, 12))
sequences = st.integers(1, 999)


def test_format_code_2018_uses_standard_number_as_default_box():
    assert format_code("2018", "1.1", 1) == "[H1-1.1-01]"
    assert format_code("2018", "3.10", 12) == "[H3-3.10-12]"
    assert format_code("2018", "1.1", 7, box=4) == "[H4-1.1-07]"
    assert format_code("2018", "2.1", 123) == "[H2-2.1-123]"


def test_format_code_tt57():
    assert format_code("tt57", "1.3", 1) == "MC.1.3.01"
    assert format_code("tt57", "4.2", 15) == "MC.4.2.15"


def test_format_code_refuses_bad_input():
    with pytest.raises(ValueError):
        format_code("2018", "1.1", 0)
    with pytest.raises(ValueError):
        format_code("2020", "1.1", 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[H1-1.1-01]", ParsedCode("2018", 1, "1.1", 1)),
        ("H1-1.1-01", ParsedCode("2018", 1, "1.1", 1)),
        (" [h2 - 1.10 - 3] ", ParsedCode("2018", 2, "1.10", 3)),
        ("1.1-01", ParsedCode("2018", None, "1.1", 1)),
        ("[5.4–12]", ParsedCode("2018", None, "5.4", 12)),
        ("MC.1.3.01", ParsedCode("tt57", None, "1.3", 1)),
        ("mc.4.2.10", ParsedCode("tt57", None, "4.2", 10)),
    ],
)
def test_parse_code_accepts_catalogue_spellings(text, expected):
    assert parse_code(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "H1-1.1", "[H1-1-01]", "MC.1.3", "MC.1.3.00", "1.1-00", "H1-1.1-01x"])
def test_parse_code_rejects_malformed(text):
    assert parse_code(text) is None


def test_code_without_box_is_canonical_with_standard_box():
    assert parse_code("1.1-01").canonical == "[H1-1.1-01]"
    assert parse_code("h2-2.3-5").canonical == "[H2-2.3-05]"


@given(st.sampled_from(["2018", "tt57"]), criterion_codes, sequences, st.one_of(st.none(), st.integers(1, 9)))
def test_parse_of_format_round_trips(regime, code, sequence, box):
    text = format_code(regime, code, sequence, box=box)
    parsed = parse_code(text)
    assert parsed is not None
    assert parsed.criterion_code == code
    assert parsed.sequence == sequence
    assert parsed.canonical == text
    assert find_codes(f"Xem {text}; và tiếp.") == [text]


@given(st.lists(st.tuples(st.sampled_from(["2018", "tt57"]), criterion_codes, sequences), min_size=1, max_size=6))
def test_find_codes_finds_every_code_once_in_order(specs):
    codes = [format_code(r, c, s) for r, c, s in specs]
    text = "Mô tả hiện trạng: " + "; ".join(f"văn bản số {i} {code}" for i, code in enumerate(codes)) + "."
    assert find_codes(text) == list(dict.fromkeys(codes))


def test_find_codes_in_free_text():
    text = (
        "Nhà trường có quyết định thành lập [H1-1.1-01]; [H1-1.1-02] và kế hoạch H2-2.3-5. "
        "Biên bản [1.10-03]. Theo TT57: MC.1.3.01, MC . 2.1 . 7. Lặp lại [H1-1.1-01]."
    )
    assert find_codes(text) == ["[H1-1.1-01]", "[H1-1.1-02]", "[H2-2.3-05]", "[H1-1.10-03]", "MC.1.3.01", "MC.2.1.07"]


def test_find_codes_ignores_look_alikes():
    # Dates, decimals, bare numbers and words ending in H are not codes.
    text = "Ngày 1.1-2024, tỉ lệ 1.1-01% ... BH1-1.1-01, số 1.1-01 không ngoặc, MC.1.3"
    assert find_codes(text) == []
    assert find_codes("") == []
    assert find_codes(None) == []


def test_citation_re_is_exposed():
    assert CITATION_RE.search("xem [H1-1.1-01]")


def test_link_citations_links_known_codes_marks_unknown_and_escapes_the_rest():
    from kiemdinh.frameworks.evidence_codes import link_citations

    html = link_citations(
        "<b>Có</b> [H1-1.1-01]; [H1-1.1-09]\nhết", lambda code: "/mc/1/" if code == "[H1-1.1-01]" else None
    )
    assert html == (
        '&lt;b&gt;Có&lt;/b&gt; <a class="cite" href="/mc/1/">[H1-1.1-01]</a>; '
        '<mark class="cite-unknown" title="Không có minh chứng mang mã này trong danh mục">[H1-1.1-09]</mark><br>hết'
    )
