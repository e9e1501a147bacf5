"""The bench's Markdown report: the targets of issue 19 (met, missed, or not measured, with the number), then the pages
and documents, the load steps and the memory runs."""

import os
import statistics
from dataclasses import dataclass

from kiemdinh.devtools.bench.load import P95_LIMIT_MS, TARGET_RATE, LoadResult
from kiemdinh.devtools.bench.memory import GROWTH_LIMIT_MB, MemoryRun
from kiemdinh.devtools.bench.pages import PAGE_RATIO_LIMIT, PROVINCE_DASHBOARD_MS, ROLLUP_MS, Row


@dataclass(frozen=True)
class Target:
    name: str
    measured: str
    met: bool | None  # None: not measured in this run
    note: str = ""


def _row(rows: list[Row], key: str) -> Row | None:
    return next((r for r in rows if r.key == key), None)


def targets(rows: list[Row], load: LoadResult | None, memory: list[MemoryRun] | None) -> list[Target]:
    found = []
    pages = [r for r in rows if r.page and r.ratio is not None]
    if pages:
        worst = max(pages, key=lambda r: r.ratio)
        over = [r for r in pages if r.ratio > PAGE_RATIO_LIMIT]
        found.append(
            Target(
                f"every key page rendered from the data ≤ {PAGE_RATIO_LIMIT}× the floor",
                f"highest {worst.ratio:.1f}× ({worst.name})",
                not over,
                "over: " + "; ".join(f"{r.name} {r.ratio:.1f}×" for r in over) if over else "",
            )
        )
    pairs = [r for r in rows if r.constant_queries is not None]
    if pairs:
        growing = [r for r in pairs if not r.constant_queries]
        found.append(
            Target(
                "query counts constant at 10× the data",
                f"{len(pairs) - len(growing)} of {len(pairs)} pages",
                not growing,
                "growing: " + "; ".join(f"{r.name} {r.queries}" for r in growing) if growing else "",
            )
        )
    for key, name, limit in (
        ("dashboard", "province dashboard", PROVINCE_DASHBOARD_MS),
        ("rollup", "national roll-up", ROLLUP_MS),
    ):
        row = _row(rows, key)
        if row is not None:
            found.append(Target(f"{name} < {limit} ms", f"{row.ms:,.1f} ms", row.ms < limit))
    rate_target = (
        f"load: highest arrival rate held (p95 < {P95_LIMIT_MS} ms, no 5xx) ≥ {TARGET_RATE} req/s, two app servers"
    )
    if load is None:
        found.append(Target(rate_target, "not run (add --load)", None))
    else:
        conflicts = sum(s.conflicts for s in load.steps)
        found.append(
            Target(
                rate_target,
                f"{load.highest:g} req/s",
                load.highest >= TARGET_RATE,
                "; ".join(f"{s.rate:g}/s: p95 {s.p95_ms:.0f} ms{'' if s.held else ' (missed)'}" for s in load.steps)
                + (f"; {', '.join(f'{r:g}' for r in load.skipped)}/s not run" if load.skipped else "")
                + f"; {conflicts} × 409 in all",
            )
        )
    for what in ("upload", "download"):
        name = f"{'evidence upload' if what == 'upload' else 'dossier download'}: worker's peak memory grows"
        name += f" < {GROWTH_LIMIT_MB} MB"
        run = next((r for r in memory or [] if r.name.endswith(what)), None)
        if run is None:
            found.append(Target(name, "not run (add --load)", None))
        else:
            found.append(Target(name, f"{run.growth_mb:,.1f} MB", run.met, f"{run.size / 1024 / 1024:,.0f} MB"))
    return found


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def _verdict(met: bool | None) -> str:
    return "—" if met is None else ("met" if met else "**missed**")


def markdown(
    rows: list[Row],
    *,
    title: str,
    facts: list[str],
    load: LoadResult | None = None,
    memory: list[MemoryRun] | None = None,
) -> str:
    lines = [f"### {title}", "", *(f"- {fact}" for fact in facts), ""]
    lines += ["Targets (issue 19, section 2):", "", "| target | measured | result | note |", "|---|---|---|---|"]
    for target in targets(rows, load, memory):
        lines.append(f"| {target.name} | {target.measured} | {_verdict(target.met)} | {target.note} |")
    lines += ["", "Pages and documents:", ""]
    lines += ["| measurement | median ms | floor ms | × floor | queries | target | result | note |"]
    lines += ["|---|---:|---:|---:|---|---|---|---|"]
    for row in rows:
        ratio = "—" if row.ratio is None else f"{row.ratio:.1f}×"
        lines.append(
            f"| {row.name} | {_number(row.ms)} | {_number(row.floor_ms)} | {ratio} | {row.queries or '—'} "
            f"| {row.target or '—'} | {_verdict(row.met)} | {row.note} |"
        )
    if load is not None:
        lines += ["", *_load_lines(load)]
    if memory:
        lines += ["", *_memory_lines(memory)]
    return "\n".join(lines) + "\n"


def _load_lines(load: LoadResult) -> list[str]:
    lines = [
        f"Load: two gunicorn servers of {load.workers} sync workers each on this database, requests alternated "
        f"between them; open-loop Poisson arrivals, each rate for {load.steps[0].seconds:g} s (latency counted from "
        f"when each request was due; {load.concurrency} client threads); {load.principals} principals of "
        "different schools each saving its own criterion's form, officers reading the dashboards and the plan. "
        f"Held: p95 < {P95_LIMIT_MS} ms, no 5xx and no other error; a 409 (two saves of one form) is counted apart.",
        "",
        "| arrival rate req/s | achieved req/s | requests | p50 ms | p95 ms | 5xx | other errors | 409 "
        "| started late | CPU s: client / servers | servers' CPU ms per request | held |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for s in load.steps:
        lines.append(
            f"| {s.rate:g} | {s.achieved:,.1f} | {s.requests} | {s.p50_ms:,.0f} | {s.p95_ms:,.0f} | {s.server_errors} "
            f"| {len(s.other_errors)} | {s.conflicts} | {s.late} | {s.client_cpu:.1f} / {s.server_cpu:.1f} "
            f"| {s.server_cpu * 1000 / max(1, s.requests):.1f} "
            f"| {'yes' if s.held else '**no**'} |"
        )
    for rate in load.skipped:
        lines.append(f"| {rate:g} | not run: a lower rate was not held |" + " — |" * 10)
    lines += [
        "",
        f"Highest arrival rate held: {load.highest:g} req/s (target ≥ {TARGET_RATE}). Requests of every step, by "
        "kind: "
        + "; ".join(
            f"{kind} {len(times)}× p50 {statistics.median(times) * 1000:.0f} ms"
            for kind, times in sorted(load.by_kind.items(), key=lambda kv: -len(kv[1]))
        )
        + '. "Started late": requests a client thread picked up over 50 ms after they were due (the client, not '
        "the servers, falling behind). The servers' CPU time per request bounds what the CPUs can serve: "
        f"{os.cpu_count()} CPUs / that time, less what the database and the client take.",
    ]
    if load.problems:
        lines += ["", "First errors:", "", "```", *load.problems, "```"]
    return lines


def _memory_lines(memory: list[MemoryRun]) -> list[str]:
    lines = [
        "Memory: one gunicorn server with a single worker; the file is random bytes written to disk, sent as a "
        "multipart body read from the file, and the dossier is read in pieces and dropped. "
        f"Peak read as: {memory[0].how}.",
        "",
        "| memory run | MB moved | seconds | worker RSS before MB | peak MB | growth MB | after MB | target | result |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for run in memory:
        lines.append(
            f"| {run.name} | {run.size / 1024 / 1024:,.1f} | {run.seconds:.1f} | {run.baseline_kb / 1024:,.1f} "
            f"| {run.peak_kb / 1024:,.1f} | {run.growth_mb:,.1f} | {run.after_kb / 1024:,.1f} "
            f"| growth < {GROWTH_LIMIT_MB} MB | {_verdict(run.met)} |"
        )
    return lines
