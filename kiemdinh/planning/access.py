"""Who may see and change an authority's plan.

Officers manage the plans of their unit and of the units below it (drafts included), and read the issued plans of
the units above (which concern them too). A school's people read the issued plans of every unit above their school
(the list, targets and tasks that concern them), but not another school's task progress; only officers change
anything.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from kiemdinh.accounts.access import user_scope
from kiemdinh.planning.models import AnnualPlan, PlanStatus, PlanTarget
from kiemdinh.units.models import AdministrativeUnit, School


def _prefixes(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


def plans_visible(user):
    scope = user_scope(user)
    if scope.is_admin:
        return AnnualPlan.objects.all()
    condition = Q(pk__in=[])
    above: set[str] = set()
    for path in scope.unit_paths:
        condition |= Q(unit__path__startswith=path)
        above.update(_prefixes(path))
    if scope.school_ids:
        for unit_path in School.objects.filter(pk__in=scope.school_ids).values_list("unit__path", flat=True):
            above.update(_prefixes(unit_path))
    if above:
        # Those the plan concerns but who do not make it read it once issued; drafts stay with the authority.
        condition |= Q(unit__path__in=sorted(above), status=PlanStatus.ISSUED)
    # An issued plan that lists one of the user's schools, or a school now under the user's units (a district's plan
    # of 2024 after its schools moved to the wards that replaced it): read by the school and by its officers today.
    listed = Q(school_id__in=scope.school_ids) if scope.school_ids else Q(pk__in=[])
    for path in scope.unit_paths:
        listed |= Q(school__unit__path__startswith=path)
    if scope.school_ids or scope.unit_paths:
        targets = PlanTarget.objects.filter(listed).values("plan_id")
        condition |= Q(pk__in=targets, status=PlanStatus.ISSUED)
    return AnnualPlan.objects.filter(condition)


def can_manage_unit(user, unit: AdministrativeUnit) -> bool:
    scope = user_scope(user)
    return scope.is_admin or scope.covers_path(unit.path)


def can_manage_plan(user, plan: AnnualPlan) -> bool:
    return can_manage_unit(user, plan.unit)


def can_see_task_progress(user, plan: AnnualPlan, task) -> bool:
    """A task's progress notes and documents: the plan's makers, and for a school's task the school's people and the
    officers above it (other schools read the plan and the task, not another school's progress)."""
    if can_manage_plan(user, plan) or task.school_id is None:
        return True
    scope = user_scope(user)
    return task.school_id in scope.school_ids or scope.covers_path(task.school.unit.path)


def access_plan(user, plan_id, write: bool = False) -> AnnualPlan:
    """The plan (404 when not visible, so its existence does not leak); PermissionDenied when `write` and the user
    is not an officer of its unit or above."""
    try:
        plan = plans_visible(user).select_related("unit").get(pk=plan_id)
    except (AnnualPlan.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy kế hoạch.") from None
    if write and not can_manage_plan(user, plan):
        raise PermissionDenied("Chỉ cán bộ của đơn vị ban hành (hoặc cấp trên) được sửa kế hoạch này.")
    return plan
