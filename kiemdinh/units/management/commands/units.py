"""`units --on YYYY-MM-DD [--json]`: the administrative tree as it was on a date (units with their level and name
then, and the schools each managed), from today's tree with the later dated changes undone (units.selectors.tree_on)."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from kiemdinh.units.selectors import tree_on


class Command(BaseCommand):
    help = "Cây đơn vị hành chính và trường tại một ngày (--on YYYY-MM-DD, mặc định hôm nay)."

    def add_arguments(self, parser):
        parser.add_argument("--on", default="", help="ngày, dạng YYYY-MM-DD")
        parser.add_argument("--json", action="store_true", help="in JSON")

    def handle(self, *args, **options):
        try:
            on = date.fromisoformat(options["on"]) if options["on"] else date.today()
        except ValueError:
            raise CommandError(f"Ngày “{options['on']}” không hợp lệ; dùng dạng YYYY-MM-DD.", returncode=2) from None
        units = tree_on(on)
        if options["json"]:
            self.stdout.write(json.dumps({"on": on.isoformat(), "units": units}, ensure_ascii=False, indent=2))
            return
        depth = {}
        for unit in units:
            depth[unit["code"]] = depth.get(unit["parent"], -1) + 1
            indent = "  " * depth[unit["code"]]
            self.stdout.write(f"{indent}{unit['name']} ({unit['kind_label']}, mã {unit['code']})")
            for school in unit["schools"]:
                self.stdout.write(f"{indent}  - {school['name']} (mã {school['code']})")
