"""What the demo's illustrative external evaluations are made of: the evaluator network (EVALUATORS), the four
evaluations (EVALUATIONS) with their teams' dates (team_input), and the marks every invented text and number carries."""

from dataclasses import dataclass
from datetime import date, timedelta

from kiemdinh.evaluation.models import MemberRole, SchoolLevelTaught
from kiemdinh.evaluation.services import teams as evaluation
from kiemdinh.recognition.models import RecognitionRound

MARK = "(Minh họa)"
NOTE = "Minh họa: "  # how a note of an illustrative record begins
NUMBER_MARK = " (minh họa)"  # after every invented document number

# --- The evaluator network -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluatorSeed:
    """An evaluator of the network; the name and the account are the PEOPLE entry of the same username."""

    username: str
    unit: str  # the Sở whose network they belong to (province code)
    levels: tuple[str, ...]
    title: str


KG, PRIMARY = SchoolLevelTaught.KINDERGARTEN, SchoolLevelTaught.PRIMARY
# All invented (names in people.PEOPLE): the seeds name no evaluator.
EVALUATORS = (
    EvaluatorSeed("danhgiavien.hue1", "46", (KG, PRIMARY), "Chuyên viên Phòng Khảo thí và KĐCLGD, Sở GD&ĐT Thừa Thiên Huế"),
    EvaluatorSeed("danhgiavien.hue2", "46", (KG,), "Chuyên viên Phòng Giáo dục Mầm non, Sở GD&ĐT Thừa Thiên Huế"),
    EvaluatorSeed("danhgiavien.hue3", "46", (PRIMARY,), "Chuyên viên Phòng Giáo dục Tiểu học, Sở GD&ĐT Thừa Thiên Huế"),
    EvaluatorSeed("danhgiavien.langson1", "20", (KG,), "Chuyên viên Phòng Khảo thí và KĐCLGD, Sở GD&ĐT Lạng Sơn"),
    EvaluatorSeed("danhgiavien.langson2", "20", (KG,), "Chuyên viên Phòng Giáo dục Mầm non, Sở GD&ĐT Lạng Sơn"),
    # the demo's existing evaluator account (Trần Quốc Bảo, unit 79), now in the network
    EvaluatorSeed("danhgiavien", "79", (KG, PRIMARY), "Chuyên viên Phòng Khảo thí và KĐCLGD, Sở GD&ĐT TP. Hồ Chí Minh"),
    EvaluatorSeed("danhgiavien.hcm2", "79", (KG,), "Chuyên viên Phòng Giáo dục Mầm non, Sở GD&ĐT TP. Hồ Chí Minh"),
)  # fmt: skip
EVALUATOR_TRAINING = (
    NOTE + "đánh giá viên của mạng lưới minh họa; tên và quá trình bồi dưỡng không có trong tài liệu gốc."
)


# --- The evaluations -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationSeed:
    school: str
    school_year: str
    level: int  # the Mức the self-assessment and the team reach: the plan's target
    principal: str  # fills and submits the self-assessment, registers, answers the draft report (username)
    reviewer: str  # the officer who accepts the self-assessment (username)
    authority: (
        str | None
    )  # the Sở officer who sets up the team, issues the grade and publishes (None: the build's actor)
    committee: str | None  # the provincial People's Committee's officer who issues the 2018 national standard (None:
    # the build's actor); each body issues its own decision (recognition.authority)
    recognition_round: str
    wants_accreditation: bool
    cohort_note: str
    team_issuer: str
    team_number: str
    start: date  # the team's first working day (a Monday); its stages follow (team_input)
    members: tuple[tuple[str, str], ...]  # (evaluator username, role); the leader studies standards 1–2
    decided_on: date
    number_accreditation: str
    number_national: str
    issuer_national: str


def illustrative_number(value: str) -> str:
    return value + NUMBER_MARK


EVALUATIONS = (
    EvaluationSeed(
        school="46-HT-MN-TUHA",
        school_year="2023-2024",
        level=2,  # CĐ2-MĐ1
        principal="hieutruong.mntuha",
        reviewer="phonggd.huongtra",
        authority="sogd.thuathienhue",
        committee="ubnd.thuathienhue",
        recognition_round=RecognitionRound.AGAIN,
        wants_accreditation=True,
        cohort_note=NOTE + "trẻ 5-6 tuổi năm học 2022-2023 hoàn thành Chương trình giáo dục mầm non.",
        team_issuer="Sở Giáo dục và Đào tạo Thừa Thiên Huế",
        team_number=illustrative_number("312/QĐ-SGDĐT"),
        start=date(2024, 3, 4),
        members=(("danhgiavien.hue1", MemberRole.LEADER), ("danhgiavien.hue2", MemberRole.SECRETARY)),
        decided_on=date(2024, 5, 15),
        number_accreditation=illustrative_number("845/QĐ-SGDĐT"),
        number_national=illustrative_number("1120/QĐ-UBND"),
        issuer_national="UBND tỉnh Thừa Thiên Huế",
    ),
    EvaluationSeed(
        school="46-HT-TH-SO2TUHA",
        school_year="2023-2024",
        level=3,  # CĐ3-MĐ2
        principal="hieutruong.th2tuha",
        reviewer="phonggd.huongtra",
        authority="sogd.thuathienhue",
        committee="ubnd.thuathienhue",
        recognition_round=RecognitionRound.AGAIN,
        wants_accreditation=True,
        cohort_note=NOTE + "khóa 2018-2023 hoàn thành chương trình tiểu học.",
        team_issuer="Sở Giáo dục và Đào tạo Thừa Thiên Huế",
        team_number=illustrative_number("336/QĐ-SGDĐT"),
        start=date(2024, 3, 18),
        members=(("danhgiavien.hue1", MemberRole.LEADER), ("danhgiavien.hue3", MemberRole.SECRETARY)),
        decided_on=date(2024, 5, 27),
        number_accreditation=illustrative_number("902/QĐ-SGDĐT"),
        number_national=illustrative_number("1187/QĐ-UBND"),
        issuer_national="UBND tỉnh Thừa Thiên Huế",
    ),
    EvaluationSeed(
        school="20-HL-TT-MN1",
        school_year="2023-2024",
        level=2,  # MĐ1 again, as recognised in 2018 (the plan gives no level)
        principal="hieutruong.mn1tanthanh",
        reviewer="ubnd.tanthanh",
        authority=None,
        committee=None,
        recognition_round=RecognitionRound.AGAIN,
        wants_accreditation=False,  # the plan: "công nhận lại trường đạt chuẩn quốc gia" only
        cohort_note=NOTE + "trẻ 5-6 tuổi năm học 2022-2023 hoàn thành Chương trình giáo dục mầm non.",
        team_issuer="Sở Giáo dục và Đào tạo Lạng Sơn",
        team_number=illustrative_number("1456/QĐ-SGDĐT"),
        start=date(2023, 10, 2),
        members=(("danhgiavien.langson1", MemberRole.LEADER), ("danhgiavien.langson2", MemberRole.SECRETARY)),
        decided_on=date(2023, 12, 15),
        number_accreditation="",
        number_national=illustrative_number("2315/QĐ-UBND"),
        issuer_national="UBND tỉnh Lạng Sơn",
    ),
    EvaluationSeed(
        school="79-HM-MN-2-9",
        school_year="2019-2020",
        level=2,  # the plan gives no level: CĐ2 and MĐ1, the first national-standard level
        principal="hieutruong.mn29",
        reviewer="hocmon.mamnon",
        authority=None,
        committee=None,
        recognition_round=RecognitionRound.FIRST,
        wants_accreditation=True,
        cohort_note=NOTE + "trẻ 5-6 tuổi năm học 2018-2019 hoàn thành Chương trình giáo dục mầm non.",
        team_issuer="Sở Giáo dục và Đào tạo Thành phố Hồ Chí Minh",
        team_number=illustrative_number("1502/QĐ-SGDĐT"),
        start=date(2020, 5, 11),
        members=(("danhgiavien", MemberRole.LEADER), ("danhgiavien.hcm2", MemberRole.SECRETARY)),
        decided_on=date(2020, 7, 20),
        number_accreditation=illustrative_number("2210/QĐ-SGDĐT"),
        number_national=illustrative_number("3105/QĐ-UBND"),
        issuer_national="UBND Thành phố Hồ Chí Minh",
    ),
)


def team_input(seed: EvaluationSeed) -> evaluation.TeamInput:
    """The team's decision a few days before its first day, then about eight weeks of work (weekdays)."""

    def day(offset: int) -> date:
        return seed.start + timedelta(days=offset)

    return evaluation.TeamInput(
        issuer=seed.team_issuer,
        decision_number=seed.team_number,
        decision_on=day(-4),
        dossier_from=day(0),
        dossier_to=day(11),
        preliminary_on=day(16),
        official_from=day(29),
        official_to=day(31),
        draft_report_on=day(37),
        feedback_until=day(44),
        final_report_on=day(51),
        ends_on=day(53),
    )


# An illustration of acting for another body (recognition.models.Delegation): the provincial People's Committee of
# Thừa Thiên Huế has its Sở GD&ĐT enter into the system the national-standard decisions its Chairman signed on paper.
# Entering only: issuing from a team's result, correcting and revoking stay with the People's Committee. Invented, as
# its document number says.
DELEGATION_NUMBER = illustrative_number("25/UBND-VX")
