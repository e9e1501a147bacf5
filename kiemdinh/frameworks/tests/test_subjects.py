"""The one representation of "a criterion or a Mức 4 item" (frameworks.subjects)."""

from types import SimpleNamespace

import pytest
from django.http import QueryDict

from kiemdinh.frameworks.subjects import AboutSubject, Subject, codes_from_query

CRITERION = SimpleNamespace(pk=12, code="1.1")
ITEM = SimpleNamespace(pk=7, code="2")


def test_a_criterion_and_a_level4_item_have_distinct_keys_even_with_the_same_id():
    assert Subject.criterion(SimpleNamespace(pk=7, code="1.1")).key != Subject.level4_item(ITEM).key


def test_keys_codes_links_and_labels():
    criterion, item = Subject.criterion(CRITERION), Subject.level4_item(ITEM)
    assert (criterion.key, criterion.code_key, criterion.query, criterion.label) == (
        "c12",
        "1.1",
        "tieu_chi=1.1",
        "Tiêu chí 1.1",
    )
    # The code key is stored in acceptance snapshots and evaluation reviews: its format never changes.
    assert (item.key, item.code_key, item.query, item.label) == ("m7", "muc4/2", "muc4=2", "Mức 4 — 2")


def test_a_link_gives_back_the_codes_it_was_made_from():
    for subject in (Subject.criterion(CRITERION), Subject.level4_item(ITEM)):
        criterion_code, item_code = codes_from_query(QueryDict(subject.query))
        assert (item_code if subject.level4 else criterion_code) == subject.code
        assert (criterion_code if subject.level4 else item_code) == ""


def test_of_and_by_ids_need_one_of_the_two():
    assert Subject.of(level4_item=ITEM) == Subject.level4_item(ITEM)
    assert Subject.by_ids(None, 7).key == "m7"
    with pytest.raises(ValueError):
        Subject.of()
    with pytest.raises(ValueError):
        Subject.by_ids(None, None)


def test_filter_names_the_right_foreign_key():
    assert dict(Subject.level4_item(ITEM).filter("form__").children) == {"form__level4_item_id": 7}
    assert dict(Subject.criterion(CRITERION).filter().children) == {"criterion_id": 12}


def test_a_row_about_a_subject():
    class Row(AboutSubject):
        def __init__(self, criterion=None, level4_item=None):
            self.criterion, self.level4_item = criterion, level4_item
            self.criterion_id = criterion.pk if criterion else None
            self.level4_item_id = level4_item.pk if level4_item else None

    assert Row(level4_item=ITEM).subject == Subject.level4_item(ITEM)
    assert Row(criterion=CRITERION).subject_key == "c12"
    assert Row(criterion=CRITERION).subject_row is CRITERION
