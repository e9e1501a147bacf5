"""What the improvement screens share: the context every page starts from (the cycle, the plan, what the user may do
with each), the redirect back to the plan page, the overdue lines of a table and the 404 while there is no plan."""

from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone

from kiemdinh.frameworks.choices import Regime
from kiemdinh.improvement import selectors as sel
from kiemdinh.improvement.access import plan_permissions
from kiemdinh.selfassessment.access import cycle_permissions


def base_context(request, cycle, plan, tab: str = "improvement") -> dict:
    return {
        "cycle": cycle,
        "plan": plan,
        "perms": cycle_permissions(request.user, cycle),
        "plan_perms": plan_permissions(request.user, cycle, plan),
        "tab": tab,
        "tt57": cycle.framework.regime == Regime.TT57,
        "today": timezone.localdate(),
    }


def to_plan(cycle, anchor: str = ""):
    response = redirect("improvement:plan", cycle_id=cycle.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def overdue_line_ids(lines, today) -> set[int]:
    # plan_table's lines come with their carried_to prefetched, which is_overdue reads.
    return {line.pk for line in lines if sel.is_overdue(line, today)}


def need_plan(plan):
    if plan is None:
        raise Http404("Trường chưa lập kế hoạch cải tiến cho đợt này.")
    return plan
