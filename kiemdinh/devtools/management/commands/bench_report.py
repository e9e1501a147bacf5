"""Benchmark: time to build the self-assessment report (context + DOCX) against a bare python-docx script writing
the same paragraphs and tables. Medians over repeated runs in one process; nothing is left in the database."""

import io
import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from docx import Document

from kiemdinh.documents.report.context import build_report
from kiemdinh.documents.report.docx import report_docx
from kiemdinh.evidence.services import evidence_create
from kiemdinh.frameworks.models import Criterion, FrameworkVersion
from kiemdinh.selfassessment.models import Cycle
from kiemdinh.selfassessment.tests.builders import add_council, fill_forms
from kiemdinh.units.models import AdministrativeUnit, SchoolType, UnitKind
from kiemdinh.units.services import school_create, unit_create
from kiemdinh.workflow.services import cycle_open


class _Rollback(Exception):
    pass


def _median_seconds(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bare_script_for(data: bytes):
    """A function that writes the same paragraphs and tables as `data` with plain python-docx calls (no styles,
    no fields, no formatting): the floor for building this document."""
    source = Document(io.BytesIO(data))
    paragraphs = [p.text for p in source.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in t.rows] for t in source.tables]

    def write() -> bytes:
        doc = Document()
        for text in paragraphs:
            doc.add_paragraph(text)
        for rows in tables:
            table = doc.add_table(rows=len(rows), cols=len(rows[0]) if rows else 1)
            for row, values in zip(table.rows, rows, strict=True):
                for cell, value in zip(row.cells, values, strict=False):
                    cell.text = value
        buffer = io.BytesIO()
        doc.save(buffer)
        return buffer.getvalue()

    return write, len(paragraphs), len(tables)


class Command(BaseCommand):
    help = (
        "Time the self-assessment report: the demo Thanh Chấn report and a generated large one (TT18, 28 criteria, "
        "400 evidence items), each against a bare python-docx script writing the same paragraphs and tables."
    )

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median reported)")
        parser.add_argument("--evidence", type=int, default=400, help="evidence items of the generated report")

    def handle(self, *args, runs, evidence, **options):
        demo = Cycle.objects.filter(school__code="DEMO-TC-TH", school_year="2021-2022").first()
        if demo is None:
            self.stdout.write("demo report: skipped (run ./scripts/manage seed_demo first)")
        else:
            self._measure("demo report (TT17, Thanh Chấn 2021-2022)", demo, runs)
        try:
            with transaction.atomic():
                cycle = self._large_cycle(evidence)
                self._measure(f"generated report (TT18, 28 criteria, {evidence} evidence items)", cycle, runs)
                raise _Rollback
        except _Rollback:
            pass

    def _measure(self, label: str, cycle: Cycle, runs: int) -> None:
        with CaptureQueriesContext(connection) as queries:
            context = build_report(cycle)
        data = report_docx(context)
        build = _median_seconds(lambda: build_report(cycle), runs)
        render = _median_seconds(lambda: report_docx(context), runs)
        bare, n_paragraphs, n_tables = bare_script_for(data)
        floor = _median_seconds(bare, runs)
        self.stdout.write(
            f"{label}\n"
            f"  context: {build * 1000:8.1f} ms ({len(queries)} queries)\n"
            f"  docx:    {render * 1000:8.1f} ms ({len(data) // 1024} KB, {n_paragraphs} paragraphs, {n_tables} tables)\n"
            f"  total:   {(build + render) * 1000:8.1f} ms\n"
            f"  bare python-docx, same paragraphs and tables: {floor * 1000:8.1f} ms "
            f"→ ours is {(build + render) / floor:.1f}× the floor"
        )

    def _large_cycle(self, evidence_count: int) -> Cycle:

        unit = AdministrativeUnit.objects.filter(kind=UnitKind.COMMUNE).first() or unit_create(
            actor=None, code="BENCH", name="xã Đo Lường", kind=UnitKind.PROVINCE
        )
        school = school_create(
            actor=None, code="BENCH-THCS", name="Trường THCS Đo Lường", school_type=SchoolType.THCS, unit=unit
        )
        framework = FrameworkVersion.objects.get(code="tt18-2018")
        cycle = cycle_open(actor=None, school=school, school_year="2024-2025", framework=framework)
        add_council(cycle, None, size=9)
        fill_forms(cycle, None)
        criteria = list(Criterion.objects.filter(version=framework).order_by("position"))
        for n in range(evidence_count - len(criteria)):
            evidence_create(
                actor=None,
                cycle=cycle,
                criterion=criteria[n % len(criteria)],
                name=f"Biên bản, kế hoạch và báo cáo số {n + 1} của nhà trường về hoạt động giáo dục",
                issue_ref=f"Số {n + 1}/BB-THCS ngày 15/9/2024",
                issued_by="Trường THCS Đo Lường",
            )
        return cycle
