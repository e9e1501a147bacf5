import json

from django.core.management.base import BaseCommand, CommandError

from kiemdinh.selfassessment.selectors import CycleLookupError, cycle_by_school_and_year
from kiemdinh.workflow.selectors import cycle_status_report


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
            cycle = cycle_by_school_and_year(options["school"], options["year"])
        except CycleLookupError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        school, year = cycle.school, cycle.school_year
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
