"""The public pages (no sign-in): provinces, the schools of a unit with their recognitions, one school's published
results. Only published data appears (kiemdinh.public.selectors)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from kiemdinh.public.selectors import provinces, school_page, unit_page
from kiemdinh.units.models import ANCESTORS_RELATED, AdministrativeUnit, School
from kiemdinh.units.selectors import merger_view


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "public/index.html", {"provinces": provinces()})


def unit(request: HttpRequest, code: str) -> HttpResponse:
    found = get_object_or_404(AdministrativeUnit.objects.select_related(*ANCESTORS_RELATED), code=code)
    page = unit_page(
        found, query=request.GET.get("q", ""), page_number=request.GET.get("trang"), on=timezone.localdate()
    )
    return render(request, "public/unit.html", {"view": page, "today": timezone.localdate()})


def school(request: HttpRequest, code: str) -> HttpResponse:
    found = get_object_or_404(School.objects.select_related(*(f"unit__{r}" for r in ANCESTORS_RELATED)), code=code)
    context = {"view": school_page(found, on=timezone.localdate()), "merger": merger_view(found)}
    return render(request, "public/school.html", context)
