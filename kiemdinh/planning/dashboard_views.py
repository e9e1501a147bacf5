"""The unit dashboard page (tổng quan của đơn vị)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kiemdinh.planning.dashboard import DashboardFilters, unit_dashboard
from kiemdinh.units.access import access_unit, visible_ancestors
from kiemdinh.units.models import SchoolType


@login_required
def dashboard(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access_unit(request.user, unit_id)
    filters = DashboardFilters.from_params(request.GET)
    data = unit_dashboard(unit, filters, timezone.localdate(), page=request.GET.get("trang") or 1)
    ancestors = visible_ancestors(request.user, unit)
    return render(
        request,
        "planning/dashboard.html",
        {
            "unit": unit,
            "ancestors": ancestors,
            "data": data,
            "filters": filters,
            "school_types": SchoolType.choices,
        },
    )
