"""./scripts/manage bench: synthetic data, page and document timings against floors, optional HTTP load."""

import os
import time
from datetime import date
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings

from kiemdinh.core import bench


class Command(BaseCommand):
    help = (
        "Benchmark the pages and documents on generated data (units, schools, cycles, ratings, evidence metadata, "
        "decisions, a plan): medians against a floor view doing one indexed query, query counts at two data sizes, "
        "the report DOCX against bare python-docx, the evidence catalogue XLSX, optionally an HTTP load run on "
        "gunicorn. Writes only into a database without schools (or one marked KIEMDINH_BENCH_DATABASE=1) and removes "
        "what it generated unless --keep."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(bench.SCALES), default="small", help="data size (default small)")
        parser.add_argument("--runs", type=int, default=5, help="runs per measurement, median reported (default 5)")
        parser.add_argument("--out", help="also write the Markdown table to this file")
        parser.add_argument("--keep", action="store_true", help="leave the generated data in the database")
        parser.add_argument(
            "--reuse", action="store_true", help="measure the data an earlier --keep run left instead of generating"
        )
        parser.add_argument("--yes", action="store_true", help="confirm generating the national scale")
        parser.add_argument("--load", action="store_true", help="also run an HTTP load test against gunicorn")
        parser.add_argument("--load-seconds", type=float, default=20, help="length of the load run (default 20)")
        parser.add_argument("--load-threads", type=int, default=8, help="simulated users of the load run (default 8)")

    def handle(self, *args, scale, runs, out, keep, reuse, yes, load, load_seconds, load_threads, **options):
        chosen = bench.SCALES[scale]
        if runs < 1:
            raise CommandError("--runs must be at least 1")
        refused = bench.refusal()
        if refused:
            raise CommandError(refused)
        started = time.perf_counter()
        if reuse:
            try:
                world = bench.existing_world(log=self.stdout.write)
            except LookupError as error:
                raise CommandError(str(error)) from error
            keep = True
        else:
            self.stdout.write(f"bench {scale}: will create {bench.plan_summary(chosen)}.")
            if scale == "national" and not yes:
                raise CommandError("The national scale writes millions of rows: add --yes (PostgreSQL recommended).")
            call_command("load_frameworks", verbosity=0)
            removed = bench.remove_bench_data()
            if any(removed.values()):
                self.stdout.write(f"removed the previous bench data: {removed}")
            world = bench.generate(chosen, log=self.stdout.write)
        generated_in = time.perf_counter() - started
        try:
            # As production runs: DEBUG off (no query log; the release read once, see page_cache.release).
            with override_settings(DEBUG=False):
                rows = bench.measure_pages(world, runs) + bench.measure_documents(world, runs)
            if load:
                rows += bench.run_load(world, seconds=load_seconds, threads=load_threads, log=self.stdout.write)
        finally:
            if not keep:
                bench.remove_bench_data()
        counts = ", ".join(f"{v:,} {k}" for k, v in world.counts.items())
        facts = [
            f"{date.today():%Y-%m-%d}, {connection.vendor} ({connection.settings_dict['NAME']}), {os.cpu_count()} CPUs, "
            f"median of {runs} run(s) in one process; Django test client, whole middleware stack",
            f"{'reused kept data, found' if reuse else 'generated'} in {generated_in:.1f} s: {counts}",
            "floor: a bench-only view (kiemdinh/core/bench_urls.py) loading the session, the user and one school by "
            "primary key, requested by the same signed-in client",
        ]
        table = bench.markdown(rows, title=f"bench --scale {world.scale.name}", facts=facts)
        self.stdout.write(table)
        if out:
            Path(out).write_text(table, encoding="utf-8")
            self.stdout.write(f"written to {out}")
        self.stdout.write("generated data kept (--keep)" if keep else "generated data removed")
