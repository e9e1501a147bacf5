from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kiemdinh.core.access import user_scope
from kiemdinh.core.text import fold
from kiemdinh.improvement.selectors import overdue_lines
from kiemdinh.oversight.selectors import officers_for_school
from kiemdinh.recognition.selectors import standings
from kiemdinh.selfassessment.selectors import cycle_evaluation, latest_cycles
from kiemdinh.units.access import access_school, access_unit, can_manage_school, units_visible, visible_ancestors
from kiemdinh.units.models import AdministrativeUnit, School, SchoolType


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
        },
    )


@login_required
def school_detail(request: HttpRequest, school_id: int) -> HttpResponse:
    school = access_school(request.user, school_id)
    cycles = list(school.cycles.select_related("framework").order_by("-school_year"))
    latest = latest_cycles([school]).get(school.pk)
    return render(
        request,
        "units/school_detail.html",
        {
            "school": school,
            "cycles": cycles,
            "latest": latest,
            "evaluation": cycle_evaluation(latest) if latest else None,
            "framework_code": school.framework_code(),
            "can_manage": can_manage_school(request.user, school),
            "plan_targets": school.plan_targets.select_related("plan").order_by("-plan__period"),
            "overdue": overdue_lines([school.pk]).get(school.pk, []),
            "officers_in_charge": officers_for_school(school),
            "standing": standings([school.pk], timezone.localdate()).get(school.pk),
        },
    )
