"""The bench command on the test database: every row is reported with sane numbers (no timing thresholds: speed is
measured by the benchmark itself, not asserted by tests)."""

import re

import pytest
from django.core.management import CommandError, call_command

from kiemdinh.units.models import School

ROWS = [
    "school home (principal)",
    "criterion form page",
    "evidence list of a cycle, as it opens (400 items: one standard)",
    "evidence list, all 400 items on one page",
    "unit dashboard (commune / province)",
    "annual plan page",
    "annual plan school list",
    "public unit page (commune / province)",
    "national roll-up (admin home, every province)",
    "report DOCX (TT18, 400 evidence items) vs bare python-docx",
    "evidence catalogue XLSX (2,000 items) vs bare openpyxl",
]
PAGES = ROWS[:9]


@pytest.mark.django_db
def test_small_bench_reports_every_row_and_removes_its_data(tmp_path, capsys):
    out = tmp_path / "bench.md"
    call_command("bench", scale="small", runs=1, out=str(out))
    table = out.read_text(encoding="utf-8")
    assert table in capsys.readouterr().out
    lines = {line.split(" | ")[0].lstrip("| "): line for line in table.splitlines() if line.startswith("| ")}
    for name in ROWS:
        cells = [c.strip() for c in lines[name].strip("|").split("|")]
        ms = float(cells[1].replace(",", ""))
        assert 0 < ms < 60_000, (name, cells)
        assert cells[7] in {"met", "**not met**", "—"}
        if cells[2] != "—":
            assert float(cells[2].replace(",", "")) > 0
            assert cells[3].endswith("×")
        if name in PAGES:  # rendered from the data (page cache off), with its ratio to the floor
            rendered = re.fullmatch(r"([\d,.]+) \(([\d,.]+)×\)", cells[4])
            assert rendered and float(rendered.group(1).replace(",", "")) > 0, cells
        counts = [int(n) for n in re.findall(r"\d+", re.sub(r"\([^)]*\)", "", cells[5]))]
        assert counts and all(0 < n < 200 for n in counts), table
    assert "102 schools" in table and "200 cycles" in table
    assert not School.objects.filter(code__startswith="BENCH-").exists()


@pytest.mark.django_db
def test_kept_data_is_measured_again_without_generating(capsys):
    from kiemdinh.core import bench

    with pytest.raises(CommandError, match="run bench with --keep first"):
        call_command("bench", reuse=True, runs=1)
    call_command("bench", scale="small", runs=1, keep=True)
    schools = School.objects.filter(code__startswith="BENCH-").count()
    capsys.readouterr()
    call_command("bench", reuse=True, runs=1)
    output = capsys.readouterr().out
    assert "reused kept data, found in" in output and f"{schools:,} schools" in output
    assert "| evidence list, all 400 items on one page |" in output
    assert School.objects.filter(code__startswith="BENCH-").count() == schools  # reused data is left as it was
    bench.remove_bench_data()
    assert not School.objects.filter(code__startswith="BENCH-").exists()


@pytest.mark.django_db
def test_bench_refuses_a_database_with_real_schools(monkeypatch):
    from kiemdinh.units.services import school_create, unit_create

    unit = unit_create(actor=None, code="T01", name="Tỉnh Thật", kind="province")
    school_create(actor=None, code="T01-S1", name="Trường Thật", school_type="TH", unit=unit)
    monkeypatch.delenv("KIEMDINH_BENCH_DATABASE", raising=False)
    with pytest.raises(CommandError, match="1 schools that bench did not generate"):
        call_command("bench", scale="small", runs=1)
    with pytest.raises(CommandError, match="--yes"):
        monkeypatch.setenv("KIEMDINH_BENCH_DATABASE", "1")
        call_command("bench", scale="national", runs=1)
    assert School.objects.count() == 1
