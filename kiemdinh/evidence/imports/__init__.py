"""Import of an evidence catalogue (Bảng danh mục mã minh chứng, Phụ lục 4 / TT57 Phụ lục IV) from Excel or CSV.

The catalogue lists items under criterion heading rows ("Tiêu chuẩn 1: …", "Tiêu chí 1.1: …"). An item whose code
belongs to another criterion than its heading is that item cited again (shared evidence keeps its first code).

Two steps, like the units import: ``evidence_import_prepare`` reads (kiemdinh.core.tabular: caps checked before
parsing, outside any transaction) and checks the file and keeps what the preview shows and every error in an
EvidenceImportBatch; ``evidence_import_commit`` checks the rows again against the cycle as it is now and writes
everything in one transaction, or nothing. Row numbers are the ones Excel shows.

A person has at most one catalogue waiting for confirmation; it expires after KIEMDINH_IMPORT_PENDING_HOURS, and a
discarded or expired batch keeps no rows (``evidence_import_batches_purge``, run by ``manage.py purge_imports``).
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.tabular import ImportPending, header_key, read_table, shown, workbook_bytes
from kiemdinh.core.tabular.columns import Column
from kiemdinh.core.text import fold, nfc
from kiemdinh.evidence.models import CycleEvidence, Evidence, EvidenceCitation, EvidenceImportBatch
from kiemdinh.evidence.services.common import _audit, _lock_cycle
from kiemdinh.evidence.services.versions import new_version
from kiemdinh.frameworks.choices import Regime
from kiemdinh.frameworks.evidence_codes import code_example, default_box, parse_code
from kiemdinh.frameworks.models import Criterion
from kiemdinh.selfassessment.models import Cycle
from kiemdinh.selfassessment.services import ensure_editable
from kiemdinh.units.models import ImportStatus

HEADER_SEARCH_ROWS = 20  # official catalogues have title lines above the header
SHOWN_CHARS = 300  # a heading, a title line or a value of a column without a length limit is kept up to this

COL_TT = Column("tt", "TT", aliases=("STT", "Số TT", "Số thứ tự"), example="1")
COL_CODE = Column("code", "Mã minh chứng", required=True, aliases=("Mã MC", "Mã"), as_text=True)
COL_NAME = Column("name", "Tên minh chứng", required=True, max_length=1000, aliases=("Tên MC", "Tên"))
COL_ISSUE = Column(
    "issue_ref",
    "Số, ngày ban hành",
    max_length=300,
    aliases=("Số, ngày ban hành, hoặc thời điểm khảo sát, điều tra, phỏng vấn, quan sát", "Số/ngày ban hành"),
)
COL_ISSUER = Column("issued_by", "Nơi ban hành", max_length=300, aliases=("Nơi ban hành hoặc nhóm, cá nhân thực hiện",))
COL_NOTE = Column("note", "Ghi chú", max_length=5000)
COL_LOCATION = Column(
    "location",
    "Định dạng, vị trí lưu trữ hoặc đường dẫn điện tử",
    max_length=1000,
    aliases=("Vị trí lưu trữ", "Đường dẫn điện tử", "Đường dẫn"),
)
COLUMNS_2018 = (COL_TT, COL_CODE, COL_NAME, COL_ISSUE, COL_ISSUER, COL_NOTE)
COLUMNS_TT57 = (COL_TT, COL_CODE, COL_NAME, COL_LOCATION, COL_NOTE)
ALL_COLUMNS = (COL_TT, COL_CODE, COL_NAME, COL_ISSUE, COL_ISSUER, COL_LOCATION, COL_NOTE)
COLUMN_LABEL = {c.key: c.label for c in ALL_COLUMNS} | {"heading": "Tiêu chí"}

HEADING_RE = re.compile(r"^tieu\s*(?P<what>chuan|chi)\s*(?P<code>\d{1,2}(?:\s*\.\s*\d{1,2})?)(?![\d.]\d)")
_url_validator = URLValidator(schemes=["http", "https"])


def columns_for(regime: str) -> tuple[Column, ...]:
    return COLUMNS_TT57 if regime == Regime.TT57 else COLUMNS_2018


# --- Reading -------------------------------------------------------------------------------------------------


def _header_positions(cells: list[str]) -> dict[str, int]:
    """Column key → index for a header row (names matched loosely, long names by their beginning)."""
    keys = [(c.key, header_key(text)) for c in ALL_COLUMNS for text in (c.label, *c.aliases)]
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        cell_key = header_key(cell)
        if not cell_key:
            continue
        for column_key, key in keys:
            if column_key in positions:
                continue
            if cell_key == key or (len(key) >= 6 and cell_key.startswith(key)):
                positions[column_key] = index
                break
    return positions


def parse_table(table: list[tuple[int, list[str]]]) -> list[dict]:
    """Rows of a catalogue as dicts: headings {"row", "kind": "heading", "text", "what", "code"}, items {"row",
    "kind": "item", "tt", "code", "name", "issue_ref", "issued_by", "note", "location"} and other lines
    {"kind": "other"} (titles, signatures), which are shown but ignored."""
    if not table:
        raise ValidationError("Tệp không có dữ liệu.")
    header_at, positions = None, {}
    for index, (_, cells) in enumerate(table[:HEADER_SEARCH_ROWS]):
        found = _header_positions(cells)
        if "code" in found and "name" in found:
            header_at, positions = index, found
            break
    if header_at is None:
        raise ValidationError(
            "Không tìm thấy dòng tiêu đề có các cột “Mã minh chứng” và “Tên minh chứng”. "
            "Hãy dùng tệp mẫu hoặc kiểm tra tên cột."
        )
    rows = []
    for number, cells in table[header_at + 1 :]:

        def cell(key, cells=cells):
            index = positions.get(key)
            return cells[index] if index is not None and index < len(cells) else ""

        code, name = cell("code"), cell("name")
        first_text = next((c for c in cells if c), "")
        if not code:
            heading = HEADING_RE.match(fold(first_text)) or (HEADING_RE.match(fold(name)) if name else None)
            if heading:
                rows.append(
                    {
                        "row": number,
                        "kind": "heading",
                        "text": first_text if HEADING_RE.match(fold(first_text)) else name,
                        "what": "standard" if heading["what"] == "chuan" else "criterion",
                        "code": re.sub(r"\s+", "", heading["code"]),
                    }
                )
                continue
            if not name or not cell("tt"):
                # Titles, signatures ("Người lập bảng") and notes: no code and no number, shown but ignored.
                rows.append({"row": number, "kind": "other", "text": " ".join(c for c in cells if c)})
                continue
        rows.append(
            {
                "row": number,
                "kind": "item",
                "tt": cell("tt"),
                "code": code,
                "name": name,
                "issue_ref": cell("issue_ref"),
                "issued_by": cell("issued_by"),
                "note": cell("note"),
                "location": cell("location"),
            }
        )
    if not any(r["kind"] == "item" for r in rows):
        raise ValidationError("Tệp không có dòng minh chứng nào dưới dòng tiêu đề.")
    return rows


# --- Checking ------------------------------------------------------------------------------------------------


@dataclass
class Plan:
    """What a checked catalogue will do: the rows annotated, the errors, and the writes to make."""

    rows: list[dict]
    errors: list[dict]
    new_items: list[dict]  # rows creating an item
    citations: list[tuple[str, str]]  # (code, criterion code)


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


def _same_name(a: str, b: str) -> bool:
    return fold(a) == fold(b)


def check_rows(cycle: Cycle, raw_rows: list[dict]) -> Plan:
    """Annotate every row (normalised code, criterion, what it will do) and collect the errors, against the cycle's
    framework and register as they are now (2 queries)."""
    criteria = {c.code: c for c in Criterion.objects.filter(version_id=cycle.framework_id)}
    existing = {
        link.code: link for link in CycleEvidence.objects.filter(cycle=cycle).select_related("version", "criterion")
    }
    existing_citations = set(
        EvidenceCitation.objects.filter(cycle_evidence__cycle=cycle).values_list(
            "cycle_evidence__code", "criterion__code"
        )
    )
    regime = cycle.regime
    errors: list[dict] = []

    def error(row, key, message):
        # A message may quote the cell: stored as shown, whatever the cell held.
        errors.append({"row": row["row"], "column": COLUMN_LABEL[key], "message": shown(message, 400)})

    rows, new_items, citations = [], [], []
    first_row: dict[str, dict] = {}  # code → the row that defines it in this file
    listed: set[tuple[str, str]] = set()  # (code, heading criterion) already listed in this file
    heading = ""  # current criterion heading ("" before any, or after a standard heading)
    for raw in raw_rows:
        row = dict(raw)
        rows.append(row)
        if row["kind"] == "heading":
            if row["what"] == "criterion":
                heading = row["code"] if row["code"] in criteria else ""
                if row["code"] not in criteria:
                    error(row, "heading", f"Tiêu chí {row['code']} không có trong {cycle.framework}.")
            else:
                heading = ""
                if not any(code.split(".")[0] == row["code"] for code in criteria):
                    error(row, "heading", f"Tiêu chuẩn {row['code']} không có trong {cycle.framework}.")
            continue
        if row["kind"] != "item":
            continue
        row["heading"] = heading
        row["action"] = ""
        for column in ALL_COLUMNS:
            value = row.get(column.key, "")
            if column.max_length and len(value) > column.max_length:
                error(row, column.key, f"Dài quá {column.max_length} ký tự (hiện có {len(value)}).")
        if not row["code"]:
            error(row, "code", "Thiếu mã minh chứng.")
            continue
        parsed = parse_code(row["code"])
        if parsed is None:
            error(row, "code", f"Mã minh chứng “{shown(row['code'])}” không đúng dạng. Ví dụ: {code_example(regime)}.")
            continue
        if parsed.regime != regime:
            error(
                row,
                "code",
                f"Mã “{shown(row['code'])}” không phải dạng mã của {cycle.framework.short_name}. "
                f"Đợt này dùng mã dạng {code_example(regime)}.",
            )
            continue
        code = parsed.canonical
        row["normalized"] = code
        row["criterion"] = parsed.criterion_code
        row["box"] = parsed.box if parsed.box is not None else default_box(parsed.criterion_code)
        row["sequence"] = parsed.sequence
        if parsed.criterion_code not in criteria:
            error(
                row,
                "code",
                f"Mã {code} chỉ tiêu chí {parsed.criterion_code}, tiêu chí này không có trong {cycle.framework}.",
            )
            continue
        cite_under = heading if heading and heading != parsed.criterion_code else ""
        row["cite_under"] = cite_under
        where = heading or parsed.criterion_code
        if (code, where) in listed:
            error(row, "code", f"Mã {code} đã được liệt kê dưới tiêu chí {where} ở một dòng phía trên.")
            continue
        listed.add((code, where))
        if code in first_row:
            first = first_row[code]
            if row["name"] and not _same_name(row["name"], first["name"]):
                error(
                    row,
                    "name",
                    f"Mã {code} đã dùng ở dòng {first['row']} cho minh chứng “{shown(first['name'], 120)}”; "
                    "một mã chỉ ứng với một minh chứng.",
                )
                continue
            row["action"] = "cite" if cite_under else "listed"
        elif code in existing:
            link = existing[code]
            if row["name"] and not _same_name(row["name"], link.version.name):
                error(
                    row,
                    "name",
                    f"Mã {code} đã có trong đợt tự đánh giá với tên “{shown(link.version.name, 120)}”.",
                )
                continue
            first_row[code] = {"row": row["row"], "name": link.version.name}
            row["action"] = "cite" if cite_under else "existing"
        else:
            if not row["name"]:
                error(row, "name", "Thiếu tên minh chứng.")
                continue
            first_row[code] = row
            row["action"] = "new"
            new_items.append(row)
        if cite_under and (code, cite_under) not in existing_citations:
            citations.append((code, cite_under))
    return Plan(rows=rows, errors=sorted(errors, key=lambda e: e["row"]), new_items=new_items, citations=citations)


# --- Services ------------------------------------------------------------------------------------------------


def _filename(uploaded_file) -> str:
    return nfc(PurePath(getattr(uploaded_file, "name", "") or "").name)[:255]


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


def _pending(batch: EvidenceImportBatch) -> ImportPending:
    """The person already has a catalogue waiting for confirmation (in this cycle or another): named and linked."""
    where = f" ({batch.cycle.school.name}, năm học {batch.cycle.school_year})"
    return ImportPending(batch, what="lô nhập danh mục minh chứng", where=where)


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


def error_row_count(batch: EvidenceImportBatch) -> int:
    return len({e["row"] for e in batch.errors})


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


# --- Template ------------------------------------------------------------------------------------------------

GUIDE_2018 = (
    ("TT", "Số thứ tự (không bắt buộc)."),
    (
        "Mã minh chứng",
        "Bắt buộc. Dạng [Hn-a.b-cc], ví dụ [H1-1.1-01]: n là số hộp (thường là số tiêu chuẩn), a.b là tiêu chí, "
        "cc là số thứ tự hai chữ số. Có thể ghi không có ngoặc vuông hoặc không có số hộp (1.1-01).",
    ),
    ("Tên minh chứng", "Bắt buộc với minh chứng mới."),
    ("Số, ngày ban hành", "Số, ngày ban hành, hoặc thời điểm khảo sát, điều tra, phỏng vấn, quan sát."),
    ("Nơi ban hành", "Nơi ban hành hoặc nhóm, cá nhân thực hiện."),
    ("Ghi chú", "Không bắt buộc."),
)
GUIDE_TT57 = (
    ("TT", "Số thứ tự (không bắt buộc)."),
    (
        "Mã minh chứng",
        "Bắt buộc. Dạng MC.a.b.cc, ví dụ MC.1.3.01: a.b là tiêu chí, cc là số thứ tự hai chữ số.",
    ),
    ("Tên minh chứng", "Bắt buộc với minh chứng mới."),
    (
        "Định dạng, vị trí lưu trữ hoặc đường dẫn điện tử",
        "Đường dẫn (bắt đầu bằng http:// hoặc https://) được lưu là đường dẫn điện tử; nội dung khác vào ghi chú.",
    ),
    ("Ghi chú", "Không bắt buộc."),
)
GUIDE_COMMON = (
    "Mỗi tiêu chí bắt đầu bằng một dòng tiêu đề “Tiêu chí a.b: …” (chỉ ghi ở cột đầu). Minh chứng dùng chung cho "
    "tiêu chí khác được ghi lại dưới tiêu chí đó với đúng mã cũ; hệ thống ghi nhận là trích dẫn, không tạo minh "
    "chứng mới."
)


def template_workbook(cycle: Cycle) -> bytes:
    """The catalogue form for this cycle's framework: header, a heading row per standard and criterion, an example."""
    regime = cycle.regime
    columns = columns_for(regime)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh mục minh chứng"
    sheet.append([c.label for c in columns])
    fill = PatternFill("solid", fgColor="DCE8F5")
    for index in range(1, len(columns) + 1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    widths = {"TT": 6, "Mã minh chứng": 16, "Tên minh chứng": 60}
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = widths.get(column.label, 30)
    criteria = Criterion.objects.filter(version_id=cycle.framework_id).select_related("standard")
    standard_seen = None
    example_done = False
    for criterion in criteria.order_by("standard__position", "position"):
        if criterion.standard_id != standard_seen:
            standard_seen = criterion.standard_id
            sheet.append([f"Tiêu chuẩn {criterion.standard.code}: {criterion.standard.name}"])
            sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        sheet.append([f"Tiêu chí {criterion.code}: {criterion.name}"])
        sheet.cell(row=sheet.max_row, column=1).font = Font(italic=True, bold=True)
        if not example_done:
            example = code_example(regime)
            values = {"tt": "1", "code": example, "name": "(Ví dụ) Quyết định thành lập hội đồng trường"}
            if regime == Regime.TT57:
                values["location"] = "https://example.edu.vn/minh-chung/quyet-dinh.pdf"
            else:
                values |= {"issue_ref": "Số 12/QĐ-UBND, ngày 05/9/2025", "issued_by": "UBND xã"}
            values["note"] = "Xóa dòng ví dụ này trước khi nhập"
            sheet.append([values.get(c.key, "") for c in columns])
            example_done = True
    for row in range(2, sheet.max_row + 501):
        sheet.cell(row=row, column=2).number_format = "@"
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet("Hướng dẫn")
    guide.append(["Cột", "Cách điền"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
        cell.fill = fill
    for label, text in GUIDE_TT57 if regime == Regime.TT57 else GUIDE_2018:
        guide.append([label, text])
    guide.append([])
    guide.append(["Lưu ý", GUIDE_COMMON])
    guide.column_dimensions["A"].width = 30
    guide.column_dimensions["B"].width = 110
    for row in guide.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    return workbook_bytes(workbook)
