"""The counts of each framework version (standards, criteria by level, indicators, Mức 4 items, confidence), in a
fixed number of queries whatever the number of versions."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from kiemdinh.frameworks.choices import Confidence, Level4Status, Regime
from kiemdinh.frameworks.models import Criterion, FrameworkRevision, FrameworkVersion, Indicator, Level4Item, Standard
from kiemdinh.frameworks.selectors.amendments import amendment_indicators
from kiemdinh.frameworks.selectors.marks import Mark, mark_of, school_type_labels


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
        return mark_of(self.version, self.version)

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
