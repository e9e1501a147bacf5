"""The bench command on the test database at the tiny scale: every row and every target is reported with sane numbers
(no timing thresholds: speed is measured by the benchmark itself, not asserted by tests); the open-loop scheduler and
the load steps' verdicts on fake timings; the streamed multipart body; the memory readings from /proc."""

import itertools
import os
import random
import re
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from kiemdinh.devtools.bench import load, report, servers, world
from kiemdinh.devtools.bench.memory import MemoryRun
from kiemdinh.devtools.bench.pages import Row
from kiemdinh.units.models import School

PAGES = [
    "school home (principal)",
    "criterion form page",
    "evidence list of a cycle, as it opens (400 items: one standard)",
    "evidence list, all 400 items on one page",
    "unit dashboard (commune / province)",
    "annual plan page",
    "annual plan school list",
    "public unit page (commune / province)",
]
ROWS = [
    *PAGES,
    "national roll-up (admin home, every province)",
    "report DOCX (TT18, 400 evidence items) vs bare python-docx",
    "evidence catalogue XLSX (200 items) vs bare openpyxl",
]
TARGETS = [
    "every key page rendered from the data ≤ 30× the floor",
    "query counts constant at 10× the data",
    "province dashboard < 60 ms",
    "national roll-up < 300 ms",
    "load: highest arrival rate held (p95 < 250 ms, no 5xx) ≥ 120 req/s, two app servers",
    "evidence upload: worker's peak memory grows < 50 MB",
    "dossier download: worker's peak memory grows < 50 MB",
]


def table_rows(table: str, header: str) -> dict[str, list[str]]:
    """The rows of the Markdown table whose header starts with `header`, by first cell."""
    lines = table.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {header} |"))
    rows = {}
    for line in lines[start + 2 :]:
        if not line.startswith("| "):
            break
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        rows[cells[0]] = cells
    return rows


@pytest.mark.django_db
def test_tiny_bench_reports_every_page_and_target_and_finds_its_kept_data_again(tmp_path, capsys):
    out = tmp_path / "bench.md"
    call_command("bench", scale="tiny", runs=1, out=str(out), keep=True)
    table = out.read_text(encoding="utf-8")
    assert table in capsys.readouterr().out
    assert "29 schools" in table and "5 load principals" in table  # 20 + 4 measured + 5 load schools
    assert "page cache" not in table and "rendered ms" not in table

    targets = table_rows(table, "target")
    assert list(targets) == TARGETS
    for name in TARGETS[:4]:
        assert targets[name][2] in {"met", "**missed**"}, targets[name]
    for name in TARGETS[4:]:  # the HTTP runs need --load
        assert targets[name][1:3] == ["not run (add --load)", "—"]
    assert re.fullmatch(r"\d of 8 pages", targets[TARGETS[1]][1])

    rows = table_rows(table, "measurement")
    assert list(rows) == ROWS
    for name, cells in rows.items():
        ms, floor = (float(c.replace(",", "")) for c in cells[1:3])
        assert 0 < ms < 60_000 and floor > 0, cells
        counts = [int(n) for n in re.findall(r"\d+", re.sub(r"\([^)]*\)", "", cells[4]))]
        assert counts and all(0 < n < 200 for n in counts), cells
        assert cells[6] in {"met", "**missed**", "—"}
        if name in PAGES:  # a 10x pair: both sizes' queries, the small one's time
            assert len(counts) == 2 and cells[5].startswith("≤ 30× floor") and cells[5].endswith("constant queries")
            assert re.fullmatch(r"[^:]+: [\d,.]+ ms", cells[7]), cells
    assert rows[ROWS[4]][5] == "≤ 30× floor, < 60 ms, constant queries"
    assert rows[ROWS[8]][5] == "< 300 ms"

    found = world.find_world(log=lambda _: None)
    assert found.scale.name == "tiny" and len(found.load_principals) == 5
    assert len({(p.school_id, p.criterion) for p in found.load_principals}) == 5
    assert len({p.criterion for p in found.load_principals}) == 5  # each edits a different criterion
    assert found.users.keys() == {
        "principal",
        "principal_small",
        "principal_memory",
        "commune_officer",
        "province_officer",
        "admin",
    }
    world.remove_bench_data()
    assert not School.objects.filter(code__startswith="BENCH-").exists()
    with pytest.raises(CommandError, match="run bench with --keep first"):
        call_command("bench", reuse=True, runs=1)


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


# --- Open-loop arrivals and the load steps' verdicts (fake requests, no server) -------------------------------------


def test_poisson_arrivals_come_at_the_rate_asked_in_order_and_within_the_step():
    times = load.poisson_schedule(100, 20, random.Random(1))
    assert times == sorted(times) and times[0] > 0 and times[-1] < 20
    assert 1_900 < len(times) < 2_100  # 2,000 expected; the standard deviation is about 45
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert max(gaps) > 5 * min(gaps)  # irregular, not evenly spaced
    assert load.poisson_schedule(100, 20, random.Random(1)) == times


def test_requests_are_issued_on_schedule_however_long_the_answers_take():
    """Twenty requests due over 0.19 s, each answered in 0.3 s: all are sent when due (a closed loop of one user would
    take 6 s), and each latency counts from when it was due."""
    schedule = [i / 100 for i in range(20)]

    def slow(index):
        time.sleep(0.3)
        return "page", 200, 200, ""

    started = time.perf_counter()
    outcomes = load.run_open_loop(schedule, slow, concurrency=32)
    assert time.perf_counter() - started < 1.5
    assert [o.due for o in outcomes] == schedule
    assert all(o.started - o.due < 0.1 for o in outcomes), [o.started - o.due for o in outcomes]
    assert all(0.29 < o.latency < 0.6 for o in outcomes)


def test_a_saturated_client_makes_requests_late_and_their_waiting_counts_in_the_latency():
    schedule = [i / 100 for i in range(8)]

    def answer(index):
        time.sleep(0.05)
        return "page", 200, 200, ""

    step = load.Step(60, 0.08, load.run_open_loop(schedule, answer, concurrency=1))
    assert step.late >= 5
    assert step.outcomes[-1].latency > 0.3  # due at 0.07 s, sent after seven others of 0.05 s each


def test_a_failing_request_is_an_error_not_a_missing_request():
    def broken(index):
        raise ConnectionRefusedError("no server")

    outcomes = load.run_open_loop([0.0, 0.001], broken, concurrency=2)
    assert [o.status for o in outcomes] == [None, None] and "no server" in outcomes[0].error
    assert len(load.Step(10, 1, outcomes).other_errors) == 2


def _step(rate, latencies_ms, statuses=None, expected=200):
    statuses = statuses or [expected] * len(latencies_ms)
    outcomes = [
        load.Outcome("page", i / rate, i / rate, i / rate + ms / 1000, status, expected)
        for i, (ms, status) in enumerate(zip(latencies_ms, statuses, strict=True))
    ]
    return load.Step(rate, len(outcomes) / rate, outcomes)


def test_a_step_is_held_under_250_ms_at_p95_without_5xx_or_other_errors_and_409s_are_counted_apart():
    assert load.percentile(list(range(1, 101)), 0.95) == 95 and load.percentile([], 0.95) == 0
    quick = [10.0] * 95 + [240.0] * 5
    assert _step(60, quick).held and _step(60, quick).p95_ms == pytest.approx(10)
    assert not _step(60, [10.0] * 94 + [260.0] * 6).held  # p95 260 ms
    assert not _step(60, quick, [200] * 99 + [500]).held
    assert _step(60, quick, [200] * 99 + [500]).server_errors == 1
    assert not _step(60, quick, [200] * 99 + [403]).held
    conflicts = _step(60, quick, [302] * 98 + [409] * 2, expected=302)
    assert conflicts.held and conflicts.conflicts == 2 and not conflicts.other_errors
    assert _step(60, [10.0] * 120).achieved == pytest.approx(60)
    assert _step(60, [2000.0] * 120).achieved == pytest.approx(120 / (119 / 60 + 2))  # until the last answer


def test_the_highest_rate_held_is_the_last_of_the_steps_held_from_the_lowest():
    held, missed = [10.0] * 20, [400.0] * 20
    steps = [_step(90, held), _step(60, held), _step(120, missed), _step(150, held)]
    assert load.highest_held(steps) == 90  # 150 held by chance, after 120 missed: not counted
    assert load.highest_held([_step(60, missed), _step(90, held)]) == 0
    assert load.highest_held([_step(r, held) for r in (60, 90, 120)]) == 120


def test_the_report_gives_the_load_and_memory_targets_with_their_numbers():
    rows = [
        Row("a page", 50.0, 2.0, "9 (small) / 9 (large)", page=True, constant_queries=True),
        Row("a slow page", 70.0, 2.0, "9 (small) / 10 (large)", key="dashboard", page=True, constant_queries=False),
        Row("roll-up", 120.0, 2.0, "8", key="rollup"),
    ]
    result = load.LoadResult(
        [_step(60, [10.0] * 20), _step(90, [10.0] * 20), _step(120, [300.0] * 20)],
        servers=2,
        workers=2,
        concurrency=128,
        principals=50,
        by_kind={"home": [0.01, 0.02]},
        skipped=[150],
    )
    memory = [
        MemoryRun("200 MB evidence upload", 200 << 20, 3.0, 90_000, 95_120, 91_000, "VmHWM"),
        MemoryRun("200 MB dossier download", 200 << 20, 4.0, 90_000, 160_000, 91_000, "VmHWM"),
    ]
    table = report.markdown(rows, title="t", facts=[], load=result, memory=memory)
    targets = table_rows(table, "target")
    assert targets[TARGETS[0]][1:3] == ["highest 35.0× (a slow page)", "**missed**"]
    assert targets[TARGETS[1]][1:4] == ["1 of 2 pages", "**missed**", "growing: a slow page 9 (small) / 10 (large)"]
    assert targets[TARGETS[2]][1:3] == ["70.0 ms", "**missed**"]
    assert targets[TARGETS[3]][1:3] == ["120.0 ms", "met"]
    assert targets[TARGETS[4]][1:3] == ["90 req/s", "**missed**"]
    assert targets[TARGETS[4]][3].endswith("120/s: p95 300 ms (missed); 150/s not run; 0 × 409 in all")
    assert targets[TARGETS[5]][1:3] == ["5.0 MB", "met"]
    assert targets[TARGETS[6]][1:3] == ["68.4 MB", "**missed**"]
    steps = table_rows(table, "arrival rate req/s")
    assert [cells[-1] for cells in steps.values()] == ["yes", "yes", "**no**", "—"]
    assert steps["150"][1] == "not run: a lower rate was not held"
    assert "Highest arrival rate held: 90 req/s (target ≥ 120)" in table
    assert table_rows(table, "memory run")["200 MB dossier download"][5] == "68.4"


# --- HTTP pieces ----------------------------------------------------------------------------------------------------


def test_the_upload_body_is_streamed_from_the_file_and_parsed_by_django(tmp_path):
    content = os.urandom(int(2.5 * servers.CHUNK))
    path = tmp_path / "minh-chung.pdf"
    path.write_bytes(content)
    content_type, length, pieces = servers.multipart_file(
        {"name": "Biên bản họp hội đồng", "criterion": "7"}, "files", path, path.name, "application/pdf"
    )
    sizes = []
    body = b""
    for piece in pieces:
        sizes.append(len(piece))
        body += piece
    assert len(body) == length and max(sizes) <= servers.CHUNK  # never the whole file at once
    request = RequestFactory().generic("POST", "/", data=body, content_type=content_type)
    assert request.POST["name"] == "Biên bản họp hội đồng" and request.POST["criterion"] == "7"
    uploaded = request.FILES["files"]
    assert uploaded.name == "minh-chung.pdf" and uploaded.read() == content


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_the_peak_memory_of_a_process_is_read_and_reset():
    pid = os.getpid()
    before = servers.memory_kb(pid)
    assert 0 < before["VmRSS"] <= before["VmHWM"]
    block = bytearray(os.urandom(64 << 20))  # resident: written, not just reserved
    grown = servers.memory_kb(pid)
    assert grown["VmHWM"] - before["VmRSS"] > 60_000
    del block
    if servers.reset_peak(pid):
        after = servers.memory_kb(pid)
        assert after["VmHWM"] < grown["VmHWM"] - 30_000
