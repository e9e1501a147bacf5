"""Nothing is invented: a value the data does not have becomes a Missing marker, printed in red by every renderer
and listed on the download page before the user sends the file anywhere."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Missing:
    label: str

    def __str__(self) -> str:
        return f"[CHƯA CÓ DỮ LIỆU: {self.label}]"


class MissingLog:
    """Collects the labels of everything a context builder could not fill, in order, each once."""

    def __init__(self):
        self._labels: dict[str, None] = {}

    def value(self, value, label: str):
        """The value itself when it has content, else a Missing marker (recorded)."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return self.missing(label)
        return value

    def missing(self, label: str) -> Missing:
        self._labels.setdefault(label, None)
        return Missing(label)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self._labels)
