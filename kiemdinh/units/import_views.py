"""Screens of the unit and school import: upload → preview with every error → confirm or discard."""

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kiemdinh.accounts import services as account_services
from kiemdinh.accounts.models import Role, User
from kiemdinh.core.forms import Form
from kiemdinh.core.tabular import XLSX_CONTENT_TYPE, max_size_text, number
from kiemdinh.units.access import access_import_batch, can_import
from kiemdinh.units.imports.batches import import_batch_commit, import_batch_discard, import_batch_prepare
from kiemdinh.units.imports.columns import columns_for
from kiemdinh.units.imports.parsing import role_of, school_type_of, unit_kind_of
from kiemdinh.units.imports.pending import is_expired, pending_batch, pending_hours
from kiemdinh.units.imports.template import template_workbook
from kiemdinh.units.models import ImportBatch, ImportKind, ImportStatus, SchoolType, UnitKind

# URL slugs of the two kinds (the URLs are Vietnamese like the rest of the site).
KIND_SLUGS = {"don-vi": ImportKind.UNITS, "truong": ImportKind.SCHOOLS, "tai-khoan": ImportKind.ACCOUNTS}
SLUG_OF_KIND = {kind: slug for slug, kind in KIND_SLUGS.items()}
TEMPLATE_FILENAMES = {
    ImportKind.UNITS: "mau-nhap-don-vi.xlsx",
    ImportKind.SCHOOLS: "mau-nhap-truong.xlsx",
    ImportKind.ACCOUNTS: "mau-nhap-tai-khoan.xlsx",
}


class ImportForm(Form):
    kind = forms.ChoiceField(label="Loại dữ liệu", choices=ImportKind.choices, widget=forms.RadioSelect)
    file = forms.FileField(
        label="Tệp dữ liệu (.xlsx hoặc .csv)",
        error_messages={"required": "Hãy chọn tệp cần nhập.", "empty": "Tệp rỗng, không có dữ liệu."},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def _require_importer(user) -> None:
    if not can_import(user):
        raise PermissionDenied("Chỉ cán bộ quản lý và quản trị hệ thống được nhập danh sách.")


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    _require_importer(request.user)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                batch = import_batch_prepare(
                    actor=request.user, kind=form.cleaned_data["kind"], uploaded_file=form.cleaned_data["file"]
                )
            except ValidationError as e:
                form.add_error("file", e)
            else:
                return redirect("units:import_preview", batch_id=batch.pk)
    else:
        initial_kind = KIND_SLUGS.get(request.GET.get("loai", ""), ImportKind.UNITS)
        form = ImportForm(initial={"kind": initial_kind})
    recent = list(ImportBatch.objects.filter(created_by=request.user).defer("rows", "errors")[:10])
    for batch in recent:
        batch.expired = is_expired(batch)  # waiting too long, not purged yet: shown as what it is
    return render(
        request,
        "units/import_start.html",
        {
            "form": form,
            "recent": recent,
            "pending": pending_batch(request.user),
            "templates": [(label, SLUG_OF_KIND[kind]) for kind, label in ImportKind.choices],
            "max_size": max_size_text(),
            "max_rows": number(settings.KIEMDINH_IMPORT_MAX_ROWS),
            "max_columns": number(settings.KIEMDINH_IMPORT_MAX_COLUMNS),
            "max_cell_chars": number(settings.KIEMDINH_IMPORT_MAX_CELL_CHARS),
            "pending_hours": pending_hours(),
        },
    )


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    _require_importer(request.user)
    if kind not in KIND_SLUGS:
        raise Http404("Không có tệp mẫu này.")
    kind = KIND_SLUGS[kind]
    response = HttpResponse(template_workbook(kind), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{TEMPLATE_FILENAMES[kind]}"'
    return response


@dataclass(frozen=True)
class PreviewCell:
    value: str
    note: str  # how the value was understood, e.g. "Phường" → "Xã/phường/thị trấn"
    has_error: bool


@dataclass(frozen=True)
class PreviewLine:
    number: int
    cells: list[PreviewCell]
    errors: list[dict]


def _understood(kind: str, key: str, row: dict) -> str:
    value = row.get(key, "")
    if kind == ImportKind.UNITS and key == "kind" and value:
        code = unit_kind_of(value, has_parent=bool(row["parent_code"]))
        return UnitKind(code).label if code else ""
    if kind == ImportKind.SCHOOLS and key == "school_type" and value:
        code = school_type_of(value)
        return SchoolType(code).label if code else ""
    if kind == ImportKind.SCHOOLS and key == "ownership" and not value:
        return "Công lập"
    if kind == ImportKind.ACCOUNTS and key == "role" and value:
        code = role_of(value)
        return Role(code).label if code else ""
    return ""


def _preview_lines(batch: ImportBatch, only_errors: bool) -> list[PreviewLine]:
    columns = columns_for(batch.kind)
    errors_by_row: dict[int, list[dict]] = {}
    for error in batch.errors:
        errors_by_row.setdefault(error["row"], []).append(error)
    lines = []
    for row in batch.rows:
        errors = errors_by_row.get(row["row"], [])
        if only_errors and not errors:
            continue
        bad_columns = {e["column"] for e in errors}
        cells = [
            PreviewCell(row.get(c.key, ""), _understood(batch.kind, c.key, row), c.label in bad_columns)
            for c in columns
        ]
        lines.append(PreviewLine(row["row"], cells, errors))
    return lines


@login_required
def import_preview(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = access_import_batch(request.user, batch_id)
    only_errors = request.GET.get("chi-loi") == "1" and bool(batch.errors)
    expired = is_expired(batch) or batch.status == ImportStatus.EXPIRED
    is_pending = batch.status == ImportStatus.PENDING and not expired
    return render(
        request,
        "units/import_preview.html",
        {
            "batch": batch,
            "columns": columns_for(batch.kind),
            "lines": _preview_lines(batch, only_errors) if not expired else [],
            "only_errors": only_errors,
            "is_pending": is_pending,
            "expired": expired,
            "pending_hours": pending_hours(),
            "can_commit": is_pending and not batch.errors,
            "template_slug": SLUG_OF_KIND[batch.kind],
        },
    )


@require_POST
@login_required
def import_commit(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = access_import_batch(request.user, batch_id)
    try:
        batch = import_batch_commit(actor=request.user, batch=batch)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        what = {ImportKind.UNITS: "đơn vị hành chính", ImportKind.SCHOOLS: "trường", ImportKind.ACCOUNTS: "tài khoản"}
        messages.success(
            request, f"Đã nhập {batch.result['created']} {what[batch.kind]} từ tệp “{batch.original_filename}”."
        )
        if batch.kind == ImportKind.ACCOUNTS:
            _invite(request, batch)
    return redirect("units:import_preview", batch_id=batch.pk)


def _invite(request, batch) -> None:
    """The imported accounts' invitations: by e-mail where there is an address; the others are printed from the
    accounts page."""
    site = request.build_absolute_uri("/")
    without = 0
    for user in User.objects.filter(pk__in=batch.result["ids"]).order_by("pk"):
        if user.email:
            account_services.invitation_deliver(actor=request.user, user=user, site_url=site)
        else:
            without += 1
    if without:
        messages.info(
            request, f"{without} tài khoản không có địa chỉ thư: in phiếu đặt mật khẩu ở trang Quản lý tài khoản."
        )


@require_POST
@login_required
def import_discard(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = access_import_batch(request.user, batch_id)
    try:
        import_batch_discard(actor=request.user, batch=batch)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("units:import_preview", batch_id=batch.pk)
    messages.success(request, f"Đã hủy lô nhập từ tệp “{batch.original_filename}”. Không có dữ liệu nào được ghi.")
    return redirect("units:import_start")
