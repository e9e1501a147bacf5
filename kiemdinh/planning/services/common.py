"""What the plan writes share: the audit record of a plan's change, the next position in a list, the plan's row lock."""

from django.db.models import Max

from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.planning.models import AnnualPlan


def record(actor, event_type: Event, plan: AnnualPlan, obj=None, **data):
    audit.record(actor=actor, event_type=event_type, obj=obj or plan, unit=plan.unit, data=data)


def next_position(queryset) -> int:
    return (queryset.aggregate(m=Max("position"))["m"] or 0) + 1


def lock_plan(plan: AnnualPlan) -> AnnualPlan:
    return AnnualPlan.objects.select_for_update(of=("self",)).get(pk=plan.pk)
