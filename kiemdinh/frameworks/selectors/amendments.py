"""A criterion's dated changes by amending circulars (TT22/2024), read from Criterion.amendments without a query."""

from dataclasses import dataclass
from datetime import date

from kiemdinh.frameworks.choices import Confidence
from kiemdinh.frameworks.models import Criterion, FrameworkVersion
from kiemdinh.frameworks.selectors.marks import Mark


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
