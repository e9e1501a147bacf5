"""Which plans concern a unit, and which are still live (issued, running or ended lately)."""

from datetime import date, timedelta

from django.db.models import Q

from kiemdinh.planning.models import AnnualPlan, PlanStatus

# A plan that ended longer ago than this no longer raises reminders or deadlines: what is left undone belongs to its
# final report.
ENDED_PLAN_DAYS = 90


def live_plans(today: date, prefix: str = "plan__") -> Q:
    """Issued plans still running, or ended less than ENDED_PLAN_DAYS ago (a filter on a relation's `prefix`)."""
    return Q(**{f"{prefix}status": PlanStatus.ISSUED}) & (
        Q(**{f"{prefix}ends_on__isnull": True})
        | Q(**{f"{prefix}ends_on__gte": today - timedelta(days=ENDED_PLAN_DAYS)})
    )


def plans_for_unit(unit):
    """Plans issued by the unit or any unit below or above it, newest first (the plans that concern it)."""
    return (
        AnnualPlan.objects.filter(Q(unit__path__startswith=unit.path) | Q(unit__path__in=unit.ancestor_paths))
        .select_related("unit")
        .order_by("-period", "unit__path", "-id")
    )
