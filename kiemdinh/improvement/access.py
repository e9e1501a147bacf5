"""Who may do what with a cycle's improvement plan.

Anyone who can see the cycle reads the plan. The principal and the council secretary build it (this is step 7, after
the report, so it stays open after the cycle is submitted or accepted); they and the members of the monitoring team
with a linked account record reviews.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from kiemdinh.improvement.models import ImprovementPlan
from kiemdinh.selfassessment.access import access_cycle, cycle_permissions
from kiemdinh.selfassessment.models import Cycle


@dataclass(frozen=True)
class PlanPermissions:
    can_manage: bool  # principal, secretary: the plan, its lines, the team, the schedule
    can_monitor: bool  # also the monitoring team's members: record reviews


def plan_permissions(user, cycle: Cycle, plan: ImprovementPlan | None) -> PlanPermissions:
    manage = cycle_permissions(user, cycle).can_manage
    monitor = manage or bool(plan and plan.monitors.filter(user=user).exists())
    return PlanPermissions(can_manage=manage, can_monitor=monitor)


def access_plan(user, cycle_id, *, manage: bool = False, monitor: bool = False) -> tuple[Cycle, ImprovementPlan | None]:
    """The cycle (404 when not visible) and its plan (None when not made yet); PermissionDenied when the user may not
    manage (or monitor) it."""
    cycle = access_cycle(user, cycle_id)
    plan = ImprovementPlan.objects.filter(cycle=cycle).first()
    if manage or monitor:
        perms = plan_permissions(user, cycle, plan)
        if manage and not perms.can_manage:
            raise PermissionDenied("Chỉ hiệu trưởng và thư ký hội đồng được lập, sửa kế hoạch cải tiến.")
        if monitor and not perms.can_monitor:
            raise PermissionDenied("Chỉ hiệu trưởng, thư ký và thành viên tổ giám sát được ghi kết quả giám sát.")
    return cycle, plan
