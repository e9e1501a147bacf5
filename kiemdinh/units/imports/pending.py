"""The batch a person has waiting for confirmation, and when a waiting batch expires (reads)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from kiemdinh.units.models import ImportBatch, ImportStatus


def pending_hours() -> int:
    return settings.KIEMDINH_IMPORT_PENDING_HOURS


def expiry_cutoff():
    return timezone.now() - timedelta(hours=pending_hours())


def is_expired(batch: ImportBatch) -> bool:
    """A batch waiting longer than KIEMDINH_IMPORT_PENDING_HOURS can no longer be confirmed (purged or not yet)."""
    return batch.status == ImportStatus.PENDING and batch.created_at <= expiry_cutoff()


def pending_batch(actor) -> ImportBatch | None:
    """The person's batch waiting for confirmation (not expired), if any."""
    return (
        ImportBatch.objects.filter(created_by=actor, status=ImportStatus.PENDING, created_at__gt=expiry_cutoff())
        .defer("rows", "errors")
        .first()
    )
