"""Every document download, each behind its object's access check in the app that owns the object: a cycle's
documents and the page listing them, an authority's plan and its reports, a recognition decision, an external
evaluation team's report and an emulation score sheet. The URL paths sit among their app's pages (documents/urls.py)."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from kiemdinh.core.office.pdf import PdfUnavailable, pdf_available
from kiemdinh.documents import kinds, rendering
from kiemdinh.documents.emulation import build_score_sheet, score_sheet_docx, score_sheet_xlsx
from kiemdinh.documents.evaluation_report import build_evaluation_report
from kiemdinh.documents.plan_report import render_plan_report
from kiemdinh.documents.rendering import CONTENT_TYPES, Rendered
from kiemdinh.emulation.access import access_scheme
from kiemdinh.evaluation.access import access_team_work
from kiemdinh.planning.access import access_plan
from kiemdinh.planning.models import PlanReport
from kiemdinh.recognition.access import access_decision
from kiemdinh.selfassessment.access import access_cycle, cycle_permissions
from kiemdinh.units.models import SchoolType
from kiemdinh.workflow.selectors import DossierChanged, dossier_check


def attachment(rendered: Rendered, display_name: str = "") -> HttpResponse:
    """The file as a download, never sniffed nor cached: an ASCII name for every client and, where it has one, its
    Vietnamese name (RFC 6266 filename*) for those that read it."""
    response = HttpResponse(rendered.data, content_type=rendered.content_type)
    disposition = f'attachment; filename="{rendered.filename}"'
    if display_name:
        disposition += f"; filename*=UTF-8''{quote(display_name, safe='')}"
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- a cycle's documents ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def cycle_documents(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """Every document of the cycle with its formats, and what data each still lacks (shown before downloading)."""
    cycle = access_cycle(request.user, cycle_id)
    documents, changed = [], ""
    try:
        snapshot = dossier_check(cycle)
    except DossierChanged as error:
        snapshot, changed = None, " ".join(error.messages)
    if not changed:
        documents = [{"kind": kind, "missing": missing} for kind, missing in kinds.cycle_lacking(cycle)]
    return render(
        request,
        "documents/cycle_documents.html",
        {
            "cycle": cycle,
            "perms": cycle_permissions(request.user, cycle),
            "tab": "documents",
            "documents": documents,
            "snapshot": snapshot,
            "dossier_changed": changed,
            "pdf_available": pdf_available(),
        },
    )


@login_required
@require_GET
def download(request: HttpRequest, cycle_id: int, kind: str, fmt: str) -> HttpResponse:
    cycle = access_cycle(request.user, cycle_id)
    try:
        document = kinds.get(kind)
    except KeyError:
        raise Http404("Không có loại văn bản này.") from None
    if fmt not in document.formats:
        raise Http404("Văn bản này không có định dạng đó.")
    try:
        context = rendering.build(document, cycle)
        if fmt in document.writers:
            # The dossier grows with the evidence it packs: written to a temporary file and streamed from it.
            written = rendering.render_to_file(document, cycle, context, fmt)
            response = FileResponse(
                written.file, as_attachment=True, filename=written.filename, content_type=written.content_type
            )
            response["X-Content-Type-Options"] = "nosniff"
            response["Cache-Control"] = "private, no-store"
            return response
        rendered = rendering.render_context(document, cycle, context, fmt)
    except (PdfUnavailable, DossierChanged) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("documents:cycle", cycle.pk)
    return attachment(rendered)


# --- an authority's plan and its reports (planning) ------------------------------------------------------------------


@login_required
@require_GET
def annual_plan(request: HttpRequest, plan_id: int, fmt: str) -> HttpResponse:
    """The plan itself: DOCX to edit and sign, XLSX to follow up, PDF where LibreOffice is installed; for whoever may
    see the plan (planning.access)."""
    plan = access_plan(request.user, plan_id)
    document = kinds.ANNUAL_PLAN
    if fmt not in document.formats:
        raise Http404("Kế hoạch không có định dạng này.")
    context = document.build(plan)
    try:
        rendered = rendering.render_named(document, context, fmt)
    except PdfUnavailable as error:
        return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")
    return attachment(rendered, context.display_name(fmt))


@login_required
@require_GET
def plan_report(request: HttpRequest, plan_id: int, report_id: int) -> HttpResponse:
    """A report on the plan (DOCX), for whoever may see the plan."""
    plan = access_plan(request.user, plan_id)
    report = get_object_or_404(PlanReport, pk=report_id, plan=plan)
    report.plan = plan  # loaded with its unit already
    rendered, context = render_plan_report(report)
    return attachment(rendered, context.display_name("docx"))


# --- a recognition decision (recognition) ----------------------------------------------------------------------------


@login_required
def decision(request: HttpRequest, decision_id: int) -> HttpResponse:
    """The decision as a Word document, for anyone who sees the school."""
    context = kinds.DECISION.build([access_decision(request.user, decision_id)])
    return attachment(rendering.render_named(kinds.DECISION, context, "docx"), context.display_name("docx"))


# --- an external evaluation team's report (evaluation) ---------------------------------------------------------------


@login_required
def evaluation_report(request: HttpRequest, team_id: int, fmt: str) -> HttpResponse:
    """The team's report (DOCX, or PDF where LibreOffice is installed), for whoever sees it on the team's report page."""
    viewer = access_team_work(request.user, team_id, report=True)
    if fmt not in ("docx", "pdf"):
        raise Http404("Không có định dạng này.")
    try:
        rendered = rendering.render_named(kinds.EVALUATION_REPORT, build_evaluation_report(viewer.team), fmt)
    except PdfUnavailable as error:
        messages.error(request, str(error))
        return redirect("evaluation_work:report", team_id=viewer.team.pk)
    return attachment(rendered)


# --- an emulation score sheet (emulation) ----------------------------------------------------------------------------

SCORE_SHEET_RENDERERS = {"xlsx": score_sheet_xlsx, "docx": score_sheet_docx}


@login_required
def score_sheet(request: HttpRequest, scheme_id: int, fmt: str) -> HttpResponse:
    """The scheme's score table as XLSX or DOCX, for the officers who manage its unit; ?loai= keeps the page's
    filter on one school type."""
    scheme = access_scheme(request.user, scheme_id)
    school_type = request.GET.get("loai", "")
    context = build_score_sheet(scheme, school_type if school_type in SchoolType.values else "")
    data = SCORE_SHEET_RENDERERS[fmt](context)
    return attachment(Rendered(data, f"diem-thi-dua-{scheme.school_year}-{scheme.pk}.{fmt}", CONTENT_TYPES[fmt]))
