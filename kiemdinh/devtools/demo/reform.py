"""The 2025 reform applied to the demo's units, as dated changes with their deciding documents (units.services), after
the seeds' history is built under the old tree: Thừa Thiên Huế becomes thành phố Huế on 1/1/2025; on 1/7/2025 the
districts end and their communes and schools move to the communes and wards that replaced them. The plans, decisions
and cycles made before keep printing the units of their dates (units.selectors.TreeOn).

Sources (public material, searched; nothing here is a quotation):
- Nghị quyết số 175/2024/QH15 of the National Assembly: thành phố Huế, centrally governed, from 1/1/2025 (announced
  29/12/2024, cand.com.vn).
- Huế's wards: the 2025 plan as reported in April 2025 (Thanh Niên, relayed by vinshop.vn): phường Hương Trà from Tứ Hạ,
  Hương Văn and Hương Vân; phường Kim Trà from Hương Xuân, Hương Chữ and Hương Toàn; xã Bình Điền from Hương Bình,
  Bình Tiến and Bình Thành. The resolution's number was not found: marked "minh họa".
- Nghị quyết số 1685/NQ-UBTVQH15, khoản 131 (thuvienphapluat.vn): xã Tân Hiệp, xã Tân Xuân and thị trấn Hóc Môn form
  xã Hóc Môn.
- Nghị quyết số 1672/NQ-UBTVQH15 arranges Lạng Sơn's communes (thuviennhadat.vn); what Bảo Lâm, Thụy Hùng and Tân
  Thành became was not found: they keep their names under the province, marked "minh họa".
A school whose commune the lists do not give (named after a person, or a commune merged earlier) is placed in one of
the new units and its change says so ("minh họa").
"""

from dataclasses import dataclass
from datetime import date

from kiemdinh.accounts.models import Membership, Role, User
from kiemdinh.accounts.services import membership_end, membership_grant, user_create
from kiemdinh.devtools.demo.tally import DEMO_PASSWORD, DemoBuild
from kiemdinh.oversight.models import OfficerInCharge, SchoolLevel
from kiemdinh.oversight.services.officers import officer_add
from kiemdinh.units.models import AdministrativeUnit, ChangeKind, UnitChange, UnitKind
from kiemdinh.units.services import DecidingDocument, school_move, unit_dissolve, unit_establish, unit_move, unit_rename

HUE_CITY_FROM = date(2025, 1, 1)
REFORM_ON = date(2025, 7, 1)
ILLUSTRATIVE = "minh họa"

HUE_CITY = DecidingDocument("175/2024/QH15", date(2024, 11, 30), "Quốc hội")
HUE_COMMUNES = DecidingDocument(
    f"Nghị quyết sắp xếp đơn vị hành chính cấp xã thành phố Huế năm 2025 (số: {ILLUSTRATIVE})",
    date(2025, 6, 16),
    "Ủy ban Thường vụ Quốc hội",
)
HCM_COMMUNES = DecidingDocument("1685/NQ-UBTVQH15", date(2025, 6, 16), "Ủy ban Thường vụ Quốc hội")
LANG_SON_COMMUNES = DecidingDocument("1672/NQ-UBTVQH15", date(2025, 6, 16), "Ủy ban Thường vụ Quốc hội")

DISTRICT_ENDS = "Cấp huyện kết thúc hoạt động từ 01/7/2025; các xã, phường và trường trực thuộc cấp tỉnh."
PLACED = "Minh họa: nguồn không cho biết trường thuộc xã nào trước sắp xếp; xếp về đơn vị này để minh họa."
NAME_KEPT = "Minh họa: chưa đối chiếu tên xã sau sắp xếp theo Nghị quyết 1672/NQ-UBTVQH15; giữ tên cũ."


@dataclass(frozen=True)
class NewUnit:
    code: str
    name: str
    parent: str
    formed_from: str
    document: DecidingDocument


NEW_UNITS = (
    NewUnit("46-P-HUONGTRA", "phường Hương Trà", "46", "Tứ Hạ, Hương Văn, Hương Vân", HUE_COMMUNES),
    NewUnit("46-P-KIMTRA", "phường Kim Trà", "46", "Hương Xuân, Hương Chữ, Hương Toàn", HUE_COMMUNES),
    NewUnit("46-X-BINHDIEN", "xã Bình Điền", "46", "Hương Bình, Bình Tiến, Bình Thành", HUE_COMMUNES),
    NewUnit("79-X-HOCMON", "xã Hóc Môn", "79", "xã Tân Hiệp, xã Tân Xuân, thị trấn Hóc Môn", HCM_COMMUNES),
)

# Each school of a dissolved district → its new unit; True where the source places it, False where it is illustrative.
SCHOOL_SUCCESSORS = {
    "46-HT-MN-HUONGXUAN": ("46-P-KIMTRA", True),
    "46-HT-MN-BINHTHANH": ("46-X-BINHDIEN", True),
    "46-HT-MN-HONGTIEN": ("46-X-BINHDIEN", False),
    "46-HT-MN-TUHA": ("46-P-HUONGTRA", True),
    "46-HT-MN-HUONGBINH": ("46-X-BINHDIEN", True),
    "46-HT-TH-SO1HUONGTOAN": ("46-P-KIMTRA", True),
    "46-HT-TH-HUONGVAN": ("46-P-HUONGTRA", True),
    "46-HT-TH-BINHDIEN": ("46-X-BINHDIEN", False),
    "46-HT-TH-SO2TUHA": ("46-P-HUONGTRA", True),
    "46-HT-TH-SO1HUONGXUAN": ("46-P-KIMTRA", True),
    "46-HT-TH-SO2HUONGCHU": ("46-P-KIMTRA", True),
    "46-HT-TH-SO2HUONGVAN": ("46-P-HUONGTRA", True),
    "46-HT-TH-BINHTHANH": ("46-X-BINHDIEN", True),
    "46-HT-THCS-LETHUYET": ("46-P-HUONGTRA", False),
    "46-HT-THCS-NGUYENKHANHTOAN": ("46-P-KIMTRA", False),
    "46-HT-THCS-HOVANTU": ("46-P-HUONGTRA", False),
    "46-HT-THCS-LEQUANGTIEN": ("46-X-BINHDIEN", False),
    "46-HT-THCS-TRANDANGKHOA": ("46-P-HUONGTRA", False),
    "46-HT-THCS-HATHEHANG": ("46-P-KIMTRA", False),
    "46-HT-THCS-NGUYENKHOADANG": ("46-P-KIMTRA", False),
    "79-HM-TH-TANHIEP": ("79-X-HOCMON", True),
    "79-HM-THCS-TANXUAN": ("79-X-HOCMON", True),
}
HOC_MON_OTHERS = "79-X-HOCMON"  # the other Hóc Môn schools: placed there, illustratively

# district → (deciding document, the unit that takes its remaining records: the province)
DISTRICTS = {
    "46-HT": (HUE_COMMUNES, "46"),
    "79-HM": (HCM_COMMUNES, "79"),
    "20-CL": (LANG_SON_COMMUNES, "20"),
    "20-HL": (LANG_SON_COMMUNES, "20"),
}


@dataclass(frozen=True)
class RoleChange:
    """A district officer after the reform: the role ended (with the reason) and, where given, the new one."""

    username: str
    full_name: str
    unit: str | None
    title: str


REFORM_ENDED = "Phòng Giáo dục và Đào tạo cấp huyện kết thúc hoạt động từ 01/7/2025 (sắp xếp đơn vị hành chính)."
# Who works where after the reform (all invented except the names the seeds give).
AFTER_REFORM = (
    RoleChange("phonggd.huongtra", "Nguyễn Thị Thanh Hương", "46-P-HUONGTRA",
               "Công chức Phòng Văn hóa – Xã hội UBND phường Hương Trà (phụ trách giáo dục)"),
    RoleChange("ubnd.kimtra", "Lê Thị Diệu Hiền", "46-P-KIMTRA",
               "Công chức Phòng Văn hóa – Xã hội UBND phường Kim Trà (phụ trách giáo dục)"),
    RoleChange("hocmon.tonghop", "Nguyễn Thanh Long", "79-X-HOCMON",
               "Công chức Phòng Văn hóa – Xã hội UBND xã Hóc Môn (phụ trách giáo dục)"),
    RoleChange("hocmon.mamnon", "Lý Mỹ Liên", None, ""),
    RoleChange("hocmon.tieuhoc", "Nguyễn Thị Ngọc Sương", None, ""),
    RoleChange("hocmon.thcs", "Lê Hoàng Lộc", None, ""),
    RoleChange("phonggd.caoloc", "Hoàng Văn Sơn", None, ""),
)  # fmt: skip


def _reformed(unit: AdministrativeUnit, kind: str) -> bool:
    return UnitChange.objects.filter(unit=unit, kind=kind).exists()


def ensure_reform(actor, build: DemoBuild, units: dict, schools: dict) -> None:
    """Apply whatever of the reform is missing (a second run changes nothing)."""
    units = dict(units)
    hue = units["46"]
    if not _reformed(hue, ChangeKind.RENAME):
        unit_rename(
            actor=actor, unit=hue, name="Thành phố Huế", on=HUE_CITY_FROM, document=HUE_CITY,
            education_office="Sở Giáo dục và Đào tạo thành phố Huế",
        )  # fmt: skip
        build.add("thay đổi đơn vị")
    for new in NEW_UNITS:
        if new.code not in units:
            found = AdministrativeUnit.objects.filter(code=new.code).first()
            units[new.code] = found or unit_establish(
                actor=actor, code=new.code, name=new.name, kind=UnitKind.COMMUNE, parent=units[new.parent],
                on=REFORM_ON, document=new.document, note=f"Trên cơ sở: {new.formed_from}.",
            )  # fmt: skip
            build.add("thay đổi đơn vị", 0 if found else 1)
    for code, (document, province) in DISTRICTS.items():
        district = AdministrativeUnit.objects.get(pk=units[code].pk)
        if _reformed(district, ChangeKind.DISSOLVE):
            continue
        if district.dissolved_on:  # a demo built before the reform was recorded: dated, without its changes
            district.dissolved_on = None
            district.save()
        for school in district.schools.order_by("code"):
            target, sourced = SCHOOL_SUCCESSORS.get(school.code, (HOC_MON_OTHERS, False))
            school_move(
                actor=actor, school=school, unit=units[target], on=REFORM_ON, document=document,
                note=DISTRICT_ENDS if sourced else f"{DISTRICT_ENDS} {PLACED}",
            )  # fmt: skip
        for commune in district.children.order_by("code"):
            unit_move(
                actor=actor, unit=commune, parent=units[province], on=REFORM_ON, document=document,
                note=f"{DISTRICT_ENDS} {NAME_KEPT}",
            )  # fmt: skip
        unit_dissolve(
            actor=actor, unit=district, on=REFORM_ON, document=document, successor=units[province], note=DISTRICT_ENDS
        )
        build.add("thay đổi đơn vị")
    _ensure_roles_after_reform(build, units)
    hoc_mon = units["79-X-HOCMON"]
    if not OfficerInCharge.objects.filter(unit=hoc_mon).exists():
        # the district's officers in charge (its 2019–2020 plan) stay on the district; the new commune names one
        officer = User.objects.get(username="hocmon.tonghop")
        officer_add(
            actor=actor, unit=hoc_mon, school_level=SchoolLevel.GENERAL, full_name=officer.display_name,
            title="Công chức Phòng Văn hóa – Xã hội UBND xã Hóc Môn (minh họa)", user=officer,
        )  # fmt: skip
        build.add("cán bộ phụ trách cấp học")


def _ensure_roles_after_reform(build: DemoBuild, units: dict) -> None:
    admin = User.objects.get(username="quantri")
    for change in AFTER_REFORM:
        user = User.objects.filter(username=change.username).first()
        if user is None:
            user = user_create(actor=None, username=change.username, password=DEMO_PASSWORD, full_name=change.full_name)
            build.add("người dùng")
        if (
            change.unit
            and not Membership.objects.filter(user=user, role=Role.OFFICER, unit=units[change.unit]).exists()
        ):
            membership_grant(actor=None, user=user, role=Role.OFFICER, unit=units[change.unit], title=change.title)
            build.add("vai trò")
        district_roles = Membership.objects.active().filter(user=user, unit__kind=UnitKind.DISTRICT)
        for membership in district_roles:
            membership_end(actor=admin, membership=membership, reason=REFORM_ENDED)
