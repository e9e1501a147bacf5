"""Writes of users and memberships: creating an account (its password checked by the password rules, or none yet
and an invitation to set it), giving, changing and ending roles — each checked against what the actor may grant
(accounts.access.may_grant) where an actor acts through a page, and audited."""

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from kiemdinh.accounts.access import may_grant, may_manage, user_scope
from kiemdinh.accounts.models import SCHOOL_ROLES, USERNAME_PATTERN, Body, Membership, Role, User, default_body
from kiemdinh.accounts.selectors import invitation_path
from kiemdinh.core import audit
from kiemdinh.core.audit import Event
from kiemdinh.core.text import clean


def _checked_identity(username: str, full_name: str, email: str) -> tuple[str, str, str]:
    username, full_name, email = clean(username or ""), clean(full_name or ""), clean(email or "").lower()
    if not username:
        raise ValidationError({"username": "Hãy nhập tên đăng nhập."})
    if len(username) > 150:
        raise ValidationError({"username": "Tên đăng nhập dài tối đa 150 ký tự."})
    if not USERNAME_PATTERN.fullmatch(username):
        raise ValidationError(
            {"username": "Tên đăng nhập chỉ gồm chữ không dấu, số và các dấu . @ + - _ (không có khoảng trắng)."}
        )
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"Tên đăng nhập “{username}” đã có người dùng."})
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"email": f"Địa chỉ thư “{email}” không hợp lệ."}) from None
    return username, full_name[:200], email


@transaction.atomic
def user_create(*, actor, username: str, password: str | None, full_name: str = "", email: str = "") -> User:
    """A new account. With a password, the password rules apply (AUTH_PASSWORD_VALIDATORS) as on every other path;
    without one (None), the account has no usable password until its holder sets one through an invitation link."""
    username, full_name, email = _checked_identity(username, full_name, email)
    user = User(username=username, full_name=full_name, email=email)
    if password is None:
        user.set_unusable_password()
    else:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from None
        user.set_password(password)
    user.save()
    audit.record(actor=actor, event_type=Event.USER_CREATED, obj=user, data={"username": username})
    return user


@transaction.atomic
def account_create(
    *, actor, username: str, full_name: str, email: str, role: str, unit=None, school=None, title: str = ""
) -> User:
    """An administrator of a unit or a school creates an account with one role, without a password: its holder sets
    it through the invitation (by e-mail, or the printed slip). Refused when the actor may not grant that role there."""
    if role not in Role.values:
        raise ValidationError({"role": "Hãy chọn vai trò."})
    if not may_grant(user_scope(actor), role, unit=unit, school=school):
        raise PermissionDenied("Không được giao vai trò này ở đơn vị hoặc trường đã chọn.")
    user = user_create(actor=actor, username=username, password=None, full_name=full_name, email=email)
    membership_grant(actor=actor, user=user, role=role, unit=unit, school=school, title=title)
    return user


def school_person_account_create(
    *, actor, school, full_name: str, username: str, email: str = "", role: str = Role.MEMBER
) -> User:
    """An account for a person of the school picked on another page (a council member: role member; a monitoring-team
    member: staff); errors are put on the form's `new_username` field. Only who may give that role (the principal)
    may do it."""
    if not clean(full_name or ""):
        raise ValidationError({"new_username": "Hãy nhập họ và tên của người được tạo tài khoản."})
    try:
        return account_create(
            actor=actor, username=username, full_name=full_name, email=email, role=role, school=school
        )
    except PermissionDenied:
        raise ValidationError({"new_username": "Chỉ hiệu trưởng tạo được tài khoản mới."}) from None
    except ValidationError as error:
        if hasattr(error, "error_dict") and "username" in error.error_dict:
            raise ValidationError({"new_username": error.error_dict["username"]}) from None
        raise


def _reason(reason: str) -> str:
    reason = clean(reason or "")
    if not reason:
        raise ValidationError({"reason": "Hãy ghi lý do (được lưu trong nhật ký)."})
    return reason[:500]


def _managed(actor, membership: Membership) -> Membership:
    # Only the membership's own row is locked: PostgreSQL refuses FOR UPDATE on the nullable side of the joins.
    rows = Membership.objects.select_for_update(of=("self",)).select_related("user", "unit", "school__unit")
    membership = rows.get(pk=membership.pk)
    if not may_manage(user_scope(actor), membership):
        raise PermissionDenied("Không được thay đổi vai trò này.")
    if membership.user_id == getattr(actor, "pk", None):
        raise ValidationError("Không tự thay đổi hay thôi vai trò của chính mình; hãy nhờ cấp trên.")
    return membership


@transaction.atomic
def membership_end(*, actor, membership: Membership, reason: str) -> Membership:
    """Take a role away (the row stays, inactive, for the history). An account left with no active role can no
    longer sign in."""
    reason = _reason(reason)
    membership = _managed(actor, membership)
    if not membership.is_active:
        raise ValidationError("Vai trò này đã thôi từ trước.")
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    user = membership.user
    if not user.memberships.active().exists() and not user.is_superuser:
        user.is_active = False
        user.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        event_type=Event.MEMBERSHIP_ENDED,
        obj=membership,
        unit=membership.unit,
        school=membership.school,
        data={"user": user.username, "role": membership.role, "reason": reason},
    )
    return membership


@transaction.atomic
def membership_change_role(*, actor, membership: Membership, role: str, reason: str) -> Membership:
    """Give the holder another role at the same school or unit, with a reason; the actor must be able to grant both
    the old role and the new one."""
    reason = _reason(reason)
    membership = _managed(actor, membership)
    if role not in Role.values:
        raise ValidationError({"role": "Hãy chọn vai trò."})
    if role == membership.role:
        raise ValidationError({"role": "Vai trò mới trùng vai trò hiện có."})
    if not may_grant(user_scope(actor), role, unit=membership.unit, school=membership.school):
        raise PermissionDenied("Không được giao vai trò này.")
    if Membership.objects.filter(
        user=membership.user, role=role, unit=membership.unit, school=membership.school, body=membership.body
    ).exists():
        raise ValidationError({"role": "Người này đã có vai trò đó ở cùng nơi; hãy thôi vai trò hiện tại."})
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit.record(
        actor=actor,
        event_type=Event.MEMBERSHIP_ROLE_CHANGED,
        obj=membership,
        unit=membership.unit,
        school=membership.school,
        data={"user": membership.user.username, "from": previous, "to": role, "reason": reason},
    )
    return membership


def invitation_send(*, actor, user: User, site_url: str) -> None:
    """E-mail the holder of a new account the one-time link to set its password (`site_url`: the site's address, e.g.
    request.build_absolute_uri("/")). Refused without an address: the slip is printed instead (invitation_printed)."""
    site = site_url.rstrip("/")
    link, login_url = site + invitation_path(user), site + reverse("accounts:login")
    if not user.email:
        raise ValidationError("Tài khoản chưa có địa chỉ thư điện tử; hãy in phiếu đặt mật khẩu.")
    roles = ", ".join(
        f"{m.get_role_display()} — {m.school or m.unit or 'toàn hệ thống'}" for m in user.memberships.active()
    )
    context = {
        "user": user,
        "inviter": getattr(actor, "display_name", "Quản trị hệ thống"),
        "roles": roles,
        "link": link,
        "login": login_url,
        "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    send_mail(
        render_to_string("accounts/email/invitation_subject.txt", context).strip(),
        render_to_string("accounts/email/invitation.txt", context),
        None,
        [user.email],
    )
    audit.record(actor=actor, event_type=Event.USER_INVITED, obj=user, data={"user": user.username, "by": "email"})


def invitation_deliver(*, actor, user: User, site_url: str) -> str:
    """After an account was made on another page: e-mail its invitation when it has an address; the sentence that
    tells the user what happened (`site_url`: the site's address, e.g. request.build_absolute_uri("/"))."""
    if not user.email:
        return f"Đã tạo tài khoản “{user.username}”: in phiếu đặt mật khẩu ở trang Quản lý tài khoản."
    invitation_send(actor=actor, user=user, site_url=site_url)
    return f"Đã tạo tài khoản “{user.username}” và gửi thư mời đặt mật khẩu đến {user.email}."


def invitation_printed(*, actor, user: User) -> None:
    """A slip with the one-time link was printed for a holder without e-mail."""
    audit.record(actor=actor, event_type=Event.USER_INVITED, obj=user, data={"user": user.username, "by": "slip"})


def password_changed(*, user: User, reset: bool) -> None:
    """The holder changed their password (or set it from a link: an invitation or a reset)."""
    audit.record(actor=user, event_type=Event.USER_PASSWORD_CHANGED, obj=user, data={"reset": reset})


@transaction.atomic
def membership_grant(
    *, actor, user: User, role: str, unit=None, school=None, title: str = "", body: str = ""
) -> Membership:
    """Give the user a role in a school or a unit (or again, when it was taken away). An officer works for one body
    of the unit (`body`: the Sở/Phòng GD&ĐT or the People's Committee); unnamed, the unit's usual one (default_body).
    Officers of two bodies of one unit hold two memberships."""
    role = Role(role)
    if role in SCHOOL_ROLES and (school is None or unit is not None):
        raise ValidationError({"school": f"Vai trò “{role.label}” phải gắn với một trường."})
    if role == Role.OFFICER and (unit is None or school is not None):
        raise ValidationError({"unit": "Cán bộ quản lý phải gắn với một đơn vị hành chính."})
    if role == Role.ADMIN and (unit is not None or school is not None):
        raise ValidationError({"role": "Quản trị hệ thống không gắn với đơn vị hay trường."})
    if role == Role.EVALUATOR and school is not None:
        raise ValidationError({"school": "Đánh giá viên gắn với đơn vị công tác, không gắn với trường."})
    if body and body not in Body.values:
        raise ValidationError({"body": "Hãy chọn cơ quan của cán bộ quản lý."})
    if body and role != Role.OFFICER:
        raise ValidationError({"body": "Chỉ cán bộ quản lý gắn với một cơ quan của đơn vị."})
    if role == Role.OFFICER:
        body = body or default_body(unit)
    if role == Role.ADMIN and not (user.is_staff and user.is_superuser):
        # System admins manage users, units and frameworks in the Django admin site too.
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    membership, created = Membership.objects.get_or_create(
        user=user, role=role, unit=unit, school=school, body=body, defaults={"title": title}
    )
    if not created and (membership.title != title or not membership.is_active):
        membership.title = title
        membership.is_active = True
        membership.save(update_fields=["title", "is_active"])
    audit.record(
        actor=actor,
        event_type=Event.MEMBERSHIP_GRANTED,
        obj=membership,
        unit=unit,
        school=school,
        data={"user": user.username, "role": role.value, **({"body": body} if body else {})},
    )
    return membership
