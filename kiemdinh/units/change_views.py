"""The dated changes of the tree, from a unit's page: rename it, move it under another unit, dissolve it (its units and
schools to a successor), move one of its schools. For an officer above the unit (units.access.can_change_unit); each
change is recorded with its deciding document (units.services)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from kiemdinh.core.forms import apply_form
from kiemdinh.units import services
from kiemdinh.units.access import access_unit, can_change_children, can_change_unit, units_visible
from kiemdinh.units.change_forms import (
    DissolveForm,
    EstablishForm,
    MergeForm,
    MoveForm,
    RenameForm,
    SchoolMoveForm,
)
from kiemdinh.units.models import AdministrativeUnit

REFUSED = "Chỉ cán bộ quản lý của đơn vị cấp trên được thay đổi đơn vị này."
REFUSED_CHILDREN = "Chỉ cán bộ quản lý của đơn vị này hoặc đơn vị cấp trên được thành lập, sáp nhập đơn vị trực thuộc."
CHILD_KEYS = ("establish", "merge")


def targets(user, unit: AdministrativeUnit):
    """Units the change may lead to: in the user's scope, in force, and not the unit or one below it."""
    return units_visible(user).filter(dissolved_on__isnull=True).exclude(path__startswith=unit.path).order_by("path")


def change_forms(user, unit: AdministrativeUnit, data=None) -> dict:
    units = targets(user, unit)
    return {
        "rename": RenameForm(data, prefix="ten"),
        "move": MoveForm(data, units=units, prefix="chuyen"),
        "dissolve": DissolveForm(data, units=units, prefix="giai-the"),
        "school_move": SchoolMoveForm(
            data,
            schools=unit.schools.order_by("name"),
            units=targets(user, unit) | unit_and_below(unit),
            prefix="truong",
        ),
        "establish": EstablishForm(data, parent_kind=unit.kind, prefix="thanh-lap"),
        "merge": MergeForm(data, children=unit.children.filter(dissolved_on__isnull=True), prefix="sap-nhap"),
    }


def unit_and_below(unit: AdministrativeUnit):
    return AdministrativeUnit.objects.filter(path__startswith=unit.path, dissolved_on__isnull=True).exclude(pk=unit.pk)


def deciding_document(data) -> services.DecidingDocument:
    """The deciding document of a posted change form (DocumentFields)."""
    return services.DecidingDocument(data["decision_number"], data["decision_date"], data["decision_body"])


def _apply(request, unit_id: int, key: str, write) -> HttpResponse:
    unit = access_unit(request.user, unit_id)
    if key in CHILD_KEYS and not can_change_children(request.user, unit):
        raise PermissionDenied(REFUSED_CHILDREN)
    if key not in CHILD_KEYS and not can_change_unit(request.user, unit):
        raise PermissionDenied(REFUSED)
    form = change_forms(request.user, unit, request.POST)[key]
    apply_form(request, form, lambda data: write(unit, data, deciding_document(data)))
    return redirect("units:detail", unit_id=unit.pk)


@login_required
@require_POST
def change_rename(request: HttpRequest, unit_id: int) -> HttpResponse:
    def write(unit, data, document):
        old = unit.name
        services.unit_rename(
            actor=request.user, unit=unit, name=data["name"], on=data["effective_on"], document=document
        )
        return f"Đã ghi đổi tên “{old}” thành “{unit.name}” từ ngày {data['effective_on']:%d/%m/%Y}."

    return _apply(request, unit_id, "rename", write)


@login_required
@require_POST
def change_move(request: HttpRequest, unit_id: int) -> HttpResponse:
    def write(unit, data, document):
        services.unit_move(
            actor=request.user, unit=unit, parent=data["parent"], on=data["effective_on"], document=document
        )
        return f"Đã ghi {unit.name} trực thuộc {data['parent'].name} từ ngày {data['effective_on']:%d/%m/%Y}."

    return _apply(request, unit_id, "move", write)


@login_required
@require_POST
def change_dissolve(request: HttpRequest, unit_id: int) -> HttpResponse:
    def write(unit, data, document):
        services.unit_dissolve(
            actor=request.user, unit=unit, on=data["effective_on"], document=document, successor=data["successor"]
        )
        return (
            f"Đã ghi giải thể {unit.name} từ ngày {data['effective_on']:%d/%m/%Y}; các đơn vị và trường trực thuộc "
            f"chuyển về {data['successor'].name}."
        )

    return _apply(request, unit_id, "dissolve", write)


@login_required
@require_POST
def change_school_move(request: HttpRequest, unit_id: int) -> HttpResponse:
    def write(unit, data, document):
        services.school_move(
            actor=request.user, school=data["school"], unit=data["unit"], on=data["effective_on"], document=document
        )
        return f"Đã ghi chuyển {data['school'].name} về {data['unit'].name} từ ngày {data['effective_on']:%d/%m/%Y}."

    return _apply(request, unit_id, "school_move", write)


@login_required
@require_POST
def change_establish(request: HttpRequest, unit_id: int) -> HttpResponse:
    def write(unit, data, document):
        new = services.unit_establish(
            actor=request.user, code=data["code"], name=data["name"], kind=data["kind"], parent=unit,
            on=data["effective_on"], document=document, note=data["note"],
        )  # fmt: skip
        return f"Đã ghi thành lập {new.name} trực thuộc {unit.name} từ ngày {data['effective_on']:%d/%m/%Y}."

    return _apply(request, unit_id, "establish", write)


@login_required
@require_POST
def change_merge(request: HttpRequest, unit_id: int) -> HttpResponse:
    def write(unit, data, document):
        merged = list(data["units"])
        new = services.unit_merge(
            actor=request.user, units=merged, code=data["code"], name=data["name"], on=data["effective_on"],
            document=document, note=data["note"],
        )  # fmt: skip
        names = ", ".join(u.name for u in merged)
        return f"Đã ghi sáp nhập {names} thành {new.name} từ ngày {data['effective_on']:%d/%m/%Y}."

    return _apply(request, unit_id, "merge", write)
