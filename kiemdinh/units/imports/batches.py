"""The writes of an import: prepare a batch from a file, commit it (all rows or none), discard it, purge old ones.

Every write is audited; the rows are created through the ordinary unit and school services.
"""

from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kiemdinh.accounts import services as account_services
from kiemdinh.accounts.access import user_scope
from kiemdinh.accounts.models import Role
from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.tabular import ImportPending, read_table, shown
from kiemdinh.core.text import nfc
from kiemdinh.units import services
from kiemdinh.units.access import can_import
from kiemdinh.units.imports.checks import check_rows, error_message
from kiemdinh.units.imports.columns import columns_for
from kiemdinh.units.imports.parsing import ownership_of, parse_rows, role_of, school_type_of, unit_kind_of
from kiemdinh.units.imports.pending import expiry_cutoff, is_expired, pending_batch, pending_hours
from kiemdinh.units.models import AdministrativeUnit, ImportBatch, ImportKind, ImportStatus, School

SHOWN_CHARS = 200  # a value of a column without a length limit is kept (and shown) up to this many characters


def preview_rows(kind: str, rows: list[dict]) -> list[dict]:
    """The rows as stored for the preview: each value cut to its column's length limit (or SHOWN_CHARS), "…" marking
    the cut. A cut value is one character longer than the limit, so the check at commit still refuses it."""
    limits = {c.key: c.max_length or SHOWN_CHARS for c in columns_for(kind)}
    return [{key: shown(value, limits[key]) if key in limits else value for key, value in row.items()} for row in rows]


def _cleared(queryset, status: str) -> int:
    """Set the status and delete the stored preview of every batch of the queryset."""
    return queryset.update(status=status, rows=[], errors=[])


# --- Services ------------------------------------------------------------------------------------------------


def import_batch_prepare(*, actor, kind: str, uploaded_file) -> ImportBatch:
    """Read and check a file; the batch is stored even with errors, so the preview can show them all.

    The file is read and checked outside any transaction (reading takes as long as the file makes it; only the short
    write of the batch holds the database). A person with a batch waiting for confirmation is refused (ImportPending)
    before the file is read: the waiting batch is confirmed or discarded first, never replaced behind their back."""
    if not can_import(actor):
        raise PermissionDenied("Chỉ cán bộ quản lý và quản trị hệ thống được nhập danh sách.")
    if kind not in ImportKind.values:
        raise ValidationError("Loại dữ liệu nhập không hợp lệ.")
    waiting = pending_batch(actor)
    if waiting:
        raise ImportPending(waiting)
    rows = parse_rows(kind, read_table(uploaded_file))
    check = check_rows(kind, rows, user_scope(actor))
    try:
        with transaction.atomic():
            # The person's own expired batch makes room (one waiting batch per person is a database constraint).
            _cleared(
                ImportBatch.objects.filter(
                    created_by=actor, status=ImportStatus.PENDING, created_at__lte=expiry_cutoff()
                ),
                ImportStatus.EXPIRED,
            )
            batch = ImportBatch.objects.create(
                kind=kind,
                created_by=actor,
                original_filename=nfc(PurePath(getattr(uploaded_file, "name", "") or "").name)[:255],
                rows=preview_rows(kind, rows),
                errors=check.errors,
            )
            audit.record(
                actor=actor,
                event_type=Event.IMPORT_PREPARED,
                obj=batch,
                data={
                    "kind": kind,
                    "filename": batch.original_filename,
                    "rows": len(rows),
                    "errors": len(check.errors),
                },
            )
    except IntegrityError:
        # Another upload of the same person was stored while this one was being read (a double click).
        waiting = pending_batch(actor)
        if waiting:
            raise ImportPending(waiting) from None
        raise ValidationError("Một lô nhập khác của bạn vừa được tải lên. Hãy tải lại trang rồi thử lại.") from None
    return batch


class _StaleBatch(Exception):
    def __init__(self, errors: list[dict]):
        self.errors = errors


def _ensure_can_change(actor, batch: ImportBatch, verb: str) -> None:
    if batch.created_by_id != getattr(actor, "pk", None):
        raise ValidationError(f"Lô nhập này do người khác tải lên; bạn không thể {verb}.")
    if batch.status == ImportStatus.COMMITTED:
        raise ValidationError("Lô nhập này đã được nhập vào hệ thống.")
    if batch.status == ImportStatus.DISCARDED:
        raise ValidationError("Lô nhập này đã bị hủy.")
    if batch.status == ImportStatus.EXPIRED or is_expired(batch):
        raise ValidationError(
            f"Lô nhập này đã hết hạn ({pending_hours()} giờ sau khi tải lên mà chưa được xác nhận) nên đã được xóa. "
            "Hãy tải tệp lên lại."
        )


def import_batch_commit(*, actor, batch: ImportBatch) -> ImportBatch:
    """Create every row of a checked batch, or nothing: checked again against today's database, one transaction."""
    if not can_import(actor):
        raise PermissionDenied("Chỉ cán bộ quản lý và quản trị hệ thống được nhập danh sách.")
    _ensure_can_change(actor, batch, "xác nhận")
    if batch.errors:
        raise ValidationError(f"Không thể nhập: còn {batch.error_row_count} dòng có lỗi. Hãy sửa tệp rồi tải lên lại.")
    try:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            _ensure_can_change(actor, locked, "xác nhận")
            check = check_rows(locked.kind, locked.rows, user_scope(actor))
            if check.errors:
                raise _StaleBatch(check.errors)
            created = CREATORS[locked.kind](actor=actor, rows=locked.rows, check=check)
            locked.status = ImportStatus.COMMITTED
            locked.committed_at = timezone.now()
            locked.result = {"created": len(created), "ids": [obj.pk for obj in created]}
            locked.save(update_fields=["status", "committed_at", "result"])
            audit.record(
                actor=actor,
                event_type=Event.IMPORT_COMMITTED,
                obj=locked,
                data={"kind": locked.kind, "filename": locked.original_filename, "created": len(created)},
            )
    except _StaleBatch as stale:
        # The database changed since the preview (a code taken, a unit dissolved…): keep the new errors for it.
        ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.PENDING).update(errors=stale.errors)
        batch.errors = stale.errors
        raise ValidationError(
            f"Dữ liệu trong hệ thống đã thay đổi từ lúc kiểm tra: {batch.error_row_count} dòng nay có lỗi. "
            "Chưa có dữ liệu nào được nhập."
        ) from None
    except IntegrityError:
        raise ValidationError(
            "Dữ liệu trong hệ thống vừa thay đổi trong khi nhập. Chưa có dữ liệu nào được nhập; hãy thử lại."
        ) from None
    return locked


def _service_failed(row: dict, error: ValidationError) -> ValidationError:
    return ValidationError(f"Dòng {row['row']}: {error_message(error)} Chưa có dữ liệu nào được nhập.")


def _create_units(*, actor, rows: list[dict], check) -> list[AdministrativeUnit]:
    by_code = dict(check.units)
    created = []
    for row in rows:
        parent = by_code[row["parent_code"]] if row["parent_code"] else None
        try:
            unit = services.unit_create(
                actor=actor,
                code=row["code"],
                name=row["name"],
                kind=unit_kind_of(row["kind"], has_parent=parent is not None),
                parent=parent,
                education_office=row["education_office"],
            )
        except ValidationError as e:
            raise _service_failed(row, e) from e
        by_code[unit.code] = unit
        created.append(unit)
    return created


def _create_schools(*, actor, rows: list[dict], check) -> list[School]:
    units = check.units
    created = []
    for row in rows:
        try:
            school = services.school_create(
                actor=actor,
                code=row["code"],
                name=row["name"],
                school_type=school_type_of(row["school_type"]),
                ownership=ownership_of(row["ownership"]),
                unit=units[row["unit_code"]],
                address=row["address"],
                phone=row["phone"],
                founded_year=int(row["founded_year"]) if row["founded_year"] else None,
            )
        except ValidationError as e:
            raise _service_failed(row, e) from e
        created.append(school)
    return created


def _create_accounts(*, actor, rows: list[dict], check) -> list:
    """Each account without a password, with its one role (accounts.services.account_create checks the grant
    again); the invitations are sent by the page once the batch is in."""
    created = []
    for row in rows:
        role = role_of(row["role"])
        try:
            user = account_services.account_create(
                actor=actor,
                username=row["username"],
                full_name=row["full_name"],
                email=row["email"],
                role=role,
                unit=check.units[row["unit_code"]] if role == Role.OFFICER else None,
                school=check.schools[row["school_code"]] if role != Role.OFFICER else None,
                title=row["title"],
            )
        except (ValidationError, PermissionDenied) as e:
            raise _service_failed(row, e if isinstance(e, ValidationError) else ValidationError(str(e))) from e
        created.append(user)
    return created


CREATORS = {ImportKind.UNITS: _create_units, ImportKind.SCHOOLS: _create_schools, ImportKind.ACCOUNTS: _create_accounts}


@transaction.atomic
def import_batch_discard(*, actor, batch: ImportBatch) -> ImportBatch:
    """Discard a waiting batch: nothing is written, and its stored preview is deleted."""
    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    _ensure_can_change(actor, locked, "hủy")
    locked.status = ImportStatus.DISCARDED
    locked.rows, locked.errors = [], []
    locked.save(update_fields=["status", "rows", "errors"])
    audit.record(
        actor=actor,
        event_type=Event.IMPORT_DISCARDED,
        obj=locked,
        data={"kind": locked.kind, "filename": locked.original_filename},
    )
    return locked


@transaction.atomic
def import_batches_purge() -> int:
    """Expire every batch waiting longer than KIEMDINH_IMPORT_PENDING_HOURS and delete its stored preview (and any
    preview a discarded or expired batch still holds); committed batches keep theirs as the record of the import.
    Returns how many batches were cleared."""
    expired = _cleared(
        ImportBatch.objects.filter(status=ImportStatus.PENDING, created_at__lte=expiry_cutoff()), ImportStatus.EXPIRED
    )
    for status in (ImportStatus.DISCARDED, ImportStatus.EXPIRED):
        expired += _cleared(ImportBatch.objects.filter(status=status).exclude(rows=[]), status)
    if expired:
        audit.record(actor=None, event_type=Event.IMPORT_PURGED, data={"batches": expired})
    return expired
