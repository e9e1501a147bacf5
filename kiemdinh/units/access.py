"""The only way views load units and schools."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from kiemdinh.accounts.access import user_scope
from kiemdinh.accounts.models import Role
from kiemdinh.units.models import ANCESTORS_RELATED, AdministrativeUnit, ImportBatch, School, UnitKind


def schools_visible(user):
    scope = user_scope(user)
    if scope.is_admin:
        return School.objects.all()
    condition = Q(pk__in=scope.school_ids)
    if scope.school_ids:
        # a school's people also read the schools merged into it (their records stay theirs, read-only)
        condition |= Q(merged_into__successor_id__in=scope.school_ids)
    for path in scope.unit_paths:
        condition |= Q(unit__path__startswith=path)
    if not scope.school_ids and not scope.unit_paths:
        return School.objects.none()
    return School.objects.filter(condition)


def units_visible(user):
    scope = user_scope(user)
    if scope.is_admin:
        return AdministrativeUnit.objects.all()
    if not scope.unit_paths:
        return AdministrativeUnit.objects.none()
    condition = Q()
    for path in scope.unit_paths:
        condition |= Q(path__startswith=path)
    return AdministrativeUnit.objects.filter(condition)


def oversees_school(user, school: School) -> bool:
    """An officer of a unit above the school (or an admin): sees the authority's side of its pages (the issuing links,
    who decides what); deciding itself is recognition.authority's rule table."""
    scope = user_scope(user)
    return scope.is_admin or scope.covers_path(school.unit.path)


def can_manage_school(user, school: School) -> bool:
    """Change a school's master data: admins, officers above it, its principal."""
    scope = user_scope(user)
    return scope.is_admin or scope.covers_path(school.unit.path) or Role.PRINCIPAL in scope.roles_at_school(school.pk)


def access_school(user, school_id, write: bool = False) -> School:
    """Load a school the user may see (404 otherwise, so existence does not leak); write needs manage rights."""
    try:
        school = schools_visible(user).select_related("unit").get(pk=school_id)
    except (School.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy trường.") from None
    if write and not can_manage_school(user, school):
        raise PermissionDenied("Bạn không có quyền sửa thông tin trường này.")
    return school


def access_unit(user, unit_id, write: bool = False) -> AdministrativeUnit:
    try:
        unit = units_visible(user).select_related(*ANCESTORS_RELATED).get(pk=unit_id)
    except (AdministrativeUnit.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy đơn vị.") from None
    return unit


def visible_ancestors(user, unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """The units above `unit` that the user may open (for the breadcrumbs), the province first."""
    scope = user_scope(user)
    return [a for a in unit.ancestors() if scope.covers_path(a.path)]


def can_import(user) -> bool:
    scope = user_scope(user)
    return scope.is_admin or bool(scope.unit_paths)


def access_import_batch(user, batch_id) -> ImportBatch:
    """A batch is seen only by the person who uploaded it (404 for everyone else, so existence does not leak)."""
    if not can_import(user):
        raise PermissionDenied("Chỉ cán bộ quản lý và quản trị hệ thống được nhập danh sách.")
    try:
        return ImportBatch.objects.get(pk=batch_id, created_by=user)
    except (ImportBatch.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy lô nhập dữ liệu.") from None


def can_change_unit(user, unit: AdministrativeUnit) -> bool:
    """Rename, move, dissolve a unit or move its schools: an officer of a unit above it (a commune does not decide its
    own fate), or an admin."""
    scope = user_scope(user)
    return scope.is_admin or any(unit.path.startswith(p) and unit.path != p for p in scope.unit_paths)


def can_change_children(user, unit: AdministrativeUnit) -> bool:
    """Establish a unit under this one, or merge units under it into a new one: an officer of this unit or of one
    above it (the Sở for its communes), or an admin. Nobody for a commune, which has no units below it."""
    if unit.kind == UnitKind.COMMUNE:
        return False
    scope = user_scope(user)
    return scope.is_admin or any(unit.path.startswith(p) for p in scope.unit_paths)
