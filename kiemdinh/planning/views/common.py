"""What the plan screens share: the context of a plan's page (the plan, its tab, whether the user manages it, today),
the redirect back to a tab of the plan (with an anchor), a refusal shown as a message, and the unit's active
schools."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone

from kiemdinh.core.forms import error_text
from kiemdinh.planning.access import can_manage_plan
from kiemdinh.units.selectors import schools_under_on


def _context(request, plan, tab: str, **extra) -> dict:
    return {
        "plan": plan,
        "tab": tab,
        "can_manage": can_manage_plan(request.user, plan),
        "today": timezone.localdate(),
        **extra,
    }


def _back(plan, name: str = "plan_detail", anchor: str = ""):
    response = redirect(f"planning:{name}", plan_id=plan.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _refused(request, error: ValidationError, plan, name: str):
    messages.error(request, error_text(error))
    return _back(plan, name)


def _unit_schools(plan):
    return schools_under_on(plan.unit, plan.dated_on).filter(is_active=True).select_related("unit").order_by("name")
