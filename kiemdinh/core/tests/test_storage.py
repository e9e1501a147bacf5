"""Stored files on the file system and on S3 (issue #19): the KIEMDINH_STORAGE settings, uploads and downloads that
stream whatever the file's size, presigned downloads, and the S3 options that matter (prefix, no overwriting).

Every test with `any_storage` runs on both storages; on S3 the storage has no local path, so code using `.path` or
`os.*` on a stored file fails there, and code reading a stored file whole through django-storages' own file object
(which fetches the object into memory) fails the memory checks.
"""

import hashlib
import os
import tracemalloc
import urllib.request
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kiemdinh.core import storage as stored_files
from kiemdinh.evidence.models import EvidenceFile
from kiemdinh.evidence.services import evidence_create
from kiemdinh.frameworks.models import Criterion
from kiemdinh.testing.storage import s3_client, s3_environment, settings_with, stored_names
from kiemdinh.workflow.services import cycle_open

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MB = 1024 * 1024


@pytest.fixture
def item(world, frameworks_loaded):
    """School A's cycle with one evidence item holding one small PDF (stored in the test's storage)."""
    cycle = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2025-2026")
    criterion = Criterion.objects.get(version=cycle.framework, code="1.1")
    files = [SimpleUploadedFile("Quyết định.pdf", PDF, content_type="application/pdf")]
    return evidence_create(actor=world.principal_a, cycle=cycle, criterion=criterion, name="Quyết định", files=files)


def download_url(link, row) -> str:
    return reverse("evidence:download", args=[link.cycle_id, row.pk])


# --- settings ------------------------------------------------------------------------------------------------------


def test_the_file_system_is_the_default_storage():
    assert settings_with({"KIEMDINH_STORAGE": ""})["STORAGES"]["default"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }


def test_s3_is_configured_by_environment_variables():
    env = {
        **s3_environment("https://s3.hn.example.vn", bucket="kiemdinh-tinh"),
        "KIEMDINH_S3_PREFIX": "/tep-luu-tru/",
        "KIEMDINH_S3_SIGNED_URL_SECONDS": "45",
    }
    namespace = settings_with(env)
    storage = namespace["STORAGES"]["default"]
    options = storage["OPTIONS"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert {key: options[key] for key in options if key != "transfer_config"} == {
        "bucket_name": "kiemdinh-tinh",
        "endpoint_url": "https://s3.hn.example.vn",
        "region_name": "us-east-1",
        "access_key": env["KIEMDINH_S3_ACCESS_KEY_ID"],
        "secret_key": env["KIEMDINH_S3_SECRET_ACCESS_KEY"],
        "addressing_style": "path",
        "signature_version": "s3v4",
        "location": "tep-luu-tru",
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 45,
        "file_overwrite": False,
    }
    transfer = options["transfer_config"]
    assert (transfer.multipart_threshold, transfer.multipart_chunksize, transfer.use_threads) == (8 * MB, 8 * MB, False)
    assert namespace["KIEMDINH_S3_SIGNED_DOWNLOADS"] is False
    # Empty values: AWS itself, with boto3's own region and credentials chain.
    blank = {"KIEMDINH_S3_ENDPOINT_URL": "", "KIEMDINH_S3_REGION": "", "KIEMDINH_S3_ACCESS_KEY_ID": ""}
    options = settings_with({**env, **blank, "KIEMDINH_S3_SECRET_ACCESS_KEY": ""})["STORAGES"]["default"]["OPTIONS"]
    assert [options[k] for k in ("endpoint_url", "region_name", "access_key", "secret_key")] == [None] * 4


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KIEMDINH_STORAGE": "disk"}, "KIEMDINH_STORAGE must be files or s3, got 'disk'"),
        ({"KIEMDINH_STORAGE": "S3"}, "KIEMDINH_STORAGE must be files or s3, got 'S3'"),
        ({"KIEMDINH_STORAGE": "s3", "KIEMDINH_S3_BUCKET": ""}, "KIEMDINH_STORAGE=s3 needs KIEMDINH_S3_BUCKET"),
        (
            {"KIEMDINH_STORAGE": "s3", "KIEMDINH_S3_BUCKET": "b", "KIEMDINH_S3_ADDRESSING_STYLE": "host"},
            "KIEMDINH_S3_ADDRESSING_STYLE must be path, virtual or auto",
        ),
        (
            {"KIEMDINH_STORAGE": "s3", "KIEMDINH_S3_BUCKET": "b", "KIEMDINH_S3_SIGNED_URL_SECONDS": "0"},
            "KIEMDINH_S3_SIGNED_URL_SECONDS must be at least 1",
        ),
    ],
)
def test_a_wrong_storage_setting_stops_the_start_with_a_clear_message(env, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        settings_with(env)


# --- S3 options that matter --------------------------------------------------------------------------------------


def test_the_prefix_is_a_folder_of_the_bucket_and_names_never_overwrite(s3_storage, s3_endpoint, settings):
    from django.core.files.storage import default_storage

    default = settings.STORAGES["default"]
    bucket = default["OPTIONS"]["bucket_name"]
    options = {**default["OPTIONS"], "location": "so-gd/hue"}
    settings.STORAGES = {**settings.STORAGES, "default": {**default, "OPTIONS": options}}

    first = default_storage.save("minh-chung/qd.pdf", ContentFile(b"%PDF-1 mot"))
    second = default_storage.save("minh-chung/qd.pdf", ContentFile(b"%PDF-1 hai"))

    assert first == "minh-chung/qd.pdf" and second != first and second.startswith("minh-chung/qd_")
    keys = [entry["Key"] for entry in s3_client(s3_endpoint).list_objects_v2(Bucket=bucket)["Contents"]]
    assert sorted(keys) == sorted(f"so-gd/hue/{name}" for name in (first, second))
    with stored_files.reading(default_storage, first) as stream:
        assert stream.read() == b"%PDF-1 mot"


# --- presigned downloads --------------------------------------------------------------------------------------------


def test_signed_downloads_redirect_to_a_short_lived_url_that_names_and_types_the_file(
    s3_storage, settings, client, world, item
):
    settings.KIEMDINH_S3_SIGNED_DOWNLOADS = True
    row = item.version.files.get()
    client.force_login(world.principal_b)  # the access check comes first: no URL for someone outside the school
    assert client.get(download_url(item, row)).status_code == 404
    client.force_login(world.officer_commune_a)

    response = client.get(download_url(item, row))

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    location = response["Location"]
    assert "X-Amz-Expires=60&" in location and "response-content-disposition=attachment" in location
    with urllib.request.urlopen(location, timeout=10) as fetched:
        assert fetched.read() == PDF
        headers = fetched.headers
    assert headers["Content-Disposition"] == "attachment; filename*=utf-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh.pdf"
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Cache-Control"] == "private, no-store"
    s3_storage.delete(row.file.name)
    assert client.get(download_url(item, row)).status_code == 404


def test_signed_downloads_do_not_apply_to_the_file_system(settings, client, world, item):
    settings.KIEMDINH_S3_SIGNED_DOWNLOADS = True
    client.force_login(world.officer_commune_a)
    response = client.get(download_url(item, item.version.files.get()))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF


# --- large files stream ---------------------------------------------------------------------------------------------


def multipart_file(path: Path, boundary: str, field: str, filename: str, size: int) -> str:
    """A multipart/form-data body with one PDF of `size` bytes that do not compress, written to `path` in 1 MB pieces
    (never built in memory, as the test client would); returns the file's SHA-256."""
    digest = hashlib.sha256()
    with path.open("wb") as out:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n".encode()
        )
        written = 0
        while written < size:
            piece = (PDF if written == 0 else b"") + os.urandom(
                min(MB, size - written) - (len(PDF) if written == 0 else 0)
            )
            digest.update(piece)
            out.write(piece)
            written += len(piece)
        out.write(f"\r\n--{boundary}--\r\n".encode())
    return digest.hexdigest()


def traced_peak(action):
    tracemalloc.start()
    try:
        result = action()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_30_mb_upload_and_its_download_stream_through_the_application(
    any_storage, settings, client, world, item, tmp_path
):
    """Django's upload handlers spill a large upload to a temporary file; the checks read it in pieces and the storage
    takes it in pieces (8 MB parts, one at a time, on S3); the download hands it on in 1 MB pieces. What the
    application holds stays far below the file's 30 MB (tracemalloc counts every Python allocation of every thread;
    moto's server runs in a process of its own)."""
    settings.KIEMDINH_EVIDENCE_MAX_BYTES = 40 * MB
    size = 30 * MB
    client.force_login(world.principal_a)
    url = reverse("evidence:file_add", args=[item.cycle_id, item.pk])
    # A first download: whatever is imported or connected on first use is not counted below.
    first = client.get(download_url(item, item.version.files.get()))
    assert b"".join(first.streaming_content) == PDF
    boundary = "kiemdinh-30mb"
    body = tmp_path / "body"
    sha256 = multipart_file(body, boundary, "files", "anh-lon.pdf", size)

    def upload():
        with body.open("rb") as stream:
            return client.request(
                REQUEST_METHOD="POST",
                PATH_INFO=url,
                CONTENT_TYPE=f"multipart/form-data; boundary={boundary}",
                CONTENT_LENGTH=str(body.stat().st_size),
                **{"wsgi.input": stream},
            )

    response, upload_peak = traced_peak(upload)

    assert response.status_code == 302, response.content[:500]
    row = EvidenceFile.objects.get(version__evidence=item.evidence, original_name="anh-lon.pdf")
    assert (row.size, row.sha256) == (size, sha256)
    assert any_storage.size(row.file.name) == size
    assert upload_peak < 15 * MB, upload_peak  # a whole copy of the file would be 30 MB

    def download():
        response = client.get(download_url(item, row))
        digest, received = hashlib.sha256(), 0
        for piece in response.streaming_content:
            digest.update(piece)
            received += len(piece)
        response.close()
        return response, digest.hexdigest(), received

    (response, digest, received), download_peak = traced_peak(download)

    assert response.status_code == 200 and int(response["Content-Length"]) == size == received
    assert digest == sha256
    assert response["Content-Disposition"] == 'attachment; filename="anh-lon.pdf"'
    assert download_peak < 5 * MB, download_peak


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_of_a_30_mb_file_stream_it(any_storage, settings, world, frameworks_loaded, tmp_path):
    """The backup copies each stored file into the archive in pieces, and the restore writes it back in pieces (8 MB
    parts on S3) and hashes it again in pieces: neither holds the file."""
    from django.core.files.uploadedfile import TemporaryUploadedFile
    from django.core.management import call_command

    from kiemdinh.devtools.backup import backup_create, restore_archive

    settings.KIEMDINH_EVIDENCE_MAX_BYTES = 40 * MB
    upload = TemporaryUploadedFile("so-lieu.pdf", "application/pdf", 30 * MB, None)
    upload.write(PDF)
    for _ in range(30):
        upload.write(os.urandom(MB))
    upload.seek(0)
    cycle = cycle_open(actor=world.principal_a, school=world.school_a, school_year="2025-2026")
    criterion = Criterion.objects.get(version=cycle.framework, code="1.1")
    evidence_create(actor=world.principal_a, cycle=cycle, criterion=criterion, name="Số liệu", files=[upload])
    upload.close()  # as Django does after a request (the file system storage moved the temporary file in place)
    row = EvidenceFile.objects.get()
    assert any_storage.size(row.file.name) == row.size > 30 * MB
    path = tmp_path / "sao-luu.zip"
    backup_create(tmp_path / "lan-dau.zip")  # what a first backup loads and caches once is not counted below

    result, backup_peak = traced_peak(lambda: backup_create(path))

    assert [f["sha256"] for f in result.manifest["files"]] == [row.sha256]
    call_command("flush", interactive=False, verbosity=0)
    any_storage.delete(row.file.name)
    assert stored_names(any_storage) == []

    restored, restore_peak = traced_peak(lambda: restore_archive(path))

    assert restored.files == 1 and stored_names(any_storage) == [row.file.name]
    assert EvidenceFile.objects.get().sha256 == row.sha256
    assert backup_peak < 8 * MB, backup_peak
    assert restore_peak < 15 * MB, restore_peak
