"""The rule engine: pure functions from indicator results to criterion levels, school level, grade and CQG level.

One module per regime (regime2018, tt57). Input results are plain mappings:
    indicators: {criterion code: {level: {letter: bool}}}   ("" is the letter of an unlettered requirement)
    level4:     {item code: bool}
Anything left out counts as not achieved.
"""

from dataclasses import dataclass

from kiemdinh.frameworks.choices import Regime
from kiemdinh.frameworks.spec import FrameworkSpec

from . import regime2018, tt57
from .common import criterion_level

IndicatorResults = dict[str, dict[int, dict[str, bool]]]


@dataclass(frozen=True)
class LevelCount:
    achieved: int
    total: int


@dataclass(frozen=True)
class Evaluation:
    framework: str
    criteria: dict[str, int]
    levels: dict[int, LevelCount]
    school_level: int
    accreditation_grade: int | None
    national_standard_level: int | None

    def as_contract(self) -> dict:
        """The JSON shape of the `evaluate` command (DESIGN.md)."""
        return {
            "framework": self.framework,
            "criteria": dict(self.criteria),
            "levels": {str(k): {"achieved": v.achieved, "total": v.total} for k, v in sorted(self.levels.items())},
            "school_level": self.school_level,
            "accreditation_grade": self.accreditation_grade,
            "national_standard_level": self.national_standard_level,
        }

    @classmethod
    def from_contract(cls, data: dict) -> "Evaluation":
        """The result as `as_contract` wrote it (a submitted dossier's snapshot keeps it that way)."""
        return cls(
            framework=data["framework"],
            criteria=dict(data["criteria"]),
            levels={int(k): LevelCount(v["achieved"], v["total"]) for k, v in data["levels"].items()},
            school_level=data["school_level"],
            accreditation_grade=data["accreditation_grade"],
            national_standard_level=data["national_standard_level"],
        )


def _module(spec: FrameworkSpec):
    return regime2018 if spec.regime == Regime.R2018 else tt57


def evaluate(spec: FrameworkSpec, indicators: IndicatorResults, level4: dict[str, bool] | None = None) -> Evaluation:
    module = _module(spec)
    criteria = {c.code: criterion_level(c, indicators.get(c.code, {})) for c in spec.criteria}
    counts = module.level_counts(spec, criteria, level4 or {})
    school = module.school_level(spec, criteria, level4 or {})
    return Evaluation(
        framework=spec.id,
        criteria=criteria,
        levels={k: LevelCount(*v) for k, v in counts.items()},
        school_level=school,
        accreditation_grade=module.accreditation_grade(school),
        national_standard_level=module.national_standard_level(school),
    )


def evaluate_levels(spec: FrameworkSpec, criteria: dict[str, int], level4: dict[str, bool] | None = None) -> Evaluation:
    """The same result from levels already decided per criterion (an external evaluation team's agreed levels)
    instead of indicator results; a criterion left out counts as 0."""
    module = _module(spec)
    levels = {c.code: int(criteria.get(c.code) or 0) for c in spec.criteria}
    counts = module.level_counts(spec, levels, level4 or {})
    school = module.school_level(spec, levels, level4 or {})
    return Evaluation(
        framework=spec.id,
        criteria=levels,
        levels={k: LevelCount(*v) for k, v in counts.items()},
        school_level=school,
        accreditation_grade=module.accreditation_grade(school),
        national_standard_level=module.national_standard_level(school),
    )


def blockers(spec: FrameworkSpec, criteria: dict[str, int], level4: dict[str, bool], level: int):
    """What keeps a school with these criterion levels from school level `level`: [(message, codes)]."""
    return _module(spec).blockers(spec, criteria, level4 or {}, level)


def national_standard_needs(spec: FrameworkSpec) -> dict[int, int]:
    """The school level each national-standard level (mức độ) needs."""
    return dict(_module(spec).NATIONAL_STANDARD_NEEDS)
