from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from kiemdinh.documents import registry
from kiemdinh.documents.pdf import PdfUnavailable, pdf_available
from kiemdinh.selfassessment.access import access_cycle, cycle_permissions
from kiemdinh.selfassessment.snapshots import DossierChanged, dossier_check


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
        for kind in registry.all_kinds():
            context = kind.build(cycle)
            documents.append({"kind": kind, "missing": context.missing})
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
        document = registry.get(kind)
    except KeyError:
        raise Http404("Không có loại văn bản này.") from None
    if fmt not in document.formats:
        raise Http404("Văn bản này không có định dạng đó.")
    try:
        context = registry.build(document, cycle)
        if fmt in document.writers:
            # The dossier grows with the evidence it packs: written to a temporary file and streamed from it.
            written = registry.render_to_file(document, cycle, context, fmt)
            response = FileResponse(
                written.file, as_attachment=True, filename=written.filename, content_type=written.content_type
            )
            response["X-Content-Type-Options"] = "nosniff"
            response["Cache-Control"] = "private, no-store"
            return response
        rendered = registry.render_context(document, cycle, context, fmt)
    except (PdfUnavailable, DossierChanged) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("documents:cycle", cycle.pk)
    response = HttpResponse(rendered.data, content_type=rendered.content_type)
    response["Content-Disposition"] = f'attachment; filename="{rendered.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
