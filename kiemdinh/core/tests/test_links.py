import pytest
from django.template import Context, Template
from django.urls import reverse

from kiemdinh.core.templatetags.links import _shape, url_of

NAMES = [
    ("planning:target_edit", (3, 41)),
    ("planning:target_move", (3, 41, "len")),
    ("evidence:list", (12,)),
    ("workflow:form", (7, "1.1")),
    ("workspace:school", (9,)),
    ("workspace:home", ()),
]


@pytest.mark.parametrize(("name", "args"), NAMES)
def test_the_same_url_as_reverse(name, args):
    assert url_of(name, *args) == reverse(name, args=args)


def test_int_arguments_are_shaped_once_and_filled_in():
    _shape.cache_clear()
    assert url_of("planning:target_edit", 1, 2) == reverse("planning:target_edit", args=[1, 2])
    assert url_of("planning:target_edit", 123456, 7) == reverse("planning:target_edit", args=[123456, 7])
    assert _shape.cache_info().misses == 1 and _shape.cache_info().hits == 1


def test_a_word_where_a_number_is_expected_is_refused_as_reverse_does():
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        url_of("planning:target_edit", 1, "abc")


def test_strings_that_need_quoting_go_through_reverse():
    assert url_of("workflow:form", 7, "Mức 4") == reverse("workflow:form", args=[7, "Mức 4"])


def test_a_wrong_name_or_count_fails_as_reverse_does():
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        url_of("planning:target_edit", 1)
    with pytest.raises(NoReverseMatch):
        url_of("planning:no_such_page", 1)


def test_the_template_tag():
    rendered = Template('{% load links %}<a href="{% link "workspace:school" school_id %}">').render(
        Context({"school_id": 5})
    )
    assert rendered == f'<a href="{reverse("workspace:school", args=[5])}">'
