"""Reads of framework data that span relations: summaries, the criteria tree of a version, diacritic-free search.

Each function runs a fixed number of queries whatever the size of the data; the tests pin them.
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Prefetch, QuerySet
from django.utils.safestring import SafeString

from kiemdinh.core.text import fold, highlight
from kiemdinh.frameworks.choices import Confidence, Level4Status, Regime
from kiemdinh.frameworks.models import (
    SOURCE_KEY,
    Criterion,
    FrameworkRevision,
    FrameworkVersion,
    Indicator,
    Level4Item,
    Standard,
)
from kiemdinh.units.models import SchoolType

# Short badge texts; the full Confidence label goes in the title attribute.
CONFIDENCE_SHORT = {
    Confidence.EXACT: "Nguyên văn",
    Confidence.EXACT_PER_SEED: "Theo nguồn chưa đối chiếu",
    Confidence.APPROXIMATE: "Gần đúng",
    Confidence.MISSING: "Chưa có văn bản",
}
SEARCH_MIN_LENGTH = 2
SEARCH_LIMIT = 100  # per kind (criteria, indicators, Mức 4 items)


@dataclass(frozen=True)
class Mark:
    """How sure we are of a text's wording and where it comes from, ready for display."""

    confidence: str
    source: str = ""
    source_label: str = ""
    note: str = ""

    @property
    def is_exact(self) -> bool:
        return self.confidence == Confidence.EXACT

    @property
    def is_missing(self) -> bool:
        return self.confidence == Confidence.MISSING

    @property
    def short(self) -> str:
        return CONFIDENCE_SHORT.get(self.confidence, self.confidence)

    @property
    def label(self) -> str:
        return Confidence(self.confidence).label if self.confidence in Confidence.values else self.confidence

    @property
    def source_key(self) -> str:
        """The key into the version's sources block ("S_TDG_APP" of "S_TDG_APP, dòng 7299"), when it resolves."""
        match = SOURCE_KEY.match(self.source)
        return match[0] if match and self.source_label else ""

    @property
    def source_url(self) -> str:
        """The first web address in the resolved source, if any, to link to (to the line, for a file on GitHub cited
        with "dòng N")."""
        for token in self.source_label.replace(";", " ").split():
            if token.startswith(("http://", "https://")):
                line = re.search(r"dòng (\d+)", self.source)
                if line and token.startswith("https://github.com/") and "#" not in token:
                    return f"{token}#L{line[1]}"
                return token
        return ""


def school_type_labels(version: FrameworkVersion) -> list[str]:
    return [SchoolType(code).label if code in SchoolType.values else code for code in version.school_types]


def _mark(version: FrameworkVersion, obj) -> Mark:
    return Mark(
        confidence=obj.confidence,
        source=obj.source,
        source_label=version.source_label(obj.source),
        note=obj.note,
    )


# --- summaries ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionSummary:
    version: FrameworkVersion
    standards: int
    criteria: int
    mandatory: int
    criteria_by_level: dict[int, int]  # level -> criteria having requirements at that level
    indicators_by_level: dict[int, int]
    level4_known: int  # Mức 4 items whose content is known (confidence != missing)
    level4_total: int
    confidence_counts: dict[str, int]  # over standards, criteria, indicators and Mức 4 items
    amended_pending: tuple[str, ...] = ()  # criteria known to be amended whose amended wording is not recorded
    revisions: tuple[FrameworkRevision, ...] = ()

    @property
    def school_type_labels(self) -> list[str]:
        return school_type_labels(self.version)

    @property
    def levels(self) -> list[dict]:
        """Per criterion level, for templates: [{"level": 1, "criteria": 27, "indicators": 81}, ...]."""
        return [
            {"level": k, "criteria": self.criteria_by_level[k], "indicators": self.indicators_by_level[k]}
            for k in self.version.criterion_levels
        ]

    @property
    def indicators(self) -> int:
        return sum(self.indicators_by_level.values())

    @property
    def has_level4(self) -> bool:
        return self.version.regime == Regime.R2018

    @property
    def level4_complete(self) -> bool:
        return self.version.level4_status == Level4Status.COMPLETE

    @property
    def mark(self) -> Mark:
        return _mark(self.version, self.version)

    @property
    def confidence_marks(self) -> list[tuple[Mark, int]]:
        return [(Mark(confidence=c), n) for c, n in self.confidence_counts.items()]

    def as_json(self) -> dict:
        version = self.version
        return {
            "id": version.code,
            "circular": version.circular,
            "variant": version.variant,
            "regime": version.regime,
            "school_types": list(version.school_types),
            "status": version.status,
            "counts": {
                "standards": self.standards,
                "criteria": self.criteria,
                "mandatory_criteria": self.mandatory,
                "criteria_by_level": {str(k): n for k, n in self.criteria_by_level.items()},
                "indicators": {str(k): n for k, n in self.indicators_by_level.items()},
                "level4_items": self.level4_known,
            },
            "level4_status": version.level4_status,
            "amended_not_updated": list(self.amended_pending),
            "revisions": [{"id": r.code, "kind": r.kind, "date": r.date.isoformat()} for r in self.revisions],
            "provenance": {
                "confidence": version.confidence,
                "source": version.source,
                "note": version.note,
                "counts": dict(self.confidence_counts),
            },
        }


def version_summaries(versions: QuerySet[FrameworkVersion] | None = None) -> list[VersionSummary]:
    """Counts for each version in eight queries, whatever the number of versions."""
    versions = list(versions if versions is not None else FrameworkVersion.objects.all())
    ids = [v.pk for v in versions]
    confidence: dict[int, Counter] = defaultdict(Counter)
    standards: Counter = Counter()
    for row in Standard.objects.filter(version__in=ids).values("version", "confidence").annotate(n=Count("id")):
        standards[row["version"]] += row["n"]
        confidence[row["version"]][row["confidence"]] += row["n"]
    criteria: Counter = Counter()
    mandatory: Counter = Counter()
    rows = (
        Criterion.objects.filter(version__in=ids).values("version", "confidence", "mandatory").annotate(n=Count("id"))
    )
    for row in rows:
        criteria[row["version"]] += row["n"]
        confidence[row["version"]][row["confidence"]] += row["n"]
        if row["mandatory"]:
            mandatory[row["version"]] += row["n"]
    by_level: dict[int, Counter] = defaultdict(Counter)
    criteria_by_level: dict[int, Counter] = defaultdict(Counter)
    rows = (
        Indicator.objects.filter(criterion__version__in=ids)
        .values("criterion__version", "level")
        .annotate(n=Count("id"), criteria=Count("criterion", distinct=True))
    )
    for row in rows:
        by_level[row["criterion__version"]][row["level"]] += row["n"]
        criteria_by_level[row["criterion__version"]][row["level"]] += row["criteria"]
    rows = (
        Indicator.objects.filter(criterion__version__in=ids)
        .values("criterion__version", "confidence")
        .annotate(n=Count("id"))
    )
    for row in rows:
        confidence[row["criterion__version"]][row["confidence"]] += row["n"]
    level4_known: Counter = Counter()
    level4_total: Counter = Counter()
    for row in Level4Item.objects.filter(version__in=ids).values("version", "confidence").annotate(n=Count("id")):
        confidence[row["version"]][row["confidence"]] += row["n"]
        level4_total[row["version"]] += row["n"]
        if row["confidence"] != Confidence.MISSING:
            level4_known[row["version"]] += row["n"]
    pending: dict[int, list[str]] = defaultdict(list)
    for version_id, code, amendments in (
        Criterion.objects.filter(version__in=ids).exclude(amendments=[]).values_list("version", "code", "amendments")
    ):
        if any(not amendment_indicators(a) for a in amendments or []):
            pending[version_id].append(code)
    revisions: dict[int, list[FrameworkRevision]] = defaultdict(list)
    for revision in FrameworkRevision.objects.filter(version__in=ids).order_by("date", "id"):
        revisions[revision.version_id].append(revision)
    order = {c: i for i, c in enumerate(Confidence.values)}
    summaries = []
    for v in versions:
        levels = v.criterion_levels
        summaries.append(
            VersionSummary(
                version=v,
                standards=standards[v.pk],
                criteria=criteria[v.pk],
                mandatory=mandatory[v.pk],
                criteria_by_level={k: criteria_by_level[v.pk][k] for k in levels},
                indicators_by_level={k: by_level[v.pk][k] for k in levels},
                level4_known=level4_known[v.pk],
                level4_total=level4_total[v.pk],
                confidence_counts=dict(
                    sorted(confidence[v.pk].items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
                ),
                amended_pending=tuple(pending[v.pk]),
                revisions=tuple(revisions[v.pk]),
            )
        )
    return summaries


# --- the criteria tree of one version ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorNode:
    indicator: Indicator
    mark: Mark
    show_badge: bool  # wording less certain than its criterion's (the criterion's badge covers the rest)


@dataclass(frozen=True)
class LevelBlock:
    level: int
    indicators: list[IndicatorNode]


@dataclass(frozen=True)
class Amendment:
    """A dated change of a criterion by an amending circular (TT22/2024): its text where found, else a mark."""

    level: int | None
    amended_by: str
    basis: str
    effective: date | None
    indicators: tuple[tuple[str, str], ...]  # (letter, text) of the amended level, when the wording was found
    mark: Mark

    @property
    def updated(self) -> bool:
        return bool(self.indicators)

    @property
    def pending_text(self) -> str:
        """The mark of an amendment whose wording is not recorded (issue #18 §5), exactly this sentence."""
        return f"được sửa đổi bởi {self.amended_by}; nội dung sửa đổi chưa cập nhật"

    def in_force(self, on: date) -> bool:
        return self.effective is not None and self.effective <= on


def amendment_indicators(data: dict) -> tuple[tuple[str, str], ...]:
    return tuple((str(i.get("letter", "")), str(i["text"])) for i in data.get("indicators") or [] if i.get("text"))


def amendment(data: dict, version: FrameworkVersion | None = None) -> Amendment:
    """One entry of Criterion.amendments, read (the version resolves its source mark, when given)."""
    source = str(data.get("source", ""))
    effective = data.get("effective")
    return Amendment(
        level=data.get("level"),
        amended_by=str(data.get("amended_by", "")),
        basis=str(data.get("basis", "")),
        effective=date.fromisoformat(str(effective)[:10]) if effective else None,
        indicators=amendment_indicators(data),
        mark=Mark(
            confidence=data.get("confidence") or Confidence.APPROXIMATE,
            source=source,
            source_label=version.source_label(source) if version is not None else "",
            note=str(data.get("note", "")),
        ),
    )


def amendments_in_force(criterion: Criterion, on: date) -> list[Amendment]:
    """The amendments of a criterion in force on a day (a cycle's school-year start): no query."""
    return [a for a in (amendment(d) for d in criterion.amendments or []) if a.in_force(on)]


@dataclass(frozen=True)
class CriterionNode:
    criterion: Criterion
    mark: Mark
    levels: list[LevelBlock]
    amendments: list[Amendment]

    @property
    def anchor(self) -> str:
        return f"tc-{self.criterion.code}"

    @property
    def amended_pending(self) -> bool:
        return any(not a.updated for a in self.amendments)

    @property
    def pending_levels(self) -> set[int]:
        return {a.level for a in self.amendments if not a.updated and a.level}


@dataclass(frozen=True)
class StandardNode:
    standard: Standard
    mark: Mark
    criteria: list[CriterionNode]

    @property
    def anchor(self) -> str:
        return f"tchuan-{self.standard.code}"


@dataclass(frozen=True)
class Level4Node:
    item: Level4Item
    mark: Mark


FIELD_LABELS = {
    "text": "nội dung",
    "name": "tên",
    "name_variant": "tên ghi khác",
    "note": "ghi chú",
    "amendments": "văn bản sửa đổi",
    "effective_note": "ghi chú ngày hiệu lực",
}
SHOWN_FIELDS = {"text", "name", "name_variant"}  # wording shown before/after; other changes are described by a note


@dataclass(frozen=True)
class RevisionChange:
    where: str
    field: str
    before: str
    after: str
    note: str


@dataclass(frozen=True)
class RevisionView:
    revision: FrameworkRevision
    changes: list[RevisionChange]


def revision_view(revision: FrameworkRevision) -> RevisionView:
    """A revision's declared changes, ready for the page: wording before and after only where it is a text."""
    changes = []
    for change in revision.changes or []:
        where, _, field_name = str(change.get("path", "")).partition("|")
        shown = field_name in SHOWN_FIELDS
        changes.append(
            RevisionChange(
                where=where,
                field=FIELD_LABELS.get(field_name, field_name),
                before=str(change.get("before") or "") if shown else "",
                after=str(change.get("after") or "") if shown else "",
                note=str(change.get("note", "")),
            )
        )
    return RevisionView(revision=revision, changes=changes)


@dataclass(frozen=True)
class VersionTree:
    version: FrameworkVersion
    mark: Mark
    standards: list[StandardNode]
    level4_items: list[Level4Node]
    sources: list[tuple[str, str]] = field(default_factory=list)
    revisions: list[RevisionView] = field(default_factory=list)

    @property
    def has_level4(self) -> bool:
        return self.version.regime == Regime.R2018

    @property
    def level4_complete(self) -> bool:
        return self.version.level4_status == Level4Status.COMPLETE

    @property
    def school_type_labels(self) -> list[str]:
        return school_type_labels(self.version)

    @property
    def criteria_count(self) -> int:
        return sum(len(s.criteria) for s in self.standards)

    @property
    def mandatory_count(self) -> int:
        return sum(1 for s in self.standards for c in s.criteria if c.criterion.mandatory)

    @property
    def levels(self) -> list[dict]:
        """Per criterion level: [{"level": 1, "criteria": 27, "indicators": 81}, ...], counted from the tree."""
        criteria: Counter = Counter()
        indicators: Counter = Counter()
        for s in self.standards:
            for c in s.criteria:
                for block in c.levels:
                    criteria[block.level] += 1
                    indicators[block.level] += len(block.indicators)
        return [
            {"level": k, "criteria": criteria[k], "indicators": indicators[k]} for k in self.version.criterion_levels
        ]

    @property
    def level4_known(self) -> int:
        return sum(1 for node in self.level4_items if node.mark.confidence != Confidence.MISSING)


def version_tree(version: FrameworkVersion) -> VersionTree:
    """Standards → criteria → indicators, the Mức 4 items and the revision history, in five queries."""
    indicators = Indicator.objects.order_by("level", "position")
    criteria = Criterion.objects.order_by("position").prefetch_related(Prefetch("indicators", queryset=indicators))
    standards = (
        Standard.objects.filter(version=version)
        .order_by("position")
        .prefetch_related(Prefetch("criteria", queryset=criteria))
    )
    standard_nodes = []
    for standard in standards:
        criterion_nodes = []
        for criterion in standard.criteria.all():
            criterion_mark = _mark(version, criterion)
            grouped: dict[int, list[IndicatorNode]] = defaultdict(list)
            for ind in criterion.indicators.all():
                grouped[ind.level].append(
                    IndicatorNode(
                        indicator=ind,
                        mark=_mark(version, ind),
                        show_badge=ind.confidence != Confidence.EXACT and ind.confidence != criterion.confidence,
                    )
                )
            criterion_nodes.append(
                CriterionNode(
                    criterion=criterion,
                    mark=criterion_mark,
                    levels=[LevelBlock(level, nodes) for level, nodes in sorted(grouped.items())],
                    amendments=[amendment(a, version) for a in criterion.amendments or []],
                )
            )
        standard_nodes.append(StandardNode(standard=standard, mark=_mark(version, standard), criteria=criterion_nodes))
    items = [Level4Node(item=item, mark=_mark(version, item)) for item in version.level4_items.order_by("position")]
    return VersionTree(
        version=version,
        mark=_mark(version, version),
        standards=standard_nodes,
        level4_items=items,
        sources=sorted((version.sources or {}).items()),
        revisions=[revision_view(r) for r in version.revisions.order_by("date", "id").defer("diff")],
    )


# --- search ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorHit:
    indicator: Indicator
    html: SafeString


@dataclass
class CriterionHit:
    criterion: Criterion
    name_html: SafeString
    name_matched: bool
    indicators: list[IndicatorHit] = field(default_factory=list)


@dataclass(frozen=True)
class Level4Hit:
    item: Level4Item
    html: SafeString


@dataclass
class VersionHits:
    version: FrameworkVersion
    criteria: list[CriterionHit] = field(default_factory=list)
    level4_items: list[Level4Hit] = field(default_factory=list)


@dataclass(frozen=True)
class SearchResults:
    query: str
    versions: list[VersionHits]
    too_short: bool = False
    truncated: bool = False

    @property
    def searched(self) -> bool:
        return bool(self.query) and not self.too_short

    @property
    def count(self) -> int:
        return sum(
            sum(int(c.name_matched) + len(c.indicators) for c in v.criteria) + len(v.level4_items)
            for v in self.versions
        )


def search(query: str, version: FrameworkVersion | None = None) -> SearchResults:
    """Criteria, indicators and Mức 4 items whose text contains the query, ignoring case and diacritics.

    Filters on the folded `search_text` columns with a plain substring test, so it behaves the same on SQLite and
    PostgreSQL. Three queries; at most SEARCH_LIMIT hits of each kind.
    """
    query = " ".join((query or "").split())
    needle = fold(query)
    if len(needle) < SEARCH_MIN_LENGTH:
        return SearchResults(query=query, versions=[], too_short=bool(needle))
    scope = {"version": version} if version is not None else {}
    criteria = list(
        Criterion.objects.filter(search_text__contains=needle, **scope)
        .select_related("version")
        .order_by("version__code", "position")[: SEARCH_LIMIT + 1]
    )
    ind_scope = {"criterion__version": version} if version is not None else {}
    indicators = list(
        Indicator.objects.filter(search_text__contains=needle, **ind_scope)
        .select_related("criterion__version")
        .order_by("criterion__version__code", "criterion__position", "level", "position")[: SEARCH_LIMIT + 1]
    )
    items = list(
        Level4Item.objects.filter(search_text__contains=needle, **scope)
        .select_related("version")
        .order_by("version__code", "position")[: SEARCH_LIMIT + 1]
    )
    truncated = any(len(hits) > SEARCH_LIMIT for hits in (criteria, indicators, items))
    criteria, indicators, items = criteria[:SEARCH_LIMIT], indicators[:SEARCH_LIMIT], items[:SEARCH_LIMIT]

    by_version: dict[int, VersionHits] = {}
    by_criterion: dict[int, CriterionHit] = {}

    def version_hits(v: FrameworkVersion) -> VersionHits:
        return by_version.setdefault(v.pk, VersionHits(version=v))

    def criterion_hit(c: Criterion, matched: bool) -> CriterionHit:
        hit = by_criterion.get(c.pk)
        if hit is None:
            name = f"{c.name} ({c.name_variant})" if matched and c.name_variant else c.name
            hit = CriterionHit(criterion=c, name_html=highlight(name, query), name_matched=matched)
            by_criterion[c.pk] = hit
            version_hits(c.version).criteria.append(hit)
        return hit

    for c in criteria:
        criterion_hit(c, matched=True)
    for ind in indicators:
        criterion_hit(ind.criterion, matched=False).indicators.append(
            IndicatorHit(indicator=ind, html=highlight(ind.text, query))
        )
    for item in items:
        version_hits(item.version).level4_items.append(Level4Hit(item=item, html=highlight(item.text, query)))

    ordered = sorted(by_version.values(), key=lambda vh: (-vh.version.issued.toordinal(), vh.version.code))
    for vh in ordered:
        vh.criteria.sort(key=lambda h: h.criterion.position)
    return SearchResults(query=query, versions=ordered, truncated=truncated)
