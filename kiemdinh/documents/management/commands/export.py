import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kiemdinh.documents import registry
from kiemdinh.documents.pdf import PdfUnavailable
from kiemdinh.selfassessment.selectors import CycleLookupError, cycle_by_school_and_year


class Command(BaseCommand):
    help = (
        "Write one document of a school's self-assessment cycle to a file. KIND: report, plan, scope-worksheet, "
        "evidence-catalogue, criterion-forms, council-decision, dossier. What the data still lacks is listed on "
        "standard error (the document marks it in red). Bad input exits with status 2."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", metavar="KIND")
        parser.add_argument("--school", required=True, help="school code or name (diacritics optional)")
        parser.add_argument("--year", required=True, help="school year, e.g. 2021-2022")
        parser.add_argument("--format", required=True, choices=["docx", "xlsx", "pdf", "zip"], dest="fmt")
        parser.add_argument("--out", required=True, help="file to write")

    def handle(self, *args, kind, school, year, fmt, out, **options):
        try:
            document = registry.get(kind)
        except KeyError as exc:
            raise CommandError(exc.args[0], returncode=2) from exc
        if fmt not in document.formats:
            raise CommandError(
                f"{document.title} không có định dạng {fmt}; có: {', '.join(document.formats)}.", returncode=2
            )
        try:
            cycle = cycle_by_school_and_year(school, year)
        except CycleLookupError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        found, school_year = cycle.school, cycle.school_year
        context = document.build(cycle)
        try:
            rendered = registry.render_context(document, cycle, context, fmt)
        except PdfUnavailable as exc:
            raise CommandError(str(exc), returncode=2) from exc
        path = Path(out)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(rendered.data)
        except OSError as exc:
            raise CommandError(f"Không ghi được {out}: {exc.strerror}", returncode=2) from exc
        for label in context.missing:
            sys.stderr.write(f"thiếu dữ liệu: {label}\n")
        self.stdout.write(
            f"{path} ({len(rendered.data):,} byte) — {document.title}, {found.name}, năm học {school_year}"
        )
