"""The demo world: the five seed plans (shared/reference/seed-documents) as data, and an idempotent builder.

Every object is found by its natural key (unit code, school code, username, plan unit + number + title) and created
only when missing, through the services; what already exists is left exactly as it is, so a second run creates and
changes nothing. Where a seed leaves something out (a number, a date, a province), the demo leaves it out too.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from kiemdinh.accounts.models import Membership, Role, User
from kiemdinh.accounts.services import membership_grant, user_create
from kiemdinh.core import audit
from kiemdinh.core.demo_cycle import content as demo_content
from kiemdinh.core.demo_cycle import fill_cycle, fill_improvement
from kiemdinh.frameworks.models import FrameworkVersion
from kiemdinh.improvement.models import ImprovementPlan
from kiemdinh.planning.models import AnnualPlan, PlanTarget
from kiemdinh.recognition.models import RecognitionRound
from kiemdinh.selfassessment.models import Cycle
from kiemdinh.selfassessment.services import cycle_open
from kiemdinh.units.models import AdministrativeUnit, Ownership, School, SchoolType, UnitKind
from kiemdinh.units.services import school_create, unit_create

DEMO_PASSWORD = "kiemdinh-demo"
# Frameworks the demo's schools use in the seeds' years (TT17 primary, TT18 lower secondary, TT19 kindergarten).
REQUIRED_FRAMEWORKS = ("tt17-2018", "tt18-2018", "tt19-2018")
# District-level government ended on 1 July 2025; districts stay in the tree so the seeds' plans keep their issuer.
DISTRICTS_DISSOLVED_ON = date(2025, 7, 1)


@dataclass(frozen=True)
class UnitSeed:
    code: str
    name: str
    kind: str
    parent: str | None = None
    education_office: str = ""

    @property
    def dissolved_on(self) -> date | None:
        return DISTRICTS_DISSOLVED_ON if self.kind == UnitKind.DISTRICT else None


@dataclass(frozen=True)
class SchoolSeed:
    code: str
    name: str
    school_type: str
    unit: str
    ownership: str = Ownership.CONG_LAP


@dataclass(frozen=True)
class TargetSeed:
    school: str
    accreditation_grade: int | None = None
    national_standard_level: int | None = None
    recognition_round: str = ""
    external_evaluation: bool = True
    note: str = ""


@dataclass(frozen=True)
class PlanSeed:
    unit: str
    issuer: str
    number: str
    issued_on: date | None
    place: str
    title: str
    period: str
    signer_name: str
    signer_title: str
    targets: tuple[TargetSeed, ...]


@dataclass(frozen=True)
class PersonSeed:
    username: str
    full_name: str
    role: str
    title: str = ""
    school: str | None = None
    unit: str | None = None


UNITS = (
    UnitSeed("46", "Thừa Thiên Huế", UnitKind.PROVINCE, education_office="Sở Giáo dục và Đào tạo Thừa Thiên Huế"),
    UnitSeed(
        "46-HT",
        "thị xã Hương Trà",
        UnitKind.DISTRICT,
        "46",
        education_office="Phòng Giáo dục và Đào tạo thị xã Hương Trà",
    ),
    UnitSeed("20", "Lạng Sơn", UnitKind.PROVINCE, education_office="Sở Giáo dục và Đào tạo Lạng Sơn"),
    UnitSeed(
        "20-CL", "huyện Cao Lộc", UnitKind.DISTRICT, "20", education_office="Phòng Giáo dục và Đào tạo huyện Cao Lộc"
    ),
    UnitSeed("20-CL-BL", "xã Bảo Lâm", UnitKind.COMMUNE, "20-CL"),
    UnitSeed("20-CL-TH", "xã Thụy Hùng", UnitKind.COMMUNE, "20-CL"),
    UnitSeed(
        "20-HL", "huyện Hữu Lũng", UnitKind.DISTRICT, "20", education_office="Phòng Giáo dục và Đào tạo huyện Hữu Lũng"
    ),
    UnitSeed("20-HL-TT", "xã Tân Thành", UnitKind.COMMUNE, "20-HL"),
    UnitSeed(
        "79",
        "Thành phố Hồ Chí Minh",
        UnitKind.PROVINCE,
        education_office="Sở Giáo dục và Đào tạo Thành phố Hồ Chí Minh",
    ),
    UnitSeed(
        "79-HM", "huyện Hóc Môn", UnitKind.DISTRICT, "79", education_office="Phòng Giáo dục và Đào tạo huyện Hóc Môn"
    ),
    # The Thanh Chấn plan names no province or district: a placeholder province rather than an invented one.
    UnitSeed("DEMO", "Địa bàn minh họa (kế hoạch gốc không ghi tỉnh, huyện)", UnitKind.PROVINCE),
    UnitSeed("DEMO-TC", "xã Thanh Chấn", UnitKind.COMMUNE, "DEMO"),
)

# The list attached to Kế hoạch 20/KH-UBND of Hương Trà, row by row as printed: (school code, name as listed,
# "TÍCH HỢP KĐCLGD&CQG", "GHI CHÚ"). The schools hang directly under the town, which managed them in 2024.
HUONG_TRA_2024_LIST = (
    ("46-HT-MN-HUONGXUAN", "MN Hương Xuân", "CĐ2-MĐ1", "CN Lần đầu"),
    ("46-HT-MN-BINHTHANH", "MN Bình Thành", "CĐ2-MĐ1", "CN Lần đầu"),
    ("46-HT-MN-HONGTIEN", "MN Hồng Tiến", "CĐ2-MĐ1", "CN Lần đầu"),
    ("46-HT-MN-TUHA", "MN Tứ Hạ", "CĐ2-MĐ1", "CN lại"),
    ("46-HT-MN-HUONGBINH", "MN Hương Bình", "CĐ2-MĐ1", "CN lại"),
    ("46-HT-TH-SO1HUONGTOAN", "TH Số 1 Hương Toàn", "CĐ2-MĐ1", "CN Lần đầu"),
    ("46-HT-TH-HUONGVAN", "TH Hương Vân", "CĐ2-MĐ1", "CN lại"),
    ("46-HT-TH-BINHDIEN", "TH Bình Điền", "CĐ2-MĐ1", "CN lại"),
    ("46-HT-TH-SO2TUHA", "TH Số 2 Tứ Hạ", "CĐ3-MĐ2", "CN lại"),
    ("46-HT-TH-SO1HUONGXUAN", "TH Số 1 Hương Xuân", "CĐ2-MĐ1", "CN lại"),
    ("46-HT-TH-SO2HUONGCHU", "TH Số 2 Hương Chữ", "CĐ2-MĐ1", "CN lại"),
    ("46-HT-TH-SO2HUONGVAN", "TH Số 2 Hương Văn", "CĐ2-MĐ1", "CN lại"),
    ("46-HT-TH-BINHTHANH", "TH Bình Thành", "CĐ2-MĐ1", "CN lại"),
    ("46-HT-THCS-LETHUYET", "THCS Lê Thuyết", "CĐ2-MĐ1", "CN Lần đầu"),
    ("46-HT-THCS-NGUYENKHANHTOAN", "THCS Nguyễn Khánh Toàn", "CĐ2-MĐ1", "CN lại"),
    ("46-HT-THCS-HOVANTU", "THCS Hồ Văn Tứ", "CĐ2-MĐ1", "CN lại"),
    ("46-HT-THCS-LEQUANGTIEN", "THCS Lê Quang Tiến", "CĐ2-MĐ1", "CN lại"),
    ("46-HT-THCS-TRANDANGKHOA", "THCS Trần Đăng Khoa", "CĐ2-MĐ1", "CN lại"),
    ("46-HT-THCS-HATHEHANG", "THCS Hà Thế Hạng", "CĐ2-MĐ1", "CN lại"),
    ("46-HT-THCS-NGUYENKHOADANG", "THCS Nguyễn Khoa Đăng", "CĐ2-MĐ1", "CN lại"),
)

# Short forms of the lists → school type and the full name's opening words.
LISTED_TYPES = {
    "MN": (SchoolType.MN, "Trường Mầm non"),
    "TH": (SchoolType.TH, "Trường Tiểu học"),
    "THCS": (SchoolType.THCS, "Trường Trung học cơ sở"),
}
INTEGRATED_TARGET_RE = re.compile(r"CĐ([1-4])-MĐ([12])")
RECOGNITION_ROUNDS = {"cn lần đầu": RecognitionRound.FIRST, "cn lại": RecognitionRound.AGAIN}


def listed_school(code: str, listed_name: str, unit: str) -> SchoolSeed:
    """ "TH Số 1 Hương Toàn" → Trường Tiểu học Số 1 Hương Toàn (TH)."""
    short, rest = listed_name.split(" ", 1)
    school_type, opening = LISTED_TYPES[short]
    return SchoolSeed(code, f"{opening} {rest}", school_type, unit)


def parse_integrated_target(label: str) -> tuple[int, int]:
    """ "CĐ2-MĐ1" → (accreditation grade 2, national standard level 1)."""
    match = INTEGRATED_TARGET_RE.fullmatch(label.strip())
    if not match:
        raise ValueError(f"Unknown target notation: {label!r}")
    return int(match[1]), int(match[2])


def parse_recognition_round(note: str) -> str:
    return RECOGNITION_ROUNDS[note.strip().lower()]


def huong_tra_target(code: str, listed_name: str, label: str, note: str) -> TargetSeed:
    grade, level = parse_integrated_target(label)
    return TargetSeed(code, grade, level, parse_recognition_round(note))


SCHOOLS = (
    *(listed_school(code, name, "46-HT") for code, name, _, _ in HUONG_TRA_2024_LIST),
    SchoolSeed("20-CL-BL-THTHCS", "Trường Tiểu học và Trung học cơ sở xã Bảo Lâm", SchoolType.TH_THCS, "20-CL-BL"),
    SchoolSeed("20-CL-TH-MN", "Trường Mầm non xã Thụy Hùng", SchoolType.MN, "20-CL-TH"),
    SchoolSeed("20-HL-TT-MN1", "Trường Mầm non 1 xã Tân Thành", SchoolType.MN, "20-HL-TT"),
    # Hóc Môn's 2019–2020 list; the schools hang directly under the district, which managed them then.
    SchoolSeed("79-HM-MN-2-9", "Trường Mầm non 2/9", SchoolType.MN, "79-HM"),
    SchoolSeed("79-HM-MN-BENGOAN", "Trường Mầm non Bé Ngoan", SchoolType.MN, "79-HM"),
    SchoolSeed(
        "79-HM-MN-THIENDUC", "Trường Mầm non tư thục Thiên Đức", SchoolType.MN, "79-HM", ownership=Ownership.TU_THUC
    ),
    SchoolSeed("79-HM-TH-TANHIEP", "Trường Tiểu học Tân Hiệp", SchoolType.TH, "79-HM"),
    SchoolSeed("79-HM-TH-NGUYENTHINUOI", "Trường Tiểu học Nguyễn Thị Nuôi", SchoolType.TH, "79-HM"),
    SchoolSeed("79-HM-TH-MYHUE", "Trường Tiểu học Mỹ Huề", SchoolType.TH, "79-HM"),
    SchoolSeed("79-HM-THCS-TANXUAN", "Trường Trung học cơ sở Tân Xuân", SchoolType.THCS, "79-HM"),
    SchoolSeed("79-HM-THCS-PHANCONGHON", "Trường Trung học cơ sở Phan Công Hớn", SchoolType.THCS, "79-HM"),
    SchoolSeed("DEMO-TC-TH", "Trường Tiểu học Thanh Chấn", SchoolType.TH, "DEMO-TC"),
)

HOC_MON_EXTERNAL_ONLY = (
    "79-HM-MN-BENGOAN",
    "79-HM-MN-THIENDUC",
    "79-HM-TH-TANHIEP",
    "79-HM-TH-NGUYENTHINUOI",
    "79-HM-TH-MYHUE",
    "79-HM-THCS-TANXUAN",
    "79-HM-THCS-PHANCONGHON",
)

PLANS = (
    PlanSeed(
        unit="46-HT",
        issuer="UBND thị xã Hương Trà",
        number="20/KH-UBND",
        issued_on=date(2024, 1, 4),
        place="Hương Trà",
        title=(
            "Công tác kiểm định chất lượng giáo dục và xây dựng trường đạt chuẩn quốc gia trên địa bàn "
            "thị xã Hương Trà, năm 2024"
        ),
        period="2024",
        signer_name="Đỗ Ngọc An",
        signer_title="KT. CHỦ TỊCH / PHÓ CHỦ TỊCH",
        targets=tuple(huong_tra_target(*row) for row in HUONG_TRA_2024_LIST),
    ),
    # "Số: /KH-UBND" and "ngày tháng năm 2024": the number and the date were never filled in.
    PlanSeed(
        unit="20-CL",
        issuer="UBND huyện Cao Lộc",
        number="",
        issued_on=None,
        place="Cao Lộc",
        title="Triển khai, thực hiện nhiệm vụ trọng tâm năm 2024 (Lĩnh vực Giáo dục và Đào tạo)",
        period="2024",
        signer_name="Nguyễn Văn Thịnh",
        signer_title="KT. CHỦ TỊCH / PHÓ CHỦ TỊCH",
        # "Xây dựng 02 trường học đạt chuẩn quốc gia … mức độ I": new recognitions, national standard only.
        targets=(
            TargetSeed("20-CL-BL-THTHCS", None, 1, RecognitionRound.FIRST),
            TargetSeed("20-CL-TH-MN", None, 1, RecognitionRound.FIRST),
        ),
    ),
    # "Số: /KH-UBND" again: no number.
    PlanSeed(
        unit="20-HL-TT",
        issuer="UBND xã Tân Thành",
        number="",
        issued_on=date(2023, 2, 28),
        place="Tân Thành",
        title=(
            "Thực hiện nhiệm vụ trọng tâm của Ban Thường vụ Huyện ủy lĩnh vực giáo dục và đào tạo năm 2023 (Nhiệm vụ 8)"
        ),
        period="2023",
        signer_name="Phan Quang Vinh",
        signer_title="KT. CHỦ TỊCH / PHÓ CHỦ TỊCH",
        targets=(
            TargetSeed(
                "20-HL-TT-MN1",
                recognition_round=RecognitionRound.AGAIN,
                note="Công nhận lại trường đạt chuẩn quốc gia (kế hoạch không ghi mức độ)",
            ),
        ),
    ),
    # The Hóc Môn plan has no number, date, place or signature block in the seed.
    PlanSeed(
        unit="79-HM",
        issuer="Phòng GD&ĐT huyện Hóc Môn",
        number="",
        issued_on=None,
        place="",
        title="Công tác kiểm định chất lượng giáo dục năm học 2019 - 2020",
        period="2019-2020",
        signer_name="",
        signer_title="",
        targets=(
            TargetSeed("79-HM-MN-2-9", note="Đánh giá ngoài và công nhận chuẩn Quốc gia"),
            *(TargetSeed(code, note="Đánh giá ngoài") for code in HOC_MON_EXTERNAL_ONLY),
        ),
    ),
)

# People named in the seeds keep their names: Vũ Thị Trung Thu signs the Thanh Chấn plan; the Hóc Môn plan lists its
# four officers (their e-mail addresses are left off the accounts). Everyone else below, marked "invented", is a
# made-up demo person with a plain plausible name.
PEOPLE = (
    # invented
    PersonSeed("quantri", "Quản trị hệ thống", Role.ADMIN),
    # Thanh Chấn: the principal from the seed; secretary, member and teacher invented
    PersonSeed("hieutruong.thanhchan", "Vũ Thị Trung Thu", Role.PRINCIPAL, "Hiệu trưởng, Chủ tịch Hội đồng tự đánh giá", school="DEMO-TC-TH"),
    PersonSeed("thuky.thanhchan", "Nguyễn Thị Hồng Nhung", Role.SECRETARY, "Thư ký Hội đồng tự đánh giá", school="DEMO-TC-TH"),
    PersonSeed("thanhvien.thanhchan", "Trần Văn Hải", Role.MEMBER, "Tổ trưởng chuyên môn, Ủy viên Hội đồng tự đánh giá", school="DEMO-TC-TH"),
    PersonSeed("giaovien.thanhchan", "Lê Thị Mai", Role.STAFF, "Giáo viên", school="DEMO-TC-TH"),
    PersonSeed("ubnd.thanhchan", "Đỗ Minh Quân", Role.OFFICER, "Công chức Văn hóa – Xã hội UBND xã Thanh Chấn (phụ trách giáo dục)", unit="DEMO-TC"),
    # officers, invented
    PersonSeed("sogd.thuathienhue", "Hoàng Minh Tuấn", Role.OFFICER, "Chuyên viên Sở GD&ĐT Thừa Thiên Huế", unit="46"),
    PersonSeed("phonggd.huongtra", "Nguyễn Thị Thanh Hương", Role.OFFICER, "Chuyên viên Phòng GD&ĐT thị xã Hương Trà", unit="46-HT"),
    PersonSeed("phonggd.caoloc", "Hoàng Văn Sơn", Role.OFFICER, "Chuyên viên Phòng GD&ĐT huyện Cao Lộc", unit="20-CL"),
    PersonSeed("ubnd.tanthanh", "Lương Thị Hạnh", Role.OFFICER, "Công chức Văn hóa - Xã hội UBND xã Tân Thành", unit="20-HL-TT"),
    # the Hóc Môn officers named in its 2019-2020 plan
    PersonSeed("hocmon.mamnon", "Lý Mỹ Liên", Role.OFFICER, "Chuyên viên Phòng GD&ĐT huyện Hóc Môn (mầm non)", unit="79-HM"),
    PersonSeed("hocmon.tieuhoc", "Nguyễn Thị Ngọc Sương", Role.OFFICER, "Chuyên viên Phòng GD&ĐT huyện Hóc Môn (tiểu học)", unit="79-HM"),
    PersonSeed("hocmon.thcs", "Lê Hoàng Lộc", Role.OFFICER, "Chuyên viên Phòng GD&ĐT huyện Hóc Môn (trung học cơ sở)", unit="79-HM"),
    PersonSeed("hocmon.tonghop", "Nguyễn Thanh Long", Role.OFFICER, "Chuyên viên Phòng GD&ĐT huyện Hóc Môn (tổng hợp chung)", unit="79-HM"),
    # principals and the evaluator, invented
    PersonSeed("hieutruong.mnhuongxuan", "Phan Thị Thu Hà", Role.PRINCIPAL, "Hiệu trưởng", school="46-HT-MN-HUONGXUAN"),
    PersonSeed("hieutruong.mn1tanthanh", "Hoàng Thị Lan", Role.PRINCIPAL, "Hiệu trưởng", school="20-HL-TT-MN1"),
    PersonSeed("danhgiavien", "Trần Quốc Bảo", Role.EVALUATOR, "Thành viên đoàn đánh giá ngoài", unit="79"),
)  # fmt: skip


@dataclass(frozen=True)
class CycleSeed:
    school: str
    school_year: str
    framework: str
    principal: str  # who fills, approves and submits (username)
    reviewer: str  # the officer who accepts it (username)


# Thanh Chấn's 2021–2022 self-assessment: every Mức 1–3 criterion met (27/27, 27/27, 19/19) and Mức 4 2/5.
# Its improvement plan works on Mức 4 items 2 and 4, so those are two of the three not met; the seed does not say
# which of items 1, 3 and 5 are met, so the demo takes 1 and 3 (any two give the same counts and levels).
# The plan follows the completed report, hence submitted, accepted and published. The whole content (council, plan,
# evidence, forms) is in demo_data/thanh_chan_2021.yaml.
THANH_CHAN_CYCLE = CycleSeed(
    school="DEMO-TC-TH",
    school_year="2021-2022",
    framework="tt17-2018",
    principal="hieutruong.thanhchan",
    reviewer="ubnd.thanhchan",
)


def missing_frameworks() -> list[str]:
    loaded = set(FrameworkVersion.objects.filter(code__in=REQUIRED_FRAMEWORKS).values_list("code", flat=True))
    return [code for code in REQUIRED_FRAMEWORKS if code not in loaded]


@dataclass
class DemoBuild:
    created: Counter = field(default_factory=Counter)

    def add(self, what: str, n: int = 1) -> None:
        if n:
            self.created[what] += n


@transaction.atomic
def build_demo(*, actor=None) -> DemoBuild:
    """Create whatever of the demo world is missing; existing objects are left untouched."""
    build = DemoBuild()
    units = _ensure_units(actor, build)
    schools = _ensure_schools(actor, build, units)
    for plan in PLANS:
        _ensure_plan(actor, build, plan, units, schools)
    _ensure_people(actor, build, units, schools)
    _ensure_cycle(actor, build, THANH_CHAN_CYCLE, schools)
    return build


def _ensure_units(actor, build: DemoBuild) -> dict[str, AdministrativeUnit]:
    units = {u.code: u for u in AdministrativeUnit.objects.filter(code__in=[s.code for s in UNITS])}
    for seed in UNITS:  # parents come before their children
        if seed.code in units:
            continue
        units[seed.code] = unit_create(
            actor=actor,
            code=seed.code,
            name=seed.name,
            kind=seed.kind,
            parent=units[seed.parent] if seed.parent else None,
            education_office=seed.education_office,
            dissolved_on=seed.dissolved_on,
        )
        build.add("đơn vị hành chính")
    return units


def _ensure_schools(actor, build: DemoBuild, units) -> dict[str, School]:
    schools = {s.code: s for s in School.objects.filter(code__in=[s.code for s in SCHOOLS])}
    for seed in SCHOOLS:
        if seed.code in schools:
            continue
        schools[seed.code] = school_create(
            actor=actor,
            code=seed.code,
            name=seed.name,
            school_type=seed.school_type,
            unit=units[seed.unit],
            ownership=seed.ownership,
        )
        build.add("trường")
    return schools


def _ensure_plan(actor, build: DemoBuild, seed: PlanSeed, units, schools) -> AnnualPlan:
    # Planning has no services yet: the plan and its list are written here, with one audit event, like a service.
    unit = units[seed.unit]
    plan = AnnualPlan.objects.filter(unit=unit, number=seed.number, title=seed.title).first()
    created = plan is None
    if created:
        plan = AnnualPlan.objects.create(
            unit=unit,
            issuer=seed.issuer,
            number=seed.number,
            issued_on=seed.issued_on,
            place=seed.place,
            title=seed.title,
            period=seed.period,
            signer_name=seed.signer_name,
            signer_title=seed.signer_title,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        build.add("kế hoạch")
    listed = set(PlanTarget.objects.filter(plan=plan).values_list("school_id", flat=True))
    new_targets = [
        PlanTarget(
            plan=plan,
            school=schools[target.school],
            position=position,
            accreditation_grade=target.accreditation_grade,
            national_standard_level=target.national_standard_level,
            external_evaluation=target.external_evaluation,
            recognition_round=target.recognition_round,
            note=target.note,
        )
        for position, target in enumerate(seed.targets, start=1)
        if schools[target.school].pk not in listed
    ]
    PlanTarget.objects.bulk_create(new_targets)
    build.add("trường trong kế hoạch", len(new_targets))
    if created or new_targets:
        audit.record(
            actor=actor,
            event_type="plan.created" if created else "plan.targets_added",
            obj=plan,
            unit=unit,
            data={"number": plan.number, "period": plan.period, "targets": len(new_targets), "source": "seed_demo"},
        )
    return plan


def _ensure_cycle(actor, build: DemoBuild, seed: CycleSeed, schools) -> Cycle:
    school = schools[seed.school]
    cycle = Cycle.objects.filter(school=school, school_year=seed.school_year).first()
    people = {u.username: u for u in User.objects.filter(username__in=[seed.principal, seed.reviewer])}
    if cycle is not None:
        # A demo seeded before the improvement plan existed gets it on the next run.
        if not ImprovementPlan.objects.filter(cycle=cycle).exists() and "improvement" in demo_content():
            fill_improvement(cycle=cycle, principal=people[seed.principal], data=demo_content()["improvement"])
            build.add("kế hoạch cải tiến")
        return cycle
    framework = FrameworkVersion.objects.get(code=seed.framework)
    cycle = cycle_open(actor=actor, school=school, school_year=seed.school_year, framework=framework)
    fill_cycle(cycle=cycle, principal=people[seed.principal], reviewer=people.get(seed.reviewer))
    build.add("đợt tự đánh giá")
    return cycle


def _ensure_people(actor, build: DemoBuild, units, schools) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=[p.username for p in PEOPLE])}
    for seed in PEOPLE:
        user = users.get(seed.username)
        if user is None:
            user = user_create(actor=actor, username=seed.username, password=DEMO_PASSWORD, full_name=seed.full_name)
            users[seed.username] = user
            build.add("người dùng")
        where = {
            "unit": units[seed.unit] if seed.unit else None,
            "school": schools[seed.school] if seed.school else None,
        }
        if not Membership.objects.filter(user=user, role=seed.role, **where).exists():
            membership_grant(actor=actor, user=user, role=seed.role, title=seed.title, **where)
            build.add("vai trò")


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    full_name: str
    role: str
    scope: str


def demo_logins() -> list[DemoLogin]:
    """The demo accounts as they are in the database, in PEOPLE order (one query)."""
    order = {p.username: i for i, p in enumerate(PEOPLE)}
    memberships = (
        Membership.objects.active()
        .filter(user__username__in=order)
        .select_related("user", "unit", "school")
        .order_by("user__username", "id")
    )
    rows = [
        DemoLogin(
            username=m.user.username,
            password=DEMO_PASSWORD,
            full_name=m.user.display_name,
            role=m.get_role_display(),
            scope=str(m.school or m.unit or "Toàn hệ thống"),
        )
        for m in memberships
    ]
    return sorted(rows, key=lambda row: order[row.username])
