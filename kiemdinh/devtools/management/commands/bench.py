"""./scripts/manage bench: synthetic data, page and document timings against floors, optional HTTP load and memory."""

import os
import signal
import sys
import threading
import time
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings

from kiemdinh.devtools.bench import load as load_run
from kiemdinh.devtools.bench import memory as memory_run
from kiemdinh.devtools.bench import pages, report, world


def _rates(value: str) -> list[float]:
    try:
        rates = sorted(float(v) for v in value.split(",") if v.strip())
    except ValueError:
        raise CommandError(f"--load-rates: not a list of numbers: {value!r}") from None
    if not rates or rates[0] <= 0:
        raise CommandError("--load-rates needs positive arrival rates, for example 60,90,120")
    return rates


class Command(BaseCommand):
    help = (
        "Benchmark the pages and documents on generated data (units, schools, cycles, ratings, evidence metadata, "
        "decisions, plans): every key page rendered from the data against a floor view doing one indexed query, query "
        "counts at two data sizes, the report DOCX against bare python-docx, the evidence catalogue XLSX; with --load, "
        "the deadline-day mix at stepped open-loop arrival rates through two gunicorn servers, and a large evidence "
        "upload and dossier download through one gunicorn worker with its memory growth. Reports the targets of issue "
        "19, met or missed. Writes only into a database without schools (or one marked KIEMDINH_BENCH_DATABASE=1) "
        "and removes what it generated unless --keep."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=list(world.SCALES), default="small", help="data size (default small)")
        parser.add_argument("--runs", type=int, default=5, help="runs per measurement, median reported (default 5)")
        parser.add_argument("--out", help="also write the Markdown table to this file")
        parser.add_argument("--keep", action="store_true", help="leave the generated data in the database")
        parser.add_argument(
            "--reuse", action="store_true", help="measure the data an earlier --keep run left instead of generating"
        )
        parser.add_argument("--yes", action="store_true", help="confirm generating the national scale")
        parser.add_argument(
            "--load", action="store_true", help="also run the HTTP load steps and the memory run against gunicorn"
        )
        parser.add_argument("--load-seconds", type=float, default=20, help="length of each load step (default 20)")
        parser.add_argument(
            "--load-rates",
            default=",".join(str(r) for r in load_run.DEFAULT_RATES),
            help="arrival rates of the load steps, requests per second (default 60,90,120,150,180)",
        )
        parser.add_argument(
            "--load-workers", type=int, default=2, help="sync workers of each of the two app servers (default 2)"
        )
        parser.add_argument(
            "--load-concurrency", type=int, default=128, help="client threads sending the requests (default 128)"
        )
        parser.add_argument(
            "--memory-mb", type=int, default=200, help="size of the memory run's upload, in MB (default 200; 0: skip)"
        )

    def handle(self, *args, scale, runs, out, keep, reuse, yes, load, **options):
        chosen = world.SCALES[scale]
        if runs < 1:
            raise CommandError("--runs must be at least 1")
        rates = _rates(options["load_rates"])
        refused = world.refusal()
        if refused:
            raise CommandError(refused)
        started, load_before = time.perf_counter(), os.getloadavg()
        if reuse:
            try:
                bench_world = world.find_world(log=self.stdout.write)
            except LookupError as error:
                raise CommandError(str(error)) from error
            keep = True
        else:
            self.stdout.write(f"bench {scale}: will create {world.plan_summary(chosen)}.")
            if scale == "national" and not yes:
                raise CommandError("The national scale writes millions of rows: add --yes (PostgreSQL recommended).")
            call_command("load_frameworks", verbosity=0)
            removed = world.remove_bench_data()
            if any(removed.values()):
                self.stdout.write(f"removed the previous bench data: {removed}")
            bench_world = world.generate(chosen, log=self.stdout.write)
        generated_in = time.perf_counter() - started
        load_result = memory = None
        # Stopped by a signal, as by Ctrl-C: the app servers are stopped and the generated data removed on the way out.
        on_term = signal.getsignal(signal.SIGTERM)
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        try:
            # As production runs: DEBUG off (no query log).
            with override_settings(DEBUG=False):
                rows = pages.measure_pages(bench_world, runs) + pages.measure_documents(bench_world, runs)
            if load:
                load_result = load_run.run_load(
                    bench_world,
                    rates=rates,
                    seconds=options["load_seconds"],
                    workers=options["load_workers"],
                    concurrency=options["load_concurrency"],
                    log=self.stdout.write,
                )
                if options["memory_mb"] > 0:
                    memory = memory_run.run_memory(bench_world, megabytes=options["memory_mb"], log=self.stdout.write)
        finally:
            if threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGTERM, on_term)
            if not keep:
                world.remove_bench_data()
        counts = ", ".join(f"{v:,} {k}" for k, v in bench_world.counts.items())
        facts = [
            f"{date.today():%Y-%m-%d}, {connection.vendor} ({connection.settings_dict['NAME']}), {os.cpu_count()} CPUs, "
            f"cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}, sessions "
            f"{settings.SESSION_ENGINE.rsplit('.', 1)[-1]}; median of {runs} run(s) in one process, Django test client, "
            "whole middleware stack, every page rendered from the data",
            f"{'reused kept data, found' if reuse else 'generated'} in {generated_in:.1f} s: {counts}",
            "load average of the machine (1, 5, 15 min) at the start: "
            + " ".join(f"{v:.1f}" for v in load_before)
            + ", at the end: "
            + " ".join(f"{v:.1f}" for v in os.getloadavg())
            + " (above the CPU count, other work competed for the CPUs and the times are inflated)",
            "floor: a bench-only view (kiemdinh/devtools/bench_urls.py) loading the session, the user and one school by "
            "primary key, requested by the same signed-in client just before each page",
        ]
        table = report.markdown(
            rows,
            title=f"bench --scale {bench_world.scale.name}",
            facts=facts,
            load=load_result,
            memory=memory,
        )
        self.stdout.write(table)
        if out:
            Path(out).write_text(table, encoding="utf-8")
            self.stdout.write(f"written to {out}")
        self.stdout.write("generated data kept (--keep)" if keep else "generated data removed")
