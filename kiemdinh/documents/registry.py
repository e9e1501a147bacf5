"""The documents of a cycle: each is a context builder (plain data) plus one renderer per format.

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

from kiemdinh.documents.pdf import docx_to_pdf
from kiemdinh.selfassessment.snapshots import dossier_check

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

    @property
    def formats(self) -> tuple[str, ...]:
        native = (*self.renderers, *self.writers)
        return (*native, "pdf") if "docx" in native else native


@dataclass(frozen=True)
class Rendered:
    data: bytes
    filename: str
    content_type: str


KINDS: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> DocumentKind:
    KINDS[kind.kind] = kind
    return kind


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
    cycle is first checked against its snapshot (selfassessment.snapshots.dossier_check raises DossierChanged on
    any difference), so no document shows anything but what was submitted or accepted."""
    dossier_check(cycle)
    return kind.build(cycle)


def render(kind_name: str, cycle, fmt: str) -> Rendered:
    kind = get(kind_name)
    return render_context(kind, cycle, build(kind, cycle), fmt)


def get(kind_name: str) -> DocumentKind:
    _load()
    try:
        return KINDS[kind_name]
    except KeyError:
        raise KeyError(
            f"Không có loại văn bản “{kind_name}”; có: {', '.join([*KINDS, *PLAN_KINDS, *STANDALONE_KINDS])}"
        ) from None


# Documents of an authority's plan (kiemdinh.planning), not of a cycle: built from an AnnualPlan, named by the
# context's `filename(fmt)`; kept apart so the cycle's download page does not list them.
PLAN_KINDS: dict[str, DocumentKind] = {}


def register_plan_kind(kind: DocumentKind) -> DocumentKind:
    PLAN_KINDS[kind.kind] = kind
    return kind


def plan_kind(kind_name: str) -> DocumentKind | None:
    _load()
    return PLAN_KINDS.get(kind_name)


def render_plan(kind: DocumentKind, context, fmt: str) -> Rendered:
    if fmt not in kind.formats:
        raise ValueError(f"{kind.title} không có định dạng {fmt}")
    data = docx_to_pdf(kind.renderers["docx"](context)) if fmt == "pdf" else kind.renderers[fmt](context)
    return Rendered(data, context.filename(fmt), CONTENT_TYPES[fmt])


# Documents of neither a cycle nor a plan (a recognition decision): each kind's command branch finds its object; the
# context names the file (`filename(fmt)`), as for plans.
STANDALONE_KINDS: dict[str, DocumentKind] = {}


def register_standalone_kind(kind: DocumentKind) -> DocumentKind:
    STANDALONE_KINDS[kind.kind] = kind
    return kind


def standalone_kind(kind_name: str) -> DocumentKind | None:
    _load()
    return STANDALONE_KINDS.get(kind_name)


def all_kinds() -> list[DocumentKind]:
    _load()
    return list(KINDS.values())


def _load() -> None:
    # The modules register their kinds on import; the download page lists them in ORDER.
    from kiemdinh.documents import (  # noqa: F401
        annual_plan,
        appendices,
        decision,
        dossier,
        evaluation_report,
        improvement_plan,
        report,
    )

    for name in [k for k in KINDS if k not in ORDER]:
        ORDER.append(name)
    ordered = {name: KINDS[name] for name in ORDER if name in KINDS}
    KINDS.clear()
    KINDS.update(ordered)


ORDER = [
    "report",
    "council-decision",
    "plan",
    "scope-worksheet",
    "evidence-catalogue",
    "criterion-forms",
    "improvement-plan",
    "monitoring-report",
    "dossier",
]
