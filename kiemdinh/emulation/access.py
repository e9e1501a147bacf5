"""Who may see and manage emulation schemes.

Officers of the scheme's unit or of a unit above it (and system admins) manage the scheme: rules, adjustments,
closing. Everyone else gets 404, so that a scheme's existence does not leak — officers of other units and every
school user alike. The one exception: a school's principal reads their own school's scores (school_scores page).
"""

from django.http import Http404

from kiemdinh.accounts.access import user_scope
from kiemdinh.accounts.models import Role
from kiemdinh.emulation.models import EmulationRule, EmulationScheme
from kiemdinh.units.access import access_unit
from kiemdinh.units.models import AdministrativeUnit, School


def access_scheme_unit(user, unit_id) -> AdministrativeUnit:
    """A unit whose schemes the user manages: one they are an officer of, or below it (404 otherwise)."""
    return access_unit(user, unit_id)


def can_manage_scheme(user, scheme: EmulationScheme) -> bool:
    return user_scope(user).covers_path(scheme.unit.path)


def access_scheme(user, scheme_id) -> EmulationScheme:
    """The scheme when the user manages its unit (404 otherwise)."""
    try:
        scheme = EmulationScheme.objects.select_related("unit").get(pk=scheme_id)
    except (EmulationScheme.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy bảng điểm thi đua.") from None
    if not can_manage_scheme(user, scheme):
        raise Http404("Không tìm thấy bảng điểm thi đua.")
    return scheme


def access_rule(user, scheme_id, rule_id) -> tuple[EmulationScheme, EmulationRule]:
    scheme = access_scheme(user, scheme_id)
    try:
        return scheme, scheme.rules.get(pk=rule_id)
    except (EmulationRule.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy tiêu chí chấm điểm.") from None


def access_scheme_school(user, scheme: EmulationScheme, school_id) -> School:
    """A school of the scheme (below its unit), for its detail and adjustment (404 otherwise)."""
    try:
        return School.objects.within(scheme.unit).select_related("unit").get(pk=school_id)
    except (School.DoesNotExist, ValueError, TypeError):
        raise Http404("Trường không thuộc đơn vị của bảng điểm.") from None


def access_school_scores(user, school_id) -> School:
    """A school whose scores the user reads: its principal, or an officer above it (404 for everyone else, including
    the school's other staff)."""
    scope = user_scope(user)
    try:
        school = School.objects.select_related("unit").get(pk=school_id)
    except (School.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy trường.") from None
    if scope.covers_path(school.unit.path) or Role.PRINCIPAL in scope.roles_at_school(school.pk):
        return school
    raise Http404("Không tìm thấy trường.")
