"""The demo world: the five seed plans (shared/reference/seed-documents) as data, and an idempotent builder.

Every object is found by its natural key (unit code, school code, username, plan unit + number + title) and created
only when missing, through the services; what already exists is left exactly as it is, so a second run creates and
changes nothing. The one exception: a plan entered before plans carried their text (header and list only) gets the
text from demo_data/authority_plans.yaml once. Where a seed leaves something out (a number, a date, a province), the
demo leaves it out too; the recognition decisions the plans imply but do not record are illustrations, marked so, and
so are the external evaluations that carry some of the plans' schools to new decisions (demo_evaluation.py).
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml
from django.db import transaction

from kiemdinh.accounts.models import Body, Membership, Role, User
from kiemdinh.accounts.services import membership_grant, user_create
from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.text import nfc
from kiemdinh.devtools.demo_cycle import content as demo_content
from kiemdinh.devtools.demo_cycle import fill_cycle, fill_improvement
from kiemdinh.devtools.demo_evaluation import ensure_evaluations
from kiemdinh.frameworks.models import FrameworkVersion
from kiemdinh.improvement.models import ImprovementPlan
from kiemdinh.oversight.models import OfficerInCharge, SchoolLevel
from kiemdinh.oversight.services import officer_add
from kiemdinh.planning.models import AnnualPlan, PlanStatus
from kiemdinh.planning.services import (
    GoalInput,
    PlanInput,
    TargetInput,
    TaskInput,
    goal_save,
    plan_create,
    plan_update,
    section_save,
    target_add,
    task_save,
)
from kiemdinh.recognition.authority import body_name
from kiemdinh.recognition.models import Decision, DecisionKind, RecognitionRound
from kiemdinh.recognition.services import DecisionInput, decision_record
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
    """A plan's natural key (unit, number, title), its header and its list of schools; the text, signature, targets
    (chỉ tiêu) and agency tasks are in demo_data/authority_plans.yaml under the same key."""

    unit: str
    issuer: str
    number: str
    issued_on: date | None
    place: str
    title: str
    period: str
    targets: tuple[TargetSeed, ...]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.unit, self.number, self.title)


@dataclass(frozen=True)
class PersonSeed:
    username: str
    full_name: str
    role: str
    title: str = ""
    school: str | None = None
    unit: str | None = None
    body: str = ""  # officers: the body of the unit they work for (blank: the unit's usual one, default_body)


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
        targets=(
            TargetSeed(
                "20-HL-TT-MN1",
                recognition_round=RecognitionRound.AGAIN,
                note="Công nhận lại trường đạt chuẩn quốc gia (kế hoạch không ghi mức độ)",
            ),
        ),
    ),
    # The Hóc Môn plan has no number, date or place in the seed.
    PlanSeed(
        unit="79-HM",
        issuer="Phòng GD&ĐT huyện Hóc Môn",
        number="",
        issued_on=None,
        place="",
        title="Công tác kiểm định chất lượng giáo dục năm học 2019 - 2020",
        period="2019-2020",
        targets=(
            TargetSeed("79-HM-MN-2-9", note="Đánh giá ngoài và công nhận chuẩn Quốc gia"),
            *(TargetSeed(code, note="Đánh giá ngoài") for code in HOC_MON_EXTERNAL_ONLY),
        ),
    ),
)

PLANS_FILE = Path(__file__).resolve().parent / "demo_data" / "authority_plans.yaml"
# The fields a plan entered before the plans carried their text has all empty; such a plan gets the text once.
PLAN_DOCUMENT_FIELDS = ("preamble", "purpose", "requirements", "closing", "recipients")


@cache
def plan_documents() -> dict[tuple[str, str, str], dict]:
    """The plans' text, goals and tasks from demo_data/authority_plans.yaml, by natural key (unit, number, title)."""
    data = yaml.safe_load(PLANS_FILE.read_text(encoding="utf-8"))
    return {(d["unit"], d["number"], nfc(d["title"])): d for d in data["plans"]}


def plan_input(seed: PlanSeed, doc: dict) -> PlanInput:
    return PlanInput(
        kind=doc["kind"],
        period=seed.period,
        title=seed.title,
        issuer=seed.issuer,
        number=seed.number,
        issued_on=seed.issued_on,
        place=seed.place,
        preamble=nfc(doc.get("preamble") or ""),
        purpose=nfc(doc.get("purpose") or ""),
        requirements=nfc(doc.get("requirements") or ""),
        closing=nfc(doc.get("closing") or ""),
        recipients=nfc(doc.get("recipients") or ""),
        signer_title=nfc(doc.get("signer_title") or ""),
        signer_name=nfc(doc.get("signer_name") or ""),
        report_every_months=doc.get("report_every_months"),
    )


def goal_input(goal: dict) -> GoalInput:
    return GoalInput(
        text=nfc(goal["text"]),
        metric=goal["metric"],
        measure=goal["measure"],
        target_value=Decimal(str(goal["target_value"])),
        scope=goal.get("scope", "unit"),
        school_types=tuple(t for t in (goal.get("school_types") or "").split(",") if t),
        level=goal.get("level"),
        school_year=goal.get("school_year", ""),
        deadline=goal.get("deadline"),
    )


def task_input(task: dict, schools) -> TaskInput:
    return TaskInput(
        agency=nfc(task["agency"]),
        content=nfc(task["content"]),
        lead_official=nfc(task.get("lead_official") or ""),
        cooperating=nfc(task.get("cooperating") or ""),
        deadline=nfc(task.get("deadline") or ""),
        school=schools[task["school"]] if task.get("school") else None,
    )


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

# An illustration too: the first five schools of the Hương Trà list have their 2023-2024 self-assessment opened (only
# opened, nothing filled in) so the officer's dashboard shows schools at work; the seed says nothing of their progress.
CYCLES_IN_PROGRESS = tuple((code, "2023-2024") for code, _, _, _ in HUONG_TRA_2024_LIST[:5])

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
    PersonSeed("sogd.thuathienhue", "Hoàng Minh Tuấn", Role.OFFICER, "Chuyên viên Sở GD&ĐT Thừa Thiên Huế", unit="46", body=Body.EDUCATION),
    PersonSeed("ubnd.thuathienhue", "Trần Hữu Phước", Role.OFFICER, "Chuyên viên Văn phòng UBND tỉnh Thừa Thiên Huế (khối văn xã)", unit="46", body=Body.COMMITTEE),
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
    # the illustrative external evaluations (demo_evaluation.py): principals and evaluators, all invented
    PersonSeed("hieutruong.mntuha", "Trương Thị Thu Thủy", Role.PRINCIPAL, "Hiệu trưởng", school="46-HT-MN-TUHA"),
    PersonSeed("hieutruong.th2tuha", "Nguyễn Văn Dũng", Role.PRINCIPAL, "Hiệu trưởng", school="46-HT-TH-SO2TUHA"),
    PersonSeed("hieutruong.mn29", "Võ Thị Ngọc Hân", Role.PRINCIPAL, "Hiệu trưởng", school="79-HM-MN-2-9"),
    PersonSeed("danhgiavien.hue1", "Lê Văn Phúc", Role.EVALUATOR, "Đánh giá viên, Sở GD&ĐT Thừa Thiên Huế", unit="46"),
    PersonSeed("danhgiavien.hue2", "Trần Thị Minh Tâm", Role.EVALUATOR, "Đánh giá viên, Sở GD&ĐT Thừa Thiên Huế", unit="46"),
    PersonSeed("danhgiavien.hue3", "Hồ Đắc Thắng", Role.EVALUATOR, "Đánh giá viên, Sở GD&ĐT Thừa Thiên Huế", unit="46"),
    PersonSeed("danhgiavien.langson1", "Vi Thị Thu Hằng", Role.EVALUATOR, "Đánh giá viên, Sở GD&ĐT Lạng Sơn", unit="20"),
    PersonSeed("danhgiavien.langson2", "Nông Văn Tuấn", Role.EVALUATOR, "Đánh giá viên, Sở GD&ĐT Lạng Sơn", unit="20"),
    PersonSeed("danhgiavien.hcm2", "Phạm Thị Kim Oanh", Role.EVALUATOR, "Đánh giá viên, Sở GD&ĐT TP. Hồ Chí Minh", unit="79"),
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
    _ensure_decisions(actor, build, schools)
    _ensure_people(actor, build, units, schools)
    _ensure_cycle(actor, build, THANH_CHAN_CYCLE, schools)
    _ensure_cycles_in_progress(actor, build, schools)
    _ensure_officers_in_charge(actor, build, units)
    ensure_evaluations(actor, build, units, schools)
    return build


# Hóc Môn 2019–2020, "III. TỔ CHỨC THỰC HIỆN": the officers each school level contacts, with their e-mail addresses
# as printed (username of their demo account, level, e-mail).
HOC_MON_OFFICERS_IN_CHARGE = (
    ("hocmon.mamnon", SchoolLevel.KINDERGARTEN, "cvgdmn2.hocmon@moet.edu.vn"),
    ("hocmon.tieuhoc", SchoolLevel.PRIMARY, "cvgdth2.hocmon@moet.edu.vn"),
    ("hocmon.thcs", SchoolLevel.LOWER_SECONDARY, "cvgdthcs2.hocmon@moet.edu.vn"),
    ("hocmon.tonghop", SchoolLevel.GENERAL, "cvgdthcs1.hocmon@moet.edu.vn"),
)


def _ensure_officers_in_charge(actor, build: DemoBuild, units) -> None:

    unit = units["79-HM"]
    listed = set(OfficerInCharge.objects.filter(unit=unit).values_list("school_level", "email"))
    people = {u.username: u for u in User.objects.filter(username__in=[row[0] for row in HOC_MON_OFFICERS_IN_CHARGE])}
    for username, level, email in HOC_MON_OFFICERS_IN_CHARGE:
        if (level, email) in listed:
            continue
        user = people[username]
        officer_add(
            actor=actor,
            unit=unit,
            school_level=level,
            full_name=user.display_name,
            title="Chuyên viên Phòng GD&ĐT huyện Hóc Môn",
            email=email,
            user=user,
        )
        build.add("cán bộ phụ trách cấp học")


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
    """The plan as issued, through the planning services. A plan entered before the plans carried their text (only
    its header and list) gets the text once; sections, schools, goals and tasks are added where missing."""
    doc = plan_documents()[seed.key]
    unit = units[seed.unit]
    data = plan_input(seed, doc)
    plan = AnnualPlan.objects.filter(unit=unit, number=seed.number, title=seed.title).first()
    filled = plan is None or not any(getattr(plan, name) for name in PLAN_DOCUMENT_FIELDS)
    if plan is None:
        # plan_create takes a dissolved district's plans for periods before its dissolution, as all four are.
        plan = plan_create(actor=actor, unit=unit, data=data)
        build.add("kế hoạch")
    elif filled:
        plan = plan_update(actor=actor, plan=plan, data=data)
        build.add("nội dung kế hoạch")

    headings = set(plan.sections.values_list("heading", flat=True))
    for section in doc.get("sections", ()):
        if nfc(section["heading"]) not in headings:
            section_save(actor=actor, plan=plan, heading=nfc(section["heading"]), body=nfc(section["body"]))
            build.add("mục kế hoạch")

    listed = set(plan.targets.values_list("school_id", flat=True))
    for target in seed.targets:
        school = schools[target.school]
        if school.pk in listed:
            continue
        target_add(
            actor=actor,
            plan=plan,
            school=school,
            data=TargetInput(
                accreditation_grade=target.accreditation_grade,
                national_standard_level=target.national_standard_level,
                external_evaluation=target.external_evaluation,
                recognition_round=target.recognition_round,
                note=target.note,
            ),
        )
        build.add("trường trong kế hoạch")

    goals = set(plan.goals.values_list("text", flat=True))
    for goal in doc.get("goals", ()):
        data_goal = goal_input(goal)
        if data_goal.text not in goals:
            goal_save(actor=actor, plan=plan, data=data_goal)
            build.add("chỉ tiêu")

    tasks = set(plan.tasks.values_list("agency", "school_id", "content"))
    for task in doc.get("tasks", ()):
        data_task = task_input(task, schools)
        key = (data_task.agency, data_task.school.pk if data_task.school else None, data_task.content.strip())
        if key not in tasks:
            task_save(actor=actor, plan=plan, data=data_task)
            build.add("nhiệm vụ")

    if filled and plan.status != PlanStatus.ISSUED:
        # The seeds are the issued texts, so the demo's plans are issued. Not through plan_issue: Cao Lộc and Hóc Môn
        # were issued without a number or a date (and Hóc Môn without a signature), which it rightly refuses for a
        # plan made in the system. Only a plan created or filled here is marked; one reopened later stays reopened.
        plan.status = PlanStatus.ISSUED
        plan.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor,
            event_type=Event.PLAN_ISSUED,
            obj=plan,
            unit=unit,
            data={"source": "seed_demo", "seed": doc["source"]},
        )
    return plan


def _ensure_decisions(actor, build: DemoBuild, schools) -> None:
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


def _ensure_cycles_in_progress(actor, build: DemoBuild, schools) -> None:
    opened = set(
        Cycle.objects.filter(school__code__in={code for code, _ in CYCLES_IN_PROGRESS}).values_list(
            "school__code", "school_year"
        )
    )
    for code, school_year in CYCLES_IN_PROGRESS:
        if (code, school_year) not in opened:
            # The framework follows from the school type and the school year (TT19/2018 for these kindergartens).
            cycle_open(actor=actor, school=schools[code], school_year=school_year)
            build.add("đợt tự đánh giá")


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
            membership_grant(actor=actor, user=user, role=seed.role, title=seed.title, body=seed.body, **where)
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
            scope=body_name(m.unit, m.body) if m.body else str(m.school or m.unit or "Toàn hệ thống"),
        )
        for m in memberships
    ]
    return sorted(rows, key=lambda row: order[row.username])
