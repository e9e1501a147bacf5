"""Conflicts of interest of an evaluator with a school, by person rather than by network record (issue #18 §3).

"The same person" here is:
- the evaluator's network record itself: they work at the school (Evaluator.school), or their unit manages it
  (Evaluator.unit is the school's unit or a unit above it below the province: the commune, the district);
- the evaluator's account, which is one person: it holds a role at the school (principal, council secretary or member,
  staff), sits on a self-assessment council of the school (CouncilMember.user, any school year), on the monitoring team
  of one of its improvement plans (MonitoringMember.user), or is an officer of a unit that manages it (as above).
These refuse the evaluator, with the reason; no override.

Where the school's records hold only a name (council members, monitors and accounts other than the evaluator's), the
same name is no proof, as Vietnamese names repeat (several "Nguyễn Thị Hồng Nhung" in one province are common), and
silently refusing every namesake would shut out people who have no tie to the school. A name match (folded: case,
diacritics and spaces ignored, so "Nguyen Thi Hong Nhung" typed without marks matches too) is therefore a refusal the
officer may lift by stating why the two are different people; that reason is kept on the team member and in the audit
log.
"""

from dataclasses import dataclass

from django.db.models import Q

from kiemdinh.accounts.models import SCHOOL_ROLES, Membership, Role
from kiemdinh.core.text import fold
from kiemdinh.improvement.models import MonitoringMember
from kiemdinh.selfassessment.models import CouncilMember
from kiemdinh.units.models import AdministrativeUnit, UnitKind


@dataclass(frozen=True)
class Conflict:
    message: str  # in Vietnamese, names the tie
    by_name: bool = False  # only a name match: the officer may confirm these are different people, with a reason


def managing_units(school) -> list[AdministrativeUnit]:
    """The school's unit and the units above it below the province (the commune, the district): the units that manage
    it. The province is left out: its Sở is where the evaluators of the network work (one query)."""
    unit = school.unit
    units = AdministrativeUnit.objects.filter(path__in=[*unit.ancestor_paths, unit.path]).order_by("path")
    return [u for u in units if u.kind != UnitKind.PROVINCE]


def _years(rows) -> str:
    years = sorted({r for r in rows if r})
    return f" (năm học {', '.join(years)})" if years else ""


def conflicts(evaluator, school) -> list[Conflict]:
    """Every tie of the evaluator with the school, account ties first (5 queries at most)."""
    name = evaluator.full_name
    found: list[Conflict] = []
    managing = managing_units(school)
    managing_ids = {u.pk for u in managing}
    if evaluator.school_id == school.pk:
        found.append(Conflict(f"{name} công tác tại chính {school.name}."))
    if evaluator.unit_id in managing_ids:
        unit = next(u for u in managing if u.pk == evaluator.unit_id)
        found.append(Conflict(f"{name} công tác tại {unit.name}, đơn vị quản lý {school.name}."))

    user = evaluator.user if evaluator.user_id else None
    names = {fold(name)} | ({fold(user.full_name)} if user and user.full_name else set())
    names.discard("")
    account = f" (tài khoản {user.username})" if user else ""

    # Roles at the school and officers of the units that manage it.
    roles = (
        Membership.objects.active()
        .filter(Q(school=school, role__in=sorted(SCHOOL_ROLES)) | Q(role=Role.OFFICER, unit_id__in=managing_ids))
        .select_related("user", "unit")
    )
    for m in roles:
        where = school.name if m.school_id else f"{m.unit.name}, đơn vị quản lý {school.name}"
        what = f"{m.get_role_display()} của {where}" if m.school_id else f"cán bộ của {where}"
        if user and m.user_id == user.pk:
            found.append(Conflict(f"{name}{account} là {what}."))
        elif fold(m.user.full_name) in names:
            found.append(
                Conflict(f"Họ tên {name} trùng với {m.user.full_name} (tài khoản khác), {what}.", by_name=True)
            )

    # The school's self-assessment councils and monitoring teams, every school year.
    council: dict[tuple, list[str]] = {}
    for m in CouncilMember.objects.filter(cycle__school=school).select_related("cycle").order_by("cycle__school_year"):
        mine = user is not None and m.user_id == user.pk
        if mine or fold(m.full_name) in names:
            council.setdefault((mine, m.full_name, m.get_role_display()), []).append(m.cycle.school_year)
    for (mine, member_name, role), years in council.items():
        what = f"{role} Hội đồng tự đánh giá của {school.name}{_years(years)}"
        if mine:
            found.append(Conflict(f"{name}{account} là {what}."))
        else:
            found.append(Conflict(f"Họ tên {name} trùng với {member_name}, {what}.", by_name=True))
    monitors: dict[tuple, list[str]] = {}
    rows = MonitoringMember.objects.filter(plan__cycle__school=school).select_related("plan__cycle")
    for m in rows.order_by("plan__cycle__school_year"):
        mine = user is not None and m.user_id == user.pk
        if mine or fold(m.full_name) in names:
            monitors.setdefault((mine, m.full_name), []).append(m.plan.cycle.school_year)
    for (mine, member_name), years in monitors.items():
        what = f"thành viên tổ giám sát kế hoạch cải tiến chất lượng của {school.name}{_years(years)}"
        if mine:
            found.append(Conflict(f"{name}{account} là {what}."))
        else:
            found.append(Conflict(f"Họ tên {name} trùng với {member_name}, {what}.", by_name=True))
    return sorted(found, key=lambda c: c.by_name)
