"""Writes of users and memberships."""

from django.core.exceptions import ValidationError
from django.db import transaction

from kiemdinh.accounts.models import SCHOOL_ROLES, Body, Membership, Role, User, default_body
from kiemdinh.core import audit
from kiemdinh.core.audit import Event


@transaction.atomic
def user_create(*, actor, username: str, password: str, full_name: str = "", email: str = "") -> User:
    username = username.strip()
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"Tên đăng nhập “{username}” đã tồn tại."})
    user = User(username=username, full_name=full_name.strip(), email=email.strip())
    user.set_password(password)
    user.save()
    audit.record(actor=actor, event_type=Event.USER_CREATED, obj=user, data={"username": username})
    return user


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
