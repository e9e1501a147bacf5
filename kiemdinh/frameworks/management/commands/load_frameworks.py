from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kiemdinh.frameworks.services import FrameworkDataError, PublishedVersionChanged, framework_version_load
from kiemdinh.frameworks.spec import data_files, read_data_file

LABELS = {"created": "đã tạo", "updated": "đã cập nhật", "revised": "đã đính chính", "unchanged": "không đổi"}


class Command(BaseCommand):
    help = (
        "Load every regulation version from kiemdinh/frameworks/data/ (or the given files) into the database. "
        "Idempotent: unchanged versions are left alone. A published version whose file changed is refused unless "
        "the file carries a revision record (erratum or amendment) starting from the stored content, which is then "
        "applied in place and kept as history; otherwise publish the new text as a new version."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="data files to load (default: all in kiemdinh/frameworks/data)")

    def handle(self, *args, **options):
        paths = [Path(f) for f in options["files"]] or data_files()
        refused = []
        for path in paths:
            if not path.is_file():
                raise CommandError(f"Không tìm thấy tệp dữ liệu: {path}")
            data = read_data_file(path.resolve())
            try:
                result = framework_version_load(data=data)
            except (PublishedVersionChanged, FrameworkDataError) as exc:
                refused.append(str(exc))
                self.stderr.write(f"{path.name}: {exc}")
                continue
            records = f" ({', '.join(result.revisions)})" if result.revisions and result.action == "revised" else ""
            self.stdout.write(f"{result.code}: {LABELS[result.action]}{records}")
        if refused:
            raise CommandError(f"{len(refused)} phiên bản bị từ chối vì đã công bố mà nội dung thay đổi.")
