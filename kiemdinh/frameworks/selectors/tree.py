"""Standards → criteria → indicators, the Mức 4 items and the revision history of one framework version, in five
queries (``version_tree``)."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch

from kiemdinh.frameworks.choices import Confidence, Level4Status, Regime
from kiemdinh.frameworks.models import Criterion, FrameworkVersion, Indicator, Level4Item, Standard
from kiemdinh.frameworks.selectors.amendments import Amendment, amendment
from kiemdinh.frameworks.selectors.marks import Mark, mark_of, school_type_labels
from kiemdinh.frameworks.selectors.revisions import RevisionView, revision_view


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
            criterion_mark = mark_of(version, criterion)
            grouped: dict[int, list[IndicatorNode]] = defaultdict(list)
            for ind in criterion.indicators.all():
                grouped[ind.level].append(
                    IndicatorNode(
                        indicator=ind,
                        mark=mark_of(version, ind),
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
        standard_nodes.append(
            StandardNode(standard=standard, mark=mark_of(version, standard), criteria=criterion_nodes)
        )
    items = [Level4Node(item=item, mark=mark_of(version, item)) for item in version.level4_items.order_by("position")]
    return VersionTree(
        version=version,
        mark=mark_of(version, version),
        standards=standard_nodes,
        level4_items=items,
        sources=sorted((version.sources or {}).items()),
        revisions=[revision_view(r) for r in version.revisions.order_by("date", "id").defer("diff")],
    )
