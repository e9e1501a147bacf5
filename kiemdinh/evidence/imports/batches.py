"""The writes of a catalogue import: prepare a batch (the file read and checked outside any transaction, then stored
with its preview and errors), commit it (checked again against the cycle as it is now, every item and citation
written in one transaction, or nothing), discard it, and purge expired and discarded batches' stored rows."""

from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.tabular import ImportPending, read_table
from kiemdinh.core.text import nfc
from kiemdinh.evidence.imports.checks import Plan, check_rows
from kiemdinh.evidence.imports.parsing import parse_table
from kiemdinh.evidence.imports.preview import _expiry_cutoff, error_row_count, is_expired, pending_batch, preview_rows
from kiemdinh.evidence.models import CycleEvidence, Evidence, EvidenceCitation, EvidenceImportBatch
from kiemdinh.evidence.services.common import _audit, _lock_cycle
from kiemdinh.evidence.services.versions import new_version
from kiemdinh.frameworks.choices import Regime
from kiemdinh.frameworks.models import Criterion
from kiemdinh.selfassessment.models import Cycle
from kiemdinh.selfassessment.services import ensure_editable
from kiemdinh.units.models import ImportStatus

_url_validator = URLValidator(schemes=["http", "https"])


def _split_location(location: str) -> tuple[str, str]:
    """TT57's "định dạng, vị trí lưu trữ hoặc đường dẫn điện tử": (link, note)."""
    location = location.strip()
    if not location:
        return "", ""
    try:
        _url_validator(location)
    except ValidationError:
        return "", location
    return location, ""


def _filename(uploaded_file) -> str:
    return nfc(PurePath(getattr(uploaded_file, "name", "") or "").name)[:255]


def _pending(batch: EvidenceImportBatch) -> ImportPending:
    """The person already has a catalogue waiting for confirmation (in this cycle or another): named and linked."""
    where = f" ({batch.cycle.school.name}, năm học {batch.cycle.school_year})"
    return ImportPending(batch, what="lô nhập danh mục minh chứng", where=where)


def _cleared(queryset, status: str) -> int:
    """Set the status and delete the stored preview of every batch of the queryset."""
    return queryset.update(status=status, rows=[], errors=[])


def evidence_import_prepare(*, actor, cycle: Cycle, uploaded_file) -> EvidenceImportBatch:
    """Read and check a catalogue; the batch is kept even with errors, so the preview shows them all.

    The file is read and checked outside any transaction; only the short write of the batch holds the database. A
    person with a catalogue waiting for confirmation is refused (ImportPending) before the file is read."""
    ensure_editable(cycle)
    waiting = pending_batch(actor)
    if waiting:
        raise _pending(waiting)
    rows = parse_table(read_table(uploaded_file))
    plan = check_rows(cycle, rows)
    try:
        with transaction.atomic():
            # The person's own expired batch makes room (one waiting batch per person is a database constraint).
            _cleared(
                EvidenceImportBatch.objects.filter(
                    created_by=actor, status=ImportStatus.PENDING, created_at__lte=_expiry_cutoff()
                ),
                ImportStatus.EXPIRED,
            )
            batch = EvidenceImportBatch.objects.create(
                cycle=cycle,
                created_by=actor,
                original_filename=_filename(uploaded_file),
                rows=preview_rows(plan.rows),
                errors=plan.errors,
            )
            audit_data = {"filename": batch.original_filename, "rows": len(rows), "errors": len(plan.errors)}
            _audit(actor, Event.EVIDENCE_IMPORT_PREPARED, batch, cycle, audit_data)
    except IntegrityError:
        # Another upload of the same person was stored while this one was being read (a double click).
        waiting = pending_batch(actor)
        if waiting:
            raise _pending(waiting) from None
        raise ValidationError("Một lô nhập khác của bạn vừa được tải lên. Hãy tải lại trang rồi thử lại.") from None
    return batch


def _ensure_pending(actor, batch: EvidenceImportBatch, verb: str) -> None:
    if batch.created_by_id != getattr(actor, "pk", None):
        raise ValidationError(f"Lô nhập này do người khác tải lên; bạn không thể {verb}.")
    if batch.status == ImportStatus.COMMITTED:
        raise ValidationError("Lô nhập này đã được nhập vào danh mục minh chứng.")
    if batch.status == ImportStatus.DISCARDED:
        raise ValidationError("Lô nhập này đã bị hủy.")
    if batch.status == ImportStatus.EXPIRED or is_expired(batch):
        raise ValidationError(
            f"Lô nhập này đã hết hạn ({settings.KIEMDINH_IMPORT_PENDING_HOURS} giờ sau khi tải lên mà chưa được xác "
            "nhận) nên đã được xóa. Hãy tải tệp lên lại."
        )


class _Stale(Exception):
    def __init__(self, errors: list[dict]):
        self.errors = errors


def evidence_import_commit(*, actor, batch: EvidenceImportBatch) -> EvidenceImportBatch:
    """Write every item and citation of a checked catalogue, or nothing (checked again first, one transaction)."""
    _ensure_pending(actor, batch, "xác nhận")
    if batch.errors:
        raise ValidationError(f"Không thể nhập: còn {error_row_count(batch)} dòng có lỗi. Hãy sửa tệp rồi tải lên lại.")
    try:
        with transaction.atomic():
            cycle = _lock_cycle(batch.cycle)
            locked = EvidenceImportBatch.objects.select_for_update().get(pk=batch.pk)
            _ensure_pending(actor, locked, "xác nhận")
            plan = check_rows(cycle, locked.rows)
            if plan.errors:
                raise _Stale(plan.errors)
            result = _write(actor=actor, cycle=cycle, plan=plan)
            locked.status = ImportStatus.COMMITTED
            locked.committed_at = timezone.now()
            locked.result = result
            locked.save(update_fields=["status", "committed_at", "result"])
            _audit(
                actor,
                Event.EVIDENCE_IMPORT_COMMITTED,
                locked,
                cycle,
                {"filename": locked.original_filename, "created": result["created"], "cited": result["cited"]},
            )
    except _Stale as stale:
        # The register changed since the preview: keep the new errors for the preview.
        EvidenceImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.PENDING).update(errors=stale.errors)
        batch.errors = stale.errors
        raise ValidationError(
            f"Danh mục minh chứng của đợt đã thay đổi từ lúc kiểm tra: {error_row_count(batch)} dòng nay có lỗi. "
            "Chưa có dữ liệu nào được nhập."
        ) from None
    except IntegrityError:
        raise ValidationError(
            "Danh mục minh chứng vừa thay đổi trong khi nhập. Chưa có dữ liệu nào được nhập; hãy thử lại."
        ) from None
    return locked


def _write(*, actor, cycle: Cycle, plan: Plan) -> dict:
    criteria = {c.code: c for c in Criterion.objects.filter(version_id=cycle.framework_id)}
    links = {link.code: link for link in CycleEvidence.objects.filter(cycle=cycle)}
    created = []
    user = actor if getattr(actor, "is_authenticated", False) else None
    for row in plan.new_items:
        # TT57's "định dạng, vị trí lưu trữ hoặc đường dẫn điện tử" (or such a column in any catalogue).
        link, location_note = _split_location(row.get("location", ""))
        note = "\n".join(p for p in (location_note, row["note"]) if p)
        evidence = Evidence.objects.create(school=cycle.school, created_by=user)
        values = {
            "name": row["name"],
            "issue_ref": row.get("issue_ref", ""),
            "issued_by": row.get("issued_by", ""),
            "note": note,
            "link": link,
        }
        version = new_version(actor=actor, evidence=evidence, cycle=cycle, values=values)
        links[row["normalized"]] = CycleEvidence.objects.create(
            cycle=cycle,
            evidence=evidence,
            version=version,
            code=row["normalized"],
            box=row["box"] if cycle.regime != Regime.TT57 else None,
            criterion=criteria[row["criterion"]],
            sequence=row["sequence"],
        )
        created.append(row["normalized"])
    cited = 0
    for code, criterion_code in plan.citations:
        _, made = EvidenceCitation.objects.get_or_create(cycle_evidence=links[code], criterion=criteria[criterion_code])
        cited += made
    return {"created": len(created), "codes": created, "cited": cited}


@transaction.atomic
def evidence_import_discard(*, actor, batch: EvidenceImportBatch) -> EvidenceImportBatch:
    """Discard a waiting catalogue: nothing is written, and its stored preview is deleted."""
    locked = EvidenceImportBatch.objects.select_for_update().select_related("cycle__school__unit").get(pk=batch.pk)
    _ensure_pending(actor, locked, "hủy")
    locked.status = ImportStatus.DISCARDED
    locked.rows, locked.errors = [], []
    locked.save(update_fields=["status", "rows", "errors"])
    _audit(actor, Event.EVIDENCE_IMPORT_DISCARDED, locked, locked.cycle, {"filename": locked.original_filename})
    return locked


@transaction.atomic
def evidence_import_batches_purge() -> int:
    """Expire every catalogue waiting longer than KIEMDINH_IMPORT_PENDING_HOURS and delete its stored preview (and
    any preview a discarded or expired batch still holds); committed batches keep theirs as the record of the
    import. Returns how many batches were cleared."""
    cleared = _cleared(
        EvidenceImportBatch.objects.filter(status=ImportStatus.PENDING, created_at__lte=_expiry_cutoff()),
        ImportStatus.EXPIRED,
    )
    for done in (ImportStatus.DISCARDED, ImportStatus.EXPIRED):
        cleared += _cleared(EvidenceImportBatch.objects.filter(status=done).exclude(rows=[]), done)
    if cleared:
        audit.record(actor=None, event_type=Event.EVIDENCE_IMPORT_PURGED, data={"batches": cleared})
    return cleared
