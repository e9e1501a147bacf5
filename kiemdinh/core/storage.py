"""Stored files read and downloaded through Django's storage API, in pieces, whatever the storage.

Every stored file the application reads back (evidence, task documents, finished exports; the dossier and the
backup copy them) is opened here, so nothing needs a local path and nothing is ever held whole: the file system
(KIEMDINH_STORAGE=files) and an S3-compatible bucket (KIEMDINH_STORAGE=s3) are both read front to back, CHUNK bytes at
a time. Writes need nothing of the kind: `storage.save()` with the uploaded file streams it (django-storages sends a
large one in parts, config/settings.py), and the name it returns is the one kept.
"""

import mimetypes
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header

CHUNK = 1024 * 1024
NO_STORE = "private, no-store"


def is_s3(storage) -> bool:
    from storages.backends.s3 import S3Storage  # boto3 is imported only where a storage is asked about

    return isinstance(storage, S3Storage)


def _open(storage, name: str) -> tuple[BinaryIO, int | None]:
    """A stored file opened for reading, with its size when the stream cannot tell it; FileNotFoundError if gone."""
    handle = storage.open(name, "rb")
    if not is_s3(storage):
        return handle, None
    # django-storages' S3File downloads the whole object into a temporary file (kept in memory, as configured) on its
    # first read. Its boto3 object, already looked up by open() (one HEAD request), gives the body as a stream.
    from botocore.exceptions import ClientError

    handle.close()
    try:
        return handle.obj.get()["Body"], handle.obj.content_length
    except ClientError as error:  # deleted between the two requests
        if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
            raise FileNotFoundError(name) from error
        raise


@contextmanager
def reading(storage, name: str) -> Iterator[BinaryIO]:
    """A stored file as a binary stream to `read(n)` front to back (never seek); FileNotFoundError if it is gone."""
    stream, _size = _open(storage, name)
    try:
        yield stream
    finally:
        stream.close()


def download(field_file: FieldFile, *, filename: str, content_type: str | None = None) -> HttpResponse:
    """The response of every stored-file download, for a view that has already checked the user may read it.

    An attachment named `filename` (the name it was uploaded with), with the content type recognised on upload (else
    guessed from the name), `nosniff` and `no-store`, streamed from the storage CHUNK bytes at a time. With S3 and
    KIEMDINH_S3_SIGNED_DOWNLOADS=1 it is a redirect to a presigned URL valid KIEMDINH_S3_SIGNED_URL_SECONDS instead.
    """
    storage, name = field_file.storage, field_file.name
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if settings.KIEMDINH_S3_SIGNED_DOWNLOADS and is_s3(storage):
        if not storage.exists(name):
            raise Http404("Tệp không còn trong kho lưu trữ.")
        # The URL asks S3 for the attachment's name, its type and no-store; X-Content-Type-Options: nosniff cannot be
        # asked for that way, so it is then the job of the bucket (or of the proxy in front of it).
        url = storage.url(
            name,
            parameters={
                "ResponseContentDisposition": content_disposition_header(True, filename),
                "ResponseContentType": content_type,
                "ResponseCacheControl": NO_STORE,
            },
        )
        response = HttpResponseRedirect(url)
    else:
        try:
            stream, size = _open(storage, name)
        except OSError:
            raise Http404("Tệp không còn trong kho lưu trữ.") from None
        response = FileResponse(stream, as_attachment=True, filename=filename, content_type=content_type)
        response.block_size = CHUNK  # read by FileResponse (and gunicorn's file wrapper) on each piece
        if size is not None:
            response["Content-Length"] = str(size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = NO_STORE
    return response
