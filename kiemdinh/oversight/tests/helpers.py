"""Helpers shared by the oversight tests."""

from kiemdinh.planning.models import AnnualPlan


def annual_plan(unit, period: str = "2025") -> AnnualPlan:
    # The planning app has no write services yet; here a plan is only referenced by visits.
    return AnnualPlan.objects.create(unit=unit, issuer=f"UBND {unit.name}", title="Kế hoạch KĐCLGD", period=period)
