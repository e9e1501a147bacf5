"""A school's sites (điểm trường, phân hiệu) and the schools merged into it: the page lists them; the principal and
the officers above the school keep the sites, the officers above it record a merger with its deciding document
(units.services.campuses)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kiemdinh.core.forms import apply_form, error_text
from kiemdinh.units.access import access_school, can_manage_school, oversees_school, schools_visible
from kiemdinh.units.campus_forms import CampusForm, MergeSchoolsForm
from kiemdinh.units.change_views import deciding_document
from kiemdinh.units.models import Campus, CampusKind
from kiemdinh.units.selectors import merger_view
from kiemdinh.units.services.campuses import CampusInput, campus_delete, campus_save, school_merge

REFUSED = "Chỉ hiệu trưởng và cán bộ quản lý cấp trên được sửa điểm trường."
MERGE_REFUSED = "Chỉ cán bộ quản lý cấp trên của trường được ghi sáp nhập trường."


def _merge_candidates(user, school):
    """The schools that may merge into this one: active, in the user's scope, under the unit above the school's."""
    return (
        schools_visible(user)
        .filter(is_active=True, merged_into__isnull=True)
        .exclude(pk=school.pk)
        .filter(unit__path__startswith=(school.unit.ancestor_paths or [school.unit.path])[-1])
        .order_by("name")
    )


def _total(sites, field: str) -> int | str:
    """The school's total of a site figure; a dash when no site has it."""
    values = [getattr(c, field) for c in sites if c.is_active and getattr(c, field) is not None]
    return sum(values) if values else "—"


@login_required
def campuses(request: HttpRequest, school_id: int) -> HttpResponse:
    school = access_school(request.user, school_id)
    may_merge = oversees_school(request.user, school) and school.is_active
    sites = list(school.campuses.select_related("predecessor"))
    return render(
        request,
        "units/campuses.html",
        {
            "school": school,
            "campuses": sites,
            "totals": {field: _total(sites, field) for field in ("pupils", "classes")},
            "kinds": CampusKind.choices,
            "merger": merger_view(school),
            "can_edit": can_manage_school(request.user, school) and school.is_active,
            "form": CampusForm(prefix="moi"),
            "merge_form": MergeSchoolsForm(schools=_merge_candidates(request.user, school), prefix="sap-nhap")
            if may_merge
            else None,
        },
    )


def _input(data) -> CampusInput:
    return CampusInput(data["name"], data["kind"], data["address"], data["pupils"], data["classes"])


def _save(request, school_id: int, campus_id: int | None) -> HttpResponse:
    school = access_school(request.user, school_id)
    if not can_manage_school(request.user, school):
        raise PermissionDenied(REFUSED)
    campus = get_object_or_404(Campus, pk=campus_id, school=school) if campus_id else None
    form = CampusForm(request.POST, prefix=f"dt{campus_id}" if campus_id else "moi")

    def write(data):
        saved = campus_save(actor=request.user, school=school, data=_input(data), campus=campus)
        return f"Đã ghi điểm trường “{saved.name}”."

    apply_form(request, form, write)
    return redirect("units:campuses", school_id=school.pk)


@login_required
@require_POST
def campus_add(request: HttpRequest, school_id: int) -> HttpResponse:
    return _save(request, school_id, None)


@login_required
@require_POST
def campus_edit(request: HttpRequest, school_id: int, campus_id: int) -> HttpResponse:
    return _save(request, school_id, campus_id)


@login_required
@require_POST
def campus_remove(request: HttpRequest, school_id: int, campus_id: int) -> HttpResponse:
    school = access_school(request.user, school_id)
    if not can_manage_school(request.user, school):
        raise PermissionDenied(REFUSED)
    campus = get_object_or_404(Campus, pk=campus_id, school=school)
    try:
        campus_delete(actor=request.user, campus=campus)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"Đã xóa điểm trường “{campus.name}”.")
    return redirect("units:campuses", school_id=school.pk)


@login_required
@require_POST
def merge(request: HttpRequest, school_id: int) -> HttpResponse:
    school = access_school(request.user, school_id)
    if not oversees_school(request.user, school):
        raise PermissionDenied(MERGE_REFUSED)
    form = MergeSchoolsForm(request.POST, schools=_merge_candidates(request.user, school), prefix="sap-nhap")

    def write(data):
        merged = list(data["predecessors"])
        school_merge(
            actor=request.user, predecessors=merged, successor=school, on=data["effective_on"],
            document=deciding_document(data), note=data["note"],
        )  # fmt: skip
        names = ", ".join(p.name for p in merged)
        return f"Đã ghi sáp nhập {names} vào {school.name} từ ngày {data['effective_on']:%d/%m/%Y}."

    apply_form(request, form, write)
    return redirect("units:campuses", school_id=school.pk)
