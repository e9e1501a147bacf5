"""Import of administrative units and schools from Excel (.xlsx) or CSV.

Two steps, so nothing reaches the tree before a person has looked at it:
``import_batch_prepare`` reads the file (kiemdinh.core.tabular: caps checked before parsing, outside any transaction),
normalises and checks every row and stores what the preview shows (errors included, over-long values cut) as an
ImportBatch; ``import_batch_commit`` checks the stored rows again against the database as it is now and creates
everything through the ordinary services in one transaction, or nothing at all.

A person has at most one batch waiting for confirmation; it expires after KIEMDINH_IMPORT_PENDING_HOURS, and a
discarded or expired batch keeps no rows (``import_batches_purge``, run by ``manage.py purge_imports``).

Row numbers in messages are the ones the user sees in Excel (the header is row 1).
"""

from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from kiemdinh.accounts.access import Scope, user_scope
from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.tabular import XLSX_CONTENT_TYPE, ImportPending, header_key, read_table, shown, workbook_bytes
from kiemdinh.core.text import fold, nfc
from kiemdinh.units import services
from kiemdinh.units.access import can_import
from kiemdinh.units.models import (
    SHORT_TYPE_LABELS,
    AdministrativeUnit,
    ImportBatch,
    ImportKind,
    ImportStatus,
    Ownership,
    School,
    SchoolType,
    UnitKind,
)

__all__ = ["XLSX_CONTENT_TYPE"]  # re-exported for the views

SHOWN_CHARS = 200  # a value of a column without a length limit is kept (and shown) up to this many characters
_LOOKUP_CHUNK = 500  # keeps "code IN (…)" below every database's parameter limit


# --- Columns -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool = False  # the column must be present (values may still be checked row by row)
    max_length: int | None = None
    example: str = ""
    help: str = ""
    aliases: tuple[str, ...] = ()
    as_text: bool = False  # formatted as text in the template, so Excel keeps leading zeros


UNIT_COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        "Mã đơn vị",
        required=True,
        max_length=32,
        example="19774",
        help="Bắt buộc. Chữ không dấu, số và các dấu - _ . (tối đa 32 ký tự); không trùng với đơn vị đã có.",
        aliases=("Mã ĐV", "Mã đơn vị hành chính"),
        as_text=True,
    ),
    Column(
        "name",
        "Tên đơn vị",
        required=True,
        max_length=200,
        example="Phường Thuận Hóa",
        help="Bắt buộc. Tên đầy đủ, ví dụ “Phường Thuận Hóa”.",
        aliases=("Tên đơn vị hành chính",),
    ),
    Column(
        "kind",
        "Cấp",
        required=True,
        example="Phường",
        help="Bắt buộc. Tỉnh, Thành phố, Huyện, Quận, Thị xã, Xã, Phường, Thị trấn, Đặc khu "
        "(hoặc province, district, commune). “Thành phố” không có đơn vị cấp trên là cấp tỉnh, "
        "có đơn vị cấp trên là thành phố thuộc tỉnh.",
        aliases=("Cấp đơn vị", "Cấp hành chính", "Loại đơn vị"),
    ),
    Column(
        "parent_code",
        "Mã đơn vị cấp trên",
        max_length=32,
        example="46",
        help="Để trống với tỉnh/thành phố trực thuộc trung ương. Có thể là mã một đơn vị ở dòng phía trên "
        "trong cùng tệp.",
        aliases=("Mã cấp trên", "Mã ĐV cấp trên"),
        as_text=True,
    ),
    Column(
        "education_office",
        "Cơ quan quản lý giáo dục",
        max_length=200,
        example="UBND phường Thuận Hóa",
        help="Không bắt buộc, ví dụ “Phòng GD&ĐT …” hoặc “Sở GD&ĐT …”.",
        aliases=("Cơ quan quản lý",),
    ),
)

SCHOOL_COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        "Mã trường",
        required=True,
        max_length=32,
        example="TH-THUANHOA",
        help="Bắt buộc. Chữ không dấu, số và các dấu - _ . (tối đa 32 ký tự); không trùng với trường đã có.",
        as_text=True,
    ),
    Column(
        "name",
        "Tên trường",
        required=True,
        max_length=200,
        example="Trường Tiểu học Thuận Hóa",
        help="Bắt buộc.",
    ),
    Column(
        "school_type",
        "Loại trường",
        required=True,
        example="TH",
        help="Bắt buộc. MN, MG, NT, TH, THCS, THPT, TH&THCS, THCS&THPT, PTNCH hoặc tên đầy đủ "
        "(ví dụ “Trường tiểu học”).",
        aliases=("Loại",),
    ),
    Column(
        "ownership",
        "Loại hình",
        example="Công lập",
        help="Công lập, Tư thục hoặc Dân lập; để trống là Công lập.",
    ),
    Column(
        "unit_code",
        "Mã đơn vị quản lý",
        required=True,
        max_length=32,
        example="19774",
        help="Bắt buộc. Mã đơn vị hành chính đã có trong hệ thống và thuộc phạm vi quản lý của bạn.",
        aliases=("Mã đơn vị",),
        as_text=True,
    ),
    Column("address", "Địa chỉ", max_length=300, example="Số 1 Lê Lợi", help="Không bắt buộc."),
    Column(
        "phone",
        "Điện thoại",
        max_length=40,
        example="0234 3822 123",
        help="Không bắt buộc.",
        aliases=("Số điện thoại", "SĐT"),
        as_text=True,
    ),
    Column(
        "founded_year",
        "Năm thành lập",
        example="1976",
        help="Không bắt buộc. Năm gồm 4 chữ số.",
    ),
)

COLUMNS: dict[str, tuple[Column, ...]] = {ImportKind.UNITS: UNIT_COLUMNS, ImportKind.SCHOOLS: SCHOOL_COLUMNS}


def columns_for(kind: str) -> tuple[Column, ...]:
    try:
        return COLUMNS[kind]
    except KeyError:
        raise ValidationError("Loại dữ liệu nhập không hợp lệ.") from None


def _column_label(kind: str, key: str) -> str:
    return next(c.label for c in columns_for(kind) if c.key == key)


# --- Values --------------------------------------------------------------------------------------------------


def _key(text: str) -> str:
    """Lookup key for a user-typed value: folded, "&"/"_"/"-"/"và" treated alike, spaces dropped."""
    folded = fold(text).replace(" va ", "&").replace("_", "&").replace("-", "&").replace("/", "&")
    return "".join(folded.split())


# Unit kinds by what Vietnamese lists write in a "Cấp" column. "Thành phố" depends on the parent (see unit_kind_of).
_UNIT_KIND_WORDS = {
    UnitKind.PROVINCE: ["Tỉnh", "Cấp tỉnh", "Thành phố trực thuộc trung ương", "TP trực thuộc trung ương"],
    UnitKind.DISTRICT: ["Huyện", "Quận", "Thị xã", "Cấp huyện", "Thành phố thuộc tỉnh", "TP thuộc tỉnh"],
    UnitKind.COMMUNE: ["Xã", "Phường", "Thị trấn", "Đặc khu", "Cấp xã"],
}
_UNIT_KINDS: dict[str, str] = {}
for _kind, _words in _UNIT_KIND_WORDS.items():
    for _word in [*_words, _kind.value, _kind.label]:
        _UNIT_KINDS[_key(_word)] = _kind.value
_CITY_KEYS = {_key("Thành phố"), _key("TP")}


def unit_kind_of(text: str, *, has_parent: bool) -> str | None:
    """The UnitKind code for a "Cấp" value, or None. A "Thành phố" without a parent is a centrally-run city
    (province level); with one, a city of a province (district level)."""
    key = _key(text)
    if key in _CITY_KEYS:
        return UnitKind.DISTRICT.value if has_parent else UnitKind.PROVINCE.value
    return _UNIT_KINDS.get(key)


_SCHOOL_TYPES: dict[str, str] = {}
for _type in SchoolType:
    for _word in (_type.value, _type.label, _type.label.removeprefix("Trường "), SHORT_TYPE_LABELS[_type]):
        _SCHOOL_TYPES[_key(_word)] = _type.value
_SCHOOL_TYPES[_key("Phổ thông nhiều cấp học")] = SchoolType.PTNCH.value


def school_type_of(text: str) -> str | None:
    return _SCHOOL_TYPES.get(_key(text))


_OWNERSHIPS = {_key(o.value): o.value for o in Ownership} | {_key(o.label): o.value for o in Ownership}


def ownership_of(text: str) -> str | None:
    if not text.strip():
        return Ownership.CONG_LAP.value
    return _OWNERSHIPS.get(_key(text))


def _match_header(kind: str, header: list[str]) -> dict[str, int]:
    """Column key → cell index, or a ValidationError naming the missing or repeated columns."""
    by_key: dict[str, Column] = {}
    for column in columns_for(kind):
        for text in (column.label, *column.aliases):
            by_key[header_key(text)] = column
    positions: dict[str, int] = {}
    repeated = []
    for index, cell in enumerate(header):
        column = by_key.get(header_key(cell))
        if column is None:
            continue
        if column.key in positions:
            repeated.append(column.label)
        else:
            positions[column.key] = index
    missing = [c.label for c in columns_for(kind) if c.required and c.key not in positions]
    problems = []
    if missing:
        problems.append("Tệp thiếu cột bắt buộc: " + ", ".join(f"“{m}”" for m in missing) + ".")
    if repeated:
        problems.append("Cột bị lặp lại: " + ", ".join(f"“{r}”" for r in repeated) + ".")
    if problems:
        problems.append("Dòng đầu tiên của tệp phải là dòng tiêu đề như trong tệp mẫu.")
        raise ValidationError(" ".join(problems))
    return positions


def parse_rows(kind: str, table: list[tuple[int, list[str]]]) -> list[dict]:
    """Table → normalised row dicts {"row": n, <column key>: text}; the first non-empty row is the header."""
    if not table:
        raise ValidationError("Tệp không có dữ liệu.")
    (_, header), *data = table
    positions = _match_header(kind, header)
    if not data:
        raise ValidationError("Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào.")
    rows = []
    for number, cells in data:
        row = {"row": number}
        for column in columns_for(kind):
            index = positions.get(column.key)
            row[column.key] = cells[index] if index is not None and index < len(cells) else ""
        rows.append(row)
    return rows


# --- Checking rows -------------------------------------------------------------------------------------------


class _Errors:
    def __init__(self, kind: str):
        self.kind = kind
        self.items: list[dict] = []

    def add(self, row: int, key: str, message: str) -> None:
        # A message may quote the cell (a code, a kind): stored as shown, whatever the cell held.
        self.items.append({"row": row, "column": _column_label(self.kind, key), "message": shown(message, 400)})


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)


def _by_code(model, codes: set[str]) -> dict[str, object]:
    found = {}
    codes = sorted(codes)
    for start in range(0, len(codes), _LOOKUP_CHUNK):
        for obj in model.objects.filter(code__in=codes[start : start + _LOOKUP_CHUNK]):
            found[obj.code] = obj
    return found


def _existing_codes(model, codes: set[str]) -> set[str]:
    existing = set()
    codes = sorted(codes)
    for start in range(0, len(codes), _LOOKUP_CHUNK):
        existing.update(
            model.objects.filter(code__in=codes[start : start + _LOOKUP_CHUNK]).values_list("code", flat=True)
        )
    return existing


def _check_common(errors: _Errors, row: dict, code_label: str, seen: dict[str, int], existing: set[str]) -> bool:
    """Code, name and lengths, shared by both kinds. True when the code itself is usable."""
    number = row["row"]
    code_ok = False
    try:
        services.validate_code(row["code"], code_label)
    except ValidationError as e:
        errors.add(number, "code", _message(e))
    else:
        code_ok = True
        if row["code"] in seen:
            errors.add(
                number, "code", f"{code_label.capitalize()} “{row['code']}” bị trùng với dòng {seen[row['code']]}."
            )
        elif row["code"] in existing:
            errors.add(number, "code", f"{code_label.capitalize()} “{row['code']}” đã có trong hệ thống.")
    if not row["name"]:
        errors.add(number, "name", f"Thiếu {_column_label(errors.kind, 'name').lower()}.")
    for column in columns_for(errors.kind):
        value = row.get(column.key, "")
        if column.max_length and column.key != "code" and len(value) > column.max_length:
            errors.add(number, column.key, f"Dài quá {column.max_length} ký tự (hiện có {len(value)}).")
    return code_ok


def _unit_problem(unit: AdministrativeUnit, scope: Scope, what: str) -> str | None:
    if not scope.covers_path(unit.path):
        return f"{what} “{unit.code}” ({unit.name}) nằm ngoài phạm vi quản lý của bạn."
    if unit.dissolved_on and unit.dissolved_on <= timezone.localdate():
        return f"{what} “{unit.code}” ({unit.name}) đã giải thể từ ngày {unit.dissolved_on:%d/%m/%Y}."
    return None


@dataclass
class _Check:
    errors: list[dict]
    units: dict[str, AdministrativeUnit]  # database units the rows refer to, by code


def _check_units(rows: list[dict], scope: Scope) -> _Check:
    errors = _Errors(ImportKind.UNITS)
    codes = {r["code"] for r in rows if r["code"]}
    existing = _existing_codes(AdministrativeUnit, codes)
    first_row_of: dict[str, int] = {}
    for r in rows:
        first_row_of.setdefault(r["code"], r["row"])
    db_parents = _by_code(AdministrativeUnit, {r["parent_code"] for r in rows if r["parent_code"]} - codes)
    seen: dict[str, int] = {}
    kinds_in_file: dict[str, str | None] = {}  # code of an earlier row → its kind (None when unreadable)
    for row in rows:
        number, code, parent_code = row["row"], row["code"], row["parent_code"]
        code_ok = _check_common(errors, row, "mã đơn vị", seen, existing)
        kind = unit_kind_of(row["kind"], has_parent=bool(parent_code))
        if not row["kind"]:
            errors.add(number, "kind", "Thiếu cấp đơn vị.")
        elif kind is None:
            errors.add(
                number,
                "kind",
                f"Cấp “{shown(row['kind'])}” không hợp lệ. Dùng một trong: Tỉnh, Thành phố, Huyện, Quận, Thị xã, "
                "Xã, Phường, Thị trấn, Đặc khu.",
            )
        parent_known, parent_kind = True, None
        if not parent_code:
            if not scope.is_admin:
                errors.add(
                    number,
                    "parent_code",
                    "Thiếu mã đơn vị cấp trên. Chỉ quản trị hệ thống mới được thêm tỉnh/thành phố "
                    "(đơn vị không có cấp trên).",
                )
                parent_known = False
        elif parent_code == code:
            errors.add(number, "parent_code", "Đơn vị không thể là cấp trên của chính nó.")
            parent_known = False
        elif parent_code in kinds_in_file:
            parent_kind = kinds_in_file[parent_code]
            parent_known = parent_kind is not None
        elif parent_code in first_row_of:
            errors.add(
                number,
                "parent_code",
                f"Đơn vị cấp trên “{parent_code}” nằm ở dòng {first_row_of[parent_code]}, sau dòng này. "
                "Hãy xếp đơn vị cấp trên lên trước các đơn vị trực thuộc.",
            )
            parent_known = False
        elif parent_code in db_parents:
            parent = db_parents[parent_code]
            problem = _unit_problem(parent, scope, "Đơn vị cấp trên")
            if problem:
                errors.add(number, "parent_code", problem)
                parent_known = False
            parent_kind = parent.kind
        else:
            errors.add(
                number,
                "parent_code",
                f"Không tìm thấy đơn vị cấp trên có mã “{shown(parent_code)}” trong hệ thống hoặc ở các dòng phía "
                "trên.",
            )
            parent_known = False
        if kind and parent_known:
            try:
                services.validate_unit_parent(kind, AdministrativeUnit(kind=parent_kind) if parent_kind else None)
            except ValidationError as e:
                errors.add(number, "parent_code", _message(e))
        if code_ok and code not in seen:
            seen[code] = number
            kinds_in_file[code] = kind
    return _Check(errors.items, db_parents)


def _check_schools(rows: list[dict], scope: Scope) -> _Check:
    errors = _Errors(ImportKind.SCHOOLS)
    existing = _existing_codes(School, {r["code"] for r in rows if r["code"]})
    units = _by_code(AdministrativeUnit, {r["unit_code"] for r in rows if r["unit_code"]})
    this_year = timezone.localdate().year
    seen: dict[str, int] = {}
    for row in rows:
        number = row["row"]
        if _check_common(errors, row, "mã trường", seen, existing) and row["code"] not in seen:
            seen[row["code"]] = number
        if not row["school_type"]:
            errors.add(number, "school_type", "Thiếu loại trường.")
        elif school_type_of(row["school_type"]) is None:
            errors.add(
                number,
                "school_type",
                f"Loại trường “{shown(row['school_type'])}” không hợp lệ. Dùng một trong: MN, MG, NT, TH, THCS, THPT, "
                "TH&THCS, THCS&THPT, PTNCH.",
            )
        if ownership_of(row["ownership"]) is None:
            errors.add(
                number,
                "ownership",
                f"Loại hình “{shown(row['ownership'])}” không hợp lệ. Dùng Công lập, Tư thục hoặc Dân lập.",
            )
        unit_code = row["unit_code"]
        if not unit_code:
            errors.add(number, "unit_code", "Thiếu mã đơn vị quản lý.")
        elif unit_code not in units:
            errors.add(number, "unit_code", f"Không tìm thấy đơn vị quản lý có mã “{shown(unit_code)}”.")
        else:
            problem = _unit_problem(units[unit_code], scope, "Đơn vị quản lý")
            if problem:
                errors.add(number, "unit_code", problem)
        year = row["founded_year"]
        if year:
            if not year.isdigit():
                errors.add(number, "founded_year", f"Năm thành lập “{shown(year)}” không phải là số (ví dụ 1995).")
            elif len(year) > 4 or not 1800 <= int(year) <= this_year:
                errors.add(
                    number, "founded_year", f"Năm thành lập “{shown(year)}” không hợp lệ (từ 1800 đến {this_year})."
                )
    return _Check(errors.items, units)


def check_rows(kind: str, rows: list[dict], scope: Scope) -> _Check:
    checker = _check_units if kind == ImportKind.UNITS else _check_schools
    result = checker(rows, scope)
    result.errors.sort(key=lambda e: e["row"])  # stable: within a row, the column order of the checks
    return result


# --- Previews ------------------------------------------------------------------------------------------------


def preview_rows(kind: str, rows: list[dict]) -> list[dict]:
    """The rows as stored for the preview: each value cut to its column's length limit (or SHOWN_CHARS), "…" marking
    the cut. A cut value is one character longer than the limit, so the check at commit still refuses it."""
    limits = {c.key: c.max_length or SHOWN_CHARS for c in columns_for(kind)}
    return [{key: shown(value, limits[key]) if key in limits else value for key, value in row.items()} for row in rows]


def pending_hours() -> int:
    return settings.KIEMDINH_IMPORT_PENDING_HOURS


def _expiry_cutoff():
    return timezone.now() - timedelta(hours=pending_hours())


def is_expired(batch: ImportBatch) -> bool:
    """A batch waiting longer than KIEMDINH_IMPORT_PENDING_HOURS can no longer be confirmed (purged or not yet)."""
    return batch.status == ImportStatus.PENDING and batch.created_at <= _expiry_cutoff()


def pending_batch(actor) -> ImportBatch | None:
    """The person's batch waiting for confirmation (not expired), if any."""
    return (
        ImportBatch.objects.filter(created_by=actor, status=ImportStatus.PENDING, created_at__gt=_expiry_cutoff())
        .defer("rows", "errors")
        .first()
    )


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
                    created_by=actor, status=ImportStatus.PENDING, created_at__lte=_expiry_cutoff()
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
            create = _create_units if locked.kind == ImportKind.UNITS else _create_schools
            created = create(actor=actor, rows=locked.rows, units=check.units)
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
    return ValidationError(f"Dòng {row['row']}: {_message(error)} Chưa có dữ liệu nào được nhập.")


def _create_units(*, actor, rows: list[dict], units: dict[str, AdministrativeUnit]) -> list[AdministrativeUnit]:
    by_code = dict(units)
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


def _create_schools(*, actor, rows: list[dict], units: dict[str, AdministrativeUnit]) -> list[School]:
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
        ImportBatch.objects.filter(status=ImportStatus.PENDING, created_at__lte=_expiry_cutoff()), ImportStatus.EXPIRED
    )
    for status in (ImportStatus.DISCARDED, ImportStatus.EXPIRED):
        expired += _cleared(ImportBatch.objects.filter(status=status).exclude(rows=[]), status)
    if expired:
        audit.record(actor=None, event_type=Event.IMPORT_PURGED, data={"batches": expired})
    return expired


# --- Template file -------------------------------------------------------------------------------------------


def template_workbook(kind: str) -> bytes:
    """An .xlsx with the header row, one example row and a sheet explaining each column."""
    columns = columns_for(kind)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách"
    sheet.append([c.label for c in columns])
    sheet.append([c.example for c in columns])
    header_fill = PatternFill("solid", fgColor="DCE8F5")
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(14, len(column.label) + 4, len(column.example) + 4)
        if column.as_text:
            # Text format, so codes like "01" and phone numbers keep their leading zeros.
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet("Hướng dẫn")
    guide.append(["Cột", "Cách điền"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
    for column in columns:
        guide.append([column.label, column.help])
    guide.append([])
    guide.append(["Lưu ý", "Dòng 1 là dòng tiêu đề, giữ nguyên tên cột. Xóa dòng ví dụ trước khi nhập."])
    guide.column_dimensions["A"].width = 28
    guide.column_dimensions["B"].width = 110
    for row in guide.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    return workbook_bytes(workbook)
