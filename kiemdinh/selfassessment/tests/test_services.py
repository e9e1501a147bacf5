"""Self-assessment services: opening a cycle, recording ratings, status; the stored results rate like the engine."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiemdinh.core.models import AuditEvent
from kiemdinh.frameworks.models import FrameworkVersion
from kiemdinh.frameworks.rules import evaluate
from kiemdinh.frameworks.spec import get_spec
from kiemdinh.frameworks.tests.helpers import every_indicator
from kiemdinh.selfassessment.models import Cycle, CycleStatus, IndicatorRating, Level4Rating
from kiemdinh.selfassessment.selectors import cycle_evaluation
from kiemdinh.selfassessment.services import cycle_record_ratings, cycle_set_status
from kiemdinh.workflow.services import cycle_open

pytestmark = pytest.mark.usefixtures("frameworks_loaded")

TT17 = get_spec("tt17-2018")


@pytest.fixture
def cycle(make_cycle):
    return make_cycle("2021-2022")


# cycle_open


def test_open_picks_the_framework_in_force_on_1_september(world):
    primary = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2021-2022")
    kindergarten = cycle_open(actor=world.principal_b, school=world.school_b, school_year="2021-2022")
    # TT57 applies from 7 July 2026, so the 2026-2027 school year (from 1 September 2026) is on it.
    later = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2026-2027")
    before = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2025-2026")
    assert [c.framework.code for c in (primary, kindergarten, later, before)] == [
        "tt17-2018",
        "tt19-2018",
        "tt57-2026-pt",
        "tt17-2018",
    ]
    assert primary.status == CycleStatus.IN_PROGRESS
    assert primary.created_by == world.principal_a


def test_open_records_one_audit_event(world):
    cycle = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2021-2022")
    event = AuditEvent.objects.get(event_type="cycle.opened")
    assert (event.actor, event.school, event.unit, event.object_id) == (
        world.principal_a,
        world.school_a,
        world.school_a.unit,
        str(cycle.pk),
    )
    assert event.data == {"school_year": "2021-2022", "framework": "tt17-2018"}


def test_open_accepts_an_explicit_framework_and_the_seeds_spacing(world):
    version = FrameworkVersion.objects.get(code="tt17-2018")
    cycle = cycle_open(actor=None, school=world.school_a, school_year="2019 - 2020", framework=version)
    assert (cycle.school_year, cycle.framework) == ("2019-2020", version)


@pytest.mark.parametrize("year", ["2021", "2021-2023", "2022-2021", "21-22", "2021/2022", "năm 2021-2022", ""])
def test_open_refuses_a_malformed_school_year(world, year):
    with pytest.raises(ValidationError, match=r"Năm học .* không hợp lệ"):
        cycle_open(actor=None, school=world.school_a, school_year=year)
    assert not Cycle.objects.exists()


def test_open_allows_one_cycle_per_school_and_year(world):
    cycle_open(actor=None, school=world.school_a, school_year="2021-2022")
    with pytest.raises(ValidationError, match="đã có đợt tự đánh giá năm học 2021-2022"):
        cycle_open(actor=None, school=world.school_a, school_year="2021 - 2022")
    cycle_open(actor=None, school=world.school_b, school_year="2021-2022")
    assert Cycle.objects.count() == 2


def test_open_refuses_a_framework_of_another_school_type(world):
    kindergarten = FrameworkVersion.objects.get(code="tt19-2018")
    with pytest.raises(ValidationError, match="không áp dụng"):
        cycle_open(actor=None, school=world.school_a, school_year="2021-2022", framework=kindergarten)


def test_open_needs_the_framework_loaded(world):
    FrameworkVersion.objects.filter(code="tt17-2018").delete()
    with pytest.raises(ValidationError, match="Chưa nạp bộ tiêu chuẩn tt17-2018"):
        cycle_open(actor=None, school=world.school_a, school_year="2021-2022")


# cycle_record_ratings


def test_record_stores_every_indicator_and_item(cycle, world):
    indicators = every_indicator(TT17)
    level4 = {"1": True, "2": False, "3": True, "4": False, "5": False}
    cycle_record_ratings(actor=world.principal_a, cycle=cycle, indicators=indicators, level4=level4)
    n = sum(len(letters) for levels in indicators.values() for letters in levels.values())
    assert IndicatorRating.objects.filter(cycle=cycle, achieved=True).count() == n
    assert dict(Level4Rating.objects.filter(cycle=cycle).values_list("item__code", "achieved")) == level4
    event = AuditEvent.objects.get(event_type="cycle.ratings_recorded")
    assert event.data == {"indicators": n, "level4": 5, "changed": n + 5}


def test_record_updates_in_place_and_keeps_what_is_left_out(cycle):
    cycle_record_ratings(actor=None, cycle=cycle, indicators=every_indicator(TT17), level4={"1": True})
    count = IndicatorRating.objects.count()
    cycle_record_ratings(
        actor=None, cycle=cycle, indicators={"1.1": {1: {"a": False}, 2: {"": False}}}, level4={"1": False}
    )
    assert IndicatorRating.objects.count() == count
    assert IndicatorRating.objects.filter(achieved=False).count() == 2
    assert not Level4Rating.objects.get().achieved
    assert IndicatorRating.objects.get(indicator__criterion__code="1.1", indicator__level=1, indicator__letter="b")
    assert AuditEvent.objects.filter(event_type="cycle.ratings_recorded").order_by("id").last().data["changed"] == 3


@pytest.mark.parametrize(
    ("indicators", "level4", "message"),
    [
        ({"9.9": {1: {"a": True}}}, {}, "Tiêu chí “9.9” không có"),
        ({"1.1": {4: {"": True}}}, {}, "Tiêu chí 1.1 không có Mức 4"),
        ({"1.1": {"x": {"a": True}}}, {}, "Tiêu chí 1.1 không có Mức x"),
        ({"1.1": {1: {"z": True}}}, {}, r"Mức 1 không có chỉ báo z\)"),
        ({"1.1": {2: {"a": True}}}, {}, r"Mức 2 không có chỉ báo a\)"),
        ({"1.1": {1: {"": True}}}, {}, "Mức 1 không có yêu cầu không đánh chữ"),
        ({"1.1": {1: {"a": "đạt"}}}, {}, "phải là đạt/không đạt"),
        ({}, {"6": True}, "Tiêu chí Mức 4 “6” không có"),
        ({}, {"1": 1}, "phải là đạt/không đạt"),
    ],
)
def test_record_refuses_what_the_framework_does_not_have(cycle, indicators, level4, message):
    valid = {"1.2": {1: {"a": True}}}
    with pytest.raises(ValidationError, match=message):
        cycle_record_ratings(actor=None, cycle=cycle, indicators={**valid, **indicators}, level4=level4)
    assert not IndicatorRating.objects.exists()
    assert not AuditEvent.objects.filter(event_type="cycle.ratings_recorded").exists()


def test_record_checks_against_the_cycles_own_framework(world):
    kindergarten = cycle_open(actor=None, school=world.school_b, school_year="2021-2022")
    with pytest.raises(ValidationError, match=r"Tiêu chí “5\.5”"):  # TT17 has 5.5, TT19 stops at 5.4
        cycle_record_ratings(actor=None, cycle=kindergarten, indicators={"5.5": {1: {"a": True}}}, level4={})


# cycle_evaluation over stored ratings


def test_evaluation_of_the_thanh_chan_results(cycle):
    level4 = {"1": True, "2": False, "3": True, "4": False, "5": False}
    cycle_record_ratings(actor=None, cycle=cycle, indicators=every_indicator(TT17), level4=level4)
    result = cycle_evaluation(cycle)
    assert result == evaluate(TT17, every_indicator(TT17), level4)
    assert {k: (v.achieved, v.total) for k, v in result.levels.items()} == {
        1: (27, 27),
        2: (27, 27),
        3: (19, 19),
        4: (2, 5),
    }
    assert (result.school_level, result.accreditation_grade, result.national_standard_level) == (3, 3, 2)


def test_evaluation_of_an_empty_cycle_is_level_0(cycle):
    result = cycle_evaluation(cycle)
    assert (result.school_level, result.accreditation_grade, result.national_standard_level) == (0, None, None)


INDICATOR_KEYS = [(c.code, level, letter) for c in TT17.criteria for level, letters in c.levels for letter in letters]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    failed=st.sets(st.sampled_from(INDICATOR_KEYS), max_size=4),
    level4=st.fixed_dictionaries({code: st.booleans() for code in TT17.level4_items}),
)
def test_stored_results_rate_exactly_like_the_engine(cycle, failed, level4):
    indicators = every_indicator(TT17)
    for code, level, letter in failed:
        indicators[code][level][letter] = False
    cycle_record_ratings(actor=None, cycle=cycle, indicators=indicators, level4=level4)
    assert cycle_evaluation(cycle) == evaluate(TT17, indicators, level4)


def test_evaluation_reads_ratings_in_two_queries(cycle, django_assert_num_queries):
    cycle_record_ratings(actor=None, cycle=cycle, indicators=every_indicator(TT17), level4={"1": True})
    cycle = Cycle.objects.select_related("framework").get(pk=cycle.pk)
    with django_assert_num_queries(2):
        cycle_evaluation(cycle)


# cycle_set_status


def test_set_status_changes_and_records(cycle, world):
    cycle_set_status(actor=world.principal_a, cycle=cycle, status=CycleStatus.SUBMITTED)
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.SUBMITTED
    event = AuditEvent.objects.get(event_type="cycle.status_changed")
    assert event.data == {"from": "in_progress", "to": "submitted"}
    cycle_set_status(actor=world.principal_a, cycle=cycle, status=CycleStatus.SUBMITTED)
    assert AuditEvent.objects.filter(event_type="cycle.status_changed").count() == 1


def test_set_status_refuses_an_unknown_status(cycle):
    with pytest.raises(ValidationError, match="Trạng thái không hợp lệ"):
        cycle_set_status(actor=None, cycle=cycle, status="approved")
