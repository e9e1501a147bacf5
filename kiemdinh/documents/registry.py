"""The documents of a cycle: each is a context builder (plain data) plus one renderer per format.

PDF is derived from the DOCX rendering through LibreOffice. `render(kind, cycle, fmt)` is what the download page, the
export command and the district export use.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

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

    @property
    def formats(self) -> tuple[str, ...]:
        native = tuple(self.renderers)
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


def render_context(kind: DocumentKind, cycle, context, fmt: str) -> Rendered:
    if fmt not in kind.formats:
        raise ValueError(f"{kind.title} không có định dạng {fmt}")
    data = docx_to_pdf(kind.renderers["docx"](context)) if fmt == "pdf" else kind.renderers[fmt](context)
    return Rendered(data, filename(kind, cycle, fmt), CONTENT_TYPES[fmt])


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
