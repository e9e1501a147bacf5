"""``DemoBuild``: what one build of the demo created, counted by kind (what seed_demo prints); the demo accounts' one
password."""

from collections import Counter
from dataclasses import dataclass, field

DEMO_PASSWORD = "kiemdinh-demo"


@dataclass
class DemoBuild:
    created: Counter = field(default_factory=Counter)

    def add(self, what: str, n: int = 1) -> None:
        if n:
            self.created[what] += n
