"""Recognition decisions the plans imply but do not record (illustrations, marked so), recorded where missing."""

from dataclasses import dataclass
from datetime import date

from kiemdinh.devtools.demo.places import HUONG_TRA_2024_LIST, parse_integrated_target, parse_recognition_round
from kiemdinh.devtools.demo.tally import DemoBuild
from kiemdinh.recognition.models import Decision, DecisionKind, RecognitionRound
from kiemdinh.recognition.services import DecisionInput, decision_record


@dataclass(frozen=True)
class DecisionSeed:
    school: str
    kind: str
    level: int
    decided_on: date
    issuer: str
    note: str


# Recognition the plans imply but do not record. Hương Trà lists schools to be recognised "CN lại" in 2024, and
# Tân Thành plans the re-recognition of Mầm non 1 for 12/2023: each was recognised about five years before. The seeds
# give no number or date of those decisions, so the demo records illustrative ones (no number, marked "Minh họa")
# dated so that they lapse in the plan's year: the grade and level the school now seeks again.
PRIOR_DECIDED_ON = {"46-HT": date(2019, 1, 15), "20-HL-TT": date(2018, 12, 20)}
PRIOR_NOTE = "Minh họa: kế hoạch gốc chỉ ghi “{}”, không ghi quyết định trước đó"


def _huong_tra_prior_decisions():
    for code, _, label, note in HUONG_TRA_2024_LIST:
        if parse_recognition_round(note) != RecognitionRound.AGAIN:
            continue
        grade, level = parse_integrated_target(label)
        decided_on, why = PRIOR_DECIDED_ON["46-HT"], PRIOR_NOTE.format("CN lại")
        yield DecisionSeed(code, DecisionKind.ACCREDITATION, grade, decided_on, "Sở GD&ĐT Thừa Thiên Huế", why)
        yield DecisionSeed(code, DecisionKind.NATIONAL_STANDARD, level, decided_on, "UBND tỉnh Thừa Thiên Huế", why)


PRIOR_DECISIONS = (
    *_huong_tra_prior_decisions(),
    # The Tân Thành plan gives no level ("kế hoạch không ghi mức độ"); the illustration takes Mức độ 1.
    DecisionSeed(
        "20-HL-TT-MN1",
        DecisionKind.NATIONAL_STANDARD,
        1,
        PRIOR_DECIDED_ON["20-HL-TT"],
        "UBND tỉnh Lạng Sơn",
        PRIOR_NOTE.format("Công nhận lại"),
    ),
)


def ensure_decisions(actor, build: DemoBuild, schools) -> None:
    recorded = set(
        Decision.objects.filter(school__code__in={d.school for d in PRIOR_DECISIONS}).values_list(
            "school__code", "kind", "decided_on"
        )
    )
    for seed in PRIOR_DECISIONS:
        if (seed.school, seed.kind, seed.decided_on) in recorded:
            continue
        decision_record(
            actor=actor,
            school=schools[seed.school],
            data=DecisionInput(
                kind=seed.kind, level=seed.level, decided_on=seed.decided_on, issuer=seed.issuer, note=seed.note
            ),
        )
        build.add("quyết định công nhận")
