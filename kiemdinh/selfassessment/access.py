"""The only way views load cycles. Built on the user's Scope (core.access).

- principal and secretary of the school: everything of its cycles (they manage the council, plan and submission);
- council members (Membership role member): the criteria assigned to them (directly or through their working group),
  and the evidence register;
- staff of the school: read;
- officers above the school (and admins): read, and review (return/accept) submitted cycles.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from kiemdinh.accounts.access import user_scope
from kiemdinh.accounts.models import Role
from kiemdinh.selfassessment.models import CouncilMember, CriterionAssignment, Cycle
from kiemdinh.units.access import schools_visible

MANAGER_ROLES = frozenset({Role.PRINCIPAL, Role.SECRETARY})
CONTRIBUTOR_ROLES = frozenset({Role.PRINCIPAL, Role.SECRETARY, Role.MEMBER})


# Apps above this one that let more users read cycles register a reader here from their AppConfig.ready(), so that
# this module needs no import of them: evaluation registers the evaluators of open teams. A reader takes (user, on: a
# date) and returns a queryset of cycle ids; it is asked only for users whose scope says they are evaluators.
_EVALUATOR_READERS: list[Callable] = []


def register_evaluator_reader(reader: Callable) -> None:
    """Called once per reader from an AppConfig.ready() (evaluation.apps)."""
    if reader not in _EVALUATOR_READERS:
        _EVALUATOR_READERS.append(reader)


def cycles_visible(user):
    """The cycles of the schools the user sees, and — read-only, while their team works — those an evaluator's team
    evaluates (the readers registered above)."""
    visible = Q(school__in=schools_visible(user))
    if user_scope(user).evaluator:
        today = timezone.localdate()
        for reader in _EVALUATOR_READERS:
            visible |= Q(pk__in=reader(user, today))
    return Cycle.objects.filter(visible)


@dataclass(frozen=True)
class CyclePermissions:
    can_manage: bool  # principal/secretary: council, plan, every criterion, submission
    can_contribute: bool  # school council roles: evidence register, their assigned criteria
    can_review: bool  # officer above the school: return or accept a submitted cycle
    is_principal: bool
    is_editable: bool  # the cycle's status allows changes at all

    @property
    def can_edit(self) -> bool:
        return self.is_editable and self.can_contribute

    @property
    def can_manage_now(self) -> bool:
        return self.is_editable and self.can_manage


def cycle_permissions(user, cycle: Cycle) -> CyclePermissions:
    scope = user_scope(user)
    roles = scope.roles_at_school(cycle.school_id)
    return CyclePermissions(
        can_manage=bool(roles & MANAGER_ROLES),
        can_contribute=bool(roles & CONTRIBUTOR_ROLES),
        can_review=scope.is_admin or scope.covers_path(cycle.school.unit.path),
        is_principal=Role.PRINCIPAL in roles,
        is_editable=cycle.is_editable,
    )


def access_cycle(user, cycle_id, write: bool = False, manage: bool = False) -> Cycle:
    """Load a cycle the user may see (404 otherwise). write: a school contributor on an editable cycle;
    manage: the principal or secretary on an editable cycle."""
    try:
        cycle = cycles_visible(user).select_related("school__unit", "framework").get(pk=cycle_id)
    except (Cycle.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy đợt tự đánh giá.") from None
    if write or manage:
        perms = cycle_permissions(user, cycle)
        needed = perms.can_manage if manage else perms.can_contribute
        if not needed:
            raise PermissionDenied(
                "Chỉ hiệu trưởng và thư ký hội đồng được thực hiện việc này."
                if manage
                else "Chỉ thành viên hội đồng tự đánh giá của trường được thực hiện việc này."
            )
        if not cycle.is_editable:
            raise PermissionDenied(cycle.read_only_reason)
    return cycle


def assigned_ids(user, cycle: Cycle) -> tuple[frozenset[int], frozenset[int]]:
    """(criterion ids, Mức 4 item ids) assigned to the user in this cycle, directly or through their group (1 query)."""
    member_ids = CouncilMember.objects.filter(cycle=cycle, user=user)
    rows = CriterionAssignment.objects.filter(cycle=cycle).filter(
        Q(member__in=member_ids) | Q(group__members__in=member_ids)
    )
    criteria, items = set(), set()
    for criterion_id, item_id in rows.values_list("criterion_id", "level4_item_id"):
        if criterion_id:
            criteria.add(criterion_id)
        if item_id:
            items.add(item_id)
    return frozenset(criteria), frozenset(items)


def can_edit_form(user, cycle: Cycle, *, criterion_id=None, level4_item_id=None, perms=None) -> bool:
    """Members edit only what is assigned to them; the principal and secretary edit all."""
    perms = perms or cycle_permissions(user, cycle)
    if not perms.is_editable or not perms.can_contribute:
        return False
    if perms.can_manage:
        return True
    criteria, items = assigned_ids(user, cycle)
    return (criterion_id in criteria) if criterion_id else (level4_item_id in items)
