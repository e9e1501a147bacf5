"""Downloads of a plan's documents: the plan itself (DOCX to edit and sign, XLSX to follow up; PDF where LibreOffice is
installed) and each report on it (DOCX). Whoever may see the plan may download it (planning.access)."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from kiemdinh.documents import registry
from kiemdinh.documents.pdf import PdfUnavailable
from kiemdinh.documents.plan_report import render_plan_report
from kiemdinh.planning.access import access_plan
from kiemdinh.planning.models import PlanReport

PLAN_KIND = "annual-plan"


def attachment(rendered: registry.Rendered, display_name: str) -> HttpResponse:
    """The file with an ASCII name for every client and its Vietnamese name (RFC 6266 filename*) for those that read
    it."""
    response = HttpResponse(rendered.data, content_type=rendered.content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{rendered.filename}\"; filename*=UTF-8''{quote(display_name, safe='')}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def plan_document(request: HttpRequest, plan_id: int, fmt: str) -> HttpResponse:
    plan = access_plan(request.user, plan_id)
    document = registry.plan_kind(PLAN_KIND)
    if fmt not in document.formats:
        raise Http404("Kế hoạch không có định dạng này.")
    context = document.build(plan)
    try:
        rendered = registry.render_plan(document, context, fmt)
    except PdfUnavailable as error:
        return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")
    return attachment(rendered, context.display_name(fmt))


@login_required
@require_GET
def report_document(request: HttpRequest, plan_id: int, report_id: int) -> HttpResponse:
    plan = access_plan(request.user, plan_id)
    report = get_object_or_404(PlanReport, pk=report_id, plan=plan)
    report.plan = plan  # loaded with its unit already
    rendered, context = render_plan_report(report)
    return attachment(rendered, context.display_name("docx"))
