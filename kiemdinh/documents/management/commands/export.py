import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kiemdinh.documents import registry
from kiemdinh.documents.pdf import PdfUnavailable
from kiemdinh.selfassessment.models import Cycle
from kiemdinh.selfassessment.services import normalize_school_year
from kiemdinh.units.selectors import SchoolLookupError, school_by_code_or_name


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
            found = school_by_code_or_name(school)
            school_year = normalize_school_year(year)
        except SchoolLookupError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except Exception as exc:  # ValidationError of the year: one line
            raise CommandError(f"Năm học “{year}” không hợp lệ: ghi theo dạng 2021-2022.", returncode=2) from exc
        cycle = (
            Cycle.objects.filter(school=found, school_year=school_year)
            .select_related("school__unit", "framework")
            .first()
        )
        if cycle is None:
            raise CommandError(f"{found.name} chưa có đợt tự đánh giá năm học {school_year}.", returncode=2)
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
