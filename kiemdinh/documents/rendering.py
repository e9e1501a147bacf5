"""What a document kind is, and how any kind is built and rendered (kiemdinh.documents.kinds lists them all).

A kind is a context builder (plain data) plus one renderer per format.

PDF is derived from the DOCX rendering through LibreOffice. A renderer returns the document's bytes; a format that
grows with the data it packs (the dossier zip, with every evidence file) has a writer instead, which writes into a
file and is never held whole in memory. `write(kind, context, fmt, target)` does either into any binary file (the
export command's output, a member of the district export's zip); `render_to_file` gives a temporary file for a download
to stream; `render_context` gives bytes and is for renderer formats only.
"""

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from kiemdinh.core.office.pdf import docx_to_pdf
from kiemdinh.workflow.selectors import dossier_check

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "zip": "application/zip",
}


@dataclass(frozen=True)
class DocumentKind:
    kind: str  # the export command's KIND: report, plan, scope-worksheet, …
    title: str  # Vietnamese, as on the download page
    slug: str  # file name stem, e.g. "bao-cao-tu-danh-gia"
    build: Callable  # cycle -> context (a frozen dataclass with a `missing` tuple of labels)
    renderers: dict[str, Callable] = field(default_factory=dict)  # format -> context -> bytes
    note: str = ""
    writers: dict[str, Callable] = field(default_factory=dict)  # format -> (context, binary file) -> None
    # A cycle's document: what it lacks, for the download page, without building it — (cycle, the cycle's report
    # context, built once for the page) -> the labels its `missing` would list.
    lacks: Callable | None = None

    @property
    def formats(self) -> tuple[str, ...]:
        native = (*self.renderers, *self.writers)
        return (*native, "pdf") if "docx" in native else native


@dataclass(frozen=True)
class Rendered:
    data: bytes
    filename: str
    content_type: str


def filename(kind: DocumentKind, cycle, fmt: str) -> str:
    return f"{kind.slug}-{cycle.school.code}-{cycle.school_year}.{fmt}"


@dataclass(frozen=True)
class RenderedFile:
    file: BinaryIO  # a temporary file at its start, deleted when closed (FileResponse closes it once sent)
    filename: str
    content_type: str


def _bytes(kind: DocumentKind, context, fmt: str) -> bytes:
    if fmt not in kind.formats:
        raise ValueError(f"{kind.title} không có định dạng {fmt}")
    if fmt in kind.writers:
        raise ValueError(f"{kind.title} ({fmt}) được ghi thẳng vào tệp, không tạo trong bộ nhớ: dùng write().")
    return docx_to_pdf(kind.renderers["docx"](context)) if fmt == "pdf" else kind.renderers[fmt](context)


def render_context(kind: DocumentKind, cycle, context, fmt: str) -> Rendered:
    return Rendered(_bytes(kind, context, fmt), filename(kind, cycle, fmt), CONTENT_TYPES[fmt])


def write(kind: DocumentKind, context, fmt: str, target: BinaryIO) -> None:
    """Write the document into a binary file: a writer format piece by piece, a renderer format as its bytes."""
    if fmt in kind.writers:
        kind.writers[fmt](context, target)
    else:
        target.write(_bytes(kind, context, fmt))


def render_to_file(kind: DocumentKind, cycle, context, fmt: str) -> RenderedFile:
    """The document written into a temporary file on disk, for a download to stream (the caller closes it)."""
    target = tempfile.TemporaryFile()  # noqa: SIM115 (handed on open; closed by whoever sends it)
    try:
        write(kind, context, fmt, target)
        target.seek(0)
    except BaseException:
        target.close()
        raise
    return RenderedFile(target, filename(kind, cycle, fmt), CONTENT_TYPES[fmt])


def build(kind: DocumentKind, cycle):
    """The context of one document of a cycle: the one way a cycle's document is built. A submitted or accepted
    cycle is first checked against its snapshot (workflow.selectors.dossier_check raises DossierChanged on
    any difference), so no document shows anything but what was submitted or accepted."""
    dossier_check(cycle)
    return kind.build(cycle)


def render_named(kind: DocumentKind, context, fmt: str) -> Rendered:
    """A document that is not a cycle's (an authority's plan, a decision, an external evaluation report): its context
    names the file (`filename(fmt)`)."""
    if fmt not in kind.formats:
        raise ValueError(f"{kind.title} không có định dạng {fmt}")
    data = docx_to_pdf(kind.renderers["docx"](context)) if fmt == "pdf" else kind.renderers[fmt](context)
    return Rendered(data, context.filename(fmt), CONTENT_TYPES[fmt])
