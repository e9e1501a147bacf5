"""The shared pager partial keeps the page's other query parameters and adds the fragment."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


def _pager(query: dict, number: int, **extra) -> str:
    request = RequestFactory().get("/danh-sach/", query)
    page = Paginator(list(range(45)), 20).get_page(number)
    return render_to_string("core/_pager.html", {"page": page, **extra}, request=request)


def test_links_keep_the_filters_and_change_only_the_page():
    html = _pager({"q": "an bình", "loai": "TH", "trang": "2"}, 2)
    assert "Trang 2/3" in html
    assert 'href="?q=an+b%C3%ACnh&amp;loai=TH&amp;trang=1"' in html
    assert 'href="?q=an+b%C3%ACnh&amp;loai=TH&amp;trang=3"' in html


def test_first_page_has_no_previous_link_and_the_anchor_is_kept():
    html = _pager({}, 1, anchor="kiem-tra")
    assert "Trang trước" not in html and 'href="?trang=2#kiem-tra"' in html


def test_nothing_when_there_is_one_page():
    request = RequestFactory().get("/")
    page = Paginator([1, 2], 20).get_page(1)
    assert render_to_string("core/_pager.html", {"page": page}, request=request).strip() == ""
