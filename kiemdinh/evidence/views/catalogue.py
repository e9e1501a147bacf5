"""The catalogue import's screens: upload (with the recent batches and the person's waiting one), the template,
the preview of a batch (all rows or only those with errors), and its confirmation or discarding."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kiemdinh.core import tabular
from kiemdinh.core.tabular import XLSX_CONTENT_TYPE
from kiemdinh.evidence import imports
from kiemdinh.evidence.access import access_batch
from kiemdinh.evidence.forms import ImportForm
from kiemdinh.evidence.models import EvidenceImportBatch
from kiemdinh.evidence.views.common import _context, _error_text
from kiemdinh.frameworks.evidence_codes import code_example
from kiemdinh.selfassessment.access import access_cycle
from kiemdinh.units.models import ImportStatus


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, write=True)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                batch = imports.evidence_import_prepare(
                    actor=request.user, cycle=cycle, uploaded_file=form.cleaned_data["file"]
                )
            except ValidationError as e:
                form.add_error("file", e)
            else:
                return redirect("evidence:import_preview", cycle_id=cycle.pk, batch_id=batch.pk)
    else:
        form = ImportForm()
    recent = list(
        EvidenceImportBatch.objects.filter(cycle=cycle).select_related("created_by").defer("rows", "errors")[:10]
    )
    for batch in recent:
        batch.expired = imports.is_expired(batch)  # waiting too long, not purged yet: shown as what it is
    return render(
        request,
        "evidence/import_start.html",
        _context(
            request,
            cycle,
            form=form,
            recent=recent,
            columns=imports.columns_for(cycle.regime),
            code_example=code_example(cycle.regime),
            max_rows=tabular.number(settings.KIEMDINH_IMPORT_MAX_ROWS),
            max_columns=tabular.number(settings.KIEMDINH_IMPORT_MAX_COLUMNS),
            max_cell_chars=tabular.number(settings.KIEMDINH_IMPORT_MAX_CELL_CHARS),
            import_max_size=tabular.max_size_text(),
            pending=imports.pending_batch(request.user),
            pending_hours=settings.KIEMDINH_IMPORT_PENDING_HOURS,
        ),
    )


@login_required
@require_GET
def import_template(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id)
    response = HttpResponse(imports.template_workbook(cycle), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="danh-muc-minh-chung-mau.xlsx"'
    return response


ACTION_LABELS = {
    "new": "Minh chứng mới",
    "existing": "Đã có trong đợt",
    "listed": "Liệt kê lại (đã có ở dòng trên)",
}


def _preview_lines(batch: EvidenceImportBatch, only_errors: bool) -> list[dict]:
    errors_by_row: dict[int, list[dict]] = {}
    for error in batch.errors:
        errors_by_row.setdefault(error["row"], []).append(error)
    lines = []
    for row in batch.rows:
        errors = errors_by_row.get(row["row"], [])
        if only_errors and not errors:
            continue
        action = row.get("action", "")
        label = ACTION_LABELS.get(action, "")
        if action == "cite" or (action == "existing" and row.get("cite_under")):
            label = f"Dùng lại cho tiêu chí {row['cite_under']} (giữ mã)"
        elif action == "new" and row.get("cite_under"):
            label = f"Minh chứng mới, đồng thời dùng cho tiêu chí {row['cite_under']}"
        lines.append({"row": row, "errors": errors, "action": label, "bad": {e["column"] for e in errors}})
    return lines


@login_required
@require_GET
def import_preview(request: HttpRequest, cycle_id: int, batch_id: int) -> HttpResponse:
    cycle, batch = access_batch(request.user, cycle_id, batch_id)
    only_errors = request.GET.get("chi-loi") == "1" and bool(batch.errors)
    expired = imports.is_expired(batch) or batch.status == ImportStatus.EXPIRED
    pending = batch.status == ImportStatus.PENDING and not expired
    context = _context(
        request,
        cycle,
        batch=batch,
        expired=expired,
        pending_hours=settings.KIEMDINH_IMPORT_PENDING_HOURS,
        lines=_preview_lines(batch, only_errors) if not expired else [],
        only_errors=only_errors,
        columns=imports.columns_for(cycle.regime),
        item_count=sum(1 for r in batch.rows if r["kind"] == "item"),
        new_count=sum(1 for r in batch.rows if r.get("action") == "new"),
        error_rows=imports.error_row_count(batch),
        is_pending=pending,
        is_owner=batch.created_by_id == request.user.pk,
        can_commit=pending and not batch.errors and batch.created_by_id == request.user.pk and cycle.is_editable,
    )
    return render(request, "evidence/import_preview.html", context)


@login_required
@require_POST
def import_commit(request: HttpRequest, cycle_id: int, batch_id: int) -> HttpResponse:
    cycle, batch = access_batch(request.user, cycle_id, batch_id, write=True)
    try:
        batch = imports.evidence_import_commit(actor=request.user, batch=batch)
    except ValidationError as e:
        messages.error(request, _error_text(e))
    else:
        messages.success(
            request,
            f"Đã nhập {batch.result['created']} minh chứng mới và {batch.result['cited']} lượt dùng lại "
            f"từ tệp “{batch.original_filename}”.",
        )
    return redirect("evidence:import_preview", cycle_id=cycle.pk, batch_id=batch.pk)


@login_required
@require_POST
def import_discard(request: HttpRequest, cycle_id: int, batch_id: int) -> HttpResponse:
    cycle, batch = access_batch(request.user, cycle_id, batch_id, write=True)
    try:
        imports.evidence_import_discard(actor=request.user, batch=batch)
    except ValidationError as e:
        messages.error(request, _error_text(e))
        return redirect("evidence:import_preview", cycle_id=cycle.pk, batch_id=batch.pk)
    messages.success(request, f"Đã hủy lô nhập từ tệp “{batch.original_filename}”. Không có dữ liệu nào được ghi.")
    return redirect("evidence:import_start", cycle_id=cycle.pk)
