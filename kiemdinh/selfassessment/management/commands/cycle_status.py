import json

from django.core.management.base import BaseCommand, CommandError

from kiemdinh.selfassessment.models import Cycle
from kiemdinh.selfassessment.selectors import cycle_status_report
from kiemdinh.selfassessment.services import normalize_school_year
from kiemdinh.units.selectors import SchoolLookupError, school_by_code_or_name


class Command(BaseCommand):
    help = (
        "Show one school's self-assessment cycle of a school year: its results (the same JSON shape as `evaluate`), "
        "its status, and its evidence counts (items, cited, uncited). Unknown school or year exits with status 2."
    )

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, help="school code or name (diacritics optional)")
        parser.add_argument("--year", required=True, help="school year, e.g. 2021-2022")
        parser.add_argument("--json", action="store_true", help="print JSON instead of a short text summary")

    def handle(self, *args, **options):
        try:
            school = school_by_code_or_name(options["school"])
        except SchoolLookupError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        try:
            year = normalize_school_year(options["year"])
        except Exception as exc:  # ValidationError: one line, the message only
            raise CommandError(
                f"Năm học “{options['year']}” không hợp lệ: ghi theo dạng 2021-2022.", returncode=2
            ) from exc
        cycle = Cycle.objects.filter(school=school, school_year=year).select_related("framework", "school").first()
        if cycle is None:
            raise CommandError(f"{school.name} chưa có đợt tự đánh giá năm học {year}.", returncode=2)
        report = cycle_status_report(cycle)
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        levels = ", ".join(f"Mức {k}: {v['achieved']}/{v['total']}" for k, v in report["levels"].items())
        evidence = report["evidence"]
        self.stdout.write(
            f"{school.name} — năm học {year} ({cycle.framework.code}), trạng thái: {cycle.get_status_display()}\n"
            f"{levels} → Mức {report['school_level']}\n"
            f"Minh chứng: {evidence['total']} (đã trích dẫn {evidence['cited']}, chưa trích dẫn {evidence['uncited']})"
        )
