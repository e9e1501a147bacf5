"""What a criterion form, an assignment, a worksheet row, a review or an improvement line is about: a criterion (tiêu
chí) or a Mức 4 item (Điều 22 of the 2018 circulars). ONE representation, made here.

In the database such a row keeps two nullable foreign keys, `criterion` and `level4_item`, exactly one of them set
(selfassessment.models.one_per_subject checks it). In code the row's `subject` (the `AboutSubject` mixin) is a
`Subject`, and every key, code and link parameter is one of its properties:

- `key`: within one cycle, by database id ("c12", "m7"): dictionaries of rows of the same framework version;
- `code_key`: by regulation code ("1.1", "muc4/2"): stable across versions, stored in acceptance snapshots and
  evaluation reviews, so its format never changes;
- `query`: the link parameter a page takes ("tieu_chi=1.1", "muc4=2");
- `label`: how a page or a document names it ("Tiêu chí 1.1", "Mức 4 — 2").
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Q

LEVEL4_CODE_PREFIX = "muc4/"
CRITERION_PARAM = "tieu_chi"
LEVEL4_PARAM = "muc4"


@dataclass(frozen=True)
class Subject:
    """A criterion (`level4` False) or a Mức 4 item (`level4` True): its database id and regulation code."""

    level4: bool
    id: int
    code: str = ""

    @classmethod
    def criterion(cls, criterion) -> "Subject":
        return cls(level4=False, id=criterion.pk, code=criterion.code)

    @classmethod
    def level4_item(cls, item) -> "Subject":
        return cls(level4=True, id=item.pk, code=item.code)

    @classmethod
    def of(cls, criterion=None, level4_item=None) -> "Subject":
        """The subject of whichever of the two is given (a criterion first)."""
        if criterion is not None:
            return cls.criterion(criterion)
        if level4_item is not None:
            return cls.level4_item(level4_item)
        raise ValueError("a subject is a criterion or a Mức 4 item")

    @classmethod
    def by_ids(cls, criterion_id: int | None, level4_item_id: int | None) -> "Subject":
        """Without the related rows (no code): enough for `key` and `filter`."""
        if criterion_id is not None:
            return cls(level4=False, id=criterion_id)
        if level4_item_id is not None:
            return cls(level4=True, id=level4_item_id)
        raise ValueError("a subject is a criterion or a Mức 4 item")

    @property
    def key(self) -> str:
        return f"{'m' if self.level4 else 'c'}{self.id}"

    @property
    def code_key(self) -> str:
        return f"{LEVEL4_CODE_PREFIX}{self.code}" if self.level4 else self.code

    @property
    def query(self) -> str:
        return urlencode({LEVEL4_PARAM if self.level4 else CRITERION_PARAM: self.code})

    @property
    def label(self) -> str:
        return f"Mức 4 — {self.code}" if self.level4 else f"Tiêu chí {self.code}"

    def filter(self, prefix: str = "") -> Q:
        """The rows about this subject (`prefix` for a relation path, e.g. "form__")."""
        return Q(**{f"{prefix}{'level4_item' if self.level4 else 'criterion'}_id": self.id})


def codes_from_query(params) -> tuple[str, str]:
    """The (criterion code, Mức 4 item code) a link names; either may be empty."""
    return params.get(CRITERION_PARAM, ""), params.get(LEVEL4_PARAM, "")


class AboutSubject:
    """For models with the `criterion` and `level4_item` foreign keys: their subject. Reads the related row's code
    (load it with select_related where many rows are shown); `subject_key` needs only the ids."""

    @property
    def subject(self) -> Subject:
        if self.criterion_id is not None:
            return Subject.criterion(self.criterion)
        return Subject.level4_item(self.level4_item)

    @property
    def subject_key(self) -> str:
        return Subject.by_ids(self.criterion_id, self.level4_item_id).key

    @property
    def subject_row(self):
        """The Criterion or Level4Item itself."""
        return self.criterion if self.criterion_id is not None else self.level4_item
