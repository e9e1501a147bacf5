"""What the preview of a batch shows and whether the batch can still be confirmed: the checked rows as stored (each
value cut to its column's limit), the person's batch waiting for confirmation, its expiry after
KIEMDINH_IMPORT_PENDING_HOURS, and how many rows have errors."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from kiemdinh.core.tabular import shown
from kiemdinh.evidence.imports.parsing import ALL_COLUMNS
from kiemdinh.evidence.models import EvidenceImportBatch
from kiemdinh.units.models import ImportStatus

SHOWN_CHARS = 300  # a heading, a title line or a value of a column without a length limit is kept up to this
_LIMITS = {c.key: c.max_length or SHOWN_CHARS for c in ALL_COLUMNS} | {"text": SHOWN_CHARS}


def preview_rows(rows: list[dict]) -> list[dict]:
    """The checked rows as stored for the preview: each value cut to its column's length limit (or SHOWN_CHARS), "…"
    marking the cut. A cut value is one character longer than the limit, so the check at commit still refuses it."""
    return [
        {
            key: shown(value, _LIMITS[key]) if key in _LIMITS and isinstance(value, str) else value
            for key, value in r.items()
        }
        for r in rows
    ]


def _expiry_cutoff():
    return timezone.now() - timedelta(hours=settings.KIEMDINH_IMPORT_PENDING_HOURS)


def is_expired(batch: EvidenceImportBatch) -> bool:
    """A batch waiting longer than KIEMDINH_IMPORT_PENDING_HOURS can no longer be confirmed (purged or not yet)."""
    return batch.status == ImportStatus.PENDING and batch.created_at <= _expiry_cutoff()


def pending_batch(actor) -> EvidenceImportBatch | None:
    """The person's catalogue waiting for confirmation (not expired), if any, with its cycle and school."""
    return (
        EvidenceImportBatch.objects.filter(
            created_by=actor, status=ImportStatus.PENDING, created_at__gt=_expiry_cutoff()
        )
        .select_related("cycle__school")
        .defer("rows", "errors")
        .first()
    )


def error_row_count(batch: EvidenceImportBatch) -> int:
    return len({e["row"] for e in batch.errors})
