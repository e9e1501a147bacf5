"""`./scripts/manage frameworks [--json]`: what is loaded, with counts and provenance."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kiemdinh.frameworks.management.commands.frameworks import Command
from kiemdinh.frameworks.spec import all_specs

EXPECTED = {
    "tt17-2018": {
        "counts": {
            "standards": 5,
            "criteria": 27,
            "mandatory_criteria": 0,
            "criteria_by_level": {"1": 27, "2": 27, "3": 19},
            "indicators": {"1": 81, "2": 48, "3": 24},
            "level4_items": 5,
        },
        "level4_status": "complete",
        "confidence": "exact",
        # the 5 Mức 4 items are verbatim now; 1.6 Mức 1 b) and c) are source typos corrected without an official copy
        "provenance_counts": {"exact": 188, "approximate": 2},
        "school_types": ["TH"],
    },
    "tt18-2018": {
        "counts": {
            "standards": 5,
            "criteria": 28,
            "mandatory_criteria": 0,
            "criteria_by_level": {"1": 28, "2": 28, "3": 20},
            "indicators": {"1": 84, "2": 45, "3": 25},
            "level4_items": 6,
        },
        "level4_status": "complete",
        "confidence": "exact",
        "provenance_counts": {"exact": 193},
        "school_types": ["THCS", "THPT", "TH_THCS", "THCS_THPT", "PTNCH"],
    },
    "tt19-2018": {
        "counts": {
            "standards": 5,
            "criteria": 25,
            "mandatory_criteria": 0,
            "criteria_by_level": {"1": 25, "2": 25, "3": 19},
            "indicators": {"1": 75, "2": 46, "3": 25},
            "level4_items": 6,
        },
        "level4_status": "complete",
        "confidence": "exact",
        "provenance_counts": {"exact": 182},
        "school_types": ["MN", "MG", "NT"],
    },
    "tt57-2026-mn": {
        "counts": {
            "standards": 4,
            "criteria": 15,
            "mandatory_criteria": 8,
            "criteria_by_level": {"1": 15, "2": 15},
            "indicators": {"1": 15, "2": 15},
            "level4_items": 0,
        },
        "level4_status": "none",
        "confidence": "exact_per_seed",
        "provenance_counts": {"exact_per_seed": 49},
        "school_types": ["MN", "MG", "NT"],
    },
    "tt57-2026-pt": {
        "counts": {
            "standards": 4,
            "criteria": 15,
            "mandatory_criteria": 8,
            "criteria_by_level": {"1": 15, "2": 15},
            "indicators": {"1": 15, "2": 15},
            "level4_items": 0,
        },
        "level4_status": "none",
        "confidence": "exact_per_seed",
        "provenance_counts": {"exact_per_seed": 49},
        "school_types": ["TH", "THCS", "THPT", "TH_THCS", "THCS_THPT", "PTNCH"],
    },
}


def run(*args) -> str:
    out = StringIO()
    call_command("frameworks", *args, stdout=out)
    return out.getvalue()


def test_json_lists_every_loaded_version_with_exact_counts(frameworks_loaded, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):  # the summaries: six counts, amended criteria, revision records
        data = json.loads(run("--json"))
    by_id = {entry["id"]: entry for entry in data}
    assert sorted(by_id) == sorted(EXPECTED)
    for code, expected in EXPECTED.items():
        entry = by_id[code]
        assert entry["counts"] == expected["counts"], code
        assert entry["level4_status"] == expected["level4_status"], code
        assert entry["school_types"] == expected["school_types"], code
        assert entry["status"] == "published"
        assert entry["provenance"]["confidence"] == expected["confidence"]
        assert entry["provenance"]["counts"] == expected["provenance_counts"], code
        assert entry["provenance"]["source"]
    assert by_id["tt17-2018"]["circular"] == "Thông tư 17/2018/TT-BGDĐT"
    assert by_id["tt17-2018"]["regime"] == "2018" and by_id["tt57-2026-pt"]["regime"] == "tt57"
    assert by_id["tt57-2026-pt"]["variant"] == "Phụ lục II — cơ sở giáo dục phổ thông"
    assert "chưa đối chiếu" in by_id["tt57-2026-mn"]["provenance"]["note"]
    assert by_id["tt18-2018"]["amended_not_updated"] == ["5.6"]
    assert {code for code, entry in by_id.items() if entry["amended_not_updated"]} == {"tt18-2018"}
    assert all(
        [r["kind"] for r in entry["revisions"]] == ["erratum"] and entry["revisions"][0]["date"] == "2026-12-07"
        for entry in by_id.values()
    )


def test_json_agrees_with_the_data_files(frameworks_loaded):
    """The database counts match what the rule engine reads from the same files."""
    by_id = {entry["id"]: entry for entry in json.loads(run("--json"))}
    for code, spec in all_specs().items():
        counts = by_id[code]["counts"]
        assert counts["criteria"] == len(spec.criteria)
        assert counts["mandatory_criteria"] == sum(c.mandatory for c in spec.criteria)
        assert counts["level4_items"] == len(spec.level4_items)
        for level in spec.criterion_levels:
            assert counts["criteria_by_level"][str(level)] == sum(level in c.level_numbers for c in spec.criteria)
            assert counts["indicators"][str(level)] == sum(len(c.letters(level) or ()) for c in spec.criteria)


def test_table_is_readable_vietnamese(frameworks_loaded):
    output = run()
    lines = output.splitlines()
    assert lines[0].split()[:2] == ["Mã", "Văn"]
    for code in EXPECTED:
        assert any(line.startswith(code) for line in lines)
    row = next(line for line in lines if line.startswith("tt19-2018"))
    assert "75/46/25" in row and "6 · Đủ danh mục" in row and "chưa có văn bản" not in row
    row = next(line for line in lines if line.startswith("tt18-2018"))
    assert "6 · Đủ danh mục" in row
    assert "tt18-2018: Thông tư 18/2018/TT-BGDĐT; Đã công bố; Nguyên văn; sửa đổi chưa cập nhật: tiêu chí 5.6" in output
    row = next(line for line in lines if line.startswith("tt57-2026-pt"))
    assert "15 (8 bắt buộc)" in row and "15/15" in row
    assert "Phụ lục II — cơ sở giáo dục phổ thông" in output


def test_nothing_loaded_is_a_clear_error(no_frameworks):
    with pytest.raises(CommandError, match=r"Chưa nạp bộ tiêu chuẩn nào; chạy \./scripts/manage load_frameworks"):
        run("--json")


def test_help_is_in_english():
    help_text = Command().create_parser("manage.py", "frameworks").format_help()
    assert "--json" in help_text
    assert "List the regulation versions loaded in the database" in help_text
