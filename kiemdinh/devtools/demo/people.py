"""The demo's people: every account with its roles (PEOPLE), the officers in charge of each school level of Hóc Môn,
and the table of demo logins ``seed_demo --print-logins`` prints."""

from dataclasses import dataclass

from kiemdinh.accounts.models import Body, Membership, Role, User
from kiemdinh.accounts.services import membership_grant, user_create
from kiemdinh.devtools.demo.reform import AFTER_REFORM
from kiemdinh.devtools.demo.tally import DEMO_PASSWORD, DemoBuild
from kiemdinh.oversight.models import OfficerInCharge, SchoolLevel
from kiemdinh.oversight.services.officers import officer_add
from kiemdinh.recognition.authority import body_name


@dataclass(frozen=True)
class PersonSeed:
    username: str
    full_name: str
    role: str
    title: str = ""
    school: str | None = None
    unit: str | None = None
    body: str = ""  # officers: the body of the unit they work for (blank: the unit's usual one, default_body)


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
    # the illustrative external evaluations (evaluations.py): principals and evaluators, all invented
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


def ensure_people(actor, build: DemoBuild, units, schools) -> None:
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


# Hóc Môn 2019–2020, "III. TỔ CHỨC THỰC HIỆN": the officers each school level contacts, with their e-mail addresses
# as printed (username of their demo account, level, e-mail).
HOC_MON_OFFICERS_IN_CHARGE = (
    ("hocmon.mamnon", SchoolLevel.KINDERGARTEN, "cvgdmn2.hocmon@moet.edu.vn"),
    ("hocmon.tieuhoc", SchoolLevel.PRIMARY, "cvgdth2.hocmon@moet.edu.vn"),
    ("hocmon.thcs", SchoolLevel.LOWER_SECONDARY, "cvgdthcs2.hocmon@moet.edu.vn"),
    ("hocmon.tonghop", SchoolLevel.GENERAL, "cvgdthcs1.hocmon@moet.edu.vn"),
)


def ensure_officers_in_charge(actor, build: DemoBuild, units) -> None:

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


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    full_name: str
    role: str
    scope: str


def demo_logins() -> list[DemoLogin]:
    """The demo accounts as they are in the database, in PEOPLE order (one query)."""
    usernames = [p.username for p in PEOPLE] + [c.username for c in AFTER_REFORM if c.unit]
    order = {name: i for i, name in reversed(list(enumerate(usernames)))}
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
