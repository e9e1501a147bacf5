"""The `evaluate` command honours the contract in DESIGN.md: output shape, exit status 2 and one-line errors."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiemdinh.frameworks.contract import ContractError, evaluate_text
from kiemdinh.frameworks.spec import all_specs, get_spec
from kiemdinh.frameworks.tests.helpers import all_achieved

ROOT = Path(__file__).resolve().parents[3]
TT17 = get_spec("tt17-2018")


def thanh_chan_input() -> dict:
    return {
        "framework": "tt17-2018",
        "indicators": all_achieved(TT17),
        "level4": {"1": True, "2": False, "3": True, "4": False, "5": False},
    }


def run_cli(stdin: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KIEMDINH_SECRET_KEY": "cli-test", "DATABASE_URL": "sqlite:////nonexistent/dir/db.sqlite3"}
    return subprocess.run(
        [sys.executable, "manage.py", "evaluate", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def test_cli_thanh_chan_output_matches_contract():
    # The database URL points nowhere: the command must not touch the database.
    proc = run_cli(json.dumps(thanh_chan_input()), "-")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert list(out) == [
        "framework", "criteria", "levels", "school_level", "accreditation_grade", "national_standard_level",
    ]  # fmt: skip
    assert out["framework"] == "tt17-2018"
    assert len(out["criteria"]) == 27 and out["criteria"]["1.2"] == 2
    assert out["levels"] == {
        "1": {"achieved": 27, "total": 27},
        "2": {"achieved": 27, "total": 27},
        "3": {"achieved": 19, "total": 19},
        "4": {"achieved": 2, "total": 5},
    }
    assert (out["school_level"], out["accreditation_grade"], out["national_standard_level"]) == (3, 3, 2)


def test_cli_reads_a_file(tmp_path):
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"framework": "tt57-2026-mn"}), encoding="utf-8")
    proc = run_cli("", str(path))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["school_level"] == 0 and out["accreditation_grade"] is None and out["national_standard_level"] is None
    assert set(out["levels"]) == {"1", "2"}


@pytest.mark.parametrize(
    ("payload", "key"),
    [
        ('{"framework": "tt99"}', "framework"),
        ('{"indicators": {}}', "framework"),
        ('{"framework": "tt17-2018", "indicators": {"9.9": {}}}', 'indicators["9.9"]'),
        ('{"framework": "tt17-2018", "indicators": {"1.2": {"3": true}}}', 'indicators["1.2"]["3"]'),
        ('{"framework": "tt17-2018", "indicators": {"1.1": {"1": {"d": true}}}}', 'indicators["1.1"]["1"]["d"]'),
        ('{"framework": "tt17-2018", "indicators": {"1.1": {"1": true}}}', 'indicators["1.1"]["1"]'),
        ('{"framework": "tt17-2018", "indicators": {"1.1": {"2": {"a": true}}}}', 'indicators["1.1"]["2"]'),
        ('{"framework": "tt17-2018", "indicators": {"1.1": {"1": {"a": 1}}}}', 'indicators["1.1"]["1"]["a"]'),
        ('{"framework": "tt17-2018", "level4": {"6": true}}', 'level4["6"]'),
        ('{"framework": "tt19-2018", "level4": {"5+": true}}', 'level4["5+"]'),  # the old placeholder, now 5
        ('{"framework": "tt19-2018", "level4": {"7": true}}', 'level4["7"]'),
        ('{"framework": "tt18-2018", "level4": {"7": true}}', 'level4["7"]'),
        ('{"framework": "tt57-2026-pt", "level4": {"1": true}}', 'level4["1"]'),
        ('{"framework": "tt17-2018", "extra": 1}', "extra"),
        ("[1, 2]", "$"),
        ("{not json", "$"),
        ("", "$"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line_naming_the_key(payload, key):
    proc = run_cli(payload, "-")
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert key in lines[0]


def test_cli_missing_file_exits_2():
    proc = run_cli("", "/nonexistent/input.json")
    assert proc.returncode == 2 and proc.stdout == "" and len(proc.stderr.strip().splitlines()) == 1


def test_call_command_prints_json():
    out = StringIO()
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as fh:
        json.dump(thanh_chan_input(), fh)
    call_command("evaluate", fh.name, stdout=out)
    assert json.loads(out.getvalue())["school_level"] == 3


def test_call_command_error_has_returncode_2(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"framework": "x"}', encoding="utf-8")
    with pytest.raises(CommandError) as info:
        call_command("evaluate", str(path))
    assert info.value.returncode == 2


# Property tests of the parser: random JSON never crashes — valid input gives a result, anything else a
# ContractError (exit 2 in the command).
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)
SPECS = sorted(all_specs().values(), key=lambda s: s.id)


@st.composite
def near_valid_requests(draw):
    """Mostly well-formed requests with random holes and wrong types, to reach deep into the parser."""
    spec = draw(st.sampled_from(SPECS))
    indicators = {}
    for c in draw(st.lists(st.sampled_from(spec.criteria), max_size=6)):
        levels = {}
        for level, letters in c.levels:
            if draw(st.booleans()):
                if letters == ("",):
                    levels[str(level)] = draw(st.booleans() | json_values)
                else:
                    levels[str(level)] = draw(
                        st.dictionaries(st.sampled_from([*letters, "z"]), st.booleans() | json_values, max_size=4)
                        | json_values
                    )
        if draw(st.booleans()):
            levels[draw(st.text(max_size=3))] = draw(json_values)
        indicators[draw(st.sampled_from([c.code, c.code, "x.y"]))] = levels
    payload = {"framework": draw(st.sampled_from([spec.id, spec.id, "unknown"])), "indicators": indicators}
    if spec.level4_items and draw(st.booleans()):
        payload["level4"] = draw(
            st.dictionaries(st.sampled_from([*spec.level4_items, "99"]), st.booleans() | json_values, max_size=5)
        )
    return payload


def _check(text: str):
    try:
        result = evaluate_text(text)
    except ContractError as exc:
        assert exc.key and "\n" not in str(exc)
        return None
    assert set(result) == {
        "framework", "criteria", "levels", "school_level", "accreditation_grade", "national_standard_level",
    }  # fmt: skip
    json.dumps(result)
    return result


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_parser_never_crashes_on_random_json(value):
    _check(json.dumps(value))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(near_valid_requests())
def test_parser_never_crashes_on_near_valid_requests(payload):
    result = _check(json.dumps(payload))
    if result is not None:
        assert result["framework"] == payload["framework"]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_parser_never_crashes_on_random_text(text):
    _check(text)
