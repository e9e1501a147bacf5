"""Benchmark: the memory a dossier download takes (hồ sơ điện tử, one zip with every evidence file), measured with
tracemalloc: as the download writes it now (into a temporary file, then streamed) and as it was built before (the whole
archive in memory). Memory, not time; nothing is left in the database or in the file storage."""

import os
import tracemalloc

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction

from kiemdinh.documents import kinds, rendering
from kiemdinh.documents.dossier import build_dossier, dossier_zip
from kiemdinh.evidence.services import evidence_create, evidence_file_add
from kiemdinh.frameworks.models import Criterion, FrameworkVersion
from kiemdinh.units.models import SchoolType, UnitKind
from kiemdinh.units.services import school_create, unit_create
from kiemdinh.workflow.services import cycle_open

PDF_HEADER = b"%PDF-1.4\n"


class _Rollback(Exception):
    pass


def peak_bytes(fn) -> int:
    """The highest amount of memory Python allocated while `fn` ran, above what it held before."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


class Command(BaseCommand):
    help = (
        "Measure the memory of a dossier download (tracemalloc peak) with generated evidence files of the given total "
        "size: written to a temporary file and streamed (how the download works) against built in memory (how it "
        "worked before). Prints one line per size; leaves nothing behind."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--evidence-mb", type=int, nargs="+", default=[45, 180], help="total size of the evidence files (MB)"
        )
        parser.add_argument("--file-mb", type=int, default=1, help="size of each evidence file (MB)")

    def handle(self, *args, evidence_mb, file_mb, **options):
        kind = kinds.get("dossier")
        self.stdout.write("| evidence files | zip | peak, streamed from a temporary file | peak, built in memory |")
        self.stdout.write("|---:|---:|---:|---:|")
        for total in evidence_mb:
            stored: list = []
            try:
                with transaction.atomic():
                    cycle = self._cycle(total, file_mb, stored)
                    context = build_dossier(cycle)
                    self._download(kind, cycle, context)  # once first: imports and templates are not the dossier's
                    size = {}

                    def streamed(cycle=cycle, context=context, size=size):
                        written = rendering.render_to_file(kind, cycle, context, "zip")
                        with written.file:
                            size["zip"] = written.file.seek(0, os.SEEK_END)

                    streamed_peak = peak_bytes(streamed)
                    in_memory_peak = peak_bytes(lambda context=context: dossier_zip(context))
                    self.stdout.write(
                        f"| {total} MB in {len(stored)} files | {megabytes(size['zip'])} | "
                        f"{megabytes(streamed_peak)} | {megabytes(in_memory_peak)} |"
                    )
                    raise _Rollback
            except _Rollback:
                pass
            finally:
                for field_file in stored:
                    field_file.storage.delete(field_file.name)

    def _download(self, kind, cycle, context) -> None:
        with rendering.render_to_file(kind, cycle, context, "zip").file:
            pass

    def _cycle(self, total_mb: int, file_mb: int, stored: list):

        unit = unit_create(actor=None, code="BENCH-DOSSIER", name="xã Đo Lường", kind=UnitKind.PROVINCE)
        school = school_create(
            actor=None, code="BENCH-DOSSIER-TH", name="Trường Tiểu học Đo Lường", school_type=SchoolType.TH, unit=unit
        )
        framework = FrameworkVersion.objects.get(code="tt17-2018")
        cycle = cycle_open(actor=None, school=school, school_year="2024-2025", framework=framework)
        criteria = list(Criterion.objects.filter(version=framework).order_by("position"))
        for n in range(max(1, total_mb // file_mb)):
            link = evidence_create(
                actor=None, cycle=cycle, criterion=criteria[n % len(criteria)], name=f"Minh chứng số {n + 1}"
            )
            data = PDF_HEADER + os.urandom(file_mb * 1024 * 1024)  # photographs and scans do not compress
            upload = SimpleUploadedFile(f"minh-chung-{n + 1}.pdf", data, content_type="application/pdf")
            stored.append(evidence_file_add(actor=None, cycle_evidence=link, uploaded_file=upload).file)
        return cycle
