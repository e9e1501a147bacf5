import json

from django.core.management.base import BaseCommand, CommandError

from kiemdinh.frameworks.selectors.marks import CONFIDENCE_SHORT
from kiemdinh.frameworks.selectors.summaries import version_summaries


class Command(BaseCommand):
    help = (
        "List the regulation versions loaded in the database with their counts (standards, criteria, indicators per "
        "level, known Mức 4 items), Mức 4 list status and provenance (how many texts are verbatim, approximate or "
        "missing), their revision records and the criteria amended but not yet updated. Prints a table, or JSON "
        "with --json."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print a JSON list, one object per version")

    def handle(self, *args, **options):
        summaries = version_summaries()
        if not summaries:
            raise CommandError("Chưa nạp bộ tiêu chuẩn nào; chạy ./scripts/manage load_frameworks")
        if options["json"]:
            self.stdout.write(json.dumps([s.as_json() for s in summaries], ensure_ascii=False, indent=2))
            return
        headers = ["Mã", "Văn bản", "Tiêu chuẩn", "Tiêu chí", "Chỉ báo theo mức", "Mức 4", "Độ tin cậy"]
        rows = []
        for s in summaries:
            v = s.version
            per_level = "/".join(str(s.indicators_by_level[k]) for k in v.criterion_levels)
            criteria = f"{s.criteria} ({s.mandatory} bắt buộc)" if s.mandatory else str(s.criteria)
            level4 = f"{s.level4_known} · {v.get_level4_status_display()}" if s.has_level4 else "—"
            confidence = ", ".join(f"{n} {CONFIDENCE_SHORT.get(c, c).lower()}" for c, n in s.confidence_counts.items())
            rows.append([v.code, v.short_name, str(s.standards), criteria, per_level, level4, confidence])
        widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
        for line in [headers, ["-" * w for w in widths], *rows]:
            self.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
        self.stdout.write("")
        for s in summaries:
            v = s.version
            label = f"{v.circular}" + (f" — {v.variant}" if v.variant else "")
            pending = f"; sửa đổi chưa cập nhật: tiêu chí {', '.join(s.amended_pending)}" if s.amended_pending else ""
            revised = f"; đính chính, sửa đổi dữ liệu: {len(s.revisions)} lần" if s.revisions else ""
            self.stdout.write(
                f"{v.code}: {label}; {v.get_status_display()}; {v.get_confidence_display()}{pending}{revised}"
            )
