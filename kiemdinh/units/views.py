from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kiemdinh.accounts.access import user_scope
from kiemdinh.core.text import fold
from kiemdinh.units.access import access_unit, can_change_children, can_change_unit, units_visible, visible_ancestors
from kiemdinh.units.change_views import change_forms
from kiemdinh.units.models import AdministrativeUnit, School, SchoolType
from kiemdinh.units.selectors import successors_of, unit_changes


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    scope = user_scope(request.user)
    if scope.is_admin:
        roots = AdministrativeUnit.objects.filter(parent__isnull=True)
    else:
        roots = units_visible(request.user).filter(path__in=scope.unit_paths)
    return render(request, "units/unit_list.html", {"roots": roots})


@login_required
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access_unit(request.user, unit_id)
    schools = School.objects.within(unit).select_related("unit")
    query = request.GET.get("q", "").strip()
    school_type = request.GET.get("loai", "")
    if query:
        schools = schools.filter(search_text__contains=fold(query))
    if school_type in SchoolType.values:
        schools = schools.filter(school_type=school_type)
    page = Paginator(schools.order_by("name"), 50).get_page(request.GET.get("trang"))
    ancestors = visible_ancestors(request.user, unit)
    return render(
        request,
        "units/unit_detail.html",
        {
            "unit": unit,
            "ancestors": ancestors,
            "children": unit.children.all(),
            "page": page,
            "query": query,
            "school_type": school_type,
            "school_types": SchoolType.choices,
            "changes": unit_changes(unit),
            "successors": successors_of(unit),
            "change_forms": change_forms(request.user, unit)
            if not unit.dissolved_on
            and (can_change_unit(request.user, unit) or can_change_children(request.user, unit))
            else None,
            "may_change_unit": can_change_unit(request.user, unit),
        },
    )
