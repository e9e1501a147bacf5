from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kiemdinh.devtools.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write one backup archive of the whole installation to PATH (.zip, or .tar.gz): the data of every model "
        "(with the change history), every stored file (evidence files, task documents, exports) and a manifest "
        "with row counts and SHA-256 hashes. Sessions, login-throttling records, the admin log and queued "
        "background tasks are left out. Reads only; stop the server and the worker first for a consistent copy. "
        "Refuses to replace an existing PATH unless --overwrite is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive to write, ending in .zip or .tar.gz")
        parser.add_argument("--overwrite", action="store_true", help="replace PATH if it exists")

    def handle(self, *args, **options):
        path = Path(options["path"])
        if path.exists() and not options["overwrite"]:
            raise CommandError(f"Tệp {path} đã có; chọn tên khác hoặc thêm --overwrite để ghi đè.")
        if not path.parent.is_dir():
            raise CommandError(f"Không có thư mục {path.parent}.")
        try:
            result = backup_create(path, log=self.stderr.write)
        except BackupError as e:
            raise CommandError(str(e)) from e
        manifest = result.manifest
        self.stdout.write(
            f"Đã sao lưu vào {path}: {sum(manifest['row_counts'].values())} dòng dữ liệu, "
            f"{len(manifest['files'])} tệp ({path.stat().st_size / 1024 / 1024:.1f} MB)."
        )
        if result.missing:
            self.stderr.write(
                f"Cảnh báo: {len(result.missing)} dòng dữ liệu trỏ tới tệp không còn trong kho lưu trữ "
                "(ghi trong manifest.json, mục missing_files)."
            )
