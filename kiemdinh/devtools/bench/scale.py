"""The bench's scales and the marks of everything it generates (codes, user names)."""

from dataclasses import dataclass

PREFIX = "BENCH-"
USER_PREFIX = "bench."
BENCH_DATABASE_ENV = "KIEMDINH_BENCH_DATABASE"  # "1": this database is a bench copy, bench may add beside real data
BATCH = 2000
EVIDENCE_SMALL, EVIDENCE_LARGE = 40, 400  # the measured cycles: the 10x pair of the school's pages
LOAD_EVIDENCE = 100  # evidence items of each load school's cycle


@dataclass(frozen=True)
class Scale:
    name: str
    provinces: int
    communes_per_province: int
    schools: int  # spread evenly over every commune
    years: int  # school years of cycles, ending 2024-2025 (before TT57, whose frameworks may still be drafts)
    rated_cycles: int | None  # cycles with a full set of indicator ratings (None: every cycle)
    evidence_per_rated_cycle: int = 5
    catalogue_items: int = 2_000  # the cycle whose evidence catalogue XLSX is timed
    load_schools: int = 50  # schools of the load run: one principal each, editing its own cycle

    @property
    def communes(self) -> int:
        return self.provinces * self.communes_per_province


SCALES = {
    # For the test suite and a quick look: every measurement, on little data.
    "tiny": Scale(
        "tiny",
        provinces=1,
        communes_per_province=4,
        schools=20,
        years=1,
        rated_cycles=None,
        catalogue_items=200,
        load_schools=5,
    ),
    "small": Scale("small", provinces=1, communes_per_province=10, schools=100, years=2, rated_cycles=None),
    "medium": Scale("medium", provinces=2, communes_per_province=50, schools=2_000, years=3, rated_cycles=2_000),
    # Full ratings of 225,000 cycles would be ~20 million rows: ratings (and their evidence) go to a sample of 5,000.
    "national": Scale("national", provinces=34, communes_per_province=97, schools=45_000, years=5, rated_cycles=5_000),
}

TYPES = ["MN", "TH", "THCS", "TH", "MN", "THPT", "MG", "TH_THCS"]
MEASURED = {  # code suffix of each measured school (all in the first commune) → its role
    "XL": f"the principal's school: a cycle with {EVIDENCE_LARGE} evidence items, council, forms and ratings",
    "XS": f"the same with {EVIDENCE_SMALL} evidence items (the small side of the 10x pairs)",
    "XC": "a cycle with the catalogue's evidence items (no forms)",
    "XM": "an empty cycle for the memory run's upload and dossier download",
}


def school_years(count: int) -> list[str]:
    return [f"{y}-{y + 1}" for y in range(2025 - count, 2025)]
