"""The demo's administrative units and schools: the units the seed plans name, the schools on their lists, and the
builder steps that create whichever are missing."""

import re
from dataclasses import dataclass

from kiemdinh.devtools.demo.tally import DemoBuild
from kiemdinh.recognition.models import RecognitionRound
from kiemdinh.units.models import AdministrativeUnit, Ownership, School, SchoolType, UnitKind
from kiemdinh.units.services import school_create, unit_create


@dataclass(frozen=True)
class UnitSeed:
    code: str
    name: str
    kind: str
    parent: str | None = None
    education_office: str = ""


@dataclass(frozen=True)
class SchoolSeed:
    code: str
    name: str
    school_type: str
    unit: str
    ownership: str = Ownership.CONG_LAP


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


def ensure_units(actor, build: DemoBuild) -> dict[str, AdministrativeUnit]:
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
        )
        build.add("đơn vị hành chính")
    return units


def ensure_schools(actor, build: DemoBuild, units) -> dict[str, School]:
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
