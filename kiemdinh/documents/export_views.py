from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kiemdinh.core import storage as stored_files
from kiemdinh.documents.exports import district_export_request, unit_cycles
from kiemdinh.documents.models import ExportJob
from kiemdinh.units.access import access_unit


def _job(request, job_id) -> ExportJob:
    """A job is seen only by who asked for it (404 for everyone else)."""
    try:
        return ExportJob.objects.select_related("unit").get(pk=job_id, requested_by=request.user)
    except (ExportJob.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy lượt xuất văn bản.") from None


@login_required
@require_POST
def unit_export_start(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access_unit(request.user, unit_id)
    try:
        job = district_export_request(actor=request.user, unit=unit)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("units:detail", unit.pk)
    return redirect("exports:job", job.pk)


@login_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    context = {"job": job, "cycles": unit_cycles(job.unit) if not job.finished else None}
    if request.headers.get("HX-Request"):
        return render(request, "documents/export_job.html#progress", context)
    return render(request, "documents/export_job.html", context)


@login_required
def job_download(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404("Tệp chưa sẵn sàng.")
    return stored_files.download(job.file, filename=job.file.name.rsplit("/", 1)[-1], content_type="application/zip")
