import json
import sys

from django.core.management.base import BaseCommand, CommandError

from kiemdinh.frameworks.contract import ContractError, evaluate_text


class Command(BaseCommand):
    help = (
        "Rate one set of indicator results without touching the database. FILE is a JSON file, or - for standard "
        "input; prints the criteria levels, level counts, school level, accreditation grade and national standard "
        "level as JSON. Bad input exits with status 2 and one line on standard error naming the offending key."
    )
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="JSON file with the results, or - for standard input")

    def handle(self, *args, **options):
        source = options["file"]
        try:
            if source == "-":
                raw = sys.stdin.buffer.read()
            else:
                with open(source, "rb") as fh:
                    raw = fh.read()
        except OSError as exc:
            raise CommandError(f"{source}: cannot read ({exc.strerror})", returncode=2) from exc
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CommandError("$: not valid UTF-8 JSON", returncode=2) from exc
        try:
            result = evaluate_text(text)
        except ContractError as exc:
            raise CommandError(str(exc).replace("\n", " "), returncode=2) from exc
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
