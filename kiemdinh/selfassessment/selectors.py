"""Reads of self-assessment cycles."""

from kiemdinh.frameworks.rules import Evaluation, evaluate
from kiemdinh.frameworks.spec import get_spec
from kiemdinh.selfassessment.models import Cycle, IndicatorRating, Level4Rating


def cycle_evaluation(cycle: Cycle) -> Evaluation:
    """Rate a cycle's stored indicator results with the rule engine (two queries)."""
    spec = get_spec(cycle.framework.code)
    indicators: dict[str, dict[int, dict[str, bool]]] = {}
    rows = IndicatorRating.objects.filter(cycle=cycle).values_list(
        "indicator__criterion__code", "indicator__level", "indicator__letter", "achieved"
    )
    for code, level, letter, achieved in rows:
        indicators.setdefault(code, {}).setdefault(level, {})[letter] = achieved
    level4 = dict(Level4Rating.objects.filter(cycle=cycle).values_list("item__code", "achieved"))
    return evaluate(spec, indicators, level4)


def latest_cycles(schools) -> dict[int, Cycle]:
    """The most recent cycle of each school (one query)."""
    latest: dict[int, Cycle] = {}
    for cycle in (
        Cycle.objects.filter(school__in=schools).select_related("framework").order_by("school_id", "-school_year")
    ):
        latest.setdefault(cycle.school_id, cycle)
    return latest
