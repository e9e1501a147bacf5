"""How sure the project is of a text's wording and where it comes from (``Mark``), ready for display."""

import re
from dataclasses import dataclass

from kiemdinh.frameworks.choices import Confidence
from kiemdinh.frameworks.models import SOURCE_KEY, FrameworkVersion
from kiemdinh.units.models import SchoolType

# Short badge texts; the full Confidence label goes in the title attribute.
CONFIDENCE_SHORT = {
    Confidence.EXACT: "Nguyên văn",
    Confidence.EXACT_PER_SEED: "Theo nguồn chưa đối chiếu",
    Confidence.APPROXIMATE: "Gần đúng",
    Confidence.MISSING: "Chưa có văn bản",
}


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


def mark_of(version: FrameworkVersion, obj) -> Mark:
    return Mark(
        confidence=obj.confidence,
        source=obj.source,
        source_label=version.source_label(obj.source),
        note=obj.note,
    )
