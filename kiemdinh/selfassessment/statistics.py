"""The statistics tables of Phần I (CƠ SỞ DỮ LIỆU) of the self-assessment report, as data.

Outline (regulations.md, báo cáo tự đánh giá): 1. Số lớp học (by khối); 2. Cơ cấu khối công trình (kiên cố / bán
kiên cố / tạm); 3. Cán bộ quản lý, giáo viên, nhân viên; 4. Học sinh — each over the recent school years. The 2018
regime shows 5 school years ending with the cycle's year; TT57 (Biểu 1 Phụ lục V, `report_data_tables_bieu_1` in
frameworks/data/tt57-2026-*.yaml) shows 03 school years, oldest first, and names the staff "Nhân sự hỗ trợ giáo dục"
and lists the library and other rooms.

The row layout is approximate: the CV 5932/5942 report template was not available, so the rows are a short, plausible
subset of it. "Cộng"/"Tổng số" rows are computed from the rows they sum, never typed.
"""

from dataclasses import dataclass

from kiemdinh.core.schoolyear import school_years_up_to
from kiemdinh.frameworks.choices import Regime
from kiemdinh.units.models import KINDERGARTEN_TYPES, SchoolType

LAYOUT_NOTE = (
    "Bố cục các dòng là gần đúng: mẫu báo cáo theo Công văn 5932/5942 chưa có trong tài liệu tham chiếu, "
    "cần đối chiếu với mẫu chính thức."
)
YEARS = {Regime.R2018: 5, Regime.TT57: 3}
MAX_VALUE = 1_000_000


@dataclass(frozen=True)
class RowDef:
    key: str
    label: str
    sums: tuple[str, ...] = ()  # a computed row: the keys it adds up

    @property
    def computed(self) -> bool:
        return bool(self.sums)


@dataclass(frozen=True)
class TableDef:
    key: str
    title: str  # "1. Số lớp học"
    rows: tuple[RowDef, ...]

    def row(self, key: str) -> RowDef | None:
        return next((r for r in self.rows if r.key == key), None)

    @property
    def input_rows(self) -> tuple[RowDef, ...]:
        return tuple(r for r in self.rows if not r.computed)


TABLE_KEYS = ("classes", "buildings", "staff", "students")

_KINDERGARTEN_GROUPS = {
    SchoolType.NT: (RowDef("nha_tre", "Nhà trẻ"),),
    SchoolType.MG: (
        RowDef("mg_3_4", "Mẫu giáo 3–4 tuổi"),
        RowDef("mg_4_5", "Mẫu giáo 4–5 tuổi"),
        RowDef("mg_5_6", "Mẫu giáo 5–6 tuổi"),
    ),
}
_KINDERGARTEN_GROUPS[SchoolType.MN] = _KINDERGARTEN_GROUPS[SchoolType.NT] + _KINDERGARTEN_GROUPS[SchoolType.MG]
_GRADES = {
    SchoolType.TH: range(1, 6),
    SchoolType.THCS: range(6, 10),
    SchoolType.THPT: range(10, 13),
    SchoolType.TH_THCS: range(1, 10),
    SchoolType.THCS_THPT: range(6, 13),
    SchoolType.PTNCH: range(1, 13),
}


def _groups(school_type: str) -> tuple[RowDef, ...]:
    """The khối (or age groups) of a school type, one row each."""
    if school_type in KINDERGARTEN_TYPES:
        return _KINDERGARTEN_GROUPS[SchoolType(school_type)]
    return tuple(RowDef(f"k{n}", f"Khối lớp {n}") for n in _GRADES.get(school_type, range(1, 13)))


def _total(key: str, label: str, rows: tuple[RowDef, ...]) -> RowDef:
    return RowDef(key, label, tuple(r.key for r in rows))


def table_definitions(school_type: str, regime: str) -> tuple[TableDef, ...]:
    """The four tables for a school type ("TH", "MN", …) and a regime ("2018", "tt57")."""
    kindergarten = school_type in KINDERGARTEN_TYPES
    groups = _groups(school_type)

    buildings = (
        RowDef("phong_hoc_kien_co", "Phòng học kiên cố"),
        RowDef("phong_hoc_ban_kien_co", "Phòng học bán kiên cố"),
        RowDef("phong_hoc_tam", "Phòng học tạm"),
        RowDef("phong_phuc_vu", "Phòng phục vụ học tập"),
        RowDef("phong_hanh_chinh", "Phòng hành chính – quản trị"),
    )
    if regime == Regime.TT57:
        buildings += (
            RowDef("thu_vien", "Thư viện"),
            RowDef("phong_khac", "Các công trình, khối phòng chức năng khác"),
        )

    staff = (
        RowDef("hieu_truong", "Hiệu trưởng"),
        RowDef("pho_hieu_truong", "Phó hiệu trưởng"),
        RowDef("giao_vien", "Giáo viên"),
        RowDef("nhan_vien", "Nhân sự hỗ trợ giáo dục" if regime == Regime.TT57 else "Nhân viên"),
    )

    learner = "trẻ" if kindergarten else "học sinh"
    completed = (
        "Trẻ hoàn thành chương trình giáo dục mầm non" if kindergarten else "Hoàn thành chương trình lớp học / lên lớp"
    )
    students = (
        *groups,
        _total("total", f"Tổng số {learner}", groups),
        RowDef("nu", "Nữ"),
        RowDef("dan_toc", "Dân tộc thiểu số"),
        RowDef("khuyet_tat", "Khuyết tật học hòa nhập"),
        RowDef("hoan_thanh", completed),
    )
    return (
        TableDef(
            "classes",
            "1. Số nhóm, lớp" if kindergarten else "1. Số lớp học",
            (*groups, _total("total", "Cộng", groups)),
        ),
        TableDef(
            "buildings", "2. Cơ cấu khối công trình của nhà trường", (*buildings, _total("total", "Cộng", buildings))
        ),
        TableDef("staff", "3. Cán bộ quản lý, giáo viên, nhân viên", (*staff, _total("total", "Cộng", staff))),
        TableDef("students", "4. Trẻ em" if kindergarten else "4. Học sinh", students),
    )


def school_years(school_year: str, regime: str) -> tuple[str, ...]:
    """The columns: the last 5 (2018) or 3 (TT57) school years ending with the cycle's, oldest first."""
    return school_years_up_to(school_year, YEARS.get(regime, 5))


def cycle_definitions(cycle) -> tuple[tuple[TableDef, ...], tuple[str, ...]]:
    """The tables and year columns of a cycle (uses cycle.school and cycle.framework)."""
    regime = cycle.framework.regime
    return table_definitions(cycle.school.school_type, regime), school_years(cycle.school_year, regime)
