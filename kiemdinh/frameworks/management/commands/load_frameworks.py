from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kiemdinh.frameworks.services import PublishedVersionChanged, framework_version_load
from kiemdinh.frameworks.spec import data_files, read_data_file


class Command(BaseCommand):
    help = (
        "Load every regulation version from kiemdinh/frameworks/data/ (or the given files) into the database. "
        "Idempotent: unchanged versions are left alone. A published version whose file changed is refused; "
        "publish the new text as a new version instead."
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
            except PublishedVersionChanged as exc:
                refused.append(str(exc))
                self.stderr.write(f"{path.name}: {exc}")
                continue
            label = {"created": "đã tạo", "updated": "đã cập nhật", "unchanged": "không đổi"}[result.action]
            self.stdout.write(f"{result.code}: {label}")
        if refused:
            raise CommandError(f"{len(refused)} phiên bản bị từ chối vì đã công bố mà nội dung thay đổi.")
