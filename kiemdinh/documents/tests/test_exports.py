"""Whole-unit export: a background task builds one zip of every submitted report, with progress."""

import io
import zipfile

import pytest

from kiemdinh.documents.models import ExportJob
from kiemdinh.selfassessment.tests.builders import complete_dossier
from kiemdinh.workflow.services import cycle_open, cycle_submit

pytestmark = pytest.mark.usefixtures("frameworks_loaded")


@pytest.fixture
def submitted(world):
    cycle = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2025-2026")
    complete_dossier(cycle, world.principal_a)
    cycle_submit(actor=world.principal_a, cycle=cycle)
    cycle_open(actor=world.principal_b, school=world.school_b, school_year="2025-2026")  # in progress: not exported
    return cycle


def test_officer_exports_every_submitted_report_of_the_district(
    any_storage, client, world, submitted, django_capture_on_commit_callbacks
):
    client.force_login(world.officer_district)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/xuat-van-ban/don-vi/{world.district.pk}/")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/xuat-van-ban/{job.pk}/"
    assert (job.status, job.total, job.done, job.percent) == ("done", 1, 1, 100)
    page = client.get(f"/xuat-van-ban/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'value="100"' in page and "Tải tệp nén (1 báo cáo)" in page and "every 1s" not in page
    assert any_storage.exists(job.file.name)
    download = client.get(f"/xuat-van-ban/{job.pk}/tai/")
    assert download["Content-Type"] == "application/zip" and download["Cache-Control"] == "private, no-store"
    assert download["Content-Disposition"] == f'attachment; filename="{job.file.name.rsplit("/", 1)[-1]}"'
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert names == [f"{world.commune_a.name}/SA {world.school_a.name}/bao-cao-tu-danh-gia-SA-2025-2026.docx"]


def test_nothing_to_export_is_said_and_jobs_are_private(client, world, submitted, django_capture_on_commit_callbacks):
    client.force_login(world.officer_commune_a)
    response = client.post(f"/xuat-van-ban/don-vi/{world.commune_b.pk}/", follow=True)
    assert response.status_code == 404  # commune B is outside this officer's scope
    client.force_login(world.officer_district)
    response = client.post(f"/xuat-van-ban/don-vi/{world.commune_b.pk}/", follow=True)
    assert "chưa có trường nào đã nộp" in response.content.decode() and not ExportJob.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/xuat-van-ban/don-vi/{world.district.pk}/")
    job = ExportJob.objects.get()
    client.force_login(world.officer_commune_a)
    assert client.get(f"/xuat-van-ban/{job.pk}/").status_code == 404
    assert client.get(f"/xuat-van-ban/{job.pk}/tai/").status_code == 404


def test_a_queued_job_shows_progress_that_polls(client, world, submitted):
    from kiemdinh.documents.exports import district_export_request

    job = district_export_request(actor=world.officer_district, unit=world.district)  # on_commit never runs here
    client.force_login(world.officer_district)
    page = client.get(f"/xuat-van-ban/{job.pk}/").content.decode()
    assert "Đang chờ" in page and 'hx-trigger="every 1s"' in page and "0/1 báo cáo" in page


def test_a_district_export_of_dossiers_writes_each_into_its_member(
    any_storage, world, submitted, django_capture_on_commit_callbacks
):
    """Each document is written straight into its member of the archive on disk (a dossier piece by piece)."""
    from kiemdinh.documents.exports import district_export_request

    with django_capture_on_commit_callbacks(execute=True):
        job = district_export_request(actor=world.officer_district, unit=world.district, kind="dossier", fmt="zip")
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert any_storage.exists(job.file.name)
    with job.file.open("rb") as stored:
        outer = zipfile.ZipFile(io.BytesIO(stored.read()))
    [name] = outer.namelist()
    assert name.endswith("/ho-so-tu-danh-gia-SA-2025-2026.zip")
    inner = zipfile.ZipFile(io.BytesIO(outer.read(name)))
    assert inner.testzip() is None and "index.html" in inner.namelist()
