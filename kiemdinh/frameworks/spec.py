"""Framework data files as immutable Python structures (no database).

The rule engine and the `evaluate` command read these; `load_frameworks` writes the same files into the database.
"""

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from kiemdinh.frameworks.choices import Confidence, Level4Status, Regime

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    standard: str
    mandatory: bool
    # level -> indicator letters at that level ("" for a single unlettered requirement)
    levels: tuple[tuple[int, tuple[str, ...]], ...]

    @property
    def level_numbers(self) -> tuple[int, ...]:
        return tuple(level for level, _ in self.levels)

    def letters(self, level: int) -> tuple[str, ...] | None:
        for number, letters in self.levels:
            if number == level:
                return letters
        return None

    def is_unlettered(self, level: int) -> bool:
        return self.letters(level) == ("",)


@dataclass(frozen=True)
class FrameworkSpec:
    id: str
    regime: Regime
    criteria: tuple[CriterionSpec, ...]
    level4_items: tuple[str, ...]  # codes of the Mức 4 items whose content is known
    level4_complete: bool  # False where the list of Mức 4 items is partly or wholly missing

    @property
    def max_level(self) -> int:
        return 4 if self.regime == Regime.R2018 else 2

    @property
    def criterion_levels(self) -> tuple[int, ...]:
        return (1, 2, 3) if self.regime == Regime.R2018 else (1, 2)

    def criterion(self, code: str) -> CriterionSpec | None:
        return self._by_code().get(code)

    @cache  # noqa: B019 - specs are immutable and few
    def _by_code(self) -> dict[str, CriterionSpec]:
        return {c.code: c for c in self.criteria}


def data_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.yaml"))


@cache
def read_data_file(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# Keys of a data file that are about the file rather than the version's content: its publication status and the
# record of its revisions (whose `previous_hash` fields could not be part of the hash they name).
NOT_CONTENT = frozenset({"status", "revisions"})


def content_hash(data: dict) -> str:
    """Hash of everything that defines a version's content (status and revision records aside), stable across key
    order."""
    payload = {k: v for k, v in data.items() if k not in NOT_CONTENT}
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def spec_from_data(data: dict) -> FrameworkSpec:
    criteria = []
    for standard in data["standards"]:
        for criterion in standard["criteria"]:
            levels = tuple(
                (int(level), tuple(ind["letter"] for ind in indicators))
                for level, indicators in sorted(criterion["levels"].items(), key=lambda kv: int(kv[0]))
            )
            criteria.append(
                CriterionSpec(
                    code=str(criterion["code"]),
                    standard=str(standard["code"]),
                    mandatory=bool(criterion.get("mandatory", False)),
                    levels=levels,
                )
            )
    items = data.get("level4_items") or []
    known = tuple(str(i["code"]) for i in items if i["confidence"] != Confidence.MISSING)
    return FrameworkSpec(
        id=data["id"],
        regime=Regime(data["regime"]),
        criteria=tuple(criteria),
        level4_items=known,
        level4_complete=data.get("level4_status") == Level4Status.COMPLETE,
    )


@cache
def all_specs() -> dict[str, FrameworkSpec]:
    return {spec.id: spec for spec in (spec_from_data(read_data_file(p)) for p in data_files())}


def get_spec(framework_id: str) -> FrameworkSpec | None:
    return all_specs().get(framework_id)
