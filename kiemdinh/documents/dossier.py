"""Hồ sơ điện tử cho đoàn đánh giá ngoài: one zip per cycle that works from disk after unzipping.

Contents (relative links only, no script, no network, no external CSS or fonts):
    index.html                          the report: cover, results, narrative, criteria lists, Mức 4, catalogue
    tieu-chi/<code>.html                one page per criterion (descriptions with cited codes as links)
    minh-chung/<safe-code>.html         one page per evidence item of the cycle
    minh-chung/tep/<safe-code>/<name>   every file of every item, bytes as stored
    style.css                           shared by every page, with a print stylesheet
    manifest.json                       school, year, framework, result and path/size/sha256 of every other member

Names are safe on Windows (no []/\\:*?"<>|, no reserved device names, no trailing dot or space) and NFC, so
Vietnamese names unzip the same on every system; hrefs are percent-encoded UTF-8.
"""

import hashlib
import io
import json
import re
import shutil
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import BinaryIO
from urllib.parse import quote

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from kiemdinh.core import storage as stored_files
from kiemdinh.core.office.missing import Missing
from kiemdinh.core.text import nfc
from kiemdinh.documents.report.context import CriterionPart, ReportContext, build_report
from kiemdinh.evidence.files import size_text
from kiemdinh.evidence.models import CycleEvidence, EvidenceFile
from kiemdinh.frameworks.evidence_codes import link_citations, parse_code
from kiemdinh.selfassessment.models import Cycle

TEMPLATES = "documents/dossier"
MAX_NAME_LENGTH = 100  # keeps paths well under Windows' 260 characters after unzipping into a folder
COPY_CHUNK = 1024 * 1024
_UNSAFE = re.compile(r'[/\\:*?"<>|\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


@dataclass(frozen=True)
class DossierFile:
    storage_name: str  # name in the evidence file storage
    original_name: str  # as uploaded (NFC)
    size: int
    sha256: str  # recorded at upload
    path: str  # inside the zip: minh-chung/tep/<safe-code>/<safe name>


@dataclass(frozen=True)
class DossierEvidence:
    code: str
    slug: str  # the code as a safe file name: "[H1-1.1-01]" → "H1-1.1-01"
    name: str
    issue_ref: str
    issued_by: str
    note: str
    link: str  # external address, if any
    box: int | None
    criterion: str  # the criterion the code belongs to
    shared_with: tuple[str, ...]  # other criteria it is listed under
    cited_by: tuple[str, ...]  # criteria whose texts cite the code
    files: tuple[DossierFile, ...]

    @property
    def page(self) -> str:
        return f"minh-chung/{self.slug}.html"


@dataclass(frozen=True)
class DossierContext:
    report: ReportContext
    evidence: tuple[DossierEvidence, ...]  # catalogue order: criterion, then sequence
    generated_at: datetime
    missing: tuple[str, ...]

    @property
    def files(self) -> tuple[DossierFile, ...]:
        return tuple(f for e in self.evidence for f in e.files)


# --- Names -----------------------------------------------------------------------------------------------------------


def safe_name(name: str, fallback: str = "tep") -> str:
    """A file or folder name every system accepts, Vietnamese letters kept (NFC): "Quyết định [số 1]: QĐ/UBND.pdf"
    → "Quyết định số 1_ QĐ_UBND.pdf"."""
    name = _UNSAFE.sub("_", nfc(name).replace("[", "").replace("]", ""))
    name = " ".join(name.split()).strip(" .") or fallback
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > 10 or " " in extension:
        stem, dot, extension = name, "", ""
    if stem.split(".")[0].upper() in _RESERVED:
        stem = f"_{stem}"
    stem = stem[: MAX_NAME_LENGTH - len(dot) - len(extension)].rstrip(" .") or fallback
    return f"{stem}{dot}{extension}"


def _unique(name: str, taken: set[str]) -> str:
    """The name, or "name (2).ext", … when taken (compared case-insensitively, as on Windows and macOS)."""
    candidate, n = name, 1
    stem, dot, extension = name.rpartition(".") if "." in name else (name, "", "")
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem} ({n}){dot}{extension}"
    taken.add(candidate.casefold())
    return candidate


def href(path: str) -> str:
    """A relative path as a link target: UTF-8 percent-encoded, so "#", "%" and spaces in names do not break it."""
    return quote(path, safe="/")


# --- Build -----------------------------------------------------------------------------------------------------------


def build_dossier(cycle: Cycle) -> DossierContext:
    """The report context plus every evidence item of the cycle with its files (the report's queries + 2)."""
    report = build_report(cycle)
    links = (
        CycleEvidence.objects.filter(cycle=cycle)
        .select_related("version", "criterion")
        .prefetch_related("version__files")
        .order_by("criterion__position", "sequence", "id")
    )
    shared: dict[str, list[str]] = {}
    for row in report.evidence:
        if row.listed_under != row.own_criterion:
            shared.setdefault(row.code, []).append(row.listed_under)
    cited: dict[str, list[str]] = {}
    for c in report.criteria:
        for code in c.cited_codes:
            cited.setdefault(code, []).append(c.code)
    slugs: set[str] = set()
    items = []
    for link in links:
        e = link.version
        slug = _unique(safe_name(link.code, fallback=f"minh-chung-{link.pk}"), slugs)
        names: set[str] = set()
        files = tuple(
            DossierFile(
                storage_name=f.file.name,
                original_name=f.original_name,
                size=f.size,
                sha256=f.sha256,
                path=f"minh-chung/tep/{slug}/{_unique(safe_name(f.original_name), names)}",
            )
            for f in e.files.all()
            if f.file.name
        )
        parsed = parse_code(link.code)
        canonical = parsed.canonical if parsed else link.code
        items.append(
            DossierEvidence(
                code=link.code,
                slug=slug,
                name=e.name,
                issue_ref=e.issue_ref,
                issued_by=e.issued_by,
                note=e.note,
                link=e.link,
                box=link.box,
                criterion=link.criterion.code,
                shared_with=tuple(shared.get(link.code, ())),
                cited_by=tuple(cited.get(canonical, ())),
                files=files,
            )
        )
    return DossierContext(report=report, evidence=tuple(items), generated_at=timezone.now(), missing=report.missing)


def dossier_lacks(cycle: Cycle, report: ReportContext) -> tuple[str, ...]:
    """What the dossier lacks: what its report lacks (the evidence files it adds are never marked missing)."""
    return report.missing


# --- Render ----------------------------------------------------------------------------------------------------------


def dossier_zip(ctx: DossierContext) -> bytes:
    """The whole archive as bytes, for tests and checks of small dossiers. The download, the export command and the
    district export never call it: they use the registered writer, write_dossier, into a file."""
    buffer = io.BytesIO()
    write_dossier(ctx, buffer)
    return buffer.getvalue()


def write_dossier(ctx: DossierContext, target: BinaryIO) -> None:
    """Write the dossier zip into a binary file object (seekable or not). Evidence files are copied from storage in
    1 MB pieces, so neither a whole file nor the archive is ever held in memory."""
    stamp = timezone.localtime(ctx.generated_at).timetuple()[:6]
    written: dict[str, tuple[int, str]] = {}  # path → (size, sha256)
    unreadable: set[str] = set()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # Files first: a page can then say which file could not be read from storage.
        for f in ctx.files:
            try:
                written[f.path] = _copy_file(archive, f, stamp)
            except OSError:
                unreadable.add(f.path)
        pages = _Pages(ctx, unreadable)
        members = [("style.css", render_to_string(f"{TEMPLATES}/style.css"))]
        members.append(("index.html", pages.index()))
        members += [(f"tieu-chi/{safe_name(c.code)}.html", pages.criterion(c)) for c in ctx.report.criteria]
        members += [(e.page, pages.evidence(e)) for e in ctx.evidence]
        for path, text in members:
            written[path] = _write_bytes(archive, path, text.encode("utf-8"), stamp)
        manifest = _manifest(ctx, written, unreadable)
        _write_bytes(archive, "manifest.json", manifest, stamp)


def _zip_info(path: str, stamp: tuple, size: int = 0) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(nfc(path), date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.file_size = size  # lets zipfile choose ZIP64 up front for very large files
    info.external_attr = 0o644 << 16
    return info


def _write_bytes(archive: zipfile.ZipFile, path: str, data: bytes, stamp: tuple) -> tuple[int, str]:
    archive.writestr(_zip_info(path, stamp, len(data)), data)
    return len(data), hashlib.sha256(data).hexdigest()


class _HashingWriter:
    """Passes writes through to a zip member, hashing and counting the bytes on the way."""

    def __init__(self, target):
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.target.write(data)


def _copy_file(archive: zipfile.ZipFile, f: DossierFile, stamp: tuple) -> tuple[int, str]:
    """Stream one evidence file from storage into the archive (never whole in memory); its size and SHA-256."""
    storage = EvidenceFile._meta.get_field("file").storage
    # The source is opened first, so a file missing from storage adds no member to the archive.
    with (
        stored_files.reading(storage, f.storage_name) as source,
        archive.open(_zip_info(f.path, stamp, f.size), "w", force_zip64=f.size > 2**31) as member,
    ):
        writer = _HashingWriter(member)
        shutil.copyfileobj(source, writer, COPY_CHUNK)
    return writer.size, writer.digest.hexdigest()


def _manifest(ctx: DossierContext, written: dict[str, tuple[int, str]], unreadable: set[str]) -> bytes:
    h = ctx.report.header
    recorded = {f.path: f for f in ctx.files}
    files = []
    for path, (size, sha256) in sorted(written.items()):
        entry = {"path": path, "size": size, "sha256": sha256}
        if path in recorded and recorded[path].sha256 != sha256:
            entry["sha256_at_upload"] = recorded[path].sha256  # the stored bytes changed since the upload
        files.append(entry)
    data = {
        "format": "kiemdinh-dossier/1",
        "school": {"name": h.school_name, "code": h.school_code, "type": h.school_type, "authority": h.authority},
        "school_year": h.school_year,
        "framework": {"code": h.framework_code, "circular": h.circular, "regime": h.regime},
        "generated_at": timezone.localtime(ctx.generated_at).isoformat(timespec="seconds"),
        "result": ctx.report.result,
        "missing": list(ctx.missing),
        "evidence": [
            {"code": e.code, "page": e.page, "files": [f.path for f in e.files if f.path not in unreadable]}
            for e in ctx.evidence
        ],
        "unreadable_files": sorted(unreadable),
        "files": files,
    }
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def _marker(value: Missing) -> SafeString:
    return format_html('<span class="missing">{}</span>', str(value))


def plain(value) -> SafeString | str:
    """A value for a page: the red marker where it is missing."""
    return _marker(value) if isinstance(value, Missing) else ("" if value is None else str(value))


def level_text(level: int) -> str:
    return f"Đạt Mức {level}" if level else "Chưa đạt Mức 1"


class _Pages:
    """The HTML of each page; `root` is the way back to the package's top folder from the page."""

    def __init__(self, ctx: DossierContext, unreadable: set[str]):
        self.ctx = ctx
        self.unreadable = unreadable
        self.report = ctx.report
        self.by_code: dict[str, DossierEvidence] = {}
        for e in ctx.evidence:
            self.by_code[e.code] = e
            parsed = parse_code(e.code)
            if parsed:
                self.by_code.setdefault(parsed.canonical, e)
        self.criteria = self.report.criteria
        self.generated = timezone.localtime(ctx.generated_at)

    def rich(self, value, root: str) -> SafeString | str:
        """A school's text with cited codes as links to their evidence pages; the red marker where missing."""
        if isinstance(value, Missing) or value is None:
            return plain(value)
        return link_citations(value, lambda code: self.evidence_href(code, root))

    def evidence_href(self, code: str, root: str) -> str | None:
        e = self.by_code.get(code)
        return href(root + e.page) if e else None

    @staticmethod
    def criterion_href(code: str, root: str) -> str:
        return href(f"{root}tieu-chi/{safe_name(code)}.html")

    def _render(self, template: str, root: str, title: str, **context) -> str:
        header = self.report.header
        return render_to_string(
            f"{TEMPLATES}/{template}",
            {
                "root": root,
                "title": title,
                "header": header,
                "generated": self.generated,
                "index_href": href(f"{root}index.html"),
                "css_href": href(f"{root}style.css"),
                **context,
            },
        )

    def index(self) -> str:
        r, root = self.report, ""
        standards = []
        for s in r.standards:
            rows = []
            for c in s.criteria:
                cells = [("–" if lv > c.max_level else ("Đạt" if c.level >= lv else "Không đạt")) for lv in r.levels]
                rows.append({"part": c, "href": self.criterion_href(c.code, root), "cells": cells})
            standards.append(
                {
                    "part": s,
                    "opening": self.rich(s.opening, root),
                    "conclusion": self.rich(s.conclusion, root),
                    "rows": rows,
                    "achieved": sum(1 for c in s.criteria if c.level >= 1),
                }
            )
        level4 = [
            {
                "part": p,
                "description": self.rich(p.description, root),
                "strengths": self.rich(p.strengths, root),
                "weaknesses": self.rich(p.weaknesses, root),
                "improvement": self.rich(p.improvement, root),
            }
            for p in r.level4
        ]
        groups: list[dict] = []
        for row in r.evidence:
            if not groups or groups[-1]["criterion"] != row.listed_under:
                groups.append({"criterion": row.listed_under, "href": self.criterion_href(row.listed_under, root)})
                groups[-1]["rows"] = []
            groups[-1]["rows"].append({"row": row, "href": self.evidence_href(row.code, root)})
        result = r.result
        return self._render(
            "index.html",
            root,
            f"Báo cáo tự đánh giá – {r.header.school_name} – năm học {r.header.school_year}",
            report=r,
            principal=plain(r.header.principal),
            place_date=plain(r.header.place_date),
            facts=[(label, plain(value)) for label, value in r.school_facts],
            intro_situation=self.rich(r.intro_situation, root),
            intro_purpose=self.rich(r.intro_purpose, root),
            intro_process=self.rich(r.intro_process, root),
            standards=standards,
            level4=level4,
            level4_conclusion=None if r.level4_conclusion is None else self.rich(r.level4_conclusion, root),
            conclusion=self.rich(r.conclusion, root),
            result_levels=[(k, v["achieved"], v["total"]) for k, v in result["levels"].items()],
            school_level=result["school_level"],
            accreditation_grade=result.get("accreditation_grade"),
            national_standard_level=result.get("national_standard_level"),
            evidence_groups=groups,
            evidence_count=len(self.ctx.evidence),
            file_count=len(self.ctx.files),
        )

    def criterion(self, c: CriterionPart) -> str:
        root = "../"
        position = self.criteria.index(c)

        def neighbour(i: int) -> dict | None:
            if not 0 <= i < len(self.criteria):
                return None
            return {"part": self.criteria[i], "href": self.criterion_href(self.criteria[i].code, root)}

        levels = [
            {
                "level": lp.level,
                "indicators": [{"part": i, "description": self.rich(i.description, root)} for i in lp.indicators],
            }
            for lp in c.levels
        ]
        cited = [{"code": code, "evidence": self.by_code.get(code)} for code in c.cited_codes]
        for item in cited:
            item["href"] = href(root + item["evidence"].page) if item["evidence"] else None
        listed = [
            {"row": row, "href": self.evidence_href(row.code, root)}
            for row in self.report.evidence
            if row.listed_under == c.code
        ]
        return self._render(
            "criterion.html",
            root,
            f"Tiêu chí {c.code}: {c.name}",
            criterion=c,
            standard=next(s for s in self.report.standards if s.code == c.standard_code),
            levels=levels,
            strengths=self.rich(c.strengths, root),
            weaknesses=self.rich(c.weaknesses, root),
            improvement=self.rich(c.improvement, root),
            level_text=level_text(c.level),
            cited=cited,
            listed=listed,
            previous=neighbour(position - 1),
            next=neighbour(position + 1),
        )

    def evidence(self, e: DossierEvidence) -> str:
        root = "../"
        files = []
        for f in e.files:
            unreadable = f.path in self.unreadable
            files.append(
                {
                    "file": f,
                    # from minh-chung/<slug>.html the file is at tep/<slug>/<name>
                    "href": href(str(PurePosixPath(f.path).relative_to("minh-chung"))),
                    "size": size_text(f.size),
                    "marker": _marker(Missing(f"tệp “{f.original_name}” không đọc được từ kho lưu trữ"))
                    if unreadable
                    else "",
                }
            )
        external = e.link if e.link.lower().startswith(("http://", "https://")) else ""

        def criteria(codes):
            return [{"code": code, "href": self.criterion_href(code, root)} for code in codes]

        return self._render(
            "evidence.html",
            root,
            f"Minh chứng {e.code}: {e.name}",
            evidence=e,
            files=files,
            external=external,
            own=criteria([e.criterion]),
            shared=criteria(e.shared_with),
            cited_by=criteria(e.cited_by),
        )
