"""Account administration at every level (tài khoản): a Sở or commune officer creates the officers of their unit and
the units below, and the principals of the schools below; a principal creates the school's secretary, council members
and staff. An account is created without a password: its holder gets a one-time link to set it, by e-mail or on a
printed slip. Roles are ended or changed with a reason. What each user may grant is accounts.access.may_grant; the
writes are accounts.services (audited)."""

from functools import reduce
from operator import or_

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kiemdinh.accounts import services
from kiemdinh.accounts.access import grantable_roles, may_grant, may_manage, user_scope
from kiemdinh.accounts.models import Membership, Role, User
from kiemdinh.accounts.selectors import invitation_path, managed_memberships
from kiemdinh.core.bounds import as_id
from kiemdinh.core.forms import error_text, errors_into, form_messages
from kiemdinh.units.access import can_import
from kiemdinh.units.models import AdministrativeUnit, School
from kiemdinh.workspace.people_forms import AccountCreateForm, ReasonForm, RoleChangeForm

REFUSED = "Trang quản lý tài khoản dành cho cán bộ quản lý và hiệu trưởng."


def _places(scope):
    """The units where the user may make officers and the schools where they may give a role (two querysets)."""
    if scope.is_admin:
        return AdministrativeUnit.objects.all(), School.objects.select_related("unit")
    units = AdministrativeUnit.objects.none()
    school_q = []
    if scope.unit_paths:
        units = AdministrativeUnit.objects.filter(reduce(or_, (Q(path__startswith=p) for p in scope.unit_paths)))
        school_q += [Q(unit__path__startswith=p) for p in scope.unit_paths]
    headed = [sid for sid, roles in scope.school_roles.items() if Role.PRINCIPAL in roles]
    if headed:
        school_q.append(Q(pk__in=headed))
    schools = School.objects.filter(reduce(or_, school_q)) if school_q else School.objects.none()
    return units.order_by("path"), schools.select_related("unit").order_by("name")


def _create_form(request, data=None) -> AccountCreateForm:
    scope = user_scope(request.user)
    units, schools = _places(scope)
    return AccountCreateForm(data, roles=grantable_roles(scope), units=units, schools=schools)


def _administrator(request):
    scope = user_scope(request.user)
    if not grantable_roles(scope):
        raise PermissionDenied(REFUSED)
    return scope


def _page(request, form=None, status=200) -> HttpResponse:
    scope = _administrator(request)
    roles = grantable_roles(scope)
    rows = []
    for m in managed_memberships(request.user)[:500]:
        can_change = may_manage(scope, m) and m.user_id != request.user.pk
        others = [(r, Role(r).label) for r in _roles_at(scope, roles, m) if r != m.role] if can_change else []
        rows.append((m, can_change, others))
    return render(
        request,
        "workspace/people.html",
        {
            "rows": rows,
            "can_import": can_import(request.user),
            "form": form or _create_form(request),
            "roles": roles,
        },
        status=status,
    )


def _roles_at(scope, roles, membership) -> list[str]:
    """The roles the user may give at this membership's school or unit."""
    return [r for r in roles if may_grant(scope, r, unit=membership.unit, school=membership.school)]


@login_required
def people(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def person_create(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    form = _create_form(request, request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    try:
        user = services.account_create(
            actor=request.user,
            username=data["username"],
            full_name=data["full_name"],
            email=data["email"],
            role=data["role"],
            unit=data.get("unit"),
            school=data.get("school"),
            title=data["title"],
        )
    except ValidationError as error:
        errors_into(form, error)
        return _page(request, form, status=400)
    if user.email:
        site = request.build_absolute_uri("/")
        messages.success(request, services.invitation_deliver(actor=request.user, user=user, site_url=site))
        return redirect("workspace:people")
    messages.success(request, f"Đã tạo tài khoản “{user.username}”. In phiếu dưới đây và trao cho người dùng.")
    return _slip(request, user)


def _managed_user(request, user_id: int) -> User:
    """A user holding at least one role the requester administers (404 otherwise: no probing of other accounts)."""
    _administrator(request)
    if as_id(str(user_id)) is None:
        raise Http404("Không tìm thấy tài khoản.")
    ids = managed_memberships(request.user).filter(user_id=user_id).values("user_id")
    return get_object_or_404(User.objects.filter(pk__in=ids).exclude(pk=request.user.pk))


def _slip(request, user: User) -> HttpResponse:
    services.invitation_printed(actor=request.user, user=user)
    return render(
        request,
        "workspace/people_slip.html",
        {
            "person": user,
            "link": request.build_absolute_uri(invitation_path(user)),
            "login": request.build_absolute_uri(reverse("accounts:login")),
            "roles": user.memberships.active().select_related("unit", "school"),
        },
    )


@login_required
@require_POST
def person_slip(request: HttpRequest, user_id: int) -> HttpResponse:
    """A new one-time link on a printable slip (the previous link keeps working until the password is set)."""
    return _slip(request, _managed_user(request, user_id))


@login_required
@require_POST
def person_invite(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _managed_user(request, user_id)
    try:
        services.invitation_send(actor=request.user, user=user, site_url=request.build_absolute_uri("/"))
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"Đã gửi lại thư mời đặt mật khẩu đến {user.email}.")
    return redirect("workspace:people")


def _managed_membership(request, membership_id: int) -> Membership:
    _administrator(request)
    if as_id(str(membership_id)) is None:
        raise Http404("Không tìm thấy vai trò.")
    return get_object_or_404(managed_memberships(request.user), pk=membership_id)


@login_required
@require_POST
def membership_end(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = _managed_membership(request, membership_id)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.get("reason", "Hãy ghi lý do."))
        services.membership_end(actor=request.user, membership=membership, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request, f"Đã thôi vai trò {membership.get_role_display()} của {membership.user.display_name}."
        )
    return redirect("workspace:people")


@login_required
@require_POST
def membership_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = _managed_membership(request, membership_id)
    scope = user_scope(request.user)
    form = RoleChangeForm(request.POST, roles=_roles_at(scope, grantable_roles(scope), membership))
    try:
        if not form.is_valid():
            raise ValidationError(form_messages(form))
        services.membership_change_role(
            actor=request.user,
            membership=membership,
            role=form.cleaned_data["role"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, f"Đã đổi vai trò của {membership.user.display_name}.")
    return redirect("workspace:people")
