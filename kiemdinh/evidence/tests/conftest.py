import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kiemdinh.frameworks.models import Criterion


def pdf_bytes(text: str = "minh chung") -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + text.encode() + b"\n%%EOF\n"


def pdf(name: str = "quyet-dinh.pdf", text: str = "minh chung") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def docx_bytes(padding: int = 0) -> bytes:
    """A minimal .docx; `padding` extra parts before word/ hide it from filetype's look at the first entries."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("[Content_Types].xml", "_rels/.rels", *(f"customXml/item{i}.xml" for i in range(padding))):
            archive.writestr(name, "<xml/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def criterion(cycle, code: str) -> Criterion:
    return Criterion.objects.get(version_id=cycle.framework_id, code=code)


@pytest.fixture
def media_files():
    """Every file the default storage holds (the test's own MEDIA_ROOT, or its own bucket), listed through its API."""
    from django.core.files.storage import default_storage

    from kiemdinh.testing.storage import stored_names

    return lambda: stored_names(default_storage)
