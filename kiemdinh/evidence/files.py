"""Checks of uploaded evidence files: size, allowed type (by extension AND by content), hash, a safe stored name.

Nothing here writes; services call `check_upload` before storing anything, so a refused file leaves no trace.
"""

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.utils.text import get_valid_filename

from kiemdinh.core.text import nfc

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97-2003 compound file (doc, xls, ppt)
SNIFF_BYTES = 8192
MAX_NAME_LENGTH = 150


@dataclass(frozen=True)
class FileType:
    label: str
    content_type: str
    family: str  # how its content is recognised: pdf, ole2, ooxml, odf, jpg, png, text
    member: str = ""  # ooxml: a part every such file has


ALLOWED_TYPES: dict[str, FileType] = {
    "pdf": FileType("PDF", "application/pdf", "pdf"),
    "doc": FileType("Word 97-2003", "application/msword", "ole2"),
    "docx": FileType(
        "Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "ooxml", "word/document.xml"
    ),
    "xls": FileType("Excel 97-2003", "application/vnd.ms-excel", "ole2"),
    "xlsx": FileType(
        "Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "ooxml", "xl/workbook.xml"
    ),
    "ppt": FileType("PowerPoint 97-2003", "application/vnd.ms-powerpoint", "ole2"),
    "pptx": FileType(
        "PowerPoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "ooxml",
        "ppt/presentation.xml",
    ),
    "odt": FileType("OpenDocument văn bản", "application/vnd.oasis.opendocument.text", "odf"),
    "ods": FileType("OpenDocument bảng tính", "application/vnd.oasis.opendocument.spreadsheet", "odf"),
    "odp": FileType("OpenDocument trình chiếu", "application/vnd.oasis.opendocument.presentation", "odf"),
    "jpg": FileType("ảnh JPEG", "image/jpeg", "jpg"),
    "jpeg": FileType("ảnh JPEG", "image/jpeg", "jpg"),
    "png": FileType("ảnh PNG", "image/png", "png"),
    "txt": FileType("văn bản thuần", "text/plain; charset=utf-8", "text"),
}
ALLOWED_EXTENSIONS_TEXT = ", ".join(f".{ext}" for ext in ALLOWED_TYPES)
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in ALLOWED_TYPES)


@dataclass(frozen=True)
class CheckedUpload:
    original_name: str  # as the user named it (NFC), shown in lists and used for downloads
    stored_name: str  # sanitised, for the storage path
    extension: str
    content_type: str
    size: int
    sha256: str


def size_text(size: int) -> str:
    """ "1,5 MB" / "320 KB" in Vietnamese number style."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f}".rstrip("0").rstrip(".").replace(".", ",") + " MB"
    return f"{max(1, round(size / 1024))} KB"


def max_size_text() -> str:
    return size_text(settings.KIEMDINH_EVIDENCE_MAX_BYTES)


def content_type_of(name: str) -> str | None:
    """The content type of an accepted upload of this name (its content was checked against its extension)."""
    kind = ALLOWED_TYPES.get(PurePath(name).suffix.lower().lstrip("."))
    return kind.content_type if kind else None


def safe_name(name: str, extension: str) -> str:
    """A storage-safe file name that keeps Vietnamese letters: "Quyết định số 12.pdf" → "Quyết_định_số_12.pdf"."""
    stem = PurePath(nfc(name)).stem
    try:
        stem = get_valid_filename(stem)
    except SuspiciousFileOperation:
        stem = ""
    stem = stem.strip("._") or "tep"
    return f"{stem[: MAX_NAME_LENGTH - len(extension) - 1]}.{extension}"


def _content_matches(kind: FileType, extension: str, head: bytes, uploaded_file) -> bool:
    guess = filetype.guess(head) if head else None
    guessed = guess.extension if guess else None
    if kind.family in {"pdf", "jpg", "png"}:
        return guessed == kind.family
    if kind.family == "ole2":
        return head.startswith(OLE2_SIGNATURE)
    if kind.family == "text":
        return guess is None and b"\x00" not in head
    if not head.startswith(b"PK\x03\x04"):
        return False
    if guessed == extension:
        return True
    # filetype only looks at the first entries of the archive; other writers order them differently.
    try:
        uploaded_file.seek(0)
        with zipfile.ZipFile(uploaded_file) as archive:
            if kind.family == "ooxml":
                return kind.member in archive.namelist()
            # Only as much as a mimetype can be: the part may be a deflate bomb of gigabytes.
            with archive.open("mimetype") as part:
                return part.read(len(kind.content_type) + 2).decode("ascii", "replace").strip() == kind.content_type
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError):
        return False
    finally:
        uploaded_file.seek(0)


def check_upload(uploaded_file) -> CheckedUpload:
    """Size, type and content of an uploaded file, with its SHA-256 computed while streaming; ValidationError else."""
    original = nfc(PurePath(getattr(uploaded_file, "name", "") or "").name).strip()
    if not original:
        raise ValidationError("Tệp tải lên không có tên.")
    extension = PurePath(original).suffix.lower().lstrip(".")
    kind = ALLOWED_TYPES.get(extension)
    if kind is None:
        shown = f"“.{extension}”" if extension else "không có phần mở rộng"
        raise ValidationError(
            f"Tệp “{original}”: loại tệp {shown} không được nhận. Chỉ nhận các loại: {ALLOWED_EXTENSIONS_TEXT}."
        )
    limit = settings.KIEMDINH_EVIDENCE_MAX_BYTES
    declared = getattr(uploaded_file, "size", None)
    if declared is not None and declared > limit:
        raise ValidationError(
            f"Tệp “{original}” quá lớn ({size_text(declared)}). Dung lượng tối đa là {max_size_text()}."
        )
    digest = hashlib.sha256()
    size = 0
    head = b""
    for chunk in uploaded_file.chunks():
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
        digest.update(chunk)
        size += len(chunk)
        if size > limit:
            raise ValidationError(f"Tệp “{original}” quá lớn. Dung lượng tối đa là {max_size_text()}.")
    if size == 0:
        raise ValidationError(f"Tệp “{original}” rỗng, không có nội dung.")
    if not _content_matches(kind, extension, head, uploaded_file):
        raise ValidationError(
            f"Nội dung tệp “{original}” không phải là {kind.label} như phần mở rộng .{extension} cho biết. "
            "Hãy kiểm tra lại tệp (có thể tệp bị đổi đuôi hoặc bị hỏng)."
        )
    uploaded_file.seek(0)
    return CheckedUpload(
        original_name=original[:255],
        stored_name=safe_name(original, extension),
        extension=extension,
        content_type=kind.content_type,
        size=size,
        sha256=digest.hexdigest(),
    )
