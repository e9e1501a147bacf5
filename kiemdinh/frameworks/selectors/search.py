"""Criteria, indicators and Mức 4 items whose text contains a query, ignoring case and diacritics (``search``)."""

from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from kiemdinh.core.text import fold, highlight
from kiemdinh.frameworks.models import Criterion, FrameworkVersion, Indicator, Level4Item

SEARCH_MIN_LENGTH = 2
SEARCH_LIMIT = 100  # per kind (criteria, indicators, Mức 4 items)


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
