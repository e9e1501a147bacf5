from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kiemdinh.devtools.backup import BackupError, restore_archive, verify_archive


class Command(BaseCommand):
    help = (
        "Restore a backup archive written by `backup` onto an EMPTY installation: runs migrate if needed, loads the "
        "data in one transaction, puts the files back through the storage, then checks the row count of every "
        "model and the SHA-256 of every file against the manifest. Refuses, changing nothing, when the database "
        "already holds data or the archive does not match its manifest; any mismatch after loading is rolled back. "
        "Stop the server and the worker first. With --check the archive is only verified."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup archive (.zip or .tar.gz)")
        parser.add_argument(
            "--check", action="store_true", help="only verify the archive against its manifest; change nothing"
        )

    def handle(self, *args, **options):
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"Không có tệp {path}.")
        try:
            if options["check"]:
                manifest = verify_archive(path)
                self.stdout.write(
                    f"Bản sao lưu {path} nguyên vẹn: {sum(manifest['row_counts'].values())} dòng dữ liệu, "
                    f"{len(manifest['files'])} tệp, tạo lúc {manifest['created_at']}."
                )
                return
            result = restore_archive(path, log=self.stderr.write)
        except BackupError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(
            f"Đã khôi phục {path}: {sum(result.rows.values())} dòng dữ liệu, {result.files} tệp; số dòng của từng "
            "bảng và mã băm SHA-256 của từng tệp khớp với bản sao lưu."
        )
