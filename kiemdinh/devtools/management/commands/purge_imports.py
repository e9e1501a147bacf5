from django.conf import settings
from django.core.management.base import BaseCommand

from kiemdinh.evidence.imports import evidence_import_batches_purge
from kiemdinh.units.imports.batches import import_batches_purge


class Command(BaseCommand):
    help = (
        "Expire every Excel/CSV import (unit and school lists, evidence catalogues) left waiting for confirmation longer "
        "than KIEMDINH_IMPORT_PENDING_HOURS and delete its stored preview, and the preview any discarded or expired "
        "import still holds; committed imports keep theirs. Idempotent; run it daily (beside send_reminders)."
    )

    def handle(self, *args, **options):
        units = import_batches_purge()
        evidence = evidence_import_batches_purge()
        self.stdout.write(
            f"Đã xóa dữ liệu xem trước của {units} lô nhập danh sách đơn vị, trường và {evidence} lô nhập danh mục "
            f"minh chứng (lô chờ xác nhận quá {settings.KIEMDINH_IMPORT_PENDING_HOURS} giờ, lô đã hủy hoặc hết hạn)."
        )
