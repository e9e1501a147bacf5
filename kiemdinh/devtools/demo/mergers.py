"""One school merger of the 2026 wave in the demo (illustrative, marked so): Trường Tiểu học Số 2 Hương Văn merged
into Trường Tiểu học Hương Vân, both of the ward of Hương Trà since the reform; the former goes on as a site of the
latter, its 2024 plan line, decisions and records stay its own."""

from datetime import date

from kiemdinh.devtools.demo.tally import DemoBuild
from kiemdinh.units.models import School, SchoolMerger
from kiemdinh.units.services import DecidingDocument
from kiemdinh.units.services.campuses import school_merge

MERGED, INTO = "46-HT-TH-SO2HUONGVAN", "46-HT-TH-HUONGVAN"
MERGED_ON = date(2026, 8, 15)
MERGER_DOCUMENT = DecidingDocument("Quyết định (số: minh họa)", date(2026, 8, 10), "Ủy ban nhân dân phường Hương Trà")
MERGER_NOTE = "Minh họa: một trường sáp nhập trong đợt sắp xếp trường năm 2026; số, ngày quyết định là minh họa."


def ensure_merger(actor, build: DemoBuild) -> None:
    merged = School.objects.get(code=MERGED)
    if SchoolMerger.objects.filter(predecessor=merged).exists():
        return
    school_merge(
        actor=actor, predecessors=[merged], successor=School.objects.get(code=INTO), on=MERGED_ON,
        document=MERGER_DOCUMENT, note=MERGER_NOTE,
    )  # fmt: skip
    build.add("sáp nhập trường (minh họa)")
