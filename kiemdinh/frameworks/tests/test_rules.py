"""The rule engine (pure functions) on the real framework data, with property tests for monotonicity."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiemdinh.frameworks.rules import evaluate
from kiemdinh.frameworks.spec import all_specs, get_spec
from kiemdinh.frameworks.tests.helpers import all_achieved, engine_input

TT17 = get_spec("tt17-2018")
TT57_PT = get_spec("tt57-2026-pt")


def test_every_framework_version_is_present_with_the_expected_shape():
    counts = {s.id: (len(s.criteria), sum(1 for c in s.criteria if c.letters(3))) for s in all_specs().values()}
    assert counts == {
        "tt17-2018": (27, 19),
        "tt18-2018": (28, 20),
        "tt19-2018": (25, 19),
        "tt57-2026-mn": (15, 0),
        "tt57-2026-pt": (15, 0),
    }
    for spec in (get_spec("tt57-2026-mn"), TT57_PT):
        assert sorted(c.code for c in spec.criteria if c.mandatory) == [
            "1.3", "1.4", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2",
        ]  # fmt: skip


def test_thanh_chan_2021_2022_result_from_the_seed():
    # Seed: Mức 1 27/27, Mức 2 27/27, Mức 3 19/19, Mức 4 2/5 → đạt Mức 3 (cấp độ 3, CQG mức độ 2).
    result = evaluate(TT17, engine_input(all_achieved(TT17)), {"1": True, "3": True}).as_contract()
    assert result["levels"] == {
        "1": {"achieved": 27, "total": 27},
        "2": {"achieved": 27, "total": 27},
        "3": {"achieved": 19, "total": 19},
        "4": {"achieved": 2, "total": 5},
    }
    assert (result["school_level"], result["accreditation_grade"], result["national_standard_level"]) == (3, 3, 2)
    assert result["criteria"]["1.2"] == 2 and result["criteria"]["1.1"] == 3  # 1.2 has no Mức 3 content


def test_all_five_level4_items_give_level_4_on_tt17():
    result = evaluate(TT17, engine_input(all_achieved(TT17)), dict.fromkeys("12345", True))
    assert (result.school_level, result.accreditation_grade, result.national_standard_level) == (4, 4, 2)


def test_level_4_cannot_be_established_where_a_list_is_incomplete():
    """The guard stays for data whose Mức 4 list is not fully known (every 2018 list is complete today)."""
    import dataclasses

    spec = dataclasses.replace(get_spec("tt19-2018"), level4_complete=False)
    result = evaluate(spec, engine_input(all_achieved(spec)), dict.fromkeys(spec.level4_items, True))
    assert result.school_level == 3
    assert result.levels[4].total == len(spec.level4_items) == 6


def test_one_missing_indicator_caps_the_criterion_and_the_school():
    indicators = engine_input(all_achieved(TT17))
    indicators["2.2"][2]["b"] = False  # a Mức 2 indicator of 2.2
    result = evaluate(TT17, indicators)
    assert result.criteria["2.2"] == 1
    assert result.school_level == 1
    assert (result.levels[2].achieved, result.levels[3].achieved) == (26, 18)
    assert (result.accreditation_grade, result.national_standard_level) == (1, None)


def test_a_level_counts_only_where_every_lower_level_is_reached():
    indicators = engine_input(all_achieved(TT17))
    indicators["1.1"][1]["a"] = False
    result = evaluate(TT17, indicators)
    assert result.criteria["1.1"] == 0
    assert result.levels[3].achieved == 18
    assert result.school_level == 0
    assert (result.accreditation_grade, result.national_standard_level) == (None, None)


def test_nothing_given_is_nothing_achieved():
    result = evaluate(TT17, {})
    assert set(result.criteria.values()) == {0}
    assert result.school_level == 0


def _tt57(levels: dict[str, int]) -> dict:
    return {code: {1: {"": lv >= 1}, 2: {"": lv >= 2}} for code, lv in levels.items()}


def test_tt57_school_levels_follow_the_mandatory_rule():
    mandatory = [c.code for c in TT57_PT.criteria if c.mandatory]
    others = [c.code for c in TT57_PT.criteria if not c.mandatory]
    base = dict.fromkeys(mandatory, 2) | dict.fromkeys(others, 2)
    assert evaluate(TT57_PT, _tt57(base)).school_level == 2
    # 5 of the 7 others at Mức 2 and the rest at Mức 1: still Mức 2.
    assert evaluate(TT57_PT, _tt57(base | {others[0]: 1, others[1]: 1})).school_level == 2
    # Only 4 others at Mức 2: Mức 1.
    assert evaluate(TT57_PT, _tt57(base | dict.fromkeys(others[:3], 1))).school_level == 1
    # One other below Mức 1 blocks Mức 2 but not Mức 1 (5 of 7 suffice there).
    assert evaluate(TT57_PT, _tt57(base | {others[0]: 0})).school_level == 1
    # Three others below Mức 1: not even Mức 1.
    assert evaluate(TT57_PT, _tt57(base | dict.fromkeys(others[:3], 0))).school_level == 0
    # A mandatory criterion only at Mức 1 caps the school at Mức 1; at 0 the school is not rated.
    assert evaluate(TT57_PT, _tt57(base | {mandatory[0]: 1})).school_level == 1
    assert evaluate(TT57_PT, _tt57(base | {mandatory[0]: 0})).school_level == 0
    result = evaluate(TT57_PT, _tt57(base))
    assert (result.accreditation_grade, result.national_standard_level) == (None, 2)
    assert result.as_contract()["levels"] == {"1": {"achieved": 15, "total": 15}, "2": {"achieved": 15, "total": 15}}


def test_tt57_criterion_level_2_needs_level_1():
    result = evaluate(TT57_PT, {"1.1": {1: {"": False}, 2: {"": True}}})
    assert result.criteria["1.1"] == 0


# Property tests: adding an achieved indicator never lowers any level.
SPECS = sorted(all_specs().values(), key=lambda s: s.id)


def _slots(spec):
    return [(c.code, level, letter) for c in spec.criteria for level, letters in c.levels for letter in letters]


@st.composite
def results_and_extra(draw):
    spec = draw(st.sampled_from(SPECS))
    slots = _slots(spec)
    achieved = draw(st.sets(st.sampled_from(slots)))
    extra = draw(st.sampled_from(slots))
    level4 = draw(st.sets(st.sampled_from(spec.level4_items))) if spec.level4_items else set()
    extra4 = draw(st.sampled_from(spec.level4_items)) if spec.level4_items else None
    return spec, achieved, extra, level4, extra4


def _as_input(achieved):
    out: dict = {}
    for code, level, letter in achieved:
        out.setdefault(code, {}).setdefault(level, {})[letter] = True
    return out


@settings(max_examples=300, deadline=None)
@given(results_and_extra())
def test_monotonic_adding_an_achieved_indicator_never_lowers_a_level(case):
    spec, achieved, extra, level4, extra4 = case
    before = evaluate(spec, _as_input(achieved), dict.fromkeys(level4, True))
    after = evaluate(spec, _as_input(achieved | {extra}), dict.fromkeys(level4 | ({extra4} - {None}), True))
    assert all(after.criteria[c] >= before.criteria[c] for c in before.criteria)
    assert all(after.levels[k].achieved >= before.levels[k].achieved for k in before.levels)
    assert after.school_level >= before.school_level
    assert (after.national_standard_level or 0) >= (before.national_standard_level or 0)
    assert (after.accreditation_grade or 0) >= (before.accreditation_grade or 0)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(SPECS), st.data())
def test_school_level_is_bounded_by_criterion_levels(spec, data):
    achieved = data.draw(st.sets(st.sampled_from(_slots(spec))))
    result = evaluate(spec, _as_input(achieved))
    if spec.regime == "2018" and result.school_level >= 1:
        assert min(result.criteria.values()) >= 1
    assert 0 <= result.school_level <= spec.max_level


@pytest.mark.parametrize("framework", ["tt17-2018", "tt18-2018", "tt19-2018", "tt57-2026-pt"])
@given(data=st.data())
@settings(max_examples=60, deadline=None)
def test_nothing_blocks_a_level_exactly_when_the_school_reaches_it(framework, data):
    from kiemdinh.frameworks.rules import blockers

    spec = get_spec(framework)
    criteria = {c.code: data.draw(st.integers(0, max(c.level_numbers))) for c in spec.criteria}
    level4 = {code: data.draw(st.booleans()) for code in spec.level4_items}
    school = _module_for(spec).school_level(spec, criteria, level4)
    for k in range(1, spec.max_level + 1):
        assert (blockers(spec, criteria, level4, k) == []) == (school >= k), (k, school)


def _module_for(spec):
    from kiemdinh.frameworks.rules import regime2018, tt57

    return regime2018 if spec.regime == "2018" else tt57
