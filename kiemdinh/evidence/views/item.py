"""One item's page as a cycle cites it: its fields (edited in the cycle's own version), its files, the criteria it
is cited under, taking it out of the register, and downloading a file (always as an attachment)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kiemdinh.core import storage as stored_files
from kiemdinh.core.forms import form_messages
from kiemdinh.evidence import services
from kiemdinh.evidence.access import access_link
from kiemdinh.evidence.files import max_size_text
from kiemdinh.evidence.forms import CiteForm, EvidenceFieldsForm, FileAddForm
from kiemdinh.evidence.models import CycleEvidence, EvidenceCitation, EvidenceFile
from kiemdinh.evidence.views.common import _context, _error_text, _is_htmx
from kiemdinh.frameworks.models import Criterion
from kiemdinh.selfassessment.access import access_cycle
from kiemdinh.selfassessment.models import Cycle


def _detail_url(link: CycleEvidence) -> str:
    return reverse("evidence:detail", args=[link.cycle_id, link.pk])


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
        cycle, link = access_link(request.user, cycle_id, link_id)
        return render(request, "evidence/detail.html", _detail_context(request, cycle, link))
    cycle, link = access_link(request.user, cycle_id, link_id, write=True)
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
    _cycle, link = access_link(request.user, cycle_id, link_id, write=True)
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
        refused.extend(form_messages(form))
    if added:
        messages.success(request, "Đã thêm tệp: " + ", ".join(f"“{n}”" for n in added) + ".")
    for text in refused:
        messages.error(request, text)
    return redirect(_detail_url(link))


@login_required
@require_POST
def evidence_file_remove_view(request: HttpRequest, cycle_id: int, link_id: int, file_id: int) -> HttpResponse:
    cycle, link = access_link(request.user, cycle_id, link_id, write=True)
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
    cycle, link = access_link(request.user, cycle_id, link_id, write=True)
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
        error = " ".join(form_messages(form))
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
    cycle, link = access_link(request.user, cycle_id, link_id, write=True)
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
    cycle, link = access_link(request.user, cycle_id, link_id, write=True)
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
