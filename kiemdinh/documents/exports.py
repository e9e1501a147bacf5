"""Whole-unit exports: every submitted or accepted report of the schools of a unit as one zip, built in the
background by a task (django-tasks; `manage.py db_worker` runs them) while the page shows the progress."""

import tempfile
import zipfile

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.documents import kinds, rendering
from kiemdinh.documents.models import ExportJob
from kiemdinh.selfassessment.models import Cycle, CycleStatus

EXPORTABLE = (CycleStatus.SUBMITTED, CycleStatus.ACCEPTED)


def unit_cycles(unit):
    """The latest submitted or accepted cycle of every school in the unit (each school once)."""
    latest = {}
    for cycle in (
        Cycle.objects.filter(school__unit__path__startswith=unit.path, status__in=EXPORTABLE)
        .select_related("school__unit", "framework")
        .order_by("school__name", "-school_year")
    ):
        latest.setdefault(cycle.school_id, cycle)
    return list(latest.values())


@transaction.atomic
def district_export_request(*, actor, unit, kind: str = "report", fmt: str = "docx") -> ExportJob:
    document = kinds.get(kind)
    if fmt not in document.formats:
        raise ValidationError(f"{document.title} không có định dạng {fmt}.")
    count = len(unit_cycles(unit))
    if not count:
        raise ValidationError(f"{unit.name} chưa có trường nào đã nộp báo cáo tự đánh giá.")
    job = ExportJob.objects.create(unit=unit, requested_by=actor, kind=kind, fmt=fmt, total=count)
    audit.record(
        actor=actor, event_type=Event.EXPORT_REQUESTED, obj=job, unit=unit, data={"kind": kind, "total": count}
    )
    transaction.on_commit(lambda: run_unit_export.enqueue(job.pk))
    return job


@task()
def run_unit_export(job_id: int) -> None:
    job = ExportJob.objects.select_related("unit").get(pk=job_id)
    if job.status != ExportJob.Status.QUEUED:
        return
    job.status = ExportJob.Status.RUNNING
    job.save(update_fields=["status"])
    document = kinds.get(job.kind)
    try:
        cycles = unit_cycles(job.unit)
        ExportJob.objects.filter(pk=job.pk).update(total=len(cycles))
        # The zip is written to a temporary file, never held whole in memory; each document is written straight into
        # its member (a dossier piece by piece), then the file goes to storage and downloads stream from there.
        with tempfile.TemporaryFile() as buffer:
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for index, cycle in enumerate(cycles, start=1):
                    school = f"{cycle.school.code} {cycle.school.name}".replace("/", "-")
                    folder = f"{cycle.school.unit.name.replace('/', '-')}/{school}"
                    name = f"{folder}/{rendering.filename(document, cycle, job.fmt)}"
                    with archive.open(name, "w", force_zip64=True) as member:
                        rendering.write(document, rendering.build(document, cycle), job.fmt, member)
                    ExportJob.objects.filter(pk=job.pk).update(done=index)
            buffer.seek(0)
            job.refresh_from_db()
            job.file.save(
                f"{document.slug}-{job.unit.code}-{timezone.localdate():%Y%m%d}.zip", File(buffer), save=False
            )
        job.status, job.finished_at = ExportJob.Status.DONE, timezone.now()
        job.save(update_fields=["file", "status", "finished_at"])
    except Exception as error:  # the job must end visibly, whatever went wrong
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=str(error)[:1000], finished_at=timezone.now()
        )
        raise
