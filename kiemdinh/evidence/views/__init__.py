"""Screens of the evidence register: list and search, add (with reuse of identical files), item page, downloads,
catalogue import and the health check. Every view loads its cycle through selfassessment.access.access_cycle."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kiemdinh.core import storage as stored_files
from kiemdinh.core import tabular
from kiemdinh.core.tabular import XLSX_CONTENT_TYPE
from kiemdinh.evidence import imports, selectors, services
from kiemdinh.evidence.files import check_upload, max_size_text
from kiemdinh.evidence.forms import (
    CarryOverForm,
    CiteForm,
    EvidenceCreateForm,
    EvidenceFieldsForm,
    FileAddForm,
    ImportForm,
    ReuseForm,
)
from kiemdinh.evidence.models import CycleEvidence, Evidence, EvidenceCitation, EvidenceFile, EvidenceImportBatch
from kiemdinh.frameworks.evidence_codes import code_example
from kiemdinh.frameworks.models import Criterion
from kiemdinh.selfassessment.access import access_cycle, cycle_permissions, cycles_visible
from kiemdinh.selfassessment.models import Cycle
from kiemdinh.units.models import ImportStatus


def _is_htmx(request: HttpRequest) -> bool:
    # A history restore (back button after a cache miss) wants the whole page even though htmx sends it.
    return request.headers.get("HX-Request") == "true" and "HX-History-Restore-Request" not in request.headers


def _context(request: HttpRequest, cycle: Cycle, tab: str = "evidence", **extra) -> dict:
    return {"cycle": cycle, "perms": cycle_permissions(request.user, cycle), "tab": tab, **extra}


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _list_url(cycle: Cycle, link: CycleEvidence | None = None) -> str:
    """The register, or the item's row in it (on its standard's tab when the register is split)."""
    url = reverse("evidence:list", args=[cycle.pk])
    return f"{url}?tcu={link.criterion.standard.code}#mc-{link.pk}" if link else url


def _detail_url(link: CycleEvidence) -> str:
    return reverse("evidence:detail", args=[link.cycle_id, link.pk])


def _load_link(cycle: Cycle, link_id: int) -> CycleEvidence:
    return get_object_or_404(
        CycleEvidence.objects.select_related("evidence", "version", "criterion__standard"), pk=link_id, cycle=cycle
    )


def _carry_over_sources(request: HttpRequest, cycle: Cycle):
    return cycles_visible(request.user).filter(school_id=cycle.school_id).exclude(pk=cycle.pk).order_by("-school_year")


# --- Register ------------------------------------------------------------------------------------------------


@login_required
@require_GET
def evidence_list(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id)
    criterion = None
    criterion_code = request.GET.get("tc", "").strip()
    if criterion_code:
        criterion = Criterion.objects.filter(version_id=cycle.framework_id, code=criterion_code).first()
    register = selectors.cycle_evidence_list(cycle, q=request.GET.get("q", ""), criterion=criterion)
    context = _context(
        request,
        cycle,
        register=register,
        view=selectors.register_view(register, request.GET.get("tcu", "")),
        criterion_code=criterion_code if criterion else "",
        list_url=reverse("evidence:list", args=[cycle.pk]),
    )
    if _is_htmx(request):
        response = render(request, "evidence/list.html#results", context)
    else:
        context["criteria"] = selectors.framework_criteria(cycle)
        if context["perms"].can_edit:
            context["form"] = EvidenceCreateForm(cycle=cycle, initial={"criterion": criterion})
            sources = _carry_over_sources(request, cycle)
            if sources:
                context["carry_form"] = CarryOverForm(sources=sources)
        context["max_size"] = max_size_text()
        response = render(request, "evidence/list.html", context)
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    return response


def _duplicate_offers(cycle: Cycle, checked) -> list[dict]:
    """Existing items of the school holding any of these files, with their code in this cycle if linked."""
    offers: dict[int, dict] = {}
    for item in checked:
        for version in selectors.evidence_duplicates(school=cycle.school, sha256=item.sha256):
            offer = offers.setdefault(version.evidence_id, {"evidence": version, "files": [], "link": None})
            offer["files"].append(item.original_name)
    if offers:
        for link in CycleEvidence.objects.filter(cycle=cycle, evidence_id__in=list(offers)).select_related("criterion"):
            offers[link.evidence_id]["link"] = link
    return list(offers.values())


@login_required
@require_http_methods(["GET", "POST"])
def evidence_add(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, write=True)
    offers: list[dict] = []
    if request.method == "POST":
        form = EvidenceCreateForm(request.POST, request.FILES, cycle=cycle)
        if form.is_valid():
            data = form.cleaned_data
            checked = []
            for uploaded in data["files"]:
                try:
                    checked.append(check_upload(uploaded))
                except ValidationError as e:
                    form.add_error("files", e)
            if not form.errors and not data["allow_duplicate"]:
                offers = _duplicate_offers(cycle, checked)
            if not form.errors and not offers:
                try:
                    link = services.evidence_create(
                        actor=request.user,
                        cycle=cycle,
                        criterion=data["criterion"],
                        name=data["name"],
                        issue_ref=data["issue_ref"],
                        issued_by=data["issued_by"],
                        note=data["note"],
                        link=data["link"],
                        valid_until=data["valid_until"],
                        files=data["files"],
                    )
                except ValidationError as e:
                    form.add_error(None, e)
                else:
                    messages.success(request, f"Đã thêm minh chứng {link.code}: {link.version.name}.")
                    return redirect(_list_url(cycle, link))
    else:
        criterion = Criterion.objects.filter(version_id=cycle.framework_id, code=request.GET.get("tc", "")).first()
        form = EvidenceCreateForm(cycle=cycle, initial={"criterion": criterion})
    chosen_criterion = None
    if offers:
        # The files must be chosen again (browsers never refill a file input); the rest is kept.
        chosen_criterion = form.cleaned_data["criterion"]
        form = EvidenceCreateForm(
            initial={**{k: v for k, v in form.cleaned_data.items() if k != "files"}, "allow_duplicate": True},
            cycle=cycle,
        )
    return render(
        request,
        "evidence/add.html",
        _context(
            request,
            cycle,
            form=form,
            offers=offers,
            chosen_criterion=chosen_criterion,
            max_size=max_size_text(),
        ),
    )


@login_required
@require_POST
def evidence_reuse(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """Link an existing item of the school (found by its identical file) instead of uploading it again."""
    cycle = access_cycle(request.user, cycle_id, write=True)
    form = ReuseForm(request.POST, cycle=cycle)
    if not form.is_valid():
        messages.error(request, "Không dùng lại được minh chứng: thiếu tiêu chí hoặc minh chứng.")
        return redirect("evidence:add", cycle_id=cycle.pk)
    evidence = get_object_or_404(Evidence, pk=form.cleaned_data["evidence"], school_id=cycle.school_id)
    criterion = form.cleaned_data["criterion"]
    try:
        link = services.evidence_link_existing(actor=request.user, cycle=cycle, evidence=evidence, criterion=criterion)
    except ValidationError as e:
        messages.error(request, _error_text(e))
        return redirect("evidence:add", cycle_id=cycle.pk)
    if link.criterion_id == criterion.pk:
        messages.success(request, f"Đã dùng lại minh chứng {link.code} cho tiêu chí {criterion.code}.")
    else:
        messages.success(
            request, f"Minh chứng {link.code} đã có trong đợt; đã ghi nhận dùng cho tiêu chí {criterion.code}."
        )
    return redirect(_list_url(cycle, link))


@login_required
@require_POST
def evidence_carry_over_view(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, write=True)
    form = CarryOverForm(request.POST, sources=_carry_over_sources(request, cycle))
    if not form.is_valid():
        messages.error(request, "Hãy chọn đợt tự đánh giá để kế thừa minh chứng.")
        return redirect("evidence:list", cycle_id=cycle.pk)
    source = form.cleaned_data["source"]
    try:
        result = services.evidence_carry_over(actor=request.user, source=source, target=cycle)
    except ValidationError as e:
        messages.error(request, _error_text(e))
        return redirect("evidence:list", cycle_id=cycle.pk)
    text = f"Đã kế thừa {len(result.linked)} minh chứng từ năm học {source.school_year} (giữ nguyên mã)."
    if result.already:
        text += f" {len(result.already)} minh chứng đã có sẵn."
    messages.success(request, text)
    if result.skipped:
        messages.warning(request, "Bỏ qua: " + " ".join(f"{s['code']}: {s['reason']}" for s in result.skipped))
    return redirect("evidence:list", cycle_id=cycle.pk)


# --- One item ------------------------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, cycle: Cycle, link: CycleEvidence, **extra) -> dict:
    link = (
        CycleEvidence.objects.select_related("evidence", "version", "criterion__standard")
        .prefetch_related(
            Prefetch("version__files", queryset=EvidenceFile.objects.order_by("id")),
            Prefetch("citations", queryset=EvidenceCitation.objects.select_related("criterion")),
        )
        .get(pk=link.pk)
    )
    # `evidence` is the item as this cycle cites it: its version (fields and files).
    evidence = link.version
    context = _context(request, cycle, link=link, evidence=evidence, max_size=max_size_text(), **extra)
    context["other_cycles"] = (
        CycleEvidence.objects.filter(evidence_id=link.evidence_id)
        .exclude(cycle=cycle)
        .select_related("cycle", "version")
        .order_by("-cycle__school_year")
    )
    if context["perms"].can_edit:
        context.setdefault(
            "edit_form",
            EvidenceFieldsForm(initial={f: getattr(evidence, f) for f in services.EDITABLE_FIELDS}),
        )
        context.setdefault("file_form", FileAddForm())
        context.setdefault("cite_form", CiteForm(cycle=cycle))
    return context


@login_required
@require_http_methods(["GET", "POST"])
def evidence_detail(request: HttpRequest, cycle_id: int, link_id: int) -> HttpResponse:
    """The item's page; POST saves the edit form."""
    if request.method == "GET":
        cycle = access_cycle(request.user, cycle_id)
        link = _load_link(cycle, link_id)
        return render(request, "evidence/detail.html", _detail_context(request, cycle, link))
    cycle = access_cycle(request.user, cycle_id, write=True)
    link = _load_link(cycle, link_id)
    form = EvidenceFieldsForm(request.POST)
    if form.is_valid():
        try:
            services.evidence_update(actor=request.user, cycle_evidence=link, **form.cleaned_data)
        except ValidationError as e:
            if hasattr(e, "error_dict"):
                for field_name, errors in e.error_dict.items():
                    form.add_error(field_name if field_name in form.fields else None, errors)
            else:
                form.add_error(None, e)
        else:
            messages.success(request, f"Đã lưu minh chứng {link.code}.")
            return redirect(_detail_url(link))
    return render(request, "evidence/detail.html", _detail_context(request, cycle, link, edit_form=form), status=400)


def _files_response(request: HttpRequest, cycle: Cycle, link: CycleEvidence, **extra) -> HttpResponse:
    return render(request, "evidence/detail.html#files", _detail_context(request, cycle, link, **extra))


@login_required
@require_POST
def evidence_file_add_view(request: HttpRequest, cycle_id: int, link_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, write=True)
    link = _load_link(cycle, link_id)
    form = FileAddForm(request.POST, request.FILES)
    added, refused = [], []
    if form.is_valid():
        for uploaded in form.cleaned_data["files"]:
            try:
                row = services.evidence_file_add(actor=request.user, cycle_evidence=link, uploaded_file=uploaded)
            except ValidationError as e:
                refused.append(_error_text(e))
            else:
                added.append(row.original_name)
    else:
        refused.extend(e for errors in form.errors.values() for e in errors)
    if added:
        messages.success(request, "Đã thêm tệp: " + ", ".join(f"“{n}”" for n in added) + ".")
    for text in refused:
        messages.error(request, text)
    return redirect(_detail_url(link))


@login_required
@require_POST
def evidence_file_remove_view(request: HttpRequest, cycle_id: int, link_id: int, file_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, write=True)
    link = _load_link(cycle, link_id)
    row = get_object_or_404(EvidenceFile, pk=file_id, version_id=link.version_id)
    error = ""
    try:
        services.evidence_file_remove(actor=request.user, cycle_evidence=link, evidence_file=row)
    except ValidationError as e:
        error = _error_text(e)
    if _is_htmx(request):
        return _files_response(request, cycle, link, files_error=error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Đã xóa tệp “{row.original_name}” khỏi minh chứng {link.code}.")
    return redirect(_detail_url(link))


def _citations_response(request: HttpRequest, cycle: Cycle, link: CycleEvidence, **extra) -> HttpResponse:
    return render(request, "evidence/detail.html#citations", _detail_context(request, cycle, link, **extra))


@login_required
@require_POST
def evidence_cite_view(request: HttpRequest, cycle_id: int, link_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, write=True)
    link = _load_link(cycle, link_id)
    form = CiteForm(request.POST, cycle=cycle)
    error, done = "", ""
    if form.is_valid():
        criterion = form.cleaned_data["criterion"]
        try:
            citation = services.evidence_cite(actor=request.user, cycle_evidence=link, criterion=criterion)
        except ValidationError as e:
            error = _error_text(e)
        else:
            if citation is None:
                error = f"Tiêu chí {criterion.code} là tiêu chí gốc của minh chứng {link.code}."
            else:
                done = f"Minh chứng {link.code} được dùng cho tiêu chí {criterion.code}."
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    if _is_htmx(request):
        return _citations_response(request, cycle, link, cite_error=error, cite_done=done)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(_detail_url(link))


@login_required
@require_POST
def evidence_uncite_view(request: HttpRequest, cycle_id: int, link_id: int, criterion_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, write=True)
    link = _load_link(cycle, link_id)
    criterion = get_object_or_404(Criterion, pk=criterion_id, version_id=cycle.framework_id)
    error = ""
    try:
        services.evidence_uncite(actor=request.user, cycle_evidence=link, criterion=criterion)
    except ValidationError as e:
        error = _error_text(e)
    if _is_htmx(request):
        return _citations_response(request, cycle, link, cite_error=error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Minh chứng {link.code} không còn được dùng cho tiêu chí {criterion.code}.")
    return redirect(_detail_url(link))


@login_required
@require_POST
def evidence_remove_view(request: HttpRequest, cycle_id: int, link_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id, write=True)
    link = _load_link(cycle, link_id)
    try:
        services.evidence_remove_from_cycle(actor=request.user, cycle_evidence=link)
    except ValidationError as e:
        messages.error(request, _error_text(e))
        return redirect(_detail_url(link))
    messages.success(request, f"Đã gỡ minh chứng {link.code} khỏi danh mục của đợt.")
    return redirect("evidence:list", cycle_id=cycle.pk)


@login_required
@require_GET
def evidence_download(request: HttpRequest, cycle_id: int, file_id: int) -> HttpResponse:
    """A file of an item as a cycle the user can see cites it, always as an attachment (never rendered by the
    browser)."""
    cycle = access_cycle(request.user, cycle_id)
    row = EvidenceFile.objects.filter(pk=file_id, version__cycle_links__cycle=cycle).first()
    if row is None:
        raise Http404("Không tìm thấy tệp minh chứng.")
    return stored_files.download(row.file, filename=row.original_name, content_type=row.content_type)


# --- Health --------------------------------------------------------------------------------------------------


@login_required
@require_GET
def evidence_health(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id)
    return render(
        request, "evidence/health.html", _context(request, cycle, "health", health=selectors.evidence_health(cycle))
    )


# --- Import --------------------------------------------------------------------------------------------------


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


def _load_batch(cycle: Cycle, batch_id: int) -> EvidenceImportBatch:
    return get_object_or_404(EvidenceImportBatch, pk=batch_id, cycle=cycle)


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
    cycle = access_cycle(request.user, cycle_id)
    batch = _load_batch(cycle, batch_id)
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
    cycle = access_cycle(request.user, cycle_id, write=True)
    batch = _load_batch(cycle, batch_id)
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
    cycle = access_cycle(request.user, cycle_id, write=True)
    batch = _load_batch(cycle, batch_id)
    try:
        imports.evidence_import_discard(actor=request.user, batch=batch)
    except ValidationError as e:
        messages.error(request, _error_text(e))
        return redirect("evidence:import_preview", cycle_id=cycle.pk, batch_id=batch.pk)
    messages.success(request, f"Đã hủy lô nhập từ tệp “{batch.original_filename}”. Không có dữ liệu nào được ghi.")
    return redirect("evidence:import_start", cycle_id=cycle.pk)
